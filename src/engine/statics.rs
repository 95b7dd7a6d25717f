//! ENGINE, WRITE: static files of the theme and the site, by output path,
//! copied into the in-memory output `serve` answers from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::render::templates::DEFAULT_THEME;

/// Static files of every layer, by output path.
pub fn all(root: &Path, config: &Config) -> BTreeSet<PathBuf> {
    let mut all = BTreeSet::new();
    if config.theme == "default" {
        all.extend(
            DEFAULT_THEME
                .iter()
                .filter_map(|(p, _)| p.strip_prefix("static/"))
                .map(PathBuf::from),
        );
    }
    for dir in dirs(root, config) {
        for entry in walkdir::WalkDir::new(&dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            if let Ok(rel) = entry.path().strip_prefix(&dir)
                && !rel.iter().any(|c| c.to_string_lossy().starts_with('.'))
            {
                all.insert(rel.to_path_buf());
            }
        }
    }
    all
}

/// Static folders, lowest precedence first.
fn dirs(root: &Path, config: &Config) -> [PathBuf; 2] {
    [
        root.join("themes").join(&config.theme).join("static"),
        root.join("static"),
    ]
}

/// Copies one static file (by output path) from the highest layer that has
/// it, or removes it when no layer does.
pub fn copy(
    root: &Path,
    config: &Config,
    rel: &Path,
    output: &mut BTreeMap<PathBuf, Arc<[u8]>>,
    changed: &mut BTreeSet<PathBuf>,
) {
    let from_disk = dirs(root, config)
        .iter()
        .rev()
        .find_map(|dir| std::fs::read(dir.join(rel)).ok());
    let builtin = || {
        let wanted = format!("static/{}", rel.to_string_lossy().replace('\\', "/"));
        DEFAULT_THEME
            .iter()
            .find(|(p, _)| *p == wanted)
            .map(|(_, text)| text.as_bytes().to_vec())
    };
    let bytes = from_disk.or_else(|| (config.theme == "default").then(builtin).flatten());
    match bytes {
        Some(bytes) => {
            if output.get(rel).is_some_and(|old| **old == *bytes) {
                return;
            }
            changed.insert(rel.to_path_buf());
            output.insert(rel.to_path_buf(), Arc::from(bytes));
        }
        None => {
            if output.remove(rel).is_some() {
                changed.insert(rel.to_path_buf());
            }
        }
    }
}
