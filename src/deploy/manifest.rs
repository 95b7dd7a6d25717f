//! DEPLOY: what the target holds, as the last deploy left it — objects
//! beside the site (`.explainer-deploy/NN.json`) mapping each path to the
//! SHA-256 of the bytes uploaded there, with the headers it was given.
//!
//! A few dozen object reads per deploy instead of a HEAD request per file
//! (17,000 requests for a 10,000-entity site). The map is split into
//! [`SHARDS`] objects by a hash of the path, so a one-file correction
//! rewrites one small shard, not a record of the whole site. The listing of the target stays the
//! authority on what exists: an entry is trusted only while the object's
//! size and ETag are those the upload recorded, so an object changed by
//! hand, or an entry from an upload that never finished, is uploaded again.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The folder of the manifest's shards, under the target's prefix. It
/// starts with a dot: the output never has such a file, so it is never
/// deleted as stale.
pub const FOLDER: &str = ".explainer-deploy";
/// Shards of the manifest. A 10,000-entity site (17,000 files, 3 MB of
/// manifest) then rewrites about 50 kB after a one-file edit.
pub const SHARDS: u64 = 64;
/// Bumped when the format changes; another version is read as empty.
const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub files: BTreeMap<String, Entry>,
}

/// One uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
    pub cache_control: String,
    /// The ETag the store gave the upload, when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_tag: Option<String>,
}

impl Manifest {
    pub fn new() -> Self {
        Manifest {
            version: VERSION,
            files: BTreeMap::new(),
        }
    }

    /// Reads a manifest; `Err` says why it cannot be used (then every file
    /// is compared as unknown and uploaded once).
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if manifest.version != VERSION {
            return Err(format!(
                "it is version {}, this explainer writes version {VERSION}",
                manifest.version
            ));
        }
        Ok(manifest)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising a map of strings and numbers cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The entries of one shard, as the object to write.
    pub fn shard_bytes(&self, shard: &str) -> Vec<u8> {
        let files = self
            .files
            .iter()
            .filter(|(path, _)| shard_of(path) == shard)
            .map(|(p, e)| (p.clone(), e.clone()))
            .collect();
        Manifest {
            version: VERSION,
            files,
        }
        .to_bytes()
    }
}

/// The shard object, relative to the target, that holds `path`'s entry.
pub fn shard_of(path: &str) -> String {
    let n = xxhash_rust::xxh3::xxh3_64(path.as_bytes()) % SHARDS;
    format!("{FOLDER}/{n:02x}.json")
}

/// Whether an object of the target is a manifest shard.
pub fn is_shard(object: &str) -> bool {
    object.starts_with(FOLDER) && object[FOLDER.len()..].starts_with('/')
}

/// An ETag without the quotes some stores put around it.
pub fn bare_etag(tag: &str) -> &str {
    tag.trim_matches('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_what_was_written() {
        let mut m = Manifest::new();
        m.files.insert(
            "index.html".into(),
            Entry {
                sha256: "ab".into(),
                size: 2,
                content_type: "text/html".into(),
                cache_control: "no-cache".into(),
                e_tag: Some("\"x\"".into()),
            },
        );
        assert_eq!(Manifest::parse(&m.to_bytes()).unwrap(), m);
    }

    #[test]
    fn a_shard_holds_only_its_own_paths() {
        let mut m = Manifest::new();
        for p in ["a/index.html", "b/index.html", "c/index.html", "d.css"] {
            let entry = Entry {
                sha256: p.into(),
                size: 1,
                content_type: String::new(),
                cache_control: String::new(),
                e_tag: None,
            };
            m.files.insert(p.into(), entry);
        }
        let shard = shard_of("a/index.html");
        assert!(is_shard(&shard));
        let back = Manifest::parse(&m.shard_bytes(&shard)).unwrap();
        assert!(back.files.contains_key("a/index.html"));
        assert!(back.files.keys().all(|p| shard_of(p) == shard));
        assert!(!is_shard(".explainer-deployed.html"));
    }

    #[test]
    fn a_manifest_of_another_version_or_not_json_is_refused() {
        assert!(Manifest::parse(br#"{"version": 99, "files": {}}"#).is_err());
        assert!(Manifest::parse(b"<html>").is_err());
    }
}
