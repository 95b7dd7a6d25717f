//! RENDER: embeddable fact cards. Every entity gets
//! `/embed/<kind>/<slug>/`: a page without the site's header, menu or
//! footer — the key facts box, its disputed badges and its sources — for
//! another site to show in an iframe, and `oembed.json` beside it, so a
//! CMS that speaks oEmbed turns the entity page's URL into that iframe.
//! The card posts its height to the page around it (the message
//! Datawrapper's charts send), so the iframe fits without a scrollbar.
//!
//! Input: the site through [`SiteData`] (each read recorded); output: the
//! two files.

use serde::Serialize;
use tera::Context;

use super::OutFile;
use super::links::{Linker, SitePath};
use super::site_pages::Pages;
use crate::content::model::EntityIdx;
use crate::diag::Diagnostic;

/// The oEmbed file beside each card.
pub const OEMBED_FILE: &str = "oembed.json";
/// The iframe's first height, before the card reports its own.
pub const FRAME_HEIGHT: u32 = 480;
/// The width oEmbed consumers are told: the card fills what it gets.
pub const FRAME_WIDTH: u32 = 600;

/// The card's page path: `embed/<kind>/<slug>/`.
pub fn path(pages: &Pages<'_>, i: EntityIdx) -> SitePath {
    // An id is `<kind folder>/<slug>`, fixed for the entity: no read.
    let id = pages.data.entities.id(i);
    let (kind, slug) = id.split_once('/').unwrap_or(("", id));
    SitePath::of(&["embed", kind, slug])
}

/// The absolute URL of entity `i`'s oEmbed file, for its page's `<link>`.
pub fn oembed_url(pages: &Pages<'_>, i: EntityIdx) -> String {
    let base = super::languages::own_base(pages.data, i);
    format!("{}{OEMBED_FILE}", path(pages, i).absolute(base))
}

/// The card page of entity `i`.
pub fn card(pages: &Pages<'_>, i: EntityIdx) -> Result<OutFile, Diagnostic> {
    let data = pages.data;
    let at = path(pages, i);
    let linker = Linker::for_page(&at, data.config.pretty_links);
    let mut page = data.card_view(i, &linker);
    // The facts written in Markdown were rendered for the entity's own
    // page (rows made from typed data are linked for this one); the card
    // sits deeper, so their relative links climb further.
    let deeper = at.depth().saturating_sub(data.paths[i].depth());
    let prepared = &data.prepared[i];
    let from_markdown = |html: &String| {
        prepared.facts.contains(html) || prepared.notes.iter().flatten().any(|n| n == html)
    };
    for value in page.facts.iter_mut().flat_map(|r| r.values.iter_mut()) {
        if from_markdown(&value.html) {
            value.html = climb(&value.html, deeper);
        }
        if let Some(note) = value.note_html.as_mut().filter(|n| from_markdown(n)) {
            *note = climb(note, deeper);
        }
    }
    let page_href = linker.href(&data.paths[i]);
    // The changes log a row's badge points to is on the entity's page.
    for change in page.facts.iter_mut().filter_map(|r| r.change.as_mut()) {
        if change.href.starts_with('#') {
            change.href = format!("{page_href}{}", change.href);
        }
    }
    let mut ctx = Context::new();
    let config = data.config;
    ctx.insert("site", &super::context::SiteView::of(config));
    ctx.insert(
        "page_title",
        &format!("{} · {}", page.title, data.config.title),
    );
    ctx.insert("stylesheet", &pages.asset_href(&linker, "style.css"));
    ctx.insert("page_href", &page_href);
    ctx.insert("frame_id", &data.entities.id(i).replace('/', "-"));
    ctx.insert("page", &page);
    let html = pages.render_template("embed.html", &ctx)?;
    Ok(OutFile {
        backing: None,
        path: at.output_file(),
        bytes: html.into_bytes(),
    })
}

/// `html` with `levels` more `../` before every relative `href` and `src`.
fn climb(html: &str, levels: usize) -> String {
    if levels == 0 {
        return html.to_owned();
    }
    let up = "../".repeat(levels);
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html;
    while let Some(at) = ["href=\"", "src=\""]
        .iter()
        .filter_map(|attr| rest.find(attr).map(|n| n + attr.len()))
        .min()
    {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        if is_relative(after) {
            out.push_str(&up);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Whether a URL (up to its closing quote) is relative to the page.
fn is_relative(url: &str) -> bool {
    let url = &url[..url.find('"').unwrap_or(url.len())];
    !(url.is_empty()
        || url.starts_with('/')
        || url.starts_with('#')
        || url.starts_with('?')
        || url.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }))
}

/// An oEmbed response, type `rich` (oembed.com, section 2.3.4).
#[derive(Debug, Serialize)]
struct OEmbed {
    version: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    provider_name: String,
    provider_url: String,
    html: String,
    width: u32,
    height: u32,
    thumbnail_url: String,
    thumbnail_width: u32,
    thumbnail_height: u32,
}

/// The oEmbed file of entity `i`: its `html` is the card's iframe.
pub fn oembed(pages: &Pages<'_>, i: EntityIdx) -> OutFile {
    let data = pages.data;
    let at = path(pages, i);
    let title = data.entities[i].title.clone();
    let card = at.absolute(&data.base);
    let share = super::share_card::og_image(
        &data.config.strings,
        &data.base,
        Some(&data.paths[i]),
        &title,
    );
    let esc = super::images::escape;
    let html = format!(
        r#"<iframe src="{}" title="{}" width="{FRAME_WIDTH}" height="{FRAME_HEIGHT}" loading="lazy" style="border: 0; width: 100%;"></iframe>"#,
        esc(&card),
        esc(&data
            .config
            .strings
            .fill("embed_title", &[("title", &title)])),
    );
    let response = OEmbed {
        version: "1.0",
        kind: "rich",
        title,
        provider_name: data.config.title.clone(),
        provider_url: data.base.clone(),
        html,
        width: FRAME_WIDTH,
        height: FRAME_HEIGHT,
        thumbnail_url: share.url,
        thumbnail_width: share.width,
        thumbnail_height: share.height,
    };
    let mut bytes = serde_json::to_vec_pretty(&response).unwrap_or_default();
    bytes.push(b'\n');
    OutFile {
        backing: None,
        path: at.output_file().with_file_name(OEMBED_FILE),
        bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::climb;

    #[test]
    fn relative_links_climb_and_others_stay() {
        let html = r##"<a href="../../actors/ada/">Ada</a> <a href="https://x.org/a">x</a> <a href="#f">f</a> <img src="pic.webp"> <a href="/abs/">a</a> <a href="mailto:a@b">m</a>"##;
        assert_eq!(
            climb(html, 1),
            r##"<a href="../../../actors/ada/">Ada</a> <a href="https://x.org/a">x</a> <a href="#f">f</a> <img src="../pic.webp"> <a href="/abs/">a</a> <a href="mailto:a@b">m</a>"##
        );
        assert_eq!(climb(html, 0), html);
    }
}
