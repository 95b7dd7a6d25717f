//! RENDER: build the template views of one entity page from the resolved
//! site and its pre-rendered Markdown.

use super::Prepared;
use super::context::*;
use super::dates::{self, DateWords};
use super::links::{Linker, SitePath, tag_slug};
pub use super::site::SiteData;
use crate::content::model::*;
use crate::i18n::Catalog;
use crate::resolve::facts;

impl SiteData<'_> {
    pub fn item(&self, linker: &Linker, i: EntityIdx, note: Option<String>) -> Item {
        let e = &self.entities[i];
        Item {
            title: e.title.clone(),
            href: linker.href(&self.paths[i]),
            kind: e.kind.name(),
            summary: e.summary.clone(),
            date: e.when().map(|d| d.iso()),
            date_long: date_long(&self.config.strings, e),
            status: status_of(e),
            note,
        }
    }

    fn items(&self, linker: &Linker, list: &[EntityIdx]) -> Vec<Item> {
        list.iter().map(|&i| self.item(linker, i, None)).collect()
    }

    pub fn tag_link(&self, linker: &Linker, tag: &str) -> TagLink {
        TagLink {
            name: tag.to_owned(),
            href: linker.href(&SitePath::of(&["tags", &tag_slug(tag)])),
            count: self.tags.count(tag),
        }
    }

    /// The full view of entity `i`, as `actor.html` & co. see it.
    pub fn page_view(&self, i: EntityIdx, linker: &Linker) -> PageView {
        let prepared = &self.prepared[i];
        PageView {
            body: prepared.body.clone(),
            components: prepared.components.clone(),
            relations: self.relation_groups(i, linker),
            visuals: super::visuals::for_entity(self, i, linker),
            ..self.card_view(i, linker)
        }
    }

    /// The view of entity `i` on its embeddable fact card: the page's,
    /// without what a card does not show (the body, the connections and
    /// the figures), which are most of a page's cost to make and would
    /// otherwise be made twice per entity.
    pub fn card_view(&self, i: EntityIdx, linker: &Linker) -> PageView {
        let e = &self.entities[i];
        let prepared = &self.prepared[i];
        let mut citations = Citations::default();
        let mut rows = self.typed_rows(i, linker);
        rows.extend(self.fact_rows(e, prepared, linker, &mut citations));
        super::changes::mark_rows(e, &mut rows);
        for s in e.sources.iter().filter_map(|r| r.target) {
            citations.number(s);
        }
        let questions = question_views(e, prepared);
        PageView {
            id: e.id.clone(),
            kind: e.kind.name(),
            kind_title: self.config.strings.kind_title(e.kind).to_owned(),
            kind_href: linker.href(&SitePath::of(&[e.kind.dir()])),
            slug: e.slug.clone(),
            title: e.title.clone(),
            summary: e.summary.clone(),
            aliases: e.aliases.clone(),
            tags: e.tags.iter().map(|t| self.tag_link(linker, t)).collect(),
            href: linker.href(&self.paths[i]),
            permalink: self.paths[i].absolute(&self.base),
            date: e.when().map(|d| d.iso()),
            date_long: date_long(&self.config.strings, e),
            updated: e.updated.map(|d| d.iso()),
            updated_long: e.updated.map(|d| dates::when(self.words(), &d)),
            status: status_of(e),
            changes: super::changes::views(&self.config.strings, e),
            draft: e.draft,
            body: String::new(),
            disputed_count: rows.iter().filter(|r| r.disputed).count(),
            facts: rows,
            open_questions: questions.iter().filter(|q| !q.answered).count(),
            questions,
            components: Default::default(),
            relations: Vec::new(),
            sources: self.source_entries(&citations, linker),
            previous: self.relations[i]
                .previous_meeting
                .map(|p| self.link(linker, p)),
            next: self.relations[i].next_meeting.map(|n| self.link(linker, n)),
            external_url: match &e.data {
                KindData::Source(s) => s.url.clone(),
                _ => None,
            },
            extra: serde_json::to_value(&e.extra).unwrap_or_default(),
            visuals: Default::default(),
        }
    }

    /// The words dates are written with on this site.
    pub fn words(&self) -> &DateWords {
        &self.config.strings.dates
    }

    fn link(&self, linker: &Linker, i: EntityIdx) -> Link {
        Link {
            title: self.entities[i].title.clone(),
            href: linker.href(&self.paths[i]),
        }
    }

    fn ref_html(&self, linker: &Linker, r: &Ref) -> String {
        match r.target {
            Some(t) => format!(
                "<a href=\"{}\">{}</a>",
                escape(&linker.href(&self.paths[t])),
                escape(&self.entities[t].title)
            ),
            None => escape(&r.raw),
        }
    }

    fn refs_html(&self, linker: &Linker, refs: &[Ref]) -> String {
        refs.iter()
            .map(|r| self.ref_html(linker, r))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Rows from typed keys, in the order SPEC gives them.
    fn typed_rows(&self, i: EntityIdx, linker: &Linker) -> Vec<FactRow> {
        let e = &self.entities[i];
        let t = &self.config.strings;
        let w = self.words();
        let long = |d: &When| dates::when(w, d);
        let word =
            |prefix: &str, value: String| escape(&capitalize(t.text(&format!("{prefix}{value}"))));
        let mut rows = Vec::new();
        let mut text = |label: &str, value: Option<String>| {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                rows.push(typed_row(label, t.text(label), v));
            }
        };
        match &e.data {
            KindData::Actor(a) => {
                text(
                    "label_type",
                    a.actor_type.map(|v| word("actor_type_", enum_name(&v))),
                );
                text("label_role", a.role.as_deref().map(escape));
                text("label_country", a.country.as_deref().map(escape));
                text(
                    "label_affiliation",
                    a.affiliation.as_ref().map(|r| self.ref_html(linker, r)),
                );
                text("label_members", Some(self.refs_html(linker, &a.members)));
                text("label_born", a.born.as_ref().map(long));
                text("label_founded", a.founded.as_ref().map(long));
            }
            KindData::Meeting(m) => {
                let date = match (m.date, m.end_date) {
                    (Some(start), Some(end)) if end != start => dates::range(w, &start, &end),
                    (date, _) => dates::when_or_tbd(w, date.as_ref()),
                };
                text("label_date", Some(date));
                text("label_location", m.location.as_deref().map(escape));
                text(
                    "label_format",
                    m.format.map(|f| word("format_", enum_name(&f))),
                );
                text(
                    "label_host",
                    m.host.as_ref().map(|r| self.ref_html(linker, r)),
                );
                let participants: Vec<String> = m
                    .participants
                    .iter()
                    .map(|p| match &p.role {
                        Some(role) => {
                            format!("{} ({})", self.ref_html(linker, &p.actor), escape(role))
                        }
                        None => self.ref_html(linker, &p.actor),
                    })
                    .collect();
                text("label_participants", Some(participants.join(", ")));
                text(
                    "label_proposals_discussed",
                    Some(self.refs_html(linker, &m.proposals)),
                );
                text("label_outcome", self.prepared[i].outcome.clone());
                text(
                    "label_status",
                    m.status.map(|s| word("status_", enum_name(&s))),
                );
            }
            KindData::Proposal(p) => {
                text(
                    "label_status",
                    p.status.map(|s| word("status_", enum_name(&s))),
                );
                text(
                    "label_proposed_by",
                    Some(self.refs_html(linker, &p.proposed_by)),
                );
                text(
                    "label_supporters",
                    Some(self.refs_html(linker, &p.supporters)),
                );
                text(
                    "label_opponents",
                    Some(self.refs_html(linker, &p.opponents)),
                );
                text("label_date", p.date.as_ref().map(long));
            }
            KindData::Source(s) => {
                text("label_publisher", s.publisher.as_deref().map(escape));
                text("label_author", s.author.as_deref().map(escape));
                text("label_published", s.date.as_ref().map(long));
                text(
                    "label_type",
                    s.source_type.map(|v| word("source_type_", enum_name(&v))),
                );
                let external = |u: &str| {
                    format!(
                        "<a href=\"{0}\" rel=\"external noopener\">{0}</a>",
                        escape(u)
                    )
                };
                text("label_original", s.url.as_deref().map(external));
                text(
                    "label_archived_copy",
                    s.archive_url.as_deref().map(external),
                );
                text("label_accessed", s.accessed.as_ref().map(long));
                text(
                    "label_quote",
                    s.quote.as_deref().map(|q| format!("<q>{}</q>", escape(q))),
                );
            }
            KindData::Page => {}
        }
        rows
    }

    /// `key_facts` rows, grouped so disputed labels become one row.
    fn fact_rows(
        &self,
        e: &Entity,
        prepared: &Prepared,
        linker: &Linker,
        citations: &mut Citations,
    ) -> Vec<FactRow> {
        let position = |f: &Fact| {
            e.key_facts
                .iter()
                .position(|x| std::ptr::eq(x, f))
                .unwrap_or(0)
        };
        facts::group(&e.key_facts)
            .into_iter()
            .map(|row| {
                let disputed = row.is_disputed();
                let values = row
                    .values
                    .iter()
                    .map(|same| {
                        let sources: Vec<EntityIdx> = same
                            .iter()
                            .flat_map(|f| f.sources.iter().filter_map(|r| r.target))
                            .collect();
                        let mut unique = Vec::new();
                        for s in sources {
                            if !unique.contains(&s) {
                                unique.push(s);
                            }
                        }
                        FactValue {
                            html: prepared.facts[position(same[0])].clone(),
                            note: same
                                .iter()
                                .find_map(|f| f.note.as_ref().map(|n| n.source.clone())),
                            note_html: same
                                .iter()
                                .find_map(|f| prepared.notes.get(position(f)).cloned().flatten()),
                            citations: unique
                                .into_iter()
                                .map(|s| self.citation(citations.number(s), s, linker))
                                .collect(),
                            as_of: same.iter().find_map(|f| {
                                f.as_of.as_ref().map(|d| dates::as_of(self.words(), d))
                            }),
                        }
                    })
                    .collect();
                FactRow {
                    label: row.label.to_owned(),
                    disputed,
                    typed: false,
                    key: None,
                    values,
                    change: None,
                }
            })
            .collect()
    }

    fn citation(&self, number: usize, s: EntityIdx, linker: &Linker) -> Citation {
        Citation {
            number,
            title: citation_title(&self.config.strings, &self.entities[s]),
            href: linker.href(&self.paths[s]),
        }
    }

    fn source_entries(&self, citations: &Citations, linker: &Linker) -> Vec<SourceEntry> {
        citations
            .order
            .iter()
            .enumerate()
            .map(|(n, &s)| {
                let e = &self.entities[s];
                let src = match &e.data {
                    KindData::Source(src) => Some(src),
                    _ => None,
                };
                SourceEntry {
                    number: n + 1,
                    title: e.title.clone(),
                    href: linker.href(&self.paths[s]),
                    publisher: src.and_then(|s| s.publisher.clone()),
                    date: date_long(&self.config.strings, e),
                    url: src.and_then(|s| s.url.clone()),
                    archive_url: src.and_then(|s| s.archive_url.clone()),
                    accessed: src
                        .and_then(|s| s.accessed.map(|a| accessed(&self.config.strings, &a))),
                    quote: src.and_then(|s| s.quote.clone()),
                }
            })
            .collect()
    }

    /// Every relation of entity `i`, as titled groups; empty ones left out.
    fn relation_groups(&self, i: EntityIdx, linker: &Linker) -> Vec<RelationGroup> {
        let b = &self.relations[i];
        let mut groups = Vec::new();
        let t = &self.config.strings;
        let mut add = |id: &'static str, items: Vec<Item>| {
            if !items.is_empty() {
                let title = t.text(&format!("rel_{id}")).to_owned();
                groups.push(RelationGroup { id, title, items });
            }
        };
        let attended = b
            .attended
            .iter()
            .map(|(m, role)| self.item(linker, *m, role.clone()))
            .collect();
        add("attended", attended);
        add("hosted", self.items(linker, &b.hosted));
        add("proposed", self.items(linker, &b.proposed));
        add("supports", self.items(linker, &b.supports));
        add("opposes", self.items(linker, &b.opposes));
        add("member-of", self.items(linker, &b.member_of));
        add("affiliates", self.items(linker, &b.affiliates));
        add("discussed-in", self.items(linker, &b.discussed_in));
        let facts = b
            .cited_by_facts
            .iter()
            .map(|(p, label)| self.item(linker, *p, Some(label.clone())))
            .collect();
        add("cited-by-facts", facts);
        add("cited-by-pages", self.items(linker, &b.cited_by_pages));
        add("mentioned-by", self.items(linker, &b.mentioned_by));
        groups
    }
}

/// Numbers sources in the order a page first cites them.
#[derive(Default)]
struct Citations {
    order: Vec<EntityIdx>,
}

impl Citations {
    fn number(&mut self, source: EntityIdx) -> usize {
        match self.order.iter().position(|&s| s == source) {
            Some(p) => p + 1,
            None => {
                self.order.push(source);
                self.order.len()
            }
        }
    }
}

/// A row made from typed data. Its `key` (`role`, `country`,
/// `proposals-discussed`) comes from the message key, not from the words
/// shown, so templates find a row by it in every language.
fn typed_row(message: &str, label: &str, html: String) -> FactRow {
    let key = message.trim_start_matches("label_").replace('_', "-");
    FactRow {
        label: label.to_owned(),
        disputed: false,
        typed: true,
        key: Some(key),
        values: vec![FactValue {
            html,
            note: None,
            note_html: None,
            citations: Vec::new(),
            as_of: None,
        }],
        change: None,
    }
}

pub fn question_views(e: &Entity, prepared: &Prepared) -> Vec<QuestionView> {
    e.questions
        .iter()
        .zip(&prepared.answers)
        .enumerate()
        .map(|(n, (q, answer))| QuestionView {
            question: q.question.clone(),
            answered: answer.is_some(),
            answer: answer.clone(),
            id: format!("q{}", n + 1),
        })
        .collect()
}

/// A status word for lists and timelines.
pub fn status_of(e: &Entity) -> Option<String> {
    match &e.data {
        KindData::Meeting(m) => m.status.map(|s| enum_name(&s)),
        KindData::Proposal(p) => p.status.map(|s| enum_name(&s)),
        _ => None,
    }
}

/// The serde name of a unit enum variant (`under-negotiation`).
pub fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// HTML-escapes text for the few places HTML is built outside templates.
pub fn escape(s: &str) -> String {
    // The characters escaped are ASCII, so bytes can be scanned and the
    // runs between them copied whole: this runs on every text of every page.
    let mut out = String::with_capacity(s.len() + 16);
    let mut copied = 0;
    for (at, byte) in s.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[copied..at]);
        out.push_str(entity);
        copied = at + 1;
    }
    out.push_str(&s[copied..]);
    out
}

/// An entity's date for readers, as precise as written; a meeting whose
/// date is to be announced says so.
pub fn date_long(t: &Catalog, e: &Entity) -> Option<String> {
    match &e.data {
        KindData::Meeting(m) => Some(dates::when_or_tbd(&t.dates, m.date.as_ref())),
        _ => e.when().map(|w| dates::when(&t.dates, &w)),
    }
}

/// "accessed 6 January 2026".
fn accessed(t: &Catalog, date: &When) -> String {
    t.fill("accessed", &[("date", &dates::when(&t.dates, date))])
}

/// A citation's title (its tooltip): the source's title, with the quote it
/// preserves and when it was read.
pub fn citation_title(t: &Catalog, e: &Entity) -> String {
    let mut title = e.title.clone();
    if let KindData::Source(s) = &e.data {
        if let Some(q) = &s.quote {
            title.push_str(&format!(": “{q}”"));
        }
        if let Some(a) = s.accessed {
            title.push_str(&format!(" ({})", accessed(t, &a)));
        }
    }
    title
}
