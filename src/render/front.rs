//! RENDER: the story front's sections — what happens next, where the
//! sources disagree, the open reader questions, and who's who — read from
//! the resolved site through `SiteData`, so the home page's reads are
//! recorded like any page's.
//!
//! Each is a short list (a front page points into the site, it does not
//! hold it): the home page template decides how to show them.

use serde::Serialize;

use super::context::Item;
use super::graph;
use super::links::Linker;
use super::views::SiteData;
use crate::content::model::{ActorType, EntityIdx, Kind, KindData, MeetingStatus};
use crate::resolve::facts;

/// How many entries each section of the front shows.
pub const FRONT_ITEMS: usize = 4;
/// How many people the who's who shows.
pub const WHOS_WHO: usize = 6;

/// A page whose sources disagree, with the facts they disagree on.
#[derive(Debug, Clone, Serialize)]
pub struct Disagreement {
    pub page: Item,
    /// Labels of the disputed facts ("Date", "Chief of staff").
    pub facts: Vec<String>,
}

/// An open reader question and the page that asks it.
#[derive(Debug, Clone, Serialize)]
pub struct OpenQuestion {
    pub question: String,
    pub page: Item,
}

/// A person on the who's who, with their role.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub page: Item,
    pub role: Option<String>,
}

/// The story front's sections, as `index.html` sees them.
#[derive(Debug, Clone, Serialize)]
pub struct Front {
    pub next: Vec<Item>,
    pub disputes: Vec<Disagreement>,
    pub questions: Vec<OpenQuestion>,
    pub people: Vec<Person>,
}

/// Reads the whole site once (as the home page already does for its
/// counts) and picks each section's entries.
pub fn front(data: &SiteData<'_>, linker: &Linker) -> Front {
    Front {
        next: next_meetings(data, linker),
        disputes: disputes(data, linker),
        questions: open_questions(data, linker),
        people: whos_who(data, linker),
    }
}

/// Meetings still to come (scheduled, postponed, or expected with no date
/// and no status yet), soonest first; those with no date last.
fn next_meetings(data: &SiteData<'_>, linker: &Linker) -> Vec<Item> {
    let e = data.entities;
    let mut next: Vec<EntityIdx> = (0..e.len())
        .filter(|&i| match &e[i].data {
            KindData::Meeting(m) => match m.status {
                Some(s) => matches!(s, MeetingStatus::Scheduled | MeetingStatus::Postponed),
                // Expected with no date set: still to come.
                None => m.date.is_none(),
            },
            _ => false,
        })
        .collect();
    next.sort_by_key(|&i| (e[i].date().is_none(), e[i].date(), e[i].title.clone()));
    next.into_iter()
        .take(FRONT_ITEMS)
        .map(|i| data.item(linker, i, None))
        .collect()
}

/// Pages with disputed facts, those with the most first.
fn disputes(data: &SiteData<'_>, linker: &Linker) -> Vec<Disagreement> {
    let e = data.entities;
    let mut found: Vec<(EntityIdx, Vec<String>)> = (0..e.len())
        .filter(|&i| e.kind(i) != Kind::Source)
        .map(|i| {
            let labels = facts::group(&e[i].key_facts)
                .into_iter()
                .filter(|row| row.is_disputed())
                .map(|row| row.label.to_owned())
                .collect();
            (i, labels)
        })
        .filter(|(_, labels): &(EntityIdx, Vec<String>)| !labels.is_empty())
        .collect();
    found.sort_by_key(|(i, labels)| (std::cmp::Reverse(labels.len()), *i));
    found
        .into_iter()
        .take(FRONT_ITEMS)
        .map(|(i, facts)| Disagreement {
            page: data.item(linker, i, None),
            facts,
        })
        .collect()
}

/// Reader questions no source answers yet, in site order.
fn open_questions(data: &SiteData<'_>, linker: &Linker) -> Vec<OpenQuestion> {
    let e = data.entities;
    (0..e.len())
        .flat_map(|i| {
            e[i].questions
                .iter()
                .filter(|q| q.answer.is_none())
                .map(move |q| (i, q.question.clone()))
        })
        .take(FRONT_ITEMS)
        .map(|(i, question)| OpenQuestion {
            question,
            page: data.item(linker, i, None),
        })
        .collect()
}

/// The most connected people, with their role.
fn whos_who(data: &SiteData<'_>, linker: &Linker) -> Vec<Person> {
    let e = data.entities;
    let mut people: Vec<(EntityIdx, usize)> = (0..e.len())
        .filter(|&i| {
            matches!(&e[i].data, KindData::Actor(a) if a.actor_type == Some(ActorType::Person))
        })
        .map(|i| {
            let degree = graph::degree(e, data.relations, i, graph::SCAN_LIMIT);
            (i, degree)
        })
        .collect();
    people.sort_by_key(|&(i, degree)| (std::cmp::Reverse(degree), i));
    people
        .into_iter()
        .take(WHOS_WHO)
        .map(|(i, _)| Person {
            page: data.item(linker, i, None),
            role: match &e[i].data {
                KindData::Actor(a) => a.role.clone(),
                _ => None,
            },
        })
        .collect()
}
