//! ENGINE: the build cache across runs — what every output read when it
//! last rendered, and the print of every key it read, kept in one file so
//! the next `explainer build` renders again only the outputs whose reads
//! changed (the same comparison `serve` makes between two edits).
//!
//! The cache is all or nothing: it is used only when it was written by
//! this binary, for the same configuration and options, and the output
//! folder is exactly as that build left it. Anything else is a full build,
//! which writes a new cache. What the prints cannot see (pictures and other
//! files beside the content, static and translation files) is listed with
//! the hash of its bytes ([`inputs`]), so a change there is a full build
//! too: slower, never stale.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cmd::CompileOptions;
use crate::render::site::Key;

/// Bumped whenever [`Record`]'s layout or a key's meaning changes.
const FORMAT: u32 = 4;
const MAGIC: &[u8] = b"explainer build cache\n";
/// The cache file in the cache folder.
pub const FILE: &str = "build.bin";
/// The folder of the rendered Markdown ([`super::memo`]), beside it.
const MEMO_DIR: &str = "markdown";
/// The cache folder, under the site root, unless `--cache-dir` says.
pub const DEFAULT_DIR: &str = ".explainer-cache";

/// What a build cache holds in its folder (`dir`): the record, the kept
/// Markdown and the kept parses, whether there or not.
pub fn files_of(dir: &Path) -> [PathBuf; 3] {
    [
        dir.join(FILE),
        dir.join(MEMO_DIR),
        dir.join(super::parses::DIR),
    ]
}

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
    /// The binary and the site files no key covers ([`inputs`]).
    pub inputs: Vec<Input>,
    /// Every entity's rendered Markdown, for the next build to reuse:
    /// kept beside the record, in files of its own ([`super::memo`]).
    #[serde(skip)]
    pub markdown: super::memo::Memo,
}

/// The options and configuration the cache was written for: a cache for
/// others is outdated as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp(u64);

impl Stamp {
    /// The version, the options, the output folder and `site.yaml`.
    pub fn of(root: &Path, options: &CompileOptions, out: &Path) -> Stamp {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        let CompileOptions {
            drafts,
            base_url,
            serving,
            today,
        } = options;
        h.update(format!("{drafts:?}{base_url:?}{serving:?}{today:?}").as_bytes());
        h.update(crate::output::absolute(out).to_string_lossy().as_bytes());
        // Only a regular file is read: a FIFO would block (the
        // configuration refuses it with an error of its own).
        let yaml = root.join(crate::config::CONFIG_FILE);
        if fs::metadata(&yaml).is_ok_and(|m| m.is_file()) {
            h.update(&fs::read(yaml).unwrap_or_default());
        }
        Stamp(h.digest())
    }
}

/// A file the cache depends on as a whole: its path, length, time and the
/// hash of its bytes.
pub type Input = (PathBuf, u64, i128, u64);

/// The path under which the running binary is listed among the inputs.
const BINARY: &str = "<explainer binary>";

/// The running binary and every site file that no recorded key covers
/// ([`covered`]): a change to any of them outdates the cache. A file whose
/// length and time are as `known` lists them keeps its known hash; others
/// are read and hashed, so a fresh checkout (new times, same bytes) or a
/// reinstalled binary of the same build keeps the cache.
pub fn inputs(root: &Path, out: &Path, cache_dir: &Path, known: &[Input]) -> Vec<Input> {
    let known: std::collections::HashMap<&Path, (u64, i128, u64)> = known
        .iter()
        .map(|(p, l, t, h)| (p.as_path(), (*l, *t, *h)))
        .collect();
    let out = crate::output::absolute(out);
    let cache_dir = crate::output::absolute(cache_dir);
    let skip = |p: &Path| {
        p.file_name().is_some_and(|n| n == ".git") || {
            let abs = crate::output::absolute(p);
            abs == out || abs == cache_dir
        }
    };
    // Only the site's own folders: the root may also hold a repository's
    // other files (a `target/` of gigabytes, `node_modules/`).
    let mut files: Vec<(PathBuf, PathBuf)> = SITE_FOLDERS
        .iter()
        .map(|dir| root.join(dir))
        .filter(|dir| dir.is_dir())
        .flat_map(|dir| {
            walkdir::WalkDir::new(dir)
                .into_iter()
                .filter_entry(|e| !e.file_type().is_dir() || !skip(e.path()))
        })
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(root).ok()?.to_path_buf();
            (!covered(&rel)).then(|| (rel, e.path().to_path_buf()))
        })
        .collect();
    if let Ok(exe) = std::env::current_exe() {
        files.push((PathBuf::from(BINARY), exe));
    }
    let mut listed: Vec<Input> = files
        .into_iter()
        .filter_map(|(rel, path)| {
            // Through a symlink to its file; never a FIFO or a device.
            let meta = fs::metadata(&path).ok().filter(|m| m.is_file())?;
            let (len, time) = (meta.len(), mtime_ns(&meta));
            let hash = match known.get(rel.as_path()) {
                Some(&(l, t, h)) if l == len && t == time => h,
                _ => xxhash_rust::xxh3::xxh3_64(&fs::read(&path).ok()?),
            };
            Some((rel, len, time, hash))
        })
        .collect();
    listed.sort();
    listed
}

/// A print of the running binary, from `inputs`: what the parsed files
/// kept in the cache ([`super::parses`]) depend on besides their bytes.
pub fn binary_print(inputs: &[Input]) -> u64 {
    let binary = inputs.iter().find(|(path, ..)| path == Path::new(BINARY));
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Some((_, len, _, hash)) = binary {
        h.update(&len.to_le_bytes());
        h.update(&hash.to_le_bytes());
    }
    h.digest()
}

/// The folders of a site whose files can reach its pages.
const SITE_FOLDERS: [&str; 4] = ["content", "static", "themes", "i18n"];

/// Whether two lists of inputs hold the same files with the same bytes.
pub fn same_inputs(a: &[Input], b: &[Input]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.0 == y.0 && x.1 == y.1 && x.3 == y.3)
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
        let mut record: Record =
            postcard::from_bytes(rest).map_err(|e| Unusable::Broken(format!("damaged: {e}")))?;
        record.markdown = super::memo::Memo::load(&self.memo_dir(), stamp.0);
        Ok(record)
    }

    /// Where the rendered Markdown is kept, beside the record.
    fn memo_dir(&self) -> PathBuf {
        self.file.with_file_name(MEMO_DIR)
    }

    /// Writes the record atomically (a temporary file renamed over the
    /// old one), so a crash leaves the old cache or the new one.
    pub fn save(&self, stamp: Stamp, record: Record) -> io::Result<()> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT.to_le_bytes());
        bytes = postcard::to_extend(&stamp, bytes).map_err(io::Error::other)?;
        bytes = postcard::to_extend(&record, bytes).map_err(io::Error::other)?;
        if let Some(dir) = self.file.parent() {
            fs::create_dir_all(dir)?;
        }
        // Two builds of one site into two folders may save at once.
        let tmp = self
            .file
            .with_extension(format!("{}.tmp", std::process::id()));
        fs::write(&tmp, &bytes)?;
        fs::rename(&tmp, &self.file)?;
        record.markdown.save(&self.memo_dir(), stamp.0)
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
            inputs: Vec::new(),
            markdown: Default::default(),
        }
    }

    #[test]
    fn a_record_reads_back_only_under_its_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(dir.path());
        assert_eq!(store.load(Stamp(1)).unwrap_err(), Unusable::Missing);
        store.save(Stamp(1), record()).unwrap();
        let back = store.load(Stamp(1)).unwrap();
        assert_eq!(back.prints, record().prints);
        assert_eq!(back.outputs, record().outputs);
        assert_eq!(store.load(Stamp(2)).unwrap_err(), Unusable::Outdated);
    }

    #[test]
    fn a_damaged_or_foreign_file_is_broken_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(dir.path());
        store.save(Stamp(1), record()).unwrap();
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
