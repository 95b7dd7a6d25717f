//! RENDER: the static search index. Input: the resolved site and each
//! entity's rendered Markdown; output: `search-index.js`, read by the
//! theme's `search.js` on `/search/`.
//!
//! It is a script setting `window.EXPLAINER_SEARCH`, not a JSON file, so it
//! loads from `file://`, where `fetch` is refused, and on any static host.
//! One record per entity, with one-letter keys and empty fields left out to
//! keep it small: names in every script (title and aliases), the summary,
//! the key facts as plain text, and the distinct terms of the start of the
//! body; kind, date and tags for the page's filters.

/// Where the index goes, relative to the output root.
pub const FILE: &str = "search-index.js";

use serde::Serialize;

use super::OutFile;
use super::plain;
use super::views::SiteData;
use crate::content::model::{Entity, KindData};

/// How many words of a page's body the index looks at: the opening of an
/// article, where the important names are. Each body word costs every
/// search page load bytes: on a 10,000-page site 150 words make the index
/// about 11 MB (2 MB gzipped), 300 words 16 MB; names, summaries and facts
/// alone are 4.5 MB.
pub const BODY_WORDS: usize = 150;

/// One page in the index.
#[derive(Debug, Clone, Serialize)]
struct Record {
    /// Title.
    t: String,
    /// Kind: actor, meeting, proposal, source, page.
    k: &'static str,
    /// Link from the site root.
    u: String,
    /// Summary.
    #[serde(skip_serializing_if = "String::is_empty")]
    s: String,
    /// Aliases, in any script.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    a: Vec<String>,
    /// Date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "String::is_empty")]
    d: String,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    g: Vec<String>,
    /// Key facts as plain text, `label: value` joined by ` · `.
    #[serde(skip_serializing_if = "String::is_empty")]
    f: String,
    /// Distinct lowercase terms of the start of the body.
    #[serde(skip_serializing_if = "String::is_empty")]
    b: String,
}

/// `search-index.js` for the whole site.
/// `search-index.js` from the records each entity's Markdown pass already
/// serialised (see [`record_json`]): joining them is linear and allocation
/// light, and an incremental rebuild only re-serialises what it re-rendered.
pub fn file(data: &SiteData<'_>) -> OutFile {
    let mut out = String::with_capacity(
        data.prepared
            .iter()
            .map(|p| p.search.len() + 1)
            .sum::<usize>()
            + 64,
    );
    out.push_str("window.EXPLAINER_SEARCH=[");
    for (n, p) in data.prepared.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&p.search);
    }
    out.push_str("];\n");
    OutFile {
        backing: None,
        path: FILE.into(),
        bytes: out.into_bytes(),
    }
}

/// One entity's search record as JSON, with `<` escaped so the script
/// cannot be closed by content. `url` is the page's site-relative link.
pub fn record_json(e: &Entity, body_html: &str, fact_html: &[String], url: String) -> String {
    let record = Record {
        t: e.title.clone(),
        k: e.kind.name(),
        u: url,
        s: e.summary.clone().unwrap_or_default(),
        a: e.aliases.clone(),
        d: e.date().map(|d| d.to_string()).unwrap_or_default(),
        g: e.tags.clone(),
        f: facts_text(e, fact_html),
        b: plain::distinct_terms(&plain::text_up_to(body_html, BODY_WORDS), BODY_WORDS),
    };
    serde_json::to_string(&record)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
}

fn facts_text(e: &Entity, fact_html: &[String]) -> String {
    let mut parts: Vec<String> = typed_text(e)
        .into_iter()
        .map(|(label, value)| format!("{label}: {value}"))
        .collect();
    for (n, fact) in e.key_facts.iter().enumerate() {
        let value = fact_html
            .get(n)
            .map(|html| plain::text(html))
            .unwrap_or_else(|| fact.value.source.clone());
        parts.push(format!("{}: {value}", fact.label));
    }
    parts.join(" · ")
}

fn typed_text(e: &Entity) -> Vec<(&'static str, &str)> {
    let pairs: Vec<(&'static str, Option<&String>)> = match &e.data {
        KindData::Actor(a) => vec![("Role", a.role.as_ref()), ("Country", a.country.as_ref())],
        KindData::Meeting(m) => vec![("Location", m.location.as_ref())],
        KindData::Source(s) => vec![
            ("Publisher", s.publisher.as_ref()),
            ("Author", s.author.as_ref()),
        ],
        KindData::Proposal(_) | KindData::Page => Vec::new(),
    };
    pairs
        .into_iter()
        .filter_map(|(label, value)| value.map(|v| (label, v.as_str())))
        .collect()
}

/// The words the search page's script writes (result counts, kind names,
/// dates), in the site's language, as JSON for a `<script
/// type="application/json">`: the script picks plural forms with the
/// browser's CLDR rules (`Intl.PluralRules`).
pub fn words_json(t: &crate::i18n::Catalog) -> String {
    use crate::content::model::Kind;
    let kinds: serde_json::Map<String, serde_json::Value> = Kind::ALL
        .iter()
        .map(|&k| (k.name().to_owned(), capitalize(t.kind_name(k)).into()))
        .collect();
    let forms: serde_json::Map<String, serde_json::Value> = t
        .plural_forms("search_count")
        .into_iter()
        .map(|(c, f)| (c, f.into()))
        .collect();
    let words = serde_json::json!({
        "kinds": kinds,
        "months": t.dates.months,
        "day": t.dates.day,
        "count": forms,
        "none": t.text("search_none"),
        "no_match": t.text("search_no_match"),
        "showing": t.text("search_showing"),
        "for_query": t.text("search_for_query"),
        "end": t.text("search_end"),
    });
    // Inside <script>, "</" would end the element.
    words.to_string().replace('<', "\\u003c")
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
