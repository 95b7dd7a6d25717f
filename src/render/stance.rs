//! RENDER: the stance matrix — actors × proposals, each cell "proposed",
//! "supports", "opposes" (or both of the last two) — for `/proposals/` and
//! each proposal page. Input: proposals' `proposed_by`, `supporters` and
//! `opponents`; output: a view the theme prints as an HTML table.
//!
//! The format has no per-stance sources, so each cell links to the most
//! specific source there is for it: a source of a key fact of the proposal
//! that names the actor (`[[slug]]`, its title or an alias), else of a key
//! fact of the actor that names the proposal, else the proposal's first
//! `sources` entry, else the first source of any of its key facts.
//!
//! Bounds: on `/proposals/` the `LIST_MAX_ACTORS` actors with the most
//! stances and the `LIST_MAX_PROPOSALS` proposals with the most stances
//! among them; on a proposal page the actors with a stance on it (at most
//! `LIST_MAX_ACTORS`) and up to `PAGE_MAX_OTHERS` other proposals they share.

use std::collections::BTreeMap;

use serde::Serialize;

use super::context::Link;
use super::graph::SCAN_LIMIT;
use super::links::Linker;
use super::site::Entities;
use super::views::{SiteData, status_of};
use crate::content::model::{Entity, EntityIdx, Fact, Kind, KindData, Ref};

pub const LIST_MAX_ACTORS: usize = 15;
pub const LIST_MAX_PROPOSALS: usize = 12;
pub const PAGE_MAX_OTHERS: usize = 5;

/// The matrix as templates see it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StanceMatrix {
    pub columns: Vec<StanceColumn>,
    pub rows: Vec<StanceRow>,
    /// Actors and proposals with a stance that the bounds left out.
    pub more_actors: usize,
    /// Whether any shown actor opposes a shown proposal: when none does,
    /// the theme says that no source names an opponent.
    pub any_opposed: bool,
    pub more_proposals: usize,
}

/// A proposal heading a column.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StanceColumn {
    pub title: String,
    pub href: String,
    pub status: Option<String>,
    /// The proposal whose page this is.
    pub current: bool,
}

/// An actor and its stance on each column's proposal.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StanceRow {
    pub title: String,
    pub href: String,
    pub cells: Vec<StanceCell>,
}

/// One actor's stance on one proposal.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StanceCell {
    /// `proposed`, `supports`, `opposes`, `mixed` (listed as both supporter
    /// and opponent), or none.
    pub stance: Option<&'static str>,
    /// "Proposed", "Supports" …: the cell's text, in the site's language.
    pub label: Option<String>,
    /// The source that says so (see the module docs), or none.
    pub source: Option<Link>,
}

/// The matrix of `/proposals/`; `None` on other lists or when no actor
/// takes a stance.
pub fn for_list(data: &SiteData<'_>, kind: Kind, linker: &Linker) -> Option<StanceMatrix> {
    if kind != Kind::Proposal {
        return None;
    }
    let e = data.entities;
    let mut per_actor: BTreeMap<EntityIdx, usize> = BTreeMap::new();
    let mut opponents: Vec<EntityIdx> = Vec::new();
    for p in (0..e.len()).filter(|&p| e.kind(p) == Kind::Proposal) {
        for a in stance_holders(&e[p]) {
            *per_actor.entry(a).or_insert(0) += 1;
        }
        if let KindData::Proposal(data) = &e[p].data {
            opponents.extend(targets(&data.opponents));
        }
    }
    let mut actors = top(per_actor, LIST_MAX_ACTORS, e);
    make_room_for(&mut actors.0, &opponents, LIST_MAX_ACTORS / 3);
    let mut per_proposal: BTreeMap<EntityIdx, usize> = BTreeMap::new();
    for p in (0..e.len()).filter(|&p| e.kind(p) == Kind::Proposal) {
        let n = stance_holders(&e[p])
            .iter()
            .filter(|a| actors.0.contains(a))
            .count();
        if n > 0 {
            per_proposal.insert(p, n);
        }
    }
    let proposals = top(per_proposal, LIST_MAX_PROPOSALS, e);
    build(
        data,
        linker,
        &actors.0,
        &proposals.0,
        None,
        actors.1,
        proposals.1,
    )
}

/// The matrix on proposal `i`'s page: who stands where on it, and on the
/// proposals those actors share most.
pub fn for_proposal(data: &SiteData<'_>, i: EntityIdx, linker: &Linker) -> Option<StanceMatrix> {
    let e = data.entities;
    if e[i].kind != Kind::Proposal {
        return None;
    }
    let holders = stance_holders(&e[i]);
    if holders.is_empty() {
        return None;
    }
    let more_actors = holders.len().saturating_sub(LIST_MAX_ACTORS);
    let actors: Vec<EntityIdx> = holders.into_iter().take(LIST_MAX_ACTORS).collect();
    let mut shared: BTreeMap<EntityIdx, usize> = BTreeMap::new();
    for &a in &actors {
        let b = &data.relations[a];
        let lists = [&b.proposed, &b.supports, &b.opposes];
        let mut seen: Vec<EntityIdx> = lists
            .iter()
            .flat_map(|l| l[l.len().saturating_sub(SCAN_LIMIT)..].iter().copied())
            .filter(|&p| p != i)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for p in seen {
            *shared.entry(p).or_insert(0) += 1;
        }
    }
    let (others, more_proposals) = top(shared, PAGE_MAX_OTHERS, e);
    let columns: Vec<EntityIdx> = std::iter::once(i).chain(others).collect();
    build(
        data,
        linker,
        &actors,
        &columns,
        Some(i),
        more_actors,
        more_proposals,
    )
}

/// The `max` keys with the highest counts (then by title); and how many
/// were left out.
fn top(counts: BTreeMap<EntityIdx, usize>, max: usize, e: Entities<'_>) -> (Vec<EntityIdx>, usize) {
    let mut list: Vec<(EntityIdx, usize)> = counts.into_iter().collect();
    list.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(e[a.0].title.cmp(&e[b.0].title))
            .then(a.0.cmp(&b.0))
    });
    let more = list.len().saturating_sub(max);
    (list.into_iter().take(max).map(|(i, _)| i).collect(), more)
}

/// Puts up to `places` of `wanted` (opponents, who tend to hold fewer
/// stances than supporters and would be ranked out) into `chosen`, in place
/// of its lowest-ranked entries, so the matrix shows both sides.
fn make_room_for(chosen: &mut Vec<EntityIdx>, wanted: &[EntityIdx], places: usize) {
    let mut missing: Vec<EntityIdx> = Vec::new();
    for &a in wanted {
        if !chosen.contains(&a) && !missing.contains(&a) && missing.len() < places {
            missing.push(a);
        }
    }
    // Drop the lowest-ranked entries that are not wanted, one per newcomer.
    let mut surplus = (chosen.len() + missing.len()).saturating_sub(LIST_MAX_ACTORS);
    let mut n = chosen.len();
    while surplus > 0 && n > 0 {
        n -= 1;
        if !wanted.contains(&chosen[n]) {
            chosen.remove(n);
            surplus -= 1;
        }
    }
    chosen.extend(missing);
    chosen.truncate(LIST_MAX_ACTORS);
}

fn targets(refs: &[Ref]) -> impl Iterator<Item = EntityIdx> + '_ {
    refs.iter().filter_map(|r| r.target)
}

/// Actors with a stance on a proposal: proposers, supporters, opponents,
/// in that order, each once.
fn stance_holders(p: &Entity) -> Vec<EntityIdx> {
    let KindData::Proposal(data) = &p.data else {
        return Vec::new();
    };
    let mut out: Vec<EntityIdx> = Vec::new();
    for a in targets(&data.proposed_by)
        .chain(targets(&data.supporters))
        .chain(targets(&data.opponents))
    {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// Actor `a`'s stance on proposal `p`, with its label.
pub fn stance(p: &Entity, a: EntityIdx) -> Option<&'static str> {
    let KindData::Proposal(data) = &p.data else {
        return None;
    };
    let has = |refs: &[Ref]| targets(refs).any(|t| t == a);
    match (
        has(&data.proposed_by),
        has(&data.supporters),
        has(&data.opponents),
    ) {
        (_, true, true) => Some("mixed"),
        (true, _, _) => Some("proposed"),
        (false, true, false) => Some("supports"),
        (false, false, true) => Some("opposes"),
        (false, false, false) => None,
    }
}

fn build(
    data: &SiteData<'_>,
    linker: &Linker,
    actors: &[EntityIdx],
    proposals: &[EntityIdx],
    current: Option<EntityIdx>,
    more_actors: usize,
    more_proposals: usize,
) -> Option<StanceMatrix> {
    if actors.is_empty() || proposals.is_empty() {
        return None;
    }
    let e = data.entities;
    let link = |i: EntityIdx| linker.href(&data.paths[i]);
    let columns = proposals
        .iter()
        .map(|&p| StanceColumn {
            title: e[p].title.clone(),
            href: link(p),
            status: status_of(&e[p]),
            current: Some(p) == current,
        })
        .collect();
    let rows: Vec<StanceRow> = actors
        .iter()
        .map(|&a| StanceRow {
            title: e[a].title.clone(),
            href: link(a),
            cells: proposals
                .iter()
                .map(|&p| {
                    let found = stance(&e[p], a);
                    StanceCell {
                        stance: found,
                        label: found
                            .map(|s| data.config.strings.text(&format!("stance_{s}")).to_owned()),
                        source: found.and_then(|_| evidence(e, a, p)).map(|s| Link {
                            title: e[s].title.clone(),
                            href: link(s),
                        }),
                    }
                })
                .collect(),
        })
        .collect();
    let any_opposed = rows.iter().any(|r: &StanceRow| {
        r.cells
            .iter()
            .any(|c| matches!(c.stance, Some("opposes" | "mixed")))
    });
    Some(StanceMatrix {
        columns,
        rows,
        any_opposed,
        more_actors,
        more_proposals,
    })
}

/// The source backing actor `a`'s stance on proposal `p` (module docs).
pub fn evidence(e: Entities<'_>, a: EntityIdx, p: EntityIdx) -> Option<EntityIdx> {
    let first_source = |facts: &[Fact], about: &Entity| {
        facts
            .iter()
            .filter(|f| names(f, about))
            .find_map(|f| targets(&f.sources).next())
    };
    first_source(&e[p].key_facts, &e[a])
        .or_else(|| first_source(&e[a].key_facts, &e[p]))
        .or_else(|| targets(&e[p].sources).next())
        .or_else(|| {
            e[p].key_facts
                .iter()
                .find_map(|f| targets(&f.sources).next())
        })
}

/// Whether a fact names an entity: a `[[ref]]` to it in the value, or its
/// title or an alias as a word of the label or value.
fn names(fact: &Fact, about: &Entity) -> bool {
    let value = &fact.value.source;
    let by_ref = value.match_indices("[[").any(|(at, _)| {
        let rest = &value[at + 2..];
        [about.slug.as_str(), about.id.as_str()].iter().any(|r| {
            rest.strip_prefix(r)
                .is_some_and(|after| after.starts_with("]]") || after.starts_with('|'))
        })
    });
    by_ref
        || std::iter::once(&about.title)
            .chain(&about.aliases)
            .any(|name| contains_word(value, name) || contains_word(&fact.label, name))
}

/// `name` in `text`, not as part of a longer word.
pub fn contains_word(text: &str, name: &str) -> bool {
    if name.chars().count() < 3 {
        return false;
    }
    let joins = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(joins) && !after.is_some_and(joins)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opponents_ranked_out_by_supporters_are_put_back() {
        let mut chosen: Vec<EntityIdx> = (0..LIST_MAX_ACTORS).collect();
        make_room_for(&mut chosen, &[100, 3, 101], 5);
        assert_eq!(chosen.len(), LIST_MAX_ACTORS);
        assert!(chosen.contains(&100) && chosen.contains(&101) && chosen.contains(&3));
        // The two lowest-ranked others made the room.
        assert!(
            !chosen.contains(&(LIST_MAX_ACTORS - 1)) && !chosen.contains(&(LIST_MAX_ACTORS - 2))
        );
        let mut few: Vec<EntityIdx> = vec![1, 2];
        make_room_for(&mut few, &[7], 5);
        assert_eq!(few, [1, 2, 7]);
    }

    #[test]
    fn names_are_matched_as_whole_words() {
        assert!(contains_word("Met Witkoff in Paris", "Witkoff"));
        assert!(!contains_word("RBC-Ukraine reports", "Ukraine"));
        assert!(!contains_word("Ukrainian officials", "Ukraine"));
    }
}
