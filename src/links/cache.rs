//! CHECK, ONLINE: the answers of earlier link checks, kept for a day in
//! `.explainer-cache/links.json` so that checking twice in a row, or in a
//! CI job run on every push, does not ask every server again.
//!
//! Only lasting answers are kept ([`Verdict::lasts`]). A file that cannot
//! be read or parsed (an older format, a half-written file) counts as
//! empty: the cache only ever saves time, it never decides a verdict.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::Verdict;

/// How long an answer is trusted: a day, so a link that died this morning
/// is reported by tomorrow's check at the latest.
pub const MAX_AGE_SECS: u64 = 24 * 60 * 60;

/// The file's format; a file of another version is ignored.
const VERSION: u32 = 1;

/// Seconds since 1970, by the clock. The only place `check` reads the
/// clock: the age of an answer is about the network, not the content.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// One kept answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// When the server gave it, in seconds since 1970.
    pub checked: u64,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// The file as stored.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    version: u32,
    links: BTreeMap<String, Entry>,
}

/// The answers still fresh, by address.
#[derive(Debug, Default)]
pub struct Cache {
    links: BTreeMap<String, Entry>,
}

impl Cache {
    /// Reads the file at `path`, keeping the answers younger than a day at
    /// `now`.
    pub fn load(path: &Path, now: u64) -> Self {
        let stored: Stored = std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        if stored.version != VERSION {
            return Cache::default();
        }
        let links = stored
            .links
            .into_iter()
            .filter(|(_, e)| e.checked <= now && now - e.checked < MAX_AGE_SECS)
            .collect();
        Cache { links }
    }

    /// The kept verdict on `url`, if it is fresh.
    pub fn get(&self, url: &str) -> Option<&Verdict> {
        self.links.get(url).map(|e| &e.verdict)
    }

    /// Keeps a new answer, if it is one that lasts; one that does not
    /// still stands for this run.
    pub fn insert(&mut self, url: String, verdict: Verdict, now: u64) {
        let entry = Entry {
            checked: now,
            verdict,
        };
        self.links.insert(url, entry);
    }

    /// Writes the lasting answers to `path`, through a temporary file so a
    /// check stopped half-way never leaves half a file.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let stored = Stored {
            version: VERSION,
            links: self
                .links
                .iter()
                .filter(|(_, e)| e.verdict.lasts())
                .map(|(u, e)| (u.clone(), e.clone()))
                .collect(),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&stored)?)?;
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_older_than_a_day_are_asked_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("links.json");
        let mut cache = Cache::default();
        cache.insert("https://a.example/".into(), Verdict::Alive, 1_000);
        cache.insert("https://b.example/".into(), Verdict::Timeout, 1_000);
        cache.save(&path).unwrap();
        let next_hour = Cache::load(&path, 1_000 + 3_600);
        assert_eq!(next_hour.get("https://a.example/"), Some(&Verdict::Alive));
        assert_eq!(
            next_hour.get("https://b.example/"),
            None,
            "a timeout is not kept"
        );
        let next_day = Cache::load(&path, 1_000 + MAX_AGE_SECS);
        assert_eq!(next_day.get("https://a.example/"), None);
    }

    #[test]
    fn a_damaged_cache_counts_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("links.json");
        std::fs::write(&path, "{\"version\": 1, \"links\": {\"x\": ").unwrap();
        assert!(Cache::load(&path, 0).get("x").is_none());
    }
}
