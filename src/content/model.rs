//! PARSE output: typed entities, as the rest of the pipeline sees them.
//!
//! The raw YAML tree is turned into these once (see `parse.rs`); later stages
//! never look at YAML again. Refs keep the text the writer typed and its
//! span, and get their target filled in by the resolve stage.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::diag::Span;

/// The five kinds of content, one folder each under `content/`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Actor,
    Meeting,
    Proposal,
    Source,
    Page,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Actor,
        Kind::Meeting,
        Kind::Proposal,
        Kind::Source,
        Kind::Page,
    ];

    /// The folder under `content/` and the first URL segment.
    pub fn dir(self) -> &'static str {
        match self {
            Kind::Actor => "actors",
            Kind::Meeting => "meetings",
            Kind::Proposal => "proposals",
            Kind::Source => "sources",
            Kind::Page => "pages",
        }
    }

    pub fn from_dir(dir: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.dir() == dir)
    }

    /// Singular noun, for messages to editors, CSS classes and the
    /// translation keys of its words (`kind_actor`, `kinds_actor`): readers
    /// see the words of `crate::i18n`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Actor => "actor",
            Kind::Meeting => "meeting",
            Kind::Proposal => "proposal",
            Kind::Source => "source",
            Kind::Page => "page",
        }
    }

    /// The singular noun with its article, for messages to editors: "an
    /// actor", "a meeting".
    pub fn with_article(self) -> &'static str {
        match self {
            Kind::Actor => "an actor",
            Kind::Meeting => "a meeting",
            Kind::Proposal => "a proposal",
            Kind::Source => "a source",
            Kind::Page => "a page",
        }
    }
}

/// A calendar date, `YYYY-MM-DD`. Kept as numbers so sorting is by time and
/// rendering needs no clock or time-zone crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking that the day exists.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let year: i32 = text[0..4].parse().ok()?;
        let month: u8 = text[5..7].parse().ok()?;
        let day: u8 = text[8..10].parse().ok()?;
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// "6 January 2026", in English: for messages to editors. Pages
    /// write dates in the site's language (`crate::render::dates`).
    pub fn long(&self) -> String {
        crate::render::dates::day(&crate::i18n::Catalog::english().dates, self)
    }

    /// The civil date `days` after 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`, the inverse of [`Date::days_since_epoch`]): for
    /// today's date in `new` and a commit's day in `git_dates`.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(1970),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }

    /// Days since 1970-01-01, for staleness and timeline scales.
    pub fn days_since_epoch(&self) -> i64 {
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// How much of a date the writer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// A date as precise as the sources give it: `2025`, `2025-04` or
/// `2025-04-06`, approximate when written `~2025-04`. It stands for a
/// period; `first` is the period's first day, which is what it sorts by (a
/// month before its days, ties broken by the caller, by title).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct When {
    pub first: Date,
    pub precision: Precision,
    pub approximate: bool,
}

/// Why a date did not parse, for the diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenError {
    /// Not `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, or no such month or day.
    Invalid,
    /// `~` before something that is not a date (`~tbd`, `~soon`).
    ApproximateNonDate,
}

impl When {
    /// A day known exactly.
    pub fn day(first: Date) -> Self {
        When {
            first,
            precision: Precision::Day,
            approximate: false,
        }
    }

    /// Parses `2025`, `2025-04`, `2025-04-06`, each optionally after `~`.
    pub fn parse(text: &str) -> Result<When, WhenError> {
        let (approximate, rest) = match text.strip_prefix('~') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, text),
        };
        let (first, precision) = match rest.len() {
            4 => (Date::parse(&format!("{rest}-01-01")), Precision::Year),
            7 => (Date::parse(&format!("{rest}-01")), Precision::Month),
            _ => (Date::parse(rest), Precision::Day),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b == b'-');
        match first {
            Some(first) if all_digits(rest) => Ok(When {
                first,
                precision,
                approximate,
            }),
            _ if approximate && !rest.starts_with(|c: char| c.is_ascii_digit()) => {
                Err(WhenError::ApproximateNonDate)
            }
            _ => Err(WhenError::Invalid),
        }
    }

    /// The period's last day: a review date of `2026-03` has passed only
    /// once March is over.
    pub fn last(&self) -> Date {
        let Date { year, month, .. } = self.first;
        match self.precision {
            Precision::Day => self.first,
            Precision::Month => Date {
                year,
                month,
                day: days_in_month(year, month),
            },
            Precision::Year => Date {
                year,
                month: 12,
                day: 31,
            },
        }
    }

    /// ISO 8601 to the precision known: `2025`, `2025-04`, `2025-04-06`
    /// (JSON-LD, exports, `<time datetime>`).
    pub fn iso(&self) -> String {
        let d = self.first;
        match self.precision {
            Precision::Year => format!("{:04}", d.year),
            Precision::Month => format!("{:04}-{:02}", d.year, d.month),
            Precision::Day => d.to_string(),
        }
    }

    /// "c. April 2025", in English: for messages to editors. Pages write
    /// dates in the site's language (`crate::render::dates`).
    pub fn long(&self) -> String {
        crate::render::dates::when(&crate::i18n::Catalog::english().dates, self)
    }
}

impl fmt::Display for When {
    /// As written: `~2025-04`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tilde = if self.approximate { "~" } else { "" };
        write!(f, "{tilde}{}", self.iso())
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Index of an entity in the site's entity list.
pub type EntityIdx = usize;

/// A reference as written (`steve-witkoff`, `actors/steve-witkoff`), where it
/// was written, and — after the resolve stage — what it points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ref {
    pub raw: String,
    pub span: Span,
    pub target: Option<EntityIdx>,
}

impl Ref {
    pub fn new(raw: impl Into<String>, span: Span) -> Self {
        Ref {
            raw: raw.into(),
            span,
            target: None,
        }
    }
}

/// Markdown text from front matter or a body, with what is needed to map an
/// offset inside it back to its file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Text {
    pub source: String,
    /// File offset of `source[0]`.
    pub start: usize,
    /// Whether offsets inside `source` map 1:1 to the file; if not (a block
    /// scalar, an escaped string), positions fall back to `start`.
    pub exact: bool,
}

impl Text {
    /// The file span of a span inside this text.
    pub fn file_span(&self, local: Span) -> Span {
        if self.exact {
            local.offset(self.start)
        } else {
            Span::new(self.start, self.start + 1)
        }
    }
}

/// A row of the key facts table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub label: String,
    /// Where the label was written, for warnings about the fact.
    pub label_span: Span,
    pub value: Text,
    pub sources: Vec<Ref>,
    /// Markdown, like the value: it may cite a page with `[[ref]]`.
    pub note: Option<Text>,
    /// When the value was true ("as of 6 January 2026"): figures change.
    pub as_of: Option<When>,
    /// When an editor should look at the value again; `check` warns after.
    pub review_by: Option<(When, Span)>,
    pub span: Span,
}

/// What kind of entry a page's changes log holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Something the page said was wrong.
    Correction,
    /// Something the page said was unclear.
    Clarification,
    /// The story moved on.
    Update,
}

/// One entry of a page's `changes:` log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub date: When,
    pub kind: ChangeKind,
    pub text: String,
    /// The key fact it concerns, by label (checked to exist on the page).
    pub fact: Option<String>,
    pub span: Span,
}

/// An old URL path of a page (`moved_from`), normalised to `/a/b/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedFrom {
    /// The path's segments: `["old", "path"]` for `/old/path/`.
    pub segments: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub question: String,
    pub answer: Option<Text>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorType {
    Person,
    Country,
    Organisation,
    Group,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Actor {
    pub actor_type: Option<ActorType>,
    pub role: Option<String>,
    pub country: Option<String>,
    pub affiliation: Option<Ref>,
    pub members: Vec<Ref>,
    pub born: Option<When>,
    pub founded: Option<When>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingFormat {
    InPerson,
    Hybrid,
    Video,
    Call,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MeetingStatus {
    Scheduled,
    Held,
    Cancelled,
    Postponed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub actor: Ref,
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// `None` when the date is to be announced (`date: tbd`).
    pub date: Option<When>,
    pub end_date: Option<When>,
    pub location: Option<String>,
    pub format: Option<MeetingFormat>,
    pub host: Option<Ref>,
    pub participants: Vec<Participant>,
    pub proposals: Vec<Ref>,
    pub outcome: Option<Text>,
    pub status: Option<MeetingStatus>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProposalStatus {
    Draft,
    Proposed,
    UnderNegotiation,
    Agreed,
    Signed,
    Rejected,
    Stalled,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Proposal {
    pub status: Option<ProposalStatus>,
    pub proposed_by: Vec<Ref>,
    pub supporters: Vec<Ref>,
    pub opponents: Vec<Ref>,
    pub date: Option<When>,
    pub components: Vec<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceType {
    Article,
    Statement,
    Document,
    Interview,
    Social,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Source {
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub date: Option<When>,
    pub author: Option<String>,
    pub source_type: Option<SourceType>,
    /// A preserved copy (Wayback Machine, archive.today).
    pub archive_url: Option<String>,
    /// When the writer last read the original.
    pub accessed: Option<When>,
    /// A short excerpt, as the source words it.
    pub quote: Option<String>,
    /// Where `url` and `archive_url` were written (`check --links`).
    pub url_spans: Vec<(String, Span)>,
}

/// What only one kind has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KindData {
    Actor(Actor),
    Meeting(Meeting),
    Proposal(Proposal),
    Source(Source),
    Page,
}

/// One content file, parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// `actors/steve-witkoff`; for the home page, `_index`.
    pub id: String,
    pub kind: Kind,
    pub slug: String,
    /// Path relative to the site root (`content/actors/steve-witkoff.md`).
    pub file: PathBuf,
    pub title: String,
    pub title_span: Span,
    pub summary: Option<String>,
    pub aliases: Vec<String>,
    pub tags: Vec<String>,
    pub sources: Vec<Ref>,
    pub key_facts: Vec<Fact>,
    pub questions: Vec<Question>,
    pub updated: Option<When>,
    /// The page's changes log, as written.
    pub changes: Vec<Change>,
    /// Old URL paths that redirect here.
    pub moved_from: Vec<MovedFrom>,
    pub draft: bool,
    pub weight: Option<i64>,
    /// `image:` — a portrait, a venue, a document scan.
    pub image: Option<ImageSpec>,
    pub body: Text,
    pub data: KindData,
    /// Keys the format does not know, handed to templates as `page.extra`.
    #[serde(with = "extra_as_json")]
    pub extra: BTreeMap<String, serde_json::Value>,
    /// Which languages the page exists in, on a multilingual site.
    pub lang: EntityLang,
}

/// Where a page stands among the site's languages: set by the language
/// view the entity belongs to (`crate::content::overlay`), read by the
/// pages (`hreflang`, the switcher, the "not yet translated" notice).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EntityLang {
    /// The other languages it has a translation file in, in site order.
    pub translated_into: Vec<String>,
    /// In a language it is not translated into, the language its texts
    /// are shown in (the original's): the page is a fallback.
    pub fallback_from: Option<String>,
}

/// `image: {src, alt, credit, licence, caption, decorative}` as written;
/// the file is found and checked when the page is rendered
/// (`crate::render::images`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImageSpec {
    pub src: String,
    /// `None` when the key is missing (an error), `Some("")` when written empty.
    pub alt: Option<String>,
    pub credit: Option<String>,
    pub licence: Option<String>,
    pub caption: Option<String>,
    pub decorative: bool,
    /// The whole `image:` value, and its `src`, for diagnostics.
    pub span: Span,
    pub src_span: Span,
}

impl Entity {
    /// The day a reader would sort this by: the first day of its meeting,
    /// proposal or source date.
    pub fn date(&self) -> Option<Date> {
        self.when().map(|w| w.first)
    }

    /// The meeting, proposal or source date, as precise as it was written.
    pub fn when(&self) -> Option<When> {
        match &self.data {
            KindData::Meeting(m) => m.date,
            KindData::Proposal(p) => p.date,
            KindData::Source(s) => s.date,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_for_existence() {
        assert!(Date::parse("2026-01-06").is_some());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2026-02-29").is_none());
        assert!(Date::parse("2026-13-01").is_none());
        assert!(Date::parse("6 Jan 2026").is_none());
    }

    #[test]
    fn dates_keep_the_precision_they_were_written_with() {
        let april = When::parse("2025-04").unwrap();
        assert_eq!(april.precision, Precision::Month);
        assert_eq!(april.first, Date::parse("2025-04-01").unwrap());
        assert_eq!(april.last(), Date::parse("2025-04-30").unwrap());
        assert_eq!(april.iso(), "2025-04");
        let year = When::parse("~2025").unwrap();
        assert!(year.approximate);
        assert_eq!(year.to_string(), "~2025");
        assert_eq!(year.last(), Date::parse("2025-12-31").unwrap());
        assert_eq!(When::parse("2025-13"), Err(WhenError::Invalid));
        assert_eq!(When::parse("2025-4"), Err(WhenError::Invalid));
        assert_eq!(When::parse("+2025"), Err(WhenError::Invalid));
        assert_eq!(When::parse("~tbd"), Err(WhenError::ApproximateNonDate));
        // A month sorts by its first day, before the days in it.
        assert!(april < When::parse("2025-04-01").unwrap());
    }

    #[test]
    fn days_since_1970_become_the_calendar_date_again() {
        for text in [
            "1970-01-01",
            "2000-02-29",
            "2026-01-06",
            "2026-12-31",
            "1969-12-31",
            "2100-03-01",
        ] {
            let date = Date::parse(text).unwrap();
            assert_eq!(
                Date::from_days_since_epoch(date.days_since_epoch()),
                date,
                "{text}"
            );
        }
    }

    #[test]
    fn days_since_epoch_counts_from_1970() {
        assert_eq!(
            Date::parse("1970-01-02").map(|d| d.days_since_epoch()),
            Some(1)
        );
        assert_eq!(
            Date::parse("2026-01-06").map(|d| d.days_since_epoch()),
            Some(20459)
        );
    }
}

/// `extra` as JSON text when an entity is stored (the parse cache): its
/// format, postcard, cannot read back a `serde_json::Value`, which names no
/// types of its own.
mod extra_as_json {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    type Extra = BTreeMap<String, serde_json::Value>;

    pub fn serialize<S: Serializer>(extra: &Extra, to: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(extra).map_err(serde::ser::Error::custom)?;
        to.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<Extra, D::Error> {
        let text = String::deserialize(from)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}
