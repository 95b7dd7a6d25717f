//! PARSE output: typed entities, as the rest of the pipeline sees them.
//!
//! The raw YAML tree is turned into these once (see `parse.rs`); later stages
//! never look at YAML again. Refs keep the text the writer typed and its
//! span, and get their target filled in by the resolve stage.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::diag::Span;

/// The five kinds of content, one folder each under `content/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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

    /// Singular noun, for messages and labels.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Actor => "actor",
            Kind::Meeting => "meeting",
            Kind::Proposal => "proposal",
            Kind::Source => "source",
            Kind::Page => "page",
        }
    }

    /// The singular noun with its article: "an actor", "a meeting".
    pub fn with_article(self) -> &'static str {
        match self {
            Kind::Actor => "an actor",
            Kind::Meeting => "a meeting",
            Kind::Proposal => "a proposal",
            Kind::Source => "a source",
            Kind::Page => "a page",
        }
    }

    /// Heading of the kind's list page.
    pub fn plural_title(self) -> &'static str {
        match self {
            Kind::Actor => "Actors",
            Kind::Meeting => "Meetings",
            Kind::Proposal => "Proposals",
            Kind::Source => "Sources",
            Kind::Page => "Pages",
        }
    }
}

/// A calendar date, `YYYY-MM-DD`. Kept as numbers so sorting is by time and
/// rendering needs no clock or time-zone crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

    /// "6 January 2026", for readers.
    pub fn long(&self) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        format!(
            "{} {} {}",
            self.day,
            MONTHS[usize::from(self.month - 1)],
            self.year
        )
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub label: String,
    /// Where the label was written, for warnings about the fact.
    pub label_span: Span,
    pub value: Text,
    pub sources: Vec<Ref>,
    /// Markdown, like the value: it may cite a page with `[[ref]]`.
    pub note: Option<Text>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub question: String,
    pub answer: Option<Text>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorType {
    Person,
    Country,
    Organisation,
    Group,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actor {
    pub actor_type: Option<ActorType>,
    pub role: Option<String>,
    pub country: Option<String>,
    pub affiliation: Option<Ref>,
    pub members: Vec<Ref>,
    pub born: Option<Date>,
    pub founded: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingFormat {
    InPerson,
    Hybrid,
    Video,
    Call,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MeetingStatus {
    Scheduled,
    Held,
    Cancelled,
    Postponed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub actor: Ref,
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub date: Date,
    pub end_date: Option<Date>,
    pub location: Option<String>,
    pub format: Option<MeetingFormat>,
    pub host: Option<Ref>,
    pub participants: Vec<Participant>,
    pub proposals: Vec<Ref>,
    pub outcome: Option<Text>,
    pub status: Option<MeetingStatus>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Proposal {
    pub status: Option<ProposalStatus>,
    pub proposed_by: Vec<Ref>,
    pub supporters: Vec<Ref>,
    pub opponents: Vec<Ref>,
    pub date: Option<Date>,
    pub components: Vec<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceType {
    Article,
    Statement,
    Document,
    Interview,
    Social,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Source {
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub date: Option<Date>,
    pub author: Option<String>,
    pub source_type: Option<SourceType>,
}

/// What only one kind has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindData {
    Actor(Actor),
    Meeting(Meeting),
    Proposal(Proposal),
    Source(Source),
    Page,
}

/// One content file, parsed.
#[derive(Debug, Clone, PartialEq)]
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
    pub updated: Option<Date>,
    pub draft: bool,
    pub weight: Option<i64>,
    /// `image:` — a portrait, a venue, a document scan.
    pub image: Option<ImageSpec>,
    pub body: Text,
    pub data: KindData,
    /// Keys the format does not know, handed to templates as `page.extra`.
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// `image: {src, alt, credit, licence, caption, decorative}` as written;
/// the file is found and checked when the page is rendered
/// (`crate::render::images`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
    /// The date a reader would sort this by: meeting date, proposal or source
    /// date, then `updated`.
    pub fn date(&self) -> Option<Date> {
        match &self.data {
            KindData::Meeting(m) => Some(m.date),
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
