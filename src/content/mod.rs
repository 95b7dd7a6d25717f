//! LOAD + PARSE: walk `content/`, read every `.md` and `.yaml` file, split
//! front matter, and type it per kind. Output: the entities, the home page,
//! and every problem found; `engine::content` keeps the results between
//! runs.

pub mod drift;
pub mod front_matter;
pub mod git_dates;
pub mod model;
pub mod overlay;
pub mod parse;
pub mod translation;
pub mod yaml;

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diag::{Diagnostic, Diagnostics, Span};
use model::{Entity, Kind, Text};
use parse::FileInfo;

/// A content file found on disk, before it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: Option<Kind>,
    pub slug: String,
    /// Relative to the site root.
    pub rel: PathBuf,
}

/// Every content file of a site, read and parsed, with the warnings of
/// the walk that found them.
pub struct LoadedFiles {
    pub parsed: Vec<Parsed>,
    pub walk_diags: Diagnostics,
}

/// Reads and parses every file under `content/`, in parallel.
pub fn load_parsed(root: &Path) -> LoadedFiles {
    load_parsed_reusing(root, &|_, _| None)
}

/// An entity parsed before from the file at a path whose bytes hashed to
/// a value ([`Parsed::hash`]), if one is kept.
pub type Reuse<'a> = dyn Fn(&Path, u64) -> Option<Entity> + Sync + 'a;

/// [`load_parsed`], taking an entity from `reuse` instead of parsing its
/// file again when it has one for the file's bytes.
pub fn load_parsed_reusing(root: &Path, reuse: &Reuse<'_>) -> LoadedFiles {
    let mut walk_diags = Diagnostics::default();
    let found = discover(root, &mut walk_diags);
    let parsed = in_io_pool(|| found.par_iter().map(|f| read_one(root, f, reuse)).collect());
    LoadedFiles { parsed, walk_diags }
}

/// What a path under `content/` (relative to the site root) is, if content.
pub fn classify_path(rel: &Path, diags: &mut Diagnostics) -> Option<Found> {
    classify(Path::new("content"), rel, rel.to_path_buf(), diags)
}

/// Threads reading and parsing content files. Reading is mostly waiting
/// when the files are not in the page cache (the first build of the day, or
/// a site larger than the cache): with more reads in flight than cores the
/// disk's queue stays full. Measured on the 100,000-entity benchmark site
/// (600 MB of content, cold cache, 2 cores): 28.8 s with 2 threads.
const IO_THREADS: usize = 16;

/// Runs `f` on a pool of [`IO_THREADS`] threads (on the global pool if that
/// pool cannot be made).
fn in_io_pool<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let threads = IO_THREADS.max(rayon::current_num_threads());
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

/// The id of `content/_index.md`.
pub const HOME_ID: &str = "_index";

/// Lists content files, skipping `.`/`_` names and symlinks leaving the site.
/// What cannot be read is an error naming it, never a smaller site.
pub fn discover(root: &Path, diags: &mut Diagnostics) -> Vec<Found> {
    let content = root.join("content");
    if fs::metadata(&content).is_ok_and(|m| !m.is_dir()) {
        diags.push(
            Diagnostic::error("content-not-folder", "content", "`content` is a file, not a folder")
                .hint("content lives in folders under content/ (content/actors/, content/meetings/ …); rename the file and create the folder"),
        );
        return Vec::new();
    }
    let canonical_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let walker = WalkDir::new(&content)
        .follow_links(false)
        .sort_by_file_name();
    let mut found = Vec::new();
    let entries = walker
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name().to_str(), e.depth()));
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                report_walk_error(root, &e, diags);
                continue;
            }
        };
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        let Ok(meta) = fs::metadata(path) else {
            diags.push(
                Diagnostic::error(
                    "unreadable",
                    &rel,
                    "broken symlink: what it points to does not exist",
                )
                .hint("restore the file it points to, or remove the link"),
            );
            continue;
        };
        if entry.path_is_symlink() && !symlink_stays_inside(path, &canonical_root) {
            diags.push(
                Diagnostic::warning(
                    "symlink-outside",
                    &rel,
                    "symlink points outside the site; not followed",
                )
                .hint("copy the file into the site instead of linking to it"),
            );
            continue;
        }
        if meta.is_dir() {
            continue;
        }
        if !meta.is_file() {
            if has_content_extension(path) {
                diags.push(
                    Diagnostic::error(
                        "unreadable",
                        &rel,
                        "not a regular file (a pipe, socket or device); not read",
                    )
                    .hint("content files are ordinary files; replace it with one"),
                );
            }
            continue;
        }
        if let Some(f) = classify(&content, path, rel, diags) {
            found.push(f);
        }
    }
    found
}

/// A folder or file the walk could not read: an error, unless it is the
/// `content/` folder itself being absent (a site may have no content yet).
fn report_walk_error(root: &Path, e: &walkdir::Error, diags: &mut Diagnostics) {
    let missing = e
        .io_error()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound);
    if e.depth() == 0 && missing {
        return;
    }
    let path = e.path().unwrap_or(root);
    let rel = path.strip_prefix(root).unwrap_or(path);
    let reason = match e.io_error() {
        Some(io) => io.to_string(),
        None => e.to_string(),
    };
    diags.push(
        Diagnostic::error("unreadable", rel, format!("cannot read this folder or file: {reason}"))
            .hint("check its permissions; explainer never builds a site with part of its content left out"),
    );
}

pub(crate) fn has_content_extension(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    matches!(ext, "md" | "yaml" | "yml")
}

/// Whether a name at `depth` under `content/` is left out: `.` and `_`
/// names, but for the home page and its translations at the top.
fn is_hidden(name: Option<&str>, depth: usize) -> bool {
    let home = |n: &str| n == "_index.md" || (depth == 1 && is_home_file(n));
    name.is_some_and(|n| (n.starts_with('.') || n.starts_with('_')) && !home(n))
}

/// `_index.md`, or a translation of it (`_index.uk.md`).
fn is_home_file(name: &str) -> bool {
    name == "_index.md"
        || name
            .strip_suffix(".md")
            .and_then(translation::split_stem)
            .is_some_and(|(slug, _)| slug == HOME_ID)
}

fn symlink_stays_inside(path: &Path, canonical_root: &Path) -> bool {
    fs::canonicalize(path).is_ok_and(|target| target.starts_with(canonical_root))
}

/// Decides what a file under `content/` is: its kind (from the first folder)
/// and slug (from the file name), or nothing if it is not content.
fn classify(content: &Path, path: &Path, rel: PathBuf, diags: &mut Diagnostics) -> Option<Found> {
    if !has_content_extension(path) {
        return None;
    }
    let inner = path.strip_prefix(content).ok()?;
    let mut parts = inner.iter().filter_map(|p| p.to_str());
    let first = parts.next()?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_owned();
    if inner.components().count() == 1 {
        if is_home_file(first) {
            return Some(Found {
                kind: None,
                slug: stem,
                rel,
            });
        }
        diags.push(
            Diagnostic::warning(
                "not-content",
                &rel,
                "file at the top of `content/` is not part of the site",
            )
            .hint("put it in actors/, meetings/, proposals/, sources/ or pages/"),
        );
        return None;
    }
    let Some(kind) = Kind::from_dir(first) else {
        diags.push(
            Diagnostic::warning(
                "not-content",
                &rel,
                format!("folder `content/{first}` is not a content kind"),
            )
            .hint("content folders are actors, meetings, proposals, sources and pages"),
        );
        return None;
    };
    Some(Found {
        kind: Some(kind),
        slug: stem,
        rel,
    })
}

/// A slug must be `[a-z0-9][a-z0-9-]*`: safe in a URL and a file name.
pub fn is_valid_slug(slug: &str) -> bool {
    let mut bytes = slug.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The slug a writer most likely meant, for the bad-slug hint.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// One content file, read and parsed: its entity, or its problems.
pub struct Parsed {
    pub rel: PathBuf,
    pub kind: Option<Kind>,
    pub slug: String,
    /// The text, kept only when there are diagnostics to show it with.
    pub text: Option<String>,
    pub entity: Option<Entity>,
    pub diagnostics: Vec<Diagnostic>,
    /// A hash of the front matter as written: what the entity is, but for
    /// its Markdown body and where its refs point.
    pub front_hash: u64,
    /// When the file is a translation (`x.uk.md`): it, to be checked
    /// against its original once the site is known.
    pub translation: Option<translation::Translation>,
    /// A hash of the file's bytes.
    pub hash: u64,
    /// Whether the entity was not parsed but reused ([`Reuse`]).
    pub reused: bool,
}

pub fn read_one(root: &Path, found: &Found, reuse: &Reuse<'_>) -> Parsed {
    let mut parsed = Parsed {
        rel: found.rel.clone(),
        kind: found.kind,
        slug: found.slug.clone(),
        text: None,
        entity: None,
        diagnostics: Vec::new(),
        front_hash: 0,
        translation: None,
        hash: 0,
        reused: false,
    };
    let bytes = match fs::read(root.join(&found.rel)) {
        Ok(b) => b,
        Err(e) => {
            parsed.diagnostics.push(Diagnostic::error(
                "unreadable",
                &found.rel,
                format!("cannot read file: {e}"),
            ));
            return parsed;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
            parsed.diagnostics.push(
                Diagnostic::error("not-utf8", &found.rel, "file is not valid UTF-8")
                    .at(Span::new(at, at + 1))
                    .hint("save the file as UTF-8 in your editor (it may be Latin-1 or UTF-16)"),
            );
            parsed.text = Some(valid);
            return parsed;
        }
    };
    parsed.hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
    if let Some(t) = translation::from_found(found, &text) {
        parsed.front_hash = parsed.hash;
        parsed.translation = Some(t);
        return parsed;
    }
    parsed.entity = match reuse(&found.rel, parsed.hash) {
        Some(entity) => {
            parsed.reused = true;
            Some(entity)
        }
        None => parse_text(found, &text, &mut parsed.diagnostics),
    };
    let front_end = parsed
        .entity
        .as_ref()
        .filter(|e| !e.body.source.is_empty() || e.body.start > 0)
        .map_or(text.len(), |e| e.body.start.min(text.len()));
    parsed.front_hash = xxhash_rust::xxh3::xxh3_64(&text.as_bytes()[..front_end]);
    // The text is kept only to show the lines the diagnostics point at; a
    // clean file's text would double the memory of loading a large site.
    if !parsed.diagnostics.is_empty() {
        parsed.text = Some(text);
    }
    parsed
}

/// Parses one content file given its path relative to the site root and its
/// text: what `load` does per file, for re-parsing a single changed file and
/// for property tests.
pub fn parse_file(rel: &Path, text: &str) -> (Option<Entity>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let entity = classify(
        Path::new("content"),
        rel,
        rel.to_path_buf(),
        &mut Diagnostics::default(),
    )
    .and_then(|found| parse_text(&found, text, &mut diags));
    (entity, diags)
}

fn parse_text(found: &Found, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Entity> {
    let rel = &found.rel;
    if found.kind.is_some() && !is_valid_slug(&found.slug) {
        let better = slugify(&found.slug);
        diags.push(
            Diagnostic::error(
                "bad-slug",
                rel,
                format!("`{}` is not a valid slug", found.slug),
            )
            .at(Span::new(0, 0))
            .hint(format!(
                "file names are lowercase letters, digits and `-`; rename it to `{better}`"
            )),
        );
        return None;
    }
    let yaml_file = rel.extension().is_some_and(|e| e != "md");
    let (yaml_span, body) = if yaml_file {
        (Span::new(0, text.len()), Text::default())
    } else {
        match front_matter::split(text) {
            Ok(s) => (
                s.yaml,
                blank_control_chars(
                    Text {
                        source: text[s.body.start..s.body.end].to_owned(),
                        start: s.body.start,
                        exact: true,
                    },
                    rel,
                    diags,
                ),
            ),
            Err(e) => {
                diags.push(
                    Diagnostic::error("front-matter", rel, e.message)
                        .at(e.span)
                        .hint(e.hint),
                );
                return None;
            }
        }
    };
    let yaml_text = &text[yaml_span.start..yaml_span.end];
    let root = match yaml::parse_with_warnings(text, yaml_span.start, yaml_text) {
        Ok(parsed) => {
            diags.extend(
                parsed
                    .warnings
                    .into_iter()
                    .map(|w| control_char_warning(rel, w)),
            );
            parsed.root
        }
        Err(e) => {
            let mut d = Diagnostic::error("yaml", rel, e.message).at(e.span);
            if let Some(h) = e.hint {
                d = d.hint(h);
            }
            diags.push(d);
            return None;
        }
    };
    let kind = found.kind.unwrap_or(Kind::Page);
    let id = match found.kind {
        Some(k) => format!("{}/{}", k.dir(), found.slug),
        None => HOME_ID.to_owned(),
    };
    let first_line_end = text.find('\n').unwrap_or(text.len()).max(1);
    let info = FileInfo {
        kind,
        slug: &found.slug,
        id,
        file: rel,
        text,
        head: Span::new(0, first_line_end.min(text.len())),
        yaml_file,
        title_optional: found.kind.is_none(),
    };
    Some(parse::entity(&info, root, body, diags))
}

/// A body without control characters, with one warning at the first: each
/// becomes as many spaces as it had bytes, so positions after it stay true.
fn blank_control_chars(mut body: Text, rel: &Path, diags: &mut Vec<Diagnostic>) -> Text {
    let unprintable = crate::diag::is_unprintable;
    let Some((at, first)) = body.source.char_indices().find(|&(_, c)| unprintable(c)) else {
        return body;
    };
    let count = body.source.chars().filter(|&c| unprintable(c)).count();
    let start = body.start + at;
    diags.push(
        Diagnostic::warning(
            "control-char",
            rel,
            format!(
                "{} in the text; replaced with spaces",
                crate::diag::plural(count, "control character", "control characters")
            ),
        )
        .at(Span::new(start, start + first.len_utf8()))
        .hint(format!(
            "the first is U+{:04X}; control characters are invisible and not allowed in feeds, delete them",
            u32::from(first)
        )),
    );
    body.source = body
        .source
        .chars()
        .map(|c| {
            if unprintable(c) {
                " ".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect();
    body
}

fn control_char_warning(rel: &Path, w: yaml::YamlError) -> Diagnostic {
    let d = Diagnostic::warning("control-char", rel, w.message).at(w.span);
    match w.hint {
        Some(h) => d.hint(h),
        None => d,
    }
}

/// The error for a second file defining an id (`x.md` beside `x.yaml`):
/// only the first, in path order, is kept.
pub fn duplicate_id(e: &Entity, first: &Path) -> Diagnostic {
    Diagnostic::error(
        "duplicate-id",
        &e.file,
        format!("`{}` is defined twice", e.id),
    )
    .at(Span::new(0, 0))
    .hint(format!(
        "`{}` already defines it; remove or rename one of the two files",
        first.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_ascii_with_hyphens() {
        assert!(is_valid_slug("steve-witkoff"));
        assert!(is_valid_slug("2026-paris"));
        assert!(!is_valid_slug("Steve_Witkoff"));
        assert!(!is_valid_slug("-x"));
        assert!(!is_valid_slug(""));
    }

    #[test]
    fn slugify_suggests_a_valid_name() {
        assert_eq!(slugify("Steve_Witkoff "), "steve-witkoff");
    }
}
