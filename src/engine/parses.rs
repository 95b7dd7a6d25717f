//! ENGINE, LOAD: the parsed content files of the last build, kept in the
//! build cache by path and a hash of each file's bytes. A build from the
//! cache still reads every content file, but parses only those whose
//! bytes changed: parsing the front matter was the largest part of a
//! build from the cache (about 300 ms of 1.4 s at 10,000 entities).
//!
//! Only a file that parsed without a diagnostic is kept: its entity is all
//! that parsing it gave. Entities are kept encoded, and decoded only when
//! a build reuses them, so the shards a build does not change are written
//! back from the same bytes ([`super::shards`]). The stamp names the
//! binary: another parser may read a file differently.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::shards::{SHARDS, Shelf, shard_of};
use crate::content::{self, LoadedFiles, model::Entity};

/// The folder of the kept parses, in the cache folder.
pub const DIR: &str = "parsed";

const SHELF: Shelf = Shelf {
    magic: b"explainer parsed content 1\n",
};

/// The parsed files of one build, for the next.
pub struct Parses {
    /// By the file's path relative to the site root.
    kept: HashMap<PathBuf, Entry>,
    /// The shards whose entries changed since they were read.
    dirty: Vec<bool>,
    stamp: u64,
    /// Whether entities are kept packed with zstd: in memory, where they
    /// wait while a whole language renders (encoded, 10,000 entities took
    /// 115 MB; packed, about a fifth).
    packed: bool,
}

/// One file's entity, encoded, and the hash of the bytes it came from.
struct Entry {
    hash: u64,
    entity: Box<[u8]>,
    /// The encoding's length, when `entity` holds it packed.
    len: usize,
}

/// An [`Entry`] as a shard keeps it.
#[derive(Serialize, Deserialize)]
struct Kept {
    file: PathBuf,
    hash: u64,
    entity: Vec<u8>,
}

impl Parses {
    /// The parses kept in `dir` for this binary (`stamp`).
    pub fn load(dir: &Path, stamp: u64) -> Parses {
        let kept: Vec<Kept> = SHELF.load(&dir.join(DIR), stamp);
        let entry = |k: Kept| {
            let entity = k.entity.into_boxed_slice();
            let len = entity.len();
            (
                k.file,
                Entry {
                    hash: k.hash,
                    entity,
                    len,
                },
            )
        };
        Parses {
            kept: kept.into_iter().map(entry).collect(),
            dirty: vec![false; SHARDS],
            stamp,
            packed: false,
        }
    }

    /// None kept yet, held in memory and never saved: what one build from
    /// nothing shares between its languages, which read the same files.
    pub fn in_memory() -> Parses {
        Parses {
            kept: HashMap::new(),
            dirty: vec![false; SHARDS],
            stamp: 0,
            packed: true,
        }
    }

    /// Reads and parses every content file of the site, taking the entity
    /// of each file whose bytes are as kept; keeps what it parsed anew.
    pub fn load_parsed(&mut self, root: &Path) -> LoadedFiles {
        let mut trace = super::Trace::start();
        let loaded = content::load_parsed_reusing(root, &|file, hash| self.entity(file, hash));
        trace.lap("  read");
        let fresh: Vec<(PathBuf, Entry)> = loaded
            .parsed
            .par_iter()
            .filter(|p| !p.reused && p.diagnostics.is_empty())
            .filter_map(|p| {
                let (entity, len) = self.encode(p.entity.as_ref()?)?;
                let hash = p.hash;
                Some((p.rel.clone(), Entry { hash, entity, len }))
            })
            .collect();
        let present: HashSet<&Path> = loaded.parsed.iter().map(|p| p.rel.as_path()).collect();
        let dirty = &mut self.dirty;
        self.kept.retain(|file, _| {
            let here = present.contains(file.as_path());
            dirty[shard(file)] |= !here;
            here
        });
        for (file, entry) in fresh {
            self.dirty[shard(&file)] = true;
            self.kept.insert(file, entry);
        }
        trace.lap("  kept");
        loaded
    }

    /// The entity's encoding, packed when kept in memory, and its length.
    fn encode(&self, entity: &Entity) -> Option<(Box<[u8]>, usize)> {
        let bytes = postcard::to_allocvec(entity).ok()?;
        let len = bytes.len();
        let kept = match self.packed {
            true => super::blob::pack(&bytes)?,
            false => bytes,
        };
        Some((kept.into_boxed_slice(), len))
    }

    /// The entity kept for `file`, if its bytes still hash to `hash`.
    fn entity(&self, file: &Path, hash: u64) -> Option<Entity> {
        let kept = self.kept.get(file).filter(|k| k.hash == hash)?;
        if self.packed {
            let bytes = super::blob::unpack(&kept.entity, kept.len)?;
            return postcard::from_bytes(&bytes).ok();
        }
        postcard::from_bytes(&kept.entity).ok()
    }

    /// Writes the parses into `dir`: only the shards that changed.
    pub fn save(self, dir: &Path) -> std::io::Result<()> {
        let mut shards: Vec<Vec<Kept>> = (0..SHARDS).map(|_| Vec::new()).collect();
        for (file, Entry { hash, entity, .. }) in self.kept {
            let entity = entity.into_vec();
            shards[shard(&file)].push(Kept { file, hash, entity });
        }
        // In path order, so that the same parses give the same bytes.
        shards
            .par_iter_mut()
            .for_each(|s| s.sort_unstable_by(|a, b| a.file.cmp(&b.file)));
        let dirty = &self.dirty;
        SHELF.save(&dir.join(DIR), self.stamp, &shards, |n| !dirty[n])
    }
}

/// The shard that keeps `file`'s entity.
fn shard(file: &Path) -> usize {
    shard_of(&file.to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every entity of the example site and of the test sites (bad input
    /// included) comes back from the cache exactly as parsing gave it.
    #[test]
    fn a_kept_entity_is_the_parsed_one() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sites = vec![root.to_path_buf()];
        for entry in walkdir::WalkDir::new(root.join("tests")).max_depth(5) {
            let path = entry.unwrap().into_path();
            if path.ends_with("content") {
                sites.extend(path.parent().map(Path::to_path_buf));
            }
        }
        let mut checked = 0;
        for site in sites {
            for parsed in content::load_parsed(&site).parsed {
                let Some(entity) = parsed.entity else {
                    continue;
                };
                let bytes = postcard::to_allocvec(&entity).unwrap();
                let back: Entity = postcard::from_bytes(&bytes).unwrap();
                assert_eq!(back, entity, "{}", parsed.rel.display());
                checked += 1;
            }
        }
        assert!(checked > 300, "only {checked} entities");
    }

    /// A build from nothing shares its parses between its languages:
    /// packed in memory, they come back as parsed.
    #[test]
    fn a_second_language_takes_the_first_ones_parses() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut parses = Parses::in_memory();
        let first = parses.load_parsed(root);
        let second = parses.load_parsed(root);
        assert!(first.parsed.iter().all(|p| !p.reused));
        let reused = second.parsed.iter().filter(|p| p.reused).count();
        let clean = first
            .parsed
            .iter()
            .filter(|p| p.entity.is_some() && p.diagnostics.is_empty())
            .count();
        assert!(reused > 50 && reused == clean, "{reused} of {clean}");
        for (a, b) in first.parsed.iter().zip(&second.parsed) {
            assert_eq!((&a.rel, &a.entity), (&b.rel, &b.entity));
        }
    }

    #[test]
    fn only_changed_files_are_parsed_again() {
        let dir = tempfile::tempdir().unwrap();
        let (site, cache) = (dir.path().join("site"), dir.path().join("cache"));
        let actors = site.join("content/actors");
        std::fs::create_dir_all(&actors).unwrap();
        std::fs::write(
            actors.join("a.md"),
            "---\ntitle: A\ntype: person\n---\nA.\n",
        )
        .unwrap();
        std::fs::write(
            actors.join("b.md"),
            "---\ntitle: B\ntype: person\n---\nB.\n",
        )
        .unwrap();
        let reused = |stamp: u64| {
            let mut parses = Parses::load(&cache, stamp);
            let loaded = parses.load_parsed(&site);
            parses.save(&cache).unwrap();
            let mut reused: Vec<(String, bool)> = loaded
                .parsed
                .iter()
                .map(|p| (p.slug.clone(), p.reused))
                .collect();
            reused.sort();
            reused
        };
        assert_eq!(reused(1), [("a".into(), false), ("b".into(), false)]);
        assert_eq!(reused(1), [("a".into(), true), ("b".into(), true)]);
        std::fs::write(
            actors.join("b.md"),
            "---\ntitle: B2\ntype: person\n---\nB.\n",
        )
        .unwrap();
        assert_eq!(reused(1), [("a".into(), true), ("b".into(), false)]);
        assert_eq!(
            reused(2),
            [("a".into(), false), ("b".into(), false)],
            "another binary"
        );
        for shard in std::fs::read_dir(cache.join(DIR)).unwrap() {
            let path = shard.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        }
        let none = [("a".into(), false), ("b".into(), false)];
        assert_eq!(reused(2), none, "damaged");
        assert_eq!(
            reused(2),
            [("a".into(), true), ("b".into(), true)],
            "written anew"
        );
    }
}
