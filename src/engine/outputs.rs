//! ENGINE: every file of the site as rendered, by output path. `serve`
//! hands the HTTP side only what changed since its last hand-over
//! ([`Outputs::take_changed`]): copying tens of thousands of entries after
//! every save cost more than rendering the save's pages.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;
use std::path::{Path, PathBuf};

use super::blob::Blob;

/// The output, read like a map; changed only through [`Outputs::insert`]
/// and [`Outputs::remove`], which note the path when changes are tracked.
#[derive(Default)]
pub struct Outputs {
    files: BTreeMap<PathBuf, Blob>,
    /// Paths inserted or removed since the last [`Outputs::take_changed`];
    /// `None` while nobody asks (a build), so they cost nothing there.
    changed: Option<BTreeSet<PathBuf>>,
}

impl Outputs {
    pub fn insert(&mut self, path: PathBuf, blob: Blob) -> Option<Blob> {
        if let Some(changed) = &mut self.changed {
            changed.insert(path.clone());
        }
        self.files.insert(path, blob)
    }

    pub fn remove(&mut self, path: &Path) -> Option<Blob> {
        let old = self.files.remove(path);
        if let (Some(changed), Some(_)) = (&mut self.changed, &old) {
            changed.insert(path.to_path_buf());
        }
        old
    }

    /// The paths inserted or removed since the last call (every path the
    /// first time), from then on noting them.
    pub fn take_changed(&mut self) -> BTreeSet<PathBuf> {
        match &mut self.changed {
            Some(changed) => std::mem::take(changed),
            None => {
                self.changed = Some(BTreeSet::new());
                self.files.keys().cloned().collect()
            }
        }
    }
}

impl Deref for Outputs {
    type Target = BTreeMap<PathBuf, Blob>;

    fn deref(&self) -> &Self::Target {
        &self.files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(text: &str) -> Blob {
        Blob::new(Path::new("a.html"), text.as_bytes().to_vec())
    }

    #[test]
    fn changes_are_noted_once_asked_for() {
        let mut out = Outputs::default();
        out.insert("a.html".into(), blob("a"));
        out.insert("b.html".into(), blob("b"));
        assert_eq!(out.take_changed().len(), 2, "everything the first time");
        assert!(out.take_changed().is_empty());
        out.insert("a.html".into(), blob("A"));
        out.remove(Path::new("b.html"));
        out.remove(Path::new("never.html"));
        let changed: Vec<PathBuf> = out.take_changed().into_iter().collect();
        assert_eq!(changed, [PathBuf::from("a.html"), PathBuf::from("b.html")]);
    }
}
