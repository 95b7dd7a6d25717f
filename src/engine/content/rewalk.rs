//! ENGINE, LOAD: which content files there are after files came or went,
//! without walking `content/` again when the watcher named them all.
//!
//! A walk of a 10,000-file `content/` costs 35–50 ms, a third of what a
//! file's coming or going costs `serve`. When every changed path is a plain
//! file (present, or gone and not a folder before) in a visible place, the
//! files found are those known before, less the gone ones, plus the new
//! ones. Anything else (a folder, a symlink, a hidden name, a missing
//! `content/`) takes the walk, which knows every rule of what is content.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::Content;
use crate::content::{self, Found};
use crate::diag::Diagnostics;

impl Content {
    /// The files of `content/` after `changed` (paths relative to the
    /// root), with the walk's warnings brought up to date; `None` when
    /// only a walk can tell.
    pub(super) fn found_without_walk(
        &mut self,
        root: &Path,
        changed: &[PathBuf],
    ) -> Option<Vec<Found>> {
        let real_dir = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
        // The walk follows no symlink: a linked folder's files are not content.
        if !real_dir(&root.join("content")) {
            return None;
        }
        let mut present: BTreeSet<&Path> = BTreeSet::new();
        let mut gone: BTreeSet<&Path> = BTreeSet::new();
        for rel in changed {
            if !plain_place(rel) || !rel.parent().is_some_and(|p| real_dir(&root.join(p))) {
                return None;
            }
            match std::fs::symlink_metadata(root.join(rel)) {
                Ok(meta) if meta.is_file() => {
                    present.insert(rel);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    // A folder that went: its files went with it.
                    if self.files.keys().any(|f| f != rel && f.starts_with(rel)) {
                        return None;
                    }
                    gone.insert(rel);
                }
                _ => return None,
            }
        }
        let mut walk = Diagnostics::default();
        let mut found: Vec<Found> = self
            .files
            .keys()
            .filter(|f| !gone.contains(f.as_path()) && !present.contains(f.as_path()))
            .filter_map(|f| content::classify_path(f, &mut walk))
            .collect();
        self.walk_diags
            .retain(|d| !gone.contains(d.file.as_path()) && !present.contains(d.file.as_path()));
        for rel in present {
            if let Some(f) = content::classify_path(rel, &mut self.walk_diags) {
                found.push(f);
            }
        }
        Some(found)
    }
}

/// Whether `rel` is a content file's path that the walk would list as it
/// is: under `content/`, with a content extension, and no hidden name on
/// the way (the walk leaves out `.` and `_` names but the home page's).
fn plain_place(rel: &Path) -> bool {
    let mut parts = rel.iter().filter_map(|p| p.to_str());
    if parts.next() != Some("content") {
        return false;
    }
    let rest: Vec<&str> = parts.collect();
    content::has_content_extension(rel)
        && rest.len() == 2
        && rest
            .iter()
            .all(|name| !name.starts_with('.') && !name.starts_with('_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_visible_files_of_a_kind_folder_skip_the_walk() {
        assert!(plain_place(Path::new("content/actors/ada.md")));
        assert!(plain_place(Path::new("content/actors/ada.uk.md")));
        assert!(!plain_place(Path::new("content/actors")));
        assert!(!plain_place(Path::new("content/_index.md")));
        assert!(!plain_place(Path::new("content/actors/.ada.md.swp")));
        assert!(!plain_place(Path::new("content/actors/_draft.md")));
        assert!(!plain_place(Path::new("content/actors/deep/ada.md")));
        assert!(!plain_place(Path::new("content/actors/ada.txt")));
        assert!(!plain_place(Path::new("static/ada.md")));
    }
}
