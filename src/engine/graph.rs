//! ENGINE: what every output read when it last rendered, both ways: the
//! keys of each output, and the outputs that read each key.
//!
//! After a change the engine finds the keys whose value changed
//! ([`super::prints`]) and asks [`Graph::readers`] which outputs to render
//! again; each output rendered replaces its own reads ([`Graph::set`]).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::render::site::Key;

/// The recorded reads of every output, by output path.
#[derive(Debug, Default)]
pub struct Graph {
    reads: HashMap<PathBuf, Vec<Key>>,
    readers: HashMap<Key, BTreeSet<PathBuf>>,
}

impl Graph {
    /// Replaces what `output` read with `keys`.
    pub fn set(&mut self, output: &Path, keys: Vec<Key>) {
        self.forget(output);
        for key in &keys {
            self.readers
                .entry(*key)
                .or_default()
                .insert(output.to_path_buf());
        }
        self.reads.insert(output.to_path_buf(), keys);
    }

    /// Drops an output that no longer exists.
    pub fn forget(&mut self, output: &Path) {
        let Some(old) = self.reads.remove(output) else {
            return;
        };
        for key in old {
            if let Some(readers) = self.readers.get_mut(&key) {
                readers.remove(output);
                if readers.is_empty() {
                    self.readers.remove(&key);
                }
            }
        }
    }

    /// Whether `output` has rendered and its reads are known.
    pub fn knows(&self, output: &Path) -> bool {
        self.reads.contains_key(output)
    }

    /// Every key some output read.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.readers.keys()
    }

    /// The outputs that read any of `keys`.
    pub fn readers<'a>(&'a self, keys: impl Iterator<Item = &'a Key>) -> BTreeSet<PathBuf> {
        let mut out = BTreeSet::new();
        for key in keys {
            if let Some(readers) = self.readers.get(key) {
                out.extend(readers.iter().cloned());
            }
        }
        out
    }

    pub fn clear(&mut self) {
        self.reads.clear();
        self.readers.clear();
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
    }
}
