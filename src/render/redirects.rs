//! RENDER: redirects from a page's old addresses (`moved_from`) to where
//! it lives now — an HTML page at each old path (meta refresh and a
//! canonical link, so it works from disk, under any sub-path and on any
//! static host) and a `_redirects` file, which Netlify and Cloudflare
//! Pages read to answer with a real 301. Input: entities' `moved_from`;
//! output: files.

use super::OutFile;
use super::links::{Linker, SitePath};
use super::views::SiteData;
use crate::content::model::EntityIdx;

/// Netlify's and Cloudflare Pages' redirect table, at the output root.
pub const FILE: &str = "_redirects";

/// The path of an old address as a page.
pub fn path(segments: &[String]) -> SitePath {
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    SitePath::of(&segments)
}

/// Every redirect of the site: `(entity, index in its moved_from)`, except
/// one whose old path is a live page's (an error `check` reports).
pub fn all(data: &SiteData<'_>) -> Vec<(EntityIdx, usize)> {
    let e = data.entities;
    let live: std::collections::HashSet<&SitePath> = data.paths.iter().collect();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, x) in e.iter().enumerate() {
        for (n, m) in x.moved_from.iter().enumerate() {
            let old = path(&m.segments);
            if !live.contains(&old) && seen.insert(old) {
                out.push((i, n));
            }
        }
    }
    out
}

/// The page at entity `i`'s `n`th old path.
pub fn page(data: &SiteData<'_>, i: EntityIdx, n: usize, pretty: bool) -> OutFile {
    let e = &data.entities[i];
    let old = path(&e.moved_from[n].segments);
    let linker = Linker::for_page(&old, pretty);
    let href = escape(&linker.href(&data.paths[i]));
    let canonical = escape(&data.paths[i].absolute(&data.base));
    let title = escape(&e.title);
    // The words are markup of the theme's translation files; the title is
    // escaped above.
    let t = &data.config.strings;
    let head_title = t.fill("moved_title", &[("title", &title)]);
    let link = format!("<a href=\"{href}\">{title}</a>");
    let body = t.fill("moved_body", &[("link", &link)]);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{head_title}</title>\n<link rel=\"canonical\" href=\"{canonical}\">\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={href}\">\n</head>\n<body>\n<p>{body}</p>\n</body>\n</html>\n",
        lang = escape(&data.config.language),
    );
    OutFile {
        backing: None,
        path: old.output_file(),
        bytes: html.into_bytes(),
    }
}

/// `_redirects`: one `old new 301` line per old path, both under the
/// path of `base_url`.
pub fn file(data: &SiteData<'_>) -> OutFile {
    let base_path = base_path(&data.base);
    let mut text = String::new();
    for (i, n) in all(data) {
        let e = &data.entities[i];
        let old = path(&e.moved_from[n].segments);
        text.push_str(&format!(
            "{base_path}{} {base_path}{} 301\n",
            old.site_relative(true),
            data.paths[i].site_relative(true)
        ));
    }
    OutFile {
        backing: None,
        path: FILE.into(),
        bytes: text.into_bytes(),
    }
}

/// `/explainer/` of `https://example.org/explainer/`.
fn base_path(base: &str) -> String {
    let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
    after_scheme
        .find('/')
        .map_or("/".to_owned(), |i| after_scheme[i..].to_owned())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
