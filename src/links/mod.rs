//! CHECK, ONLINE: `explainer check --links` — every source's `url` and
//! `archive_url` asked of its server, and the dead and moved ones reported
//! as warnings at the address as written.
//!
//! The only part of explainer that goes on the network, and only when
//! asked: `check` without `--links`, `build` and `serve` never do. Answers
//! are kept for a day in `.explainer-cache/links.json` ([`cache`]), so a
//! second check in a row asks no server again; the asking itself, with its
//! timeouts and per-host limit, is in [`probe`]; the wording of the
//! warnings in [`report`].

pub mod cache;
mod probe;
mod report;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::content::model::KindData;
use crate::diag::{Diagnostics, Span};
pub use probe::Verdict;

/// Where the answers are kept, under the site root. `init`'s `.gitignore`
/// keeps the whole `.explainer-cache/` folder out of git.
pub const CACHE_FILE: &str = ".explainer-cache/links.json";

/// How long a server may take to answer, unless `--link-timeout` says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// What changes how links are checked.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// The longest wait for one answer (each redirect is a new wait).
    pub timeout: Duration,
    /// Whether draft pages' addresses are checked too (`--drafts`).
    pub drafts: bool,
}

/// One web address as a writer wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub url: String,
    /// `url` or `archive_url`.
    pub key: &'static str,
    /// Relative to the site root.
    pub file: PathBuf,
    pub span: Span,
}

/// What one check found, and how much it asked.
#[derive(Debug, Default)]
pub struct LinkReport {
    /// Warnings, with the text of each file they point into.
    pub diagnostics: Diagnostics,
    /// Distinct addresses in the content.
    pub addresses: usize,
    /// Of those, how many were asked of their server (the rest came from
    /// the cache).
    pub asked: usize,
}

/// Checks every source address under `root`. An error only when no HTTP
/// client can be made at all; every problem of a link is a warning.
pub fn check(root: &Path, options: &LinkOptions) -> Result<LinkReport, String> {
    let written = collect(root, options.drafts);
    let now = cache::now();
    let cache_path = root.join(CACHE_FILE);
    let mut cache = cache::Cache::load(&cache_path, now);
    let unique: BTreeSet<&str> = written.iter().map(|w| w.url.as_str()).collect();
    let to_ask: Vec<String> = unique
        .iter()
        .filter(|u| cache.get(u).is_none())
        .map(|u| u.to_string())
        .collect();
    let answers = probe::probe_all(&to_ask, options.timeout)?;
    let asked = answers.len();
    for (url, verdict) in answers {
        cache.insert(url, verdict, now);
    }
    // A cache that cannot be written only costs the next run its speed.
    let _ = cache.save(&cache_path);
    Ok(LinkReport {
        diagnostics: report::diagnostics(root, &written, options.timeout, |url| cache.get(url)),
        addresses: unique.len(),
        asked,
    })
}

/// Every `url` and `archive_url` of the site's sources, in file order.
/// Drafts count only with `drafts`, as in the build they would be part of.
pub fn collect(root: &Path, drafts: bool) -> Vec<Written> {
    let loaded = crate::content::load_parsed(root);
    let mut written = Vec::new();
    for parsed in loaded.parsed {
        let Some(entity) = parsed.entity else {
            continue;
        };
        let KindData::Source(source) = &entity.data else {
            continue;
        };
        if entity.draft && !drafts {
            continue;
        }
        for (i, (url, span)) in source.url_spans.iter().enumerate() {
            let key = if i == 0 && source.url.as_deref() == Some(url) {
                "url"
            } else {
                "archive_url"
            };
            written.push(Written {
                url: url.clone(),
                key,
                file: entity.file.clone(),
                span: *span,
            });
        }
    }
    written.sort_by(|a, b| a.file.cmp(&b.file).then(a.span.cmp(&b.span)));
    written
}
