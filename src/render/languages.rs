//! RENDER: a page among its versions in the site's other languages. Input:
//! the page's path in its language's view and, for an entity, the
//! languages it is translated into; output: its `hreflang` alternates, the
//! language switcher and, for a page shown in the original's words, the
//! "not yet translated" notice and the canonical URL of the original.
//!
//! Every language's pages have the same paths under their folders (a page
//! not translated is a fallback at the same place), so the same page in
//! another language is always there; only the alternates and the sitemap
//! leave fallbacks out, since search engines should index the original.

use serde::Serialize;

use super::links::{Linker, SitePath};
use super::site::SiteData;
use super::site_pages::Job;
use crate::i18n::view::ViewLang;

/// What a page of a multilingual site says about its languages.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageLinks {
    /// `<link rel="alternate" hreflang>`: every language the page really
    /// exists in (translated, or the original), absolute.
    pub alternates: Vec<Alternate>,
    /// The first language's URL of the page, for `hreflang="x-default"`.
    pub x_default: String,
    /// The same page in every language, relative to this one.
    pub switcher: Vec<Switch>,
    /// Set when the page shows the original's words: its language code
    /// and the notice saying so.
    pub fallback: Option<Fallback>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Alternate {
    pub hreflang: String,
    pub href: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Switch {
    pub code: String,
    pub name: String,
    pub href: String,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fallback {
    pub lang: String,
    pub notice: String,
}

/// The languages of the page `job` at `path`, on a multilingual site.
pub fn for_page(
    data: &SiteData<'_>,
    job: &Job,
    path: &SitePath,
    linker: &Linker,
) -> Option<LanguageLinks> {
    let view = &data.config.view;
    let current = view.current()?;
    let up = format!("{}{}", linker.root, view.to_output_root());
    let alternates = alternates(data, job, path);
    let switcher = view
        .languages
        .iter()
        .enumerate()
        .map(|(at, lang)| Switch {
            code: lang.code.clone(),
            name: lang.name.clone(),
            href: href_in(linker, &up, lang, path),
            current: at == view.at,
        })
        .collect();
    let original = &view.languages[0];
    Some(LanguageLinks {
        alternates,
        x_default: path.absolute(&original.base),
        switcher,
        fallback: fallback(data, job, current, original),
    })
}

/// The page `job` at `path` in every language it really exists in: the
/// original's, and those it is translated into (site pages exist in
/// every language). Empty on a one-language site.
pub fn alternates(data: &SiteData<'_>, job: &Job, path: &SitePath) -> Vec<Alternate> {
    let view = &data.config.view;
    if !view.is_multilingual() {
        return Vec::new();
    }
    let exists = |lang: &ViewLang, at: usize| match job {
        Job::Entity(i) if at > 0 => data.entities[*i].lang.translated_into.contains(&lang.code),
        _ => true,
    };
    view.languages
        .iter()
        .enumerate()
        .filter(|&(at, lang)| exists(lang, at))
        .map(|(_, lang)| Alternate {
            hreflang: lang.code.clone(),
            href: path.absolute(&lang.base),
        })
        .collect()
}

/// The notice of a page shown in the original's words.
fn fallback(
    data: &SiteData<'_>,
    job: &Job,
    current: &ViewLang,
    original: &ViewLang,
) -> Option<Fallback> {
    let Job::Entity(i) = job else {
        return None;
    };
    let lang = data.entities[*i].lang.fallback_from.clone()?;
    let notice = data.config.strings.fill(
        "not_translated",
        &[("language", &current.name), ("original", &original.name)],
    );
    Some(Fallback { lang, notice })
}

/// The relative link from this page to `path` in `lang`'s folder; `up`
/// leads from this page to the output root.
fn href_in(linker: &Linker, up: &str, lang: &ViewLang, path: &SitePath) -> String {
    linker_in(linker, up, lang).href(path)
}

/// A linker from this page into `lang`'s folder.
fn linker_in(linker: &Linker, up: &str, lang: &ViewLang) -> Linker {
    Linker {
        root: format!("{up}{}", lang.prefix),
        pretty: linker.pretty,
    }
}

/// The relative link from a page of this view (`linker`'s) to `file`
/// beside `page` in the original's folder; `None` on a one-language site.
pub fn in_original(
    data: &SiteData<'_>,
    linker: &Linker,
    page: &SitePath,
    file: &str,
) -> Option<String> {
    let view = &data.config.view;
    let up = format!("{}{}", linker.root, view.to_output_root());
    let into = linker_in(linker, &up, view.original()?);
    Some(into.file(&format!("{}{file}", page.site_relative(true))))
}

/// Whether entity `i` is shown here in the original's words. Such a page
/// has no share card, embeddable card, oEmbed file or feed of its own: those
/// are the original's, which [`own_base`] points to, so a second language
/// costs little more than its pages.
pub fn is_fallback(data: &SiteData<'_>, i: crate::content::model::EntityIdx) -> bool {
    data.entities[i].lang.fallback_from.is_some()
}

/// The base URL of the files that belong to entity `i`'s page: this
/// language's, or the original's for a fallback.
pub fn own_base<'d>(data: &'d SiteData<'_>, i: crate::content::model::EntityIdx) -> &'d str {
    match data.config.view.original() {
        Some(original) if is_fallback(data, i) => &original.base,
        _ => &data.base,
    }
}
