//! RENDER: a page's changes log — corrections, clarifications, updates —
//! as its page shows it (newest first), as feed entries, and as the
//! site-wide `/changes/` list and its feed. Input: entities' `changes:`;
//! output: views for templates.
//!
//! A change is named on its page by its place in the list as written
//! (`#change-2`), so a link to it survives entries added above it.

use serde::Serialize;

use super::context::{FactRow, Item};
use super::links::{Linker, SitePath};
use super::site_pages::FeedEntry;
use super::views::SiteData;
use crate::content::model::{Change, ChangeKind, Entity, EntityIdx};
use crate::i18n::Catalog;

/// The site-wide changes feed.
pub const FEED_FILE: &str = "changes/atom.xml";

/// One entry of a changes log, as templates print it.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    /// The entry's anchor on its page: `change-2`.
    pub id: String,
    /// ISO 8601, as precise as written.
    pub date: String,
    pub date_long: String,
    pub kind: ChangeKind,
    /// "Correction", in the site's language.
    pub kind_title: String,
    pub text: String,
    /// The key fact label it concerns.
    pub fact: Option<String>,
}

/// A change anywhere on the site, on `/changes/` and the home page.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeEntry {
    pub page: Item,
    pub change: ChangeView,
    /// The entry on its page.
    pub href: String,
}

/// A key fact row's mark: the newest change naming it.
#[derive(Debug, Clone, Serialize)]
pub struct FactChange {
    /// "corrected", "clarified", "updated".
    pub word: &'static str,
    pub kind: ChangeKind,
    /// The entry, on this page: `#change-2`.
    pub href: String,
}

fn anchor(n: usize) -> String {
    format!("change-{}", n + 1)
}

/// Indices of `changes`, newest first; of two on one date, the one
/// written later first.
pub fn newest_first(changes: &[Change]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..changes.len()).collect();
    order.sort_by(|&a, &b| changes[b].date.cmp(&changes[a].date).then(b.cmp(&a)));
    order
}

fn view(t: &Catalog, changes: &[Change], n: usize) -> ChangeView {
    let c = &changes[n];
    ChangeView {
        id: anchor(n),
        date: c.date.iso(),
        date_long: super::dates::when(&t.dates, &c.date),
        kind: c.kind,
        kind_title: kind_title(t, c.kind).to_owned(),
        text: c.text.clone(),
        fact: c.fact.clone(),
    }
}

/// A page's log, newest first.
pub fn views(t: &Catalog, e: &Entity) -> Vec<ChangeView> {
    newest_first(&e.changes)
        .into_iter()
        .map(|n| view(t, &e.changes, n))
        .collect()
}

/// "Correction", in the site's language.
fn kind_title(t: &Catalog, kind: ChangeKind) -> &str {
    t.text(match kind {
        ChangeKind::Correction => "change_correction",
        ChangeKind::Clarification => "change_clarification",
        ChangeKind::Update => "change_update",
    })
}

/// Marks each key fact row named by a change with its newest one.
pub fn mark_rows(e: &Entity, rows: &mut [FactRow]) {
    for n in newest_first(&e.changes).into_iter().rev() {
        let c = &e.changes[n];
        let Some(label) = &c.fact else { continue };
        for row in rows.iter_mut().filter(|r| !r.typed && &r.label == label) {
            row.change = Some(FactChange {
                word: match c.kind {
                    ChangeKind::Correction => "corrected",
                    ChangeKind::Clarification => "clarified",
                    ChangeKind::Update => "updated",
                },
                kind: c.kind,
                href: format!("#{}", anchor(n)),
            });
        }
    }
}

/// Every change of the site, newest first: `(entity, index in its log)`.
/// Reads every entity.
pub fn site_order(data: &SiteData<'_>) -> Vec<(EntityIdx, usize)> {
    let e = data.entities;
    let mut all: Vec<(EntityIdx, usize)> = e
        .iter()
        .enumerate()
        .flat_map(|(i, x)| (0..x.changes.len()).map(move |n| (i, n)))
        .collect();
    let all_entities = e.iter().as_slice();
    all.sort_by(|&(a, m), &(b, n)| {
        let (ca, cb) = (&all_entities[a].changes[m], &all_entities[b].changes[n]);
        cb.date
            .cmp(&ca.date)
            .then_with(|| all_entities[a].id.cmp(&all_entities[b].id))
            .then(n.cmp(&m))
    });
    all
}

/// Entries for a page at `linker`'s place.
pub fn entries(
    data: &SiteData<'_>,
    linker: &Linker,
    list: &[(EntityIdx, usize)],
) -> Vec<ChangeEntry> {
    list.iter()
        .map(|&(i, n)| {
            let change = view(&data.config.strings, &data.entities[i].changes, n);
            ChangeEntry {
                href: format!("{}#{}", linker.href(&data.paths[i]), change.id),
                page: data.item(linker, i, None),
                change,
            }
        })
        .collect()
}

/// Atom entries for changes: "Correction: <page title>", linked to the
/// entry on its page.
pub(crate) fn feed_entries(data: &SiteData<'_>, list: &[(EntityIdx, usize)]) -> Vec<FeedEntry> {
    list.iter()
        .map(|&(i, n)| {
            let e = &data.entities[i];
            let c = &e.changes[n];
            FeedEntry {
                title: format!("{}: {}", kind_title(&data.config.strings, c.kind), e.title),
                url: format!("{}#{}", data.paths[i].absolute(&data.base), anchor(n)),
                kind: e.kind.name(),
                updated: format!("{}T00:00:00Z", c.date.first),
                summary: c.text.clone(),
            }
        })
        .collect()
}

/// Where page `number` of `/changes/` lives.
pub fn path(number: usize) -> SitePath {
    let n = number.to_string();
    if number > 1 {
        SitePath::of(&["changes", "page", &n])
    } else {
        SitePath::of(&["changes"])
    }
}
