//! RESOLVE: editorial warnings — things that build but that an editor should
//! see before readers do: unsourced and disputed facts, missing summaries,
//! empty reader questions, and pages nothing links to.

use super::{Backlinks, facts};
use crate::content::model::Entity;
use crate::diag::Diagnostic;

/// Warnings about each entity's own content.
pub fn content_warnings(entities: &[Entity]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for e in entities {
        unsourced_facts(e, &mut out);
        disputed_facts(e, &mut out);
        empty_questions(e, &mut out);
        if e.summary.as_deref().is_none_or(|s| s.trim().is_empty()) {
            out.push(
                Diagnostic::warning("missing-summary", &e.file, format!("`{}` has no `summary`", e.id))
                    .at(e.title_span)
                    .hint("add `summary:` with one or two sentences; lists, search results and link previews show it"),
            );
        }
    }
    out
}

fn unsourced_facts(e: &Entity, out: &mut Vec<Diagnostic>) {
    for f in e.key_facts.iter().filter(|f| f.sources.is_empty()) {
        out.push(
            Diagnostic::warning(
                "unsourced-fact",
                &e.file,
                format!("fact `{}` has no sources", f.label),
            )
            .at(f.label_span)
            .hint("add `sources: [source-slug]` naming the article or statement it comes from"),
        );
    }
}

fn disputed_facts(e: &Entity, out: &mut Vec<Diagnostic>) {
    for row in facts::group(&e.key_facts)
        .iter()
        .filter(|r| r.is_disputed())
    {
        let values: Vec<String> = row
            .values
            .iter()
            .map(|v| format!("`{}`", short(&v[0].value.source)))
            .collect();
        let second = row.values[1][0];
        out.push(
            Diagnostic::warning("disputed-fact", &e.file, format!("fact `{}` is disputed: {}", row.label, values.join(" vs ")))
                .at(second.label_span)
                .hint("shown as a disputed row with every value and its sources; remove a value once the dispute is settled"),
        );
    }
}

fn empty_questions(e: &Entity, out: &mut Vec<Diagnostic>) {
    for q in &e.questions {
        if q.question.trim().is_empty() {
            out.push(
                Diagnostic::warning("empty-question", &e.file, "reader question is empty")
                    .at(q.span)
                    .hint("write the question, or remove the entry"),
            );
        }
    }
}

fn short(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= 50 {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(50).collect::<String>())
    }
}

/// Entities no other page links to, through a relation, a ref, an autolink,
/// the home page or the menu: readers only find them through list pages.
pub fn orphans(
    entities: &[Entity],
    relations: &[Backlinks],
    also_linked: &[usize],
) -> Vec<Diagnostic> {
    entities
        .iter()
        .enumerate()
        .filter(|(i, _)| relations[*i].is_empty() && !also_linked.contains(i))
        .map(|(_, e)| {
            Diagnostic::warning(
                "orphan-page",
                &e.file,
                format!("nothing links to `{}`", e.id),
            )
            .at(e.title_span)
            .hint(format!(
                "link it from a related page with `[[{}]]`, or cite it in a fact",
                e.slug
            ))
        })
        .collect()
}

/// Entities the site menu links to (`/pages/about/`).
pub fn linked_from_menu(menu_urls: &[String], entities: &[Entity]) -> Vec<usize> {
    menu_urls
        .iter()
        .filter_map(|url| {
            let path = url.trim_matches('/');
            entities
                .iter()
                .position(|e| format!("{}/{}", e.kind.dir(), e.slug) == path)
        })
        .collect()
}

impl Backlinks {
    /// Whether nothing points here.
    pub fn is_empty(&self) -> bool {
        self.attended.is_empty()
            && self.hosted.is_empty()
            && self.proposed.is_empty()
            && self.supports.is_empty()
            && self.opposes.is_empty()
            && self.member_of.is_empty()
            && self.affiliates.is_empty()
            && self.discussed_in.is_empty()
            && self.cited_by_facts.is_empty()
            && self.cited_by_pages.is_empty()
            && self.mentioned_by.is_empty()
            && self.previous_meeting.is_none()
            && self.next_meeting.is_none()
    }
}
