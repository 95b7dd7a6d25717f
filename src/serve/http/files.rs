//! SERVE: the files a snapshot serves. A new snapshot after every save
//! must not copy the site: it shares a large base with the snapshot
//! before it and holds only the files changed since that base was made,
//! folding them into a new base once they are many.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::blob::Blob;

/// How many changed files a snapshot holds beside its base before they
/// are folded into a new one while `serve` is busy (it folds them when
/// idle): small enough that the next snapshot's copy of them is quick,
/// large enough that a full copy is rare while every page is rendered.
const FOLD_AFTER: usize = 4096;

#[derive(Default)]
pub struct Files {
    base: Arc<BTreeMap<PathBuf, Blob>>,
    /// Files changed since `base` was made: `None` for one removed.
    recent: BTreeMap<PathBuf, Option<Blob>>,
}

impl Files {
    pub fn get(&self, path: &Path) -> Option<&Blob> {
        match self.recent.get(path) {
            Some(changed) => changed.as_ref(),
            None => self.base.get(path),
        }
    }

    pub fn contains_key(&self, path: &Path) -> bool {
        self.get(path).is_some()
    }

    /// The files of `self` with those at `changed` as they are in `now`
    /// (gone where `now` has none).
    pub fn with_changes(&self, now: &BTreeMap<PathBuf, Blob>, changed: &BTreeSet<PathBuf>) -> Self {
        let mut recent = self.recent.clone();
        for path in changed {
            recent.insert(path.clone(), now.get(path).cloned());
        }
        let next = Files {
            base: Arc::clone(&self.base),
            recent,
        };
        if next.recent.len() <= FOLD_AFTER {
            return next;
        }
        next.folded()
    }

    /// Whether files changed since the base was made.
    pub fn has_recent(&self) -> bool {
        !self.recent.is_empty()
    }

    /// The same files in one new base: a copy of the whole site, made
    /// when `serve` is idle so that the next save's snapshot is small.
    /// Both maps are in path order, so they are merged in one pass and
    /// the new base built from sorted entries: inserting tens of
    /// thousands of paths one by one costs a hundred times more (a path
    /// compares component by component).
    pub fn folded(&self) -> Self {
        let mut merged = Vec::with_capacity(self.base.len() + self.recent.len());
        let mut base = self.base.iter().peekable();
        for (path, blob) in &self.recent {
            while let Some((p, b)) = base.next_if(|(p, _)| *p < path) {
                merged.push((p.clone(), b.clone()));
            }
            base.next_if(|(p, _)| *p == path);
            if let Some(blob) = blob {
                merged.push((path.clone(), blob.clone()));
            }
        }
        merged.extend(base.map(|(p, b)| (p.clone(), b.clone())));
        Files::from(merged.into_iter().collect::<BTreeMap<_, _>>())
    }
}

impl From<BTreeMap<PathBuf, Blob>> for Files {
    fn from(all: BTreeMap<PathBuf, Blob>) -> Self {
        Files {
            base: Arc::new(all),
            recent: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(text: &str) -> Blob {
        Blob::new(Path::new("x.html"), text.as_bytes().to_vec())
    }

    fn text(files: &Files, path: &str) -> Option<String> {
        files
            .get(Path::new(path))
            .map(|b| String::from_utf8_lossy(&b.bytes()).into_owned())
    }

    /// Every version reads like the engine's map at the time it was
    /// made, whether its changes are held apart or folded in.
    #[test]
    fn each_version_serves_the_files_as_they_were() {
        let mut now: BTreeMap<PathBuf, Blob> = BTreeMap::new();
        now.insert("a".into(), blob("a0"));
        now.insert("b".into(), blob("b0"));
        let mut versions = vec![Files::from(now.clone())];
        for i in 1..=(FOLD_AFTER + 10) {
            let path = PathBuf::from(format!("p{i}"));
            now.insert(path.clone(), blob(&i.to_string()));
            now.insert("a".into(), blob(&format!("a{i}")));
            let mut changed = BTreeSet::from([path, PathBuf::from("a")]);
            if i == 3 {
                now.remove(Path::new("b"));
                changed.insert("b".into());
            }
            let next = versions.last().unwrap().with_changes(&now, &changed);
            versions.push(next);
        }
        let last = versions.last().unwrap();
        assert!(last.recent.len() < FOLD_AFTER, "folded on the way");
        for path in now.keys() {
            assert_eq!(last.get(path), now.get(path), "{path:?}");
        }
        assert_eq!(text(last, "b"), None, "removed stays removed");
        assert_eq!(text(&versions[2], "b").as_deref(), Some("b0"));
        assert_eq!(text(&versions[2], "a").as_deref(), Some("a2"));
        assert_eq!(text(&versions[2], "p3"), None, "not yet there");
    }
}
