//! LOAD + RENDER: the words a reader sees, in the site's language.
//!
//! Input: the theme's translation files (`themes/<name>/i18n/<lang>.yaml`,
//! compiled in for the default theme) and the site's own `i18n/<lang>.yaml`,
//! which overrides single keys. Output: a [`Catalog`], which templates read
//! through the one Tera function `t` and Rust code (relation titles, kind
//! and status names, dates) reads through [`Catalog::text`] and
//! [`Catalog::plural`]. A key the language lacks falls back to English, and
//! loading says so (`check` lists it).
//!
//! Plural forms are chosen by CLDR's rules through ICU4X (`icu_plurals`),
//! never by rules of our own: Ukrainian has one, few, many and other
//! ("1 факт, 2 факти, 5 фактів").

pub mod languages;
pub(crate) mod load;
pub mod view;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use icu_plurals::{PluralCategory, PluralRules};

pub use load::load;

/// The language every theme is written in first, and the fallback.
pub const FALLBACK: &str = "en";

/// One message of a translation file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// `key_facts: Key facts`.
    Text(String),
    /// `facts: {one: "{count} fact", other: "{count} facts"}`, by CLDR
    /// category name.
    Plural(Vec<(String, String)>),
    /// `months: [January, …]`.
    List(Vec<String>),
}

/// The words of one language, with English under every key it lacks.
pub struct Catalog {
    /// The language code, as `site.yaml` gives it (`uk`, `en-GB`).
    pub lang: String,
    messages: HashMap<String, Message>,
    rules: Option<PluralRules>,
    /// Dates' words, looked up once.
    pub dates: DateWords,
    /// A hash of every message, so two catalogs compare cheaply.
    print: u64,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("lang", &self.lang)
            .field("messages", &self.messages.len())
            .finish()
    }
}

impl Catalog {
    /// A catalog from merged messages (English already under them).
    pub fn new(lang: &str, messages: HashMap<String, Message>) -> Catalog {
        let dates = DateWords::from_messages(&messages);
        let mut keys: Vec<_> = messages.iter().collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        let print = xxhash_rust::xxh3::xxh3_64(format!("{lang}{keys:?}").as_bytes());
        Catalog {
            lang: lang.to_owned(),
            rules: plural_rules(lang),
            messages,
            dates,
            print,
        }
    }

    /// The message of `key` as plain text; a plural message gives its
    /// `other` form. `None` for a key no translation file has.
    pub fn get(&self, key: &str) -> Option<&str> {
        match self.messages.get(key)? {
            Message::Text(s) => Some(s),
            Message::Plural(forms) => form(forms, "other"),
            Message::List(_) => None,
        }
    }

    /// The message of `key`, for Rust code, which asks only for keys the
    /// default theme's English file has (`every_key_the_code_asks_for_is_in_english`
    /// keeps that true). A site file that gave such a key a list instead
    /// of a text leaves the default theme's English text in its place.
    pub fn text(&self, key: &str) -> &str {
        match self.get(key) {
            Some(text) => text,
            None => english_text(key),
        }
    }

    /// The title of a kind's list: "Actors".
    pub fn kind_title(&self, kind: crate::content::model::Kind) -> &str {
        self.text(&format!("kinds_{}", kind.name()))
    }

    /// One of a kind: "actor".
    pub fn kind_name(&self, kind: crate::content::model::Kind) -> &str {
        self.text(&format!("kind_{}", kind.name()))
    }

    /// The form of `key` for `count` things, with `{count}` filled in.
    pub fn plural(&self, key: &str, count: usize) -> String {
        self.plural_form(key, count)
            .unwrap_or_default()
            .replace("{count}", &count.to_string())
    }

    /// The form of `key` CLDR picks for `count` in this language; the
    /// `other` form when the file has no form for that category.
    pub fn plural_form(&self, key: &str, count: usize) -> Option<&str> {
        match self.messages.get(key)? {
            Message::Plural(forms) => {
                let category = self.category(count);
                form(forms, category).or_else(|| form(forms, "other"))
            }
            Message::Text(s) => Some(s),
            Message::List(_) => None,
        }
    }

    /// Every plural form of `key`, by CLDR category, for a script that
    /// picks the form itself (with the browser's `Intl.PluralRules`).
    pub fn plural_forms(&self, key: &str) -> Vec<(String, String)> {
        match self.messages.get(key) {
            Some(Message::Plural(forms)) => forms.clone(),
            Some(Message::Text(s)) => vec![("other".to_owned(), s.clone())],
            _ => Vec::new(),
        }
    }

    /// A list message (`months`), or none.
    pub fn list(&self, key: &str) -> &[String] {
        match self.messages.get(key) {
            Some(Message::List(items)) => items,
            _ => &[],
        }
    }

    /// The CLDR plural category of `count` in this language.
    pub fn category(&self, count: usize) -> &'static str {
        let Some(rules) = &self.rules else {
            return if count == 1 { "one" } else { "other" };
        };
        match rules.category_for(count) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }

    /// The message of `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.text(key), args)
    }

    /// The English catalog of the default theme, for messages written for
    /// editors and for sites that set no language.
    pub fn english() -> Arc<Catalog> {
        static ENGLISH: OnceLock<Arc<Catalog>> = OnceLock::new();
        ENGLISH
            .get_or_init(|| Arc::new(load::builtin(FALLBACK)))
            .clone()
    }
}

/// A site's words as the configuration carries them: compared by content,
/// never printed whole.
#[derive(Clone)]
pub struct Strings(pub Arc<Catalog>);

impl Default for Strings {
    fn default() -> Self {
        Strings(Catalog::english())
    }
}

impl PartialEq for Strings {
    fn eq(&self, other: &Self) -> bool {
        self.0.print == other.0.print
    }
}

impl std::fmt::Debug for Strings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::ops::Deref for Strings {
    type Target = Catalog;

    fn deref(&self) -> &Catalog {
        &self.0
    }
}

/// The default theme's English text of `key`, or nothing.
fn english_text(key: &str) -> &'static str {
    static ENGLISH: OnceLock<HashMap<String, String>> = OnceLock::new();
    let texts = ENGLISH.get_or_init(|| {
        load::builtin_messages(FALLBACK)
            .into_iter()
            .filter_map(|(k, m)| match m {
                Message::Text(s) => Some((k, s)),
                Message::Plural(forms) => form(&forms, "other").map(|s| (k, s.to_owned())),
                Message::List(_) => None,
            })
            .collect()
    });
    texts.get(key).map_or("", String::as_str)
}

fn form<'a>(forms: &'a [(String, String)], category: &str) -> Option<&'a str> {
    forms
        .iter()
        .find(|(c, _)| c == category)
        .map(|(_, s)| s.as_str())
}

/// CLDR's cardinal rules for `lang`, or for its language alone (`en` for
/// `en-GB`); `None` for a code ICU4X cannot read.
fn plural_rules(lang: &str) -> Option<PluralRules> {
    let locale = icu_locale_core::Locale::try_from_str(lang).ok()?;
    PluralRules::try_new_cardinal((&locale).into()).ok()
}

/// Replaces each `{name}` of `template` by its value, in one pass: a
/// value is never read for slots itself. A brace that opens no known slot
/// stays as written. (Dates and theme words are filled several times on
/// every page: a pass per argument, with its allocations, was 4% of a
/// build.)
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let room: usize = args.iter().map(|(_, v)| v.len()).sum();
    let mut out = String::with_capacity(template.len() + room);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let slot = after.find('}').and_then(|close| {
            let name = &after[..close];
            let value = args.iter().find(|(n, _)| *n == name)?.1;
            Some((value, close))
        });
        match slot {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The words dates are written with in one language, from its catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateWords {
    /// Month names inside a day date: genitive in Ukrainian ("6 січня").
    pub months: Vec<String>,
    /// Month names standing alone: nominative ("квітень 2025").
    pub months_standalone: Vec<String>,
    pub months_short: Vec<String>,
    /// `{day} {month} {year}`.
    pub day: String,
    /// `{month} {year}`.
    pub month: String,
    /// `{year}`.
    pub year: String,
    /// `{day} {month}`, under a month heading.
    pub short_day: String,
    /// `c. {date}`.
    pub circa: String,
    pub to_be_announced: String,
    /// `as of {date}`.
    pub as_of: String,
    /// `{from} – {to}`.
    pub range: String,
}

impl DateWords {
    fn from_messages(messages: &HashMap<String, Message>) -> DateWords {
        let list = |key: &str| match messages.get(key) {
            Some(Message::List(l)) if l.len() == 12 => l.clone(),
            _ => (1..=12).map(|m| m.to_string()).collect(),
        };
        let text = |key: &str, default: &str| match messages.get(key) {
            Some(Message::Text(s)) => s.clone(),
            _ => default.to_owned(),
        };
        DateWords {
            months: list("months"),
            months_standalone: list("months_standalone"),
            months_short: list("months_short"),
            day: text("date_day", "{day} {month} {year}"),
            month: text("date_month", "{month} {year}"),
            year: text("date_year", "{year}"),
            short_day: text("date_short_day", "{day} {month}"),
            circa: text("date_circa", "c. {date}"),
            to_be_announced: text("date_tbd", "date to be announced"),
            as_of: text("date_as_of", "as of {date}"),
            range: text("date_range", "{from} – {to}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ukrainian_plurals_follow_cldr() {
        let uk = load::builtin("uk");
        let facts: Vec<String> = [1, 2, 5, 11, 21, 22]
            .iter()
            .map(|&n| uk.plural("facts", n))
            .collect();
        assert_eq!(
            facts,
            [
                "1 факт",
                "2 факти",
                "5 фактів",
                "11 фактів",
                "21 факт",
                "22 факти"
            ]
        );
    }

    #[test]
    fn english_plurals_have_one_and_other() {
        let en = Catalog::english();
        assert_eq!(en.plural("facts", 1), "1 fact");
        assert_eq!(en.plural("facts", 0), "0 facts");
        assert_eq!(en.plural("facts", 21), "21 facts");
    }

    #[test]
    fn ukrainian_has_every_key_english_has() {
        let en = load::builtin_messages(FALLBACK);
        let uk = load::builtin_messages("uk");
        let mut missing: Vec<&String> = en.keys().filter(|k| !uk.contains_key(*k)).collect();
        missing.sort();
        assert!(missing.is_empty(), "uk.yaml lacks {missing:?}");
        let mut extra: Vec<&String> = uk.keys().filter(|k| !en.contains_key(*k)).collect();
        extra.sort();
        assert!(
            extra.is_empty(),
            "uk.yaml has keys en.yaml lacks: {extra:?}"
        );
    }

    #[test]
    fn every_key_the_code_asks_for_is_in_english() {
        use crate::content::model::*;
        use crate::render::views::enum_name;
        let en = load::builtin_messages(FALLBACK);
        let mut keys: Vec<String> = Vec::new();
        for k in Kind::ALL {
            keys.extend([format!("kind_{}", k.name()), format!("kinds_{}", k.name())]);
            keys.push(format!("this_{}", k.name()));
        }
        use MeetingStatus as M;
        use ProposalStatus as P;
        for s in [M::Scheduled, M::Held, M::Cancelled, M::Postponed] {
            keys.push(format!("status_{}", enum_name(&s)));
        }
        for s in [
            P::Draft,
            P::Proposed,
            P::UnderNegotiation,
            P::Agreed,
            P::Signed,
            P::Rejected,
            P::Stalled,
        ] {
            keys.push(format!("status_{}", enum_name(&s)));
        }
        for t in [
            ActorType::Person,
            ActorType::Country,
            ActorType::Organisation,
            ActorType::Group,
        ] {
            keys.push(format!("actor_type_{}", enum_name(&t)));
        }
        use MeetingFormat as F;
        for f in [F::InPerson, F::Hybrid, F::Video, F::Call] {
            keys.push(format!("format_{}", enum_name(&f)));
        }
        use SourceType as S;
        for t in [
            S::Article,
            S::Statement,
            S::Document,
            S::Interview,
            S::Social,
        ] {
            keys.push(format!("source_type_{}", enum_name(&t)));
        }
        for w in ["corrected", "clarified", "updated"] {
            keys.push(format!("change_word_{w}"));
        }
        for s in ["proposed", "supports", "opposes", "mixed"] {
            keys.push(format!("stance_{s}"));
        }
        let missing: Vec<&String> = keys.iter().filter(|k| !en.contains_key(*k)).collect();
        assert!(missing.is_empty(), "en.yaml lacks {missing:?}");
    }

    #[test]
    fn placeholders_are_filled_by_name() {
        assert_eq!(
            fill("{a} and {b}, {a}", &[("a", "x"), ("b", "y")]),
            "x and y, x"
        );
    }

    #[test]
    fn a_filled_value_is_not_filled_again_and_stray_braces_stay() {
        assert_eq!(fill("{a}{b}", &[("a", "{b}"), ("b", "y")]), "{b}y");
        assert_eq!(fill("{x} {a} {", &[("a", "1")]), "{x} 1 {");
        assert_eq!(fill("{{a}}", &[("a", "1")]), "{1}");
        assert_eq!(fill("6 січня", &[]), "6 січня");
    }
}
