//! ENGINE: the build cache across runs — what every output read when it
//! last rendered, and the print of every key it read, kept in one file so
//! the next `explainer build` renders again only the outputs whose reads
//! changed (the same comparison `serve` makes between two edits).
//!
//! The cache is all or nothing: it is used only when it was written by
//! this binary, for the same configuration and options, and the output
//! folder is exactly as that build left it. Anything else is a full build,
//! which writes a new cache. What the prints cannot see (pictures and other
//! files beside the content, translation files) is in the [`Stamp`], so a
//! change there is a full build too: slower, never stale.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cmd::CompileOptions;
use crate::render::site::Key;

/// Bumped whenever [`Record`]'s layout or a key's meaning changes.
const FORMAT: u32 = 1;
const MAGIC: &[u8] = b"explainer build cache\n";
/// The cache file in the cache folder.
pub const FILE: &str = "build.bin";
/// The cache folder, under the site root, unless `--cache-dir` says.
pub const DEFAULT_DIR: &str = ".explainer-cache";

/// What one build left behind for the next.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Record {
    /// Entity ids in [`crate::render::site::Eid`] order: the keys below
    /// name entities by these numbers.
    pub ids: Vec<String>,
    /// Every rendered output with the keys it read.
    pub outputs: Vec<(PathBuf, Vec<Key>)>,
    /// The print of every key some output read.
    pub prints: Vec<(Key, u64)>,
    /// Every file of the output folder as the build left it: length and
    /// modification time, to tell that nobody touched it since.
    pub files: Vec<(PathBuf, u64, i128)>,
}

/// Everything that invalidates the cache as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp(u64);

impl Stamp {
    /// The binary (version, size and time of the executable), the options,
    /// `site.yaml` and every site file no key covers.
    pub fn of(root: &Path, options: &CompileOptions, out: &Path, cache_dir: &Path) -> Stamp {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        if let Some(meta) = std::env::current_exe()
            .ok()
            .and_then(|e| fs::metadata(e).ok())
        {
            h.update(&meta.len().to_le_bytes());
            h.update(&mtime_ns(&meta).to_le_bytes());
        }
        let CompileOptions {
            drafts,
            base_url,
            serving,
            today,
        } = options;
        h.update(format!("{drafts:?}{base_url:?}{serving:?}{today:?}").as_bytes());
        h.update(crate::output::absolute(out).to_string_lossy().as_bytes());
        h.update(&fs::read(root.join(crate::config::CONFIG_FILE)).unwrap_or_default());
        for (path, len, time) in untracked_files(root, out, cache_dir) {
            h.update(path.to_string_lossy().as_bytes());
            h.update(&len.to_le_bytes());
            h.update(&time.to_le_bytes());
        }
        Stamp(h.digest())
    }
}

/// Site files that no recorded key covers: everything under the root but
/// the Markdown and YAML of `content/` (entity and home keys), templates
/// (template keys), the output and the caches, and version control.
/// Static files are in: a picture there may be processed for a page.
fn untracked_files(root: &Path, out: &Path, cache_dir: &Path) -> Vec<(PathBuf, u64, i128)> {
    let out = crate::output::absolute(out);
    let cache_dir = crate::output::absolute(cache_dir);
    let skip = |p: &Path| {
        let abs = crate::output::absolute(p);
        abs == out || abs == cache_dir || p.file_name().is_some_and(|n| n == ".git")
    };
    let mut files: Vec<(PathBuf, u64, i128)> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skip(e.path()))
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(root).ok()?.to_path_buf();
            if covered(&rel) {
                return None;
            }
            let meta = e.metadata().ok()?;
            Some((rel, meta.len(), mtime_ns(&meta)))
        })
        .collect();
    files.sort();
    files
}

/// Whether a recorded key covers `rel`.
fn covered(rel: &Path) -> bool {
    let parts: Vec<&str> = rel.iter().filter_map(|c| c.to_str()).collect();
    let text = rel
        .extension()
        .is_some_and(|e| e == "md" || e == "yaml" || e == "yml");
    match parts.as_slice() {
        ["content", ..] => text,
        ["templates", ..] => true,
        ["themes", _, "templates", ..] => true,
        [name] => *name == crate::config::CONFIG_FILE || name.starts_with('.'),
        _ => false,
    }
}

pub fn mtime_ns(meta: &fs::Metadata) -> i128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

/// Why a cache was not used.
#[derive(Debug, PartialEq, Eq)]
pub enum Unusable {
    /// No cache yet (the first build, or after `--no-cache` or `clean`).
    Missing,
    /// Written for another binary, configuration or set of site files:
    /// expected after an upgrade or a `site.yaml` edit, so not a warning.
    Outdated,
    /// Unreadable, truncated or from another cache format: worth a
    /// warning, since it should not happen.
    Broken(String),
}

/// The cache file of one site.
pub struct Store {
    file: PathBuf,
}

impl Store {
    pub fn in_dir(dir: &Path) -> Store {
        Store {
            file: dir.join(FILE),
        }
    }

    pub fn path(&self) -> &Path {
        &self.file
    }

    /// The record, when it was written under `stamp` and reads back whole.
    pub fn load(&self, stamp: Stamp) -> Result<Record, Unusable> {
        let bytes = match fs::read(&self.file) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Unusable::Missing),
            Err(e) => return Err(Unusable::Broken(e.to_string())),
        };
        let Some(rest) = bytes.strip_prefix(MAGIC) else {
            return Err(Unusable::Broken("not an explainer build cache".into()));
        };
        let (format, rest) = split_u32(rest)?;
        if format != FORMAT {
            return Err(Unusable::Broken(format!(
                "cache format {format}, this version reads {FORMAT}"
            )));
        }
        let (written, rest): (Stamp, &[u8]) =
            postcard::take_from_bytes(rest).map_err(|e| Unusable::Broken(e.to_string()))?;
        if written != stamp {
            return Err(Unusable::Outdated);
        }
        postcard::from_bytes(rest).map_err(|e| Unusable::Broken(format!("damaged: {e}")))
    }

    /// Writes the record atomically (a temporary file renamed over the
    /// old one), so a crash leaves the old cache or the new one.
    pub fn save(&self, stamp: Stamp, record: &Record) -> io::Result<()> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT.to_le_bytes());
        bytes = postcard::to_extend(&stamp, bytes).map_err(io::Error::other)?;
        bytes = postcard::to_extend(record, bytes).map_err(io::Error::other)?;
        if let Some(dir) = self.file.parent() {
            fs::create_dir_all(dir)?;
        }
        // Two builds of one site into two folders may save at once.
        let tmp = self
            .file
            .with_extension(format!("{}.tmp", std::process::id()));
        fs::write(&tmp, &bytes)?;
        fs::rename(&tmp, &self.file)
    }

    /// Removes the record before the output is changed in place: if the
    /// build stops half-way, the next one is a full build.
    pub fn forget(&self) -> io::Result<()> {
        match fs::remove_file(&self.file) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

fn split_u32(bytes: &[u8]) -> Result<(u32, &[u8]), Unusable> {
    let Some((head, rest)) = bytes.split_first_chunk::<4>() else {
        return Err(Unusable::Broken("truncated".into()));
    };
    Ok((u32::from_le_bytes(*head), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            ids: vec!["actors/a".into()],
            outputs: vec![("a/index.html".into(), vec![Key::Data(0), Key::Set])],
            prints: vec![(Key::Data(0), 7), (Key::Set, 9)],
            files: vec![("a/index.html".into(), 10, 20)],
        }
    }

    #[test]
    fn a_record_reads_back_only_under_its_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(dir.path());
        assert_eq!(store.load(Stamp(1)).unwrap_err(), Unusable::Missing);
        store.save(Stamp(1), &record()).unwrap();
        let back = store.load(Stamp(1)).unwrap();
        assert_eq!(back.prints, record().prints);
        assert_eq!(back.outputs, record().outputs);
        assert_eq!(store.load(Stamp(2)).unwrap_err(), Unusable::Outdated);
    }

    #[test]
    fn a_damaged_or_foreign_file_is_broken_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(dir.path());
        store.save(Stamp(1), &record()).unwrap();
        let bytes = fs::read(store.path()).unwrap();
        fs::write(store.path(), &bytes[..bytes.len() - 5]).unwrap();
        assert!(matches!(store.load(Stamp(1)), Err(Unusable::Broken(_))));
        fs::write(store.path(), b"hello").unwrap();
        assert!(matches!(store.load(Stamp(1)), Err(Unusable::Broken(_))));
        let mut other = MAGIC.to_vec();
        other.extend_from_slice(&99u32.to_le_bytes());
        fs::write(store.path(), other).unwrap();
        let Err(Unusable::Broken(why)) = store.load(Stamp(1)) else {
            panic!("a foreign format must be refused")
        };
        assert!(why.contains("format 99"), "{why}");
    }

    #[test]
    fn pictures_and_translations_are_in_the_stamp_markdown_is_not() {
        assert!(covered(Path::new("content/actors/a.md")));
        assert!(!covered(Path::new("content/actors/a.jpg")));
        assert!(covered(Path::new("themes/x/templates/base.html")));
        assert!(!covered(Path::new("themes/x/i18n/uk.yaml")));
        assert!(!covered(Path::new("i18n/uk.yaml")));
        assert!(!covered(Path::new("static/photo.jpg")));
        assert!(covered(Path::new("site.yaml")));
    }
}
