//! RENDER: the theme's and the site's static files as pages link them —
//! the one rule that gives each its published name and bytes, and the
//! `asset()` template function that links one with its integrity.
//!
//! Stylesheets and scripts are published as `style.<hash>.css`, the hash
//! taken from their bytes: a new version has a new name, so a host or a
//! CDN may keep a copy for a year (`deploy` marks such names immutable)
//! and a fix still reaches every reader with the next page they load.
//! Every other static file keeps its name, because stylesheets and
//! Markdown link images and fonts by name; images lose their metadata on
//! the way ([`crate::output::strip`]).
//!
//! `build` ([`crate::output`]) and `serve` ([`crate::engine`]) both go
//! through [`publish`], so both write the same names and bytes.
//!
//! A page asks for a file with `asset(path="style.css")`, which gives the
//! link relative to the page and the file's Subresource Integrity value.
//! The read is recorded ([`crate::render::site::Key::Asset`]), so `serve`
//! renders again exactly the pages linking a file that changed.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use aws_lc_rs::digest;
use base64::Engine as _;
use tera::{Kwargs, State, TeraResult, Value};

use super::site::{Sym, sym};
use crate::output::strip::{self, Corrupt};

/// Hex digits of the hash in a published name: 64 bits, plenty to tell
/// one version of a file from the next, and short enough to read.
const NAME_HASH_DIGITS: usize = 16;

/// Extensions published under a hashed name: what templates link with
/// `<link>` and `<script>`, and nothing links by name.
const RENAMED: &[&str] = &["css", "js", "mjs"];

/// One static file as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Where it is written, relative to the output root, with `/`.
    pub file: String,
    /// `sha384-<base64>` of the written bytes, for `integrity="…"`.
    pub integrity: String,
}

/// A static file's published path and bytes, from [`publish`].
pub struct Published<'a> {
    pub asset: Asset,
    pub bytes: Cow<'a, [u8]>,
    /// Why an image could not be stripped: it is published unchanged.
    pub corrupt: Option<Corrupt>,
}

/// Whether a static file is published under a hashed name.
pub fn is_renamed(rel: &str) -> bool {
    rel.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && !stem.ends_with('/')
            && RENAMED.contains(&ext.to_ascii_lowercase().as_str())
    })
}

/// The one rule for a static file (by its path under `static/`, with `/`):
/// images without metadata, stylesheets and scripts under a hashed name.
pub fn publish<'a>(rel: &str, bytes: &'a [u8]) -> Published<'a> {
    let (bytes, corrupt) = stripped(rel, bytes);
    let sha = digest::digest(&digest::SHA384, &bytes);
    let sha = sha.as_ref();
    let file = if is_renamed(rel) {
        hashed_name(rel, sha)
    } else {
        rel.to_owned()
    };
    let integrity = format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(sha)
    );
    Published {
        asset: Asset { file, integrity },
        bytes,
        corrupt,
    }
}

/// [`publish`] without the integrity value, for the writer: only a file
/// published under a hashed name is hashed, so copying a folder of
/// photographs costs no SHA-384 of each.
pub fn publish_file<'a>(rel: &str, bytes: &'a [u8]) -> (String, Cow<'a, [u8]>) {
    if is_renamed(rel) {
        let published = publish(rel, bytes);
        return (published.asset.file, published.bytes);
    }
    (rel.to_owned(), stripped(rel, bytes).0)
}

/// The bytes without metadata, or as they are when they do not parse.
fn stripped<'a>(rel: &str, bytes: &'a [u8]) -> (Cow<'a, [u8]>, Option<Corrupt>) {
    match strip::strip(rel, bytes) {
        Ok(stripped) => (stripped, None),
        Err(why) => (Cow::Borrowed(bytes), Some(why)),
    }
}

/// `css/style.css` → `css/style.<hash>.css`.
fn hashed_name(rel: &str, sha: &[u8]) -> String {
    let hex: String = sha
        .iter()
        .take(NAME_HASH_DIGITS / 2)
        .map(|b| format!("{b:02x}"))
        .collect();
    match rel.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hex}.{ext}"),
        None => format!("{rel}.{hex}"),
    }
}

/// Every static file of the site as published, by its path under
/// `static/`: what `asset()` looks up.
#[derive(Debug, Default, Clone)]
pub struct AssetTable {
    by_path: BTreeMap<String, Asset>,
}

impl AssetTable {
    pub fn insert(&mut self, rel: String, asset: Asset) {
        self.by_path.insert(rel, asset);
    }

    pub fn remove(&mut self, rel: &str) {
        self.by_path.remove(rel);
    }

    pub fn get(&self, rel: &str) -> Option<&Asset> {
        self.by_path.get(rel)
    }

    /// Every published file, relative to the output root.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.by_path.values().map(|a| a.file.as_str())
    }

    /// Each file's print, by [`Sym`] of its path: what `Key::Asset` reads.
    pub fn prints(&self) -> HashMap<Sym, u64> {
        let mut out: HashMap<Sym, u64> = HashMap::new();
        for (rel, asset) in &self.by_path {
            let print = xxhash_rust::xxh3::xxh3_64(
                format!("{rel}\0{}\0{}", asset.file, asset.integrity).as_bytes(),
            );
            *out.entry(sym(rel)).or_default() ^= print;
        }
        out
    }
}

/// The table a template render on this thread looks files up in, and the
/// paths it asked for. Tera calls `asset()` on the thread that called
/// `render`, inside that call, so a render's scope is exactly this.
struct Scope {
    table: Arc<AssetTable>,
    asked: Vec<String>,
}

thread_local! {
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// Runs `render` with `table` for `asset()` to look in; returns its result
/// and the paths it asked for, for the caller to record.
pub fn with_table<T>(table: &Arc<AssetTable>, render: impl FnOnce() -> T) -> (T, Vec<String>) {
    let outer = SCOPE.with(|s| {
        s.borrow_mut().replace(Scope {
            table: Arc::clone(table),
            asked: Vec::new(),
        })
    });
    let result = render();
    let asked = SCOPE.with(|s| {
        let mut s = s.borrow_mut();
        let asked = s.take().map(|scope| scope.asked).unwrap_or_default();
        *s = outer;
        asked
    });
    (result, asked)
}

/// The `asset(path="style.css")` template function: `{href, integrity}`,
/// `href` relative to the page (its `root` variable) as every other link.
pub fn tera_asset(kwargs: Kwargs, state: &State) -> TeraResult<Value> {
    let path: String = kwargs.must_get("path")?;
    let path = path.trim_start_matches('/').to_owned();
    let root: String = state.get("root")?.unwrap_or_default();
    let found = SCOPE.with(|s| {
        let mut s = s.borrow_mut();
        let scope = s.as_mut()?;
        scope.asked.push(path.clone());
        scope.table.get(&path).cloned()
    });
    let asset = found.ok_or_else(|| {
        tera::Error::message(format!(
            "asset(path=\"{path}\"): there is no `{path}` in the site's static/ folder or the theme's"
        ))
    })?;
    let link = super::links::Linker {
        root,
        pretty: false,
    }
    .file(&asset.file);
    let mut map = BTreeMap::new();
    map.insert("href", link);
    map.insert("integrity", asset.integrity);
    Ok(Value::from_serializable(&map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stylesheets_and_scripts_get_hashed_names_and_others_keep_theirs() {
        let css = publish("style.css", b"body{}");
        assert!(crate::deploy::headers::is_fingerprinted(&css.asset.file));
        assert!(css.asset.file.starts_with("style.") && css.asset.file.ends_with(".css"));
        assert_eq!(
            publish("js/search.js", b"1")
                .asset
                .file
                .matches('/')
                .count(),
            1
        );
        assert_eq!(publish("favicon.svg", b"<svg/>").asset.file, "favicon.svg");
        assert!(!is_renamed(".css") && !is_renamed("dir/.js") && is_renamed("a.JS"));
    }

    #[test]
    fn a_change_of_bytes_changes_the_name() {
        let a = publish("style.css", b"body{}").asset;
        let b = publish("style.css", b"body{color:red}").asset;
        assert_ne!(a.file, b.file);
        assert_ne!(a.integrity, b.integrity);
    }

    #[test]
    fn asked_paths_are_reported_and_the_scope_is_left_as_it_was() {
        let table = Arc::new(AssetTable::default());
        let ((), asked) = with_table(&table, || {
            SCOPE.with(|s| s.borrow_mut().as_mut().unwrap().asked.push("a.css".into()))
        });
        assert_eq!(asked, ["a.css"]);
        assert!(SCOPE.with(|s| s.borrow().is_none()));
    }
}
