//! RESOLVE: editorial lint — warnings about what the story's pages claim
//! rather than how the files are written, for `check` and `build`:
//!
//! - `stale-fact`: in a story still marked active (`extra.story_status:
//!   active` in site.yaml) with `stale_after_days` set, a key fact whose
//!   newest dated source is more than that many days older than the newest
//!   date anywhere in the site. The reference is the content's own newest
//!   date, not the clock, so the same files always give the same warnings
//!   (and a build is reproducible). Meetings are left out: their facts
//!   describe a dated event and do not go stale.
//! - `unlinked-mention`: an actor's title or alias in a page's text (body,
//!   fact values, answers, components, outcome) on a page that links that
//!   actor nowhere — autolinking skipped it (inside a heading, another link
//!   or a fact value, or `autolink: false`). Reported once per page and
//!   actor, at the first mention. Only with `autolink: true`: a site that
//!   turned autolinking off links names by hand, where it chooses to.
//!   Source pages (which restate an article)
//!   and countries (named on nearly every page of a story about them) are
//!   left out, so the warning stays about people and organisations a
//!   reader would want to follow.
//! - `unsourced-status`: a proposal with a `status` but neither `sources`
//!   nor a sourced key fact whose label mentions "status".
//! - `missing-role`: an actor without `role`.
//! - `review-due`: a key fact whose `review_by` is before "today".
//! - `scheduled-in-past`: a meeting still `scheduled` whose date (its last
//!   day, for a month or a year) is before "today".
//!
//! - `moved-from-collision` (an error): an old path in `moved_from` that is
//!   a live page of the site, or another page's old path: a redirect there
//!   would hide the page, or two redirects would fight over one path.
//!
//! "Today" is never the clock, so the same files always give the same
//! warnings: it is `--today`, or else the newest date of something that
//! happened in the content ([`content_today`]).
//!
//! Input: resolved entities, their backlinks (with the mentions rendering
//! found), the configuration. Output: warnings.

use std::collections::HashSet;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::Backlinks;
use crate::config::Config;
use crate::content::model::*;
use crate::diag::{Diagnostic, Span};

/// Shortest actor name looked for in text, as for autolinking.
const MIN_NAME: usize = 3;
/// `extra.story_status` value that turns the staleness check on.
const ACTIVE: &str = "active";

/// Every lint warning of the site.
pub fn lint(entities: &[Entity], relations: &[Backlinks], config: &Config) -> Vec<Diagnostic> {
    let lint = Lint::new(entities, config);
    let mut out: Vec<Diagnostic> = (0..entities.len())
        .flat_map(|p| lint.page(entities, relations, p))
        .collect();
    out.extend(moved_from_collisions(entities));
    out
}

/// Site pages that are not entities, by their first path segment.
const SITE_PAGES: &[&str] = &[
    "timeline",
    "map",
    "questions",
    "tags",
    "search",
    "changes",
    "data",
];

/// `moved-from-collision`: see the module header.
fn moved_from_collisions(entities: &[Entity]) -> Vec<Diagnostic> {
    let live: HashSet<&str> = entities.iter().map(|e| e.id.as_str()).collect();
    let mut claimed: std::collections::HashMap<String, &str> = Default::default();
    let mut out = Vec::new();
    for e in entities {
        for m in &e.moved_from {
            let path = m.segments.join("/");
            let first = m.segments[0].as_str();
            let is_list = Kind::from_dir(first).is_some() || SITE_PAGES.contains(&first);
            let page_of_list = is_list && (m.segments.len() == 1 || m.segments[1] == "page");
            let message = if live.contains(path.as_str()) || page_of_list || first == "tags" {
                format!("`/{path}/` is a page of this site; a redirect there would hide it")
            } else if let Some(other) = claimed.get(&path) {
                format!("`/{path}/` is already an old path of `{other}`")
            } else {
                claimed.insert(path, &e.id);
                continue;
            };
            out.push(
                Diagnostic::error("moved-from-collision", &e.file, message)
                    .at(m.span)
                    .hint(
                        "`moved_from` lists addresses nothing lives at any more; remove this one",
                    ),
            );
        }
    }
    out
}

/// What lint reads of the whole site, found once: the newest date (for
/// staleness) and the actor names. `serve` keeps it between edits and
/// lints again only the pages an edit reaches.
pub struct Lint {
    /// `stale_after_days`, when the check is on.
    stale_days: Option<i64>,
    /// The newest date in the content, which staleness is measured from.
    newest: Option<Date>,
    /// Actor names, when autolinking is on.
    names: Option<Names>,
    /// What "today" is for `review_by` and scheduled meetings, and the
    /// `--today` it came from, if any.
    today: Option<Date>,
    given_today: Option<Date>,
}

impl Lint {
    pub fn new(entities: &[Entity], config: &Config) -> Self {
        let stale_days = config
            .stale_after_days
            .filter(|_| story_is_active(config))
            .map(i64::from);
        Lint {
            stale_days,
            newest: stale_days.and_then(|_| newest_date(entities)),
            names: config.autolink.then(|| Names::new(entities)),
            today: today(entities, config.today),
            given_today: config.today,
        }
    }

    /// The lint warnings of page `p`.
    pub fn page(
        &self,
        entities: &[Entity],
        relations: &[Backlinks],
        p: EntityIdx,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let e = &entities[p];
        if let (Some(days), Some(newest)) = (self.stale_days, self.newest) {
            stale_facts(entities, e, days, newest, &mut out);
        }
        if let Some(names) = &self.names {
            unlinked_mentions(entities, relations, names, p, &mut out);
        }
        unsourced_status(e, &mut out);
        missing_role(e, &mut out);
        if let Some(today) = self.today {
            review_due(e, today, &mut out);
            scheduled_in_past(e, today, &mut out);
        }
        out
    }

    /// Whether what every page's lint reads of the whole site is as it
    /// was: the newest date, when staleness is checked, and — unless
    /// `names_changed` — the actor names, when autolinking is on.
    pub fn is_current(&self, entities: &[Entity], names_changed: bool) -> bool {
        (self.names.is_none() || !names_changed)
            && (self.stale_days.is_none() || newest_date(entities) == self.newest)
            && today(entities, self.given_today) == self.today
    }
}

fn story_is_active(config: &Config) -> bool {
    config.extra.get("story_status").and_then(|v| v.as_str()) == Some(ACTIVE)
}

/// "Today": `--today` when given, else [`content_today`].
fn today(entities: &[Entity], given: Option<Date>) -> Option<Date> {
    given.or_else(|| content_today(entities))
}

/// The newest date of something that has happened: held (or unmarked)
/// meetings, proposals, sources, `updated`, changes and `as_of`. Scheduled
/// meetings and `review_by` lie ahead by nature and are left out.
pub fn content_today(entities: &[Entity]) -> Option<Date> {
    entities
        .iter()
        .flat_map(|e| {
            let event = match &e.data {
                KindData::Meeting(m) if m.status == Some(MeetingStatus::Scheduled) => None,
                _ => e.when(),
            };
            let as_of = e.key_facts.iter().filter_map(|f| f.as_of);
            let changes = e.changes.iter().map(|c| c.date);
            event
                .into_iter()
                .chain(e.updated)
                .chain(as_of)
                .chain(changes)
                .map(|w| w.first)
        })
        .max()
}

fn review_due(e: &Entity, today: Date, out: &mut Vec<Diagnostic>) {
    for f in &e.key_facts {
        let Some((review_by, span)) = f.review_by else {
            continue;
        };
        if review_by.last() < today {
            out.push(
                Diagnostic::warning(
                    "review-due",
                    &e.file,
                    format!(
                        "fact `{}` was due for review by {}; today is {}",
                        f.label,
                        review_by.long(),
                        today.long()
                    ),
                )
                .at(span)
                .hint("check the value against newer sources, then move `review_by` on or remove it (today is the newest date in the content, or `--today`)"),
            );
        }
    }
}

fn scheduled_in_past(e: &Entity, today: Date, out: &mut Vec<Diagnostic>) {
    let KindData::Meeting(m) = &e.data else {
        return;
    };
    let (Some(MeetingStatus::Scheduled), Some(date)) = (m.status, m.date) else {
        return;
    };
    let end = m.end_date.unwrap_or(date);
    if end.last() < today {
        out.push(
            Diagnostic::warning(
                "scheduled-in-past",
                &e.file,
                format!(
                    "meeting is still `scheduled` but its date, {}, is before today, {}",
                    date.long(),
                    today.long()
                ),
            )
            .at(e.title_span)
            .hint("set `status:` to `held`, `cancelled` or `postponed` once a source says which (today is the newest date in the content, or `--today`)"),
        );
    }
}

/// The newest date anywhere in the content: the reference for staleness.
pub fn newest_date(entities: &[Entity]) -> Option<Date> {
    entities
        .iter()
        .flat_map(|e| {
            let own = match &e.data {
                KindData::Meeting(m) => vec![m.date, m.end_date],
                KindData::Actor(a) => vec![a.born, a.founded],
                _ => vec![e.when()],
            };
            own.into_iter()
                .chain([e.updated])
                .flatten()
                .map(|w| w.first)
        })
        .max()
}

fn stale_facts(
    entities: &[Entity],
    e: &Entity,
    days: i64,
    newest: Date,
    out: &mut Vec<Diagnostic>,
) {
    if matches!(e.kind, Kind::Meeting | Kind::Source) {
        return;
    }
    for f in &e.key_facts {
        let Some(latest) = f
            .sources
            .iter()
            .filter_map(|r| r.target)
            .filter_map(|s| entities[s].date())
            .max()
        else {
            continue;
        };
        let age = newest.days_since_epoch() - latest.days_since_epoch();
        if age > days {
            out.push(
                Diagnostic::warning(
                    "stale-fact",
                    &e.file,
                    format!(
                        "fact `{}` may be out of date: its newest source is from {}, {age} days before the newest date in the story ({})",
                        f.label,
                        latest.long(),
                        newest.long()
                    ),
                )
                .at(f.label_span)
                .hint(format!("the story is marked active (`extra.story_status: active`) and `stale_after_days` is {days}: check that the fact still holds and cite a newer source")),
            );
        }
    }
}

/// Finds actor titles and aliases in text.
struct Names {
    matcher: Option<AhoCorasick>,
    actors: Vec<EntityIdx>,
}

impl Names {
    fn new(entities: &[Entity]) -> Self {
        let mut names = Vec::new();
        let mut actors = Vec::new();
        let followed = |e: &Entity| match &e.data {
            KindData::Actor(a) => a.actor_type != Some(ActorType::Country),
            _ => false,
        };
        for (i, e) in entities.iter().enumerate().filter(|(_, e)| followed(e)) {
            for name in std::iter::once(&e.title).chain(&e.aliases) {
                if name.chars().count() >= MIN_NAME {
                    names.push(name.as_str());
                    actors.push(i);
                }
            }
        }
        // As in the autolinker: a DFA's build is quadratic in a long name.
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&names)
            .ok()
            .filter(|_| !names.is_empty());
        Names { matcher, actors }
    }

    /// Each actor named in `text` with the span of its first mention.
    fn find(&self, text: &str) -> Vec<(EntityIdx, Span)> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let mut found: Vec<(EntityIdx, Span)> = Vec::new();
        for m in matcher.find_iter(text) {
            let actor = self.actors[m.pattern().as_usize()];
            if at_word_boundary(text, m.start(), m.end()) && !found.iter().any(|(a, _)| *a == actor)
            {
                found.push((actor, Span::new(m.start(), m.end())));
            }
        }
        found
    }
}

fn at_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let joins = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    !text[..start].chars().next_back().is_some_and(joins)
        && !text[end..].chars().next().is_some_and(joins)
}

/// Every text of an entity a reader sees, in page order.
fn texts(e: &Entity) -> Vec<&Text> {
    let mut list: Vec<&Text> = e.key_facts.iter().map(|f| &f.value).collect();
    match &e.data {
        KindData::Proposal(p) => list.extend(&p.components),
        KindData::Meeting(m) => list.extend(&m.outcome),
        _ => {}
    }
    list.push(&e.body);
    list.extend(e.questions.iter().filter_map(|q| q.answer.as_ref()));
    list
}

/// Entities `b`'s page links through a relation or a mention.
fn linked(b: &Backlinks) -> impl Iterator<Item = EntityIdx> + '_ {
    b.related()
}

fn unlinked_mentions(
    entities: &[Entity],
    relations: &[Backlinks],
    names: &Names,
    p: EntityIdx,
    out: &mut Vec<Diagnostic>,
) {
    let e = &entities[p];
    if e.kind == Kind::Source {
        return;
    }
    let mut reported: HashSet<EntityIdx> = HashSet::new();
    for text in texts(e) {
        for (actor, span) in names.find(&text.source) {
            if actor == p || reported.contains(&actor) {
                continue;
            }
            // The page links the actor when either end's relations name
            // the other: a typed ref, a backlink, or a `[[ref]]`.
            let links = linked(&relations[actor]).any(|x| x == p)
                || linked(&relations[p]).any(|x| x == actor);
            if links {
                continue;
            }
            reported.insert(actor);
            let a = &entities[actor];
            out.push(
                Diagnostic::warning(
                    "unlinked-mention",
                    &e.file,
                    format!("`{}` is mentioned but this page never links it", a.title),
                )
                .at(text.file_span(span))
                .hint(format!("write `[[{}]]` at the first mention, so readers can follow it (autolinking only links names in the body, outside headings and links)", a.slug)),
            );
        }
    }
}

fn unsourced_status(e: &Entity, out: &mut Vec<Diagnostic>) {
    let KindData::Proposal(p) = &e.data else {
        return;
    };
    let Some(status) = p.status else {
        return;
    };
    let sourced_fact = e.key_facts.iter().any(|f| {
        f.label.to_lowercase().contains("status") && f.sources.iter().any(|r| r.target.is_some())
    });
    if e.sources.is_empty() && !sourced_fact {
        out.push(
            Diagnostic::warning(
                "unsourced-status",
                &e.file,
                format!(
                    "`{}` has `status: {}` but no source says so",
                    e.id,
                    crate::render::views::enum_name(&status)
                ),
            )
            .at(e.title_span)
            .hint("add `sources:` to the proposal, or a key fact labelled `Status` citing the source that reports it"),
        );
    }
}

fn missing_role(e: &Entity, out: &mut Vec<Diagnostic>) {
    if let KindData::Actor(a) = &e.data
        && a.role.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        out.push(
            Diagnostic::warning("missing-role", &e.file, format!("`{}` has no `role`", e.id))
                .at(e.title_span)
                .hint("add `role:` (\"US special envoy\", \"Party to the talks\"): the key facts table shows it beside the type"),
        );
    }
}
