//! ENGINE: what every output read when it last rendered, both ways: the
//! keys of each output, and the outputs that read each key.
//!
//! After a change the engine finds the keys whose value changed
//! ([`super::prints`]) and asks [`Graph::readers`] which outputs to render
//! again; each output rendered replaces its own reads ([`Graph::set`]).
//! Outputs are numbered once, so the tables hold numbers, not paths: a
//! site-wide page reads tens of thousands of keys.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::render::site::Key;

/// The recorded reads of every output.
#[derive(Debug, Default)]
pub struct Graph {
    ids: HashMap<PathBuf, u32>,
    paths: Vec<PathBuf>,
    /// Each output's keys, by output number; `None` once forgotten.
    reads: Vec<Option<Vec<Key>>>,
    readers: FxHashMap<Key, FxHashSet<u32>>,
}

impl Graph {
    fn id(&mut self, output: &Path) -> u32 {
        if let Some(&id) = self.ids.get(output) {
            return id;
        }
        let id = self.paths.len() as u32;
        self.ids.insert(output.to_path_buf(), id);
        self.paths.push(output.to_path_buf());
        self.reads.push(None);
        id
    }

    /// Replaces what `output` read with `keys`.
    pub fn set(&mut self, output: &Path, keys: Vec<Key>) {
        let id = self.id(output);
        self.unlink(id);
        for key in &keys {
            self.readers.entry(*key).or_default().insert(id);
        }
        self.reads[id as usize] = Some(keys);
    }

    /// Drops an output that no longer exists.
    pub fn forget(&mut self, output: &Path) {
        if let Some(&id) = self.ids.get(output) {
            self.unlink(id);
        }
    }

    fn unlink(&mut self, id: u32) {
        let Some(old) = self.reads[id as usize].take() else {
            return;
        };
        for key in old {
            if let Some(readers) = self.readers.get_mut(&key) {
                readers.remove(&id);
                if readers.is_empty() {
                    self.readers.remove(&key);
                }
            }
        }
    }

    /// Whether `output` has rendered and its reads are known.
    pub fn knows(&self, output: &Path) -> bool {
        self.ids
            .get(output)
            .is_some_and(|&id| self.reads[id as usize].is_some())
    }

    /// Every output whose reads are known.
    pub fn outputs(&self) -> impl Iterator<Item = &PathBuf> {
        self.paths
            .iter()
            .zip(&self.reads)
            .filter(|(_, r)| r.is_some())
            .map(|(p, _)| p)
    }

    /// Every output whose reads are known, with its keys.
    pub fn entries(&self) -> impl Iterator<Item = (&PathBuf, &[Key])> {
        self.paths
            .iter()
            .zip(&self.reads)
            .filter_map(|(p, r)| Some((p, r.as_deref()?)))
    }

    /// Every key some output read.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.readers.keys()
    }

    /// The outputs that read any of `keys`.
    pub fn readers<'a>(&'a self, keys: impl Iterator<Item = &'a Key>) -> BTreeSet<PathBuf> {
        let mut ids = FxHashSet::default();
        for key in keys {
            if let Some(readers) = self.readers.get(key) {
                ids.extend(readers.iter().copied());
            }
        }
        ids.into_iter()
            .map(|id| self.paths[id as usize].clone())
            .collect()
    }

    pub fn clear(&mut self) {
        *self = Graph::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_read_again_forgets_its_old_reads() {
        let mut g = Graph::default();
        let page = Path::new("a/index.html");
        g.set(page, vec![Key::Data(1), Key::Set]);
        g.set(page, vec![Key::Data(2)]);
        assert!(g.readers([Key::Data(1)].iter()).is_empty());
        assert_eq!(g.readers([Key::Data(2)].iter()).len(), 1);
        g.forget(page);
        assert!(g.keys().next().is_none());
        assert!(!g.knows(page));
    }
}
