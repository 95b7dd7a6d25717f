//! ENGINE: a list kept in the build cache in [`SHARDS`] files of its own,
//! each entry in the file its key hashes to, so that a build that changes
//! one entry rewrites one file (about 1 MB at 10,000 entities), not the
//! whole list (about 80 MB). The rendered Markdown ([`super::memo`]) and
//! the parsed content files ([`super::parses`]) are kept this way.

use std::fs;
use std::io;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// How many files a list is kept in.
pub const SHARDS: usize = 64;
/// The file listing each shard's print as last written.
const INDEX: &str = "index.bin";

/// One kind of list: the first line of its files, so one is never read as
/// another.
pub struct Shelf {
    pub magic: &'static [u8],
}

/// The shard that holds the entry of `key`.
pub fn shard_of(key: &str) -> usize {
    (xxhash_rust::xxh3::xxh3_64(key.as_bytes()) % SHARDS as u64) as usize
}

impl Shelf {
    /// Every entry kept in `dir` under `stamp`: shards written under
    /// another stamp, unreadable or damaged are left out.
    pub fn load<T: DeserializeOwned + Send>(&self, dir: &Path, stamp: u64) -> Vec<T> {
        (0..SHARDS)
            .into_par_iter()
            .flat_map_iter(|n| self.read_shard(&dir.join(shard_name(n)), stamp))
            .collect()
    }

    /// Writes `shards` (entry lists by [`shard_of`]) into `dir` under
    /// `stamp`. A shard `clean` says is unchanged since it was read is not
    /// even encoded; of the others, only those whose bytes differ from
    /// what the index says was last written are written.
    pub fn save<T: Serialize + Sync>(
        &self,
        dir: &Path,
        stamp: u64,
        shards: &[Vec<T>],
        clean: impl Fn(usize) -> bool + Sync,
    ) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        let before: Vec<u64> = fs::read(dir.join(INDEX))
            .ok()
            .and_then(|b| postcard::from_bytes(&b).ok())
            .filter(|b: &Vec<u64>| b.len() == SHARDS)
            .unwrap_or_default();
        let bytes: Vec<Option<Vec<u8>>> = shards
            .par_iter()
            .enumerate()
            .map(|(n, entries)| match !before.is_empty() && clean(n) {
                true => Ok(None),
                false => self.shard_bytes(stamp, entries).map(Some),
            })
            .collect::<Result<_, _>>()?;
        let mut prints = Vec::with_capacity(bytes.len());
        for (n, b) in bytes.iter().enumerate() {
            let Some(b) = b else {
                prints.push(before[n]);
                continue;
            };
            let print = xxhash_rust::xxh3::xxh3_64(b);
            if before.get(n) != Some(&print) {
                write_atomic(&dir.join(shard_name(n)), b)?;
            }
            prints.push(print);
        }
        let index = postcard::to_allocvec(&prints).map_err(io::Error::other)?;
        write_atomic(&dir.join(INDEX), &index)
    }

    fn shard_bytes<T: Serialize>(&self, stamp: u64, entries: &[T]) -> io::Result<Vec<u8>> {
        let mut bytes = self.magic.to_vec();
        bytes.extend_from_slice(&stamp.to_le_bytes());
        postcard::to_extend(entries, bytes).map_err(io::Error::other)
    }

    fn read_shard<T: DeserializeOwned>(&self, path: &Path, stamp: u64) -> Vec<T> {
        let Ok(bytes) = fs::read(path) else {
            return Vec::new();
        };
        let Some(rest) = bytes.strip_prefix(self.magic) else {
            return Vec::new();
        };
        match rest.split_at_checked(8) {
            Some((written, rest)) if written == stamp.to_le_bytes() => {
                postcard::from_bytes(rest).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }
}

fn shard_name(n: usize) -> String {
    format!("{n:02}.bin")
}

/// A temporary file renamed over the old one: two builds of one site
/// into two folders may save at once.
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)
}
