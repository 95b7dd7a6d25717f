//! RENDER: the data a template sees. Every link in here is already relative
//! to the page being rendered, so templates never compute a URL.
//!
//! These structs are the theme contract: `docs/templates.md` lists them, and
//! a test keeps that list honest.

use serde::Serialize;

/// A link to a page, as templates print it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    pub title: String,
    pub href: String,
}

/// One entity in a list, card, relation or timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub title: String,
    pub href: String,
    pub kind: &'static str,
    pub summary: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// "6 January 2026".
    pub date_long: Option<String>,
    pub status: Option<String>,
    /// Extra words about the relation: a participant's role, a fact label.
    pub note: Option<String>,
}

/// A numbered citation in the key facts table.
#[derive(Debug, Clone, Serialize)]
pub struct Citation {
    pub number: usize,
    pub title: String,
    pub href: String,
}

/// One value of a key facts row, with what backs it.
#[derive(Debug, Clone, Serialize)]
pub struct FactValue {
    pub html: String,
    /// The fact's note as written, and rendered (it may hold `[[refs]]`).
    pub note: Option<String>,
    pub note_html: Option<String>,
    pub citations: Vec<Citation>,
    /// "as of 6 January 2026": when the value was true.
    pub as_of: Option<String>,
}

/// A row of the key facts table; `disputed` rows have several values.
#[derive(Debug, Clone, Serialize)]
pub struct FactRow {
    pub label: String,
    pub disputed: bool,
    /// Rows from typed keys (date, host …) rather than `key_facts`.
    pub typed: bool,
    /// A typed row's key in words that do not change with the language of
    /// the labels (`role`, `country`, `affiliation`, `type`, `status`,
    /// `date` …): templates lift some rows out of the table by it.
    pub key: Option<String>,
    pub values: Vec<FactValue>,
    /// The newest entry of the changes log naming this fact.
    pub change: Option<crate::render::changes::FactChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionView {
    pub question: String,
    /// Rendered Markdown, or none for an open question.
    pub answer: Option<String>,
    pub answered: bool,
    pub id: String,
}

/// A titled group of related pages ("Meetings attended").
#[derive(Debug, Clone, Serialize)]
pub struct RelationGroup {
    pub id: &'static str,
    pub title: String,
    pub items: Vec<Item>,
}

/// A source in the page's numbered source list.
#[derive(Debug, Clone, Serialize)]
pub struct SourceEntry {
    pub number: usize,
    pub title: String,
    pub href: String,
    pub publisher: Option<String>,
    pub date: Option<String>,
    pub url: Option<String>,
    /// A preserved copy of `url`.
    pub archive_url: Option<String>,
    /// "accessed 6 January 2026".
    pub accessed: Option<String>,
    /// A short excerpt of the source.
    pub quote: Option<String>,
}

/// A tag as shown on a page.
#[derive(Debug, Clone, Serialize)]
pub struct TagLink {
    pub name: String,
    pub href: String,
    pub count: usize,
}

/// An entity page's own data.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub id: String,
    pub kind: &'static str,
    /// "Actors", and the link to that list.
    pub kind_title: String,
    pub kind_href: String,
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    pub aliases: Vec<String>,
    pub tags: Vec<TagLink>,
    /// Link to this page itself.
    pub href: String,
    /// Canonical absolute URL.
    pub permalink: String,
    pub date: Option<String>,
    pub date_long: Option<String>,
    pub updated: Option<String>,
    /// "6 January 2026".
    pub updated_long: Option<String>,
    pub status: Option<String>,
    /// The changes log, newest first.
    pub changes: Vec<crate::render::changes::ChangeView>,
    /// Built with `--drafts` from a `draft: true` file.
    pub draft: bool,
    pub body: String,
    pub facts: Vec<FactRow>,
    pub disputed_count: usize,
    pub questions: Vec<QuestionView>,
    pub open_questions: usize,
    /// Proposal components, rendered.
    pub components: Vec<String>,
    pub relations: Vec<RelationGroup>,
    pub sources: Vec<SourceEntry>,
    pub previous: Option<Link>,
    pub next: Option<Link>,
    /// Source pages: the original's address.
    pub external_url: Option<String>,
    pub extra: serde_json::Value,
    /// Timeline, relation map, stance matrix and feed link, flattened into
    /// `page.timeline_svg`, `page.map_svg`, `page.stances`, `page.feed_href`.
    #[serde(flatten)]
    pub visuals: crate::render::visuals::EntityVisuals,
}

/// What every template gets, whatever the page.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub language: String,
    /// `ltr` or `rtl`: which way the language is written.
    pub dir: crate::i18n::languages::Dir,
    pub extra: serde_json::Value,
}

impl SiteView {
    /// What every template sees of the site's configuration.
    pub fn of(config: &crate::config::Config) -> Self {
        SiteView {
            title: config.title.clone(),
            description: config.description.clone(),
            base_url: config.base_url.clone(),
            language: config.language.clone(),
            dir: config.dir(),
            extra: config.extra.clone(),
        }
    }
}

/// A navigation entry; `current` marks the section being shown.
#[derive(Debug, Clone, Serialize)]
pub struct MenuLink {
    pub title: String,
    pub href: String,
    pub current: bool,
}

/// The part of every page's context that depends only on where it is.
#[derive(Debug, Clone, Serialize)]
pub struct Frame {
    pub site: SiteView,
    /// Relative prefix from this page to the site root (`../../`).
    pub root: String,
    pub menu: Vec<MenuLink>,
    /// Home link, stylesheet and feed, relative to this page.
    pub home_href: String,
    pub stylesheet: String,
    pub feed_href: String,
    pub search_href: String,
    pub search_script: String,
    pub search_index: String,
    /// Canonical absolute URL of this page.
    pub permalink: String,
    /// `<title>` text.
    pub page_title: String,
    pub description: String,
    /// The output is served by `explainer serve` (the theme may show a banner).
    pub serving: bool,
    /// Links to the site's fixed pages, by name: `home`, `actors`,
    /// `meetings`, `proposals`, `sources`, `pages`, `timeline`, `map`,
    /// `questions`, `tags`, `search`.
    pub nav: std::collections::BTreeMap<&'static str, String>,
    /// schema.org JSON-LD for this page, with `<` escaped so it cannot close
    /// its `<script>` element.
    pub jsonld: String,
    /// The page's share card (`og:image`).
    pub og_image: super::share_card::OgImage,
    /// "Report an error" for this page (see `render::report`), when
    /// `report_error` is set in `site.yaml`.
    pub report_error_href: Option<String>,
    /// On a multilingual site: alternates, the switcher, a fallback's
    /// notice (`render::languages`); null on a one-language site.
    pub languages: Option<crate::render::languages::LanguageLinks>,
}

/// A group of reader questions on the `/questions/` page.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionGroup {
    pub page: Item,
    pub questions: Vec<QuestionView>,
}

/// A month of the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineMonth {
    pub label: String,
    pub id: String,
    pub items: Vec<Item>,
    /// "5 months without a meeting or proposal": set when a long quiet
    /// spell comes before this month, which the timeline compresses into
    /// this one marked line.
    pub gap_before: Option<String>,
}
