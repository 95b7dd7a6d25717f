//! ENGINE: inputs of the Markdown pass that are not content files —
//! picture files. An entity's rendered Markdown names each picture by a
//! hash of its bytes, so when a picture file changes, the entities showing
//! it are rendered again; the picture itself is processed again once, and
//! no other picture is (the processing cache answers from memory for a
//! file whose size and time did not change).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::content::model::EntityIdx;
use crate::render::Prepared;
use crate::render::images::{self, ImageConfig, Processed};

/// The entities (by index into `prepared`) showing a picture whose file
/// is no longer what was processed: changed, gone or unreadable.
pub fn stale_pictures(prepared: &[Prepared], config: &ImageConfig) -> HashSet<EntityIdx> {
    let mut now: HashMap<PathBuf, Option<Arc<Processed>>> = HashMap::new();
    let mut stale = HashSet::new();
    for (i, p) in prepared.iter().enumerate() {
        for picture in &p.pictures {
            let fresh = now
                .entry(picture.source.clone())
                .or_insert_with(|| images::process::process(&picture.source, config).ok());
            if fresh.as_deref() != Some(&**picture) {
                stale.insert(i);
            }
        }
    }
    stale
}

/// Whether a picture the entity names could not be used (not found,
/// corrupt…): a file that appears or is fixed later must be seen, and
/// nothing else names it.
pub fn picture_failed(p: &Prepared) -> bool {
    p.diagnostics.iter().any(|d| {
        d.severity == crate::diag::Severity::Error
            && d.code.starts_with("image-")
            && !d.code.starts_with("image-alt")
    })
}
