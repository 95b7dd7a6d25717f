//! RENDER: the typed relations between actors, meetings and proposals, read
//! as a graph for the relation maps, entity timelines and stance matrices.
//!
//! Input: resolved entities and their backlinks. Output: edges. Nothing is
//! built for the whole site: an entity's edges are its own refs (front
//! matter) plus its backlinks, so a page costs in proportion to its
//! neighbourhood, never to the size of the site. Backlink lists are read up
//! to a limit (the newest first where they are in date order), so a hub —
//! a country at every meeting — does not make each neighbour's page scan
//! the hub's whole history.

use std::collections::BTreeMap;

use super::site::{Entities, Rels};
use crate::content::model::{Entity, EntityIdx, KindData, Ref};
use crate::resolve::Backlinks;

/// How many entries of each backlink list a neighbourhood looks at.
pub const SCAN_LIMIT: usize = 64;

/// A typed relation, named from the actor's side where there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rel {
    /// An actor hosted a meeting.
    Hosted,
    /// An actor made a proposal.
    Proposed,
    /// An actor supports a proposal.
    Supports,
    /// An actor opposes a proposal.
    Opposes,
    /// An actor took part in a meeting.
    Attended,
    /// A meeting discussed a proposal.
    Discussed,
    /// A group lists an actor in `members`.
    Member,
    /// An actor's `affiliation` is another actor.
    Affiliated,
}

impl Rel {
    /// How much the relation says about two entities: ranks neighbours.
    pub fn weight(self) -> u32 {
        match self {
            Rel::Hosted | Rel::Proposed => 3,
            Rel::Supports | Rel::Opposes | Rel::Attended | Rel::Discussed | Rel::Member => 2,
            Rel::Affiliated => 1,
        }
    }

    /// A stable name, for CSS classes and the data export.
    pub fn name(self) -> &'static str {
        match self {
            Rel::Hosted => "hosted",
            Rel::Proposed => "proposed",
            Rel::Supports => "supports",
            Rel::Opposes => "opposes",
            Rel::Attended => "attended",
            Rel::Discussed => "discussed",
            Rel::Member => "member",
            Rel::Affiliated => "affiliated",
        }
    }

    /// Words for readers: "`from` hosted `to`".
    pub fn verb(self) -> &'static str {
        match self {
            Rel::Hosted => "hosted",
            Rel::Proposed => "proposed",
            Rel::Supports => "supports",
            Rel::Opposes => "opposes",
            Rel::Attended => "attended",
            Rel::Discussed => "discussed",
            Rel::Member => "has as member",
            Rel::Affiliated => "is affiliated with",
        }
    }
}

/// One relation. `from` is the actor for actor–meeting and actor–proposal
/// relations, the meeting for `Discussed`, the group for `Member`, and the
/// affiliated actor for `Affiliated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Edge {
    pub from: EntityIdx,
    pub to: EntityIdx,
    pub rel: Rel,
}

impl Edge {
    /// The end that is not `i`.
    pub fn other(&self, i: EntityIdx) -> EntityIdx {
        if self.from == i { self.to } else { self.from }
    }

    /// The unordered pair of ends, to merge several relations between two
    /// entities into one line.
    pub fn pair(&self) -> (EntityIdx, EntityIdx) {
        (self.from.min(self.to), self.from.max(self.to))
    }
}

fn targets(refs: &[Ref]) -> impl Iterator<Item = EntityIdx> + '_ {
    refs.iter().filter_map(|r| r.target)
}

/// The relations entity `i` declares in its own front matter.
pub fn declared(e: &Entity, i: EntityIdx) -> Vec<Edge> {
    let mut out = Vec::new();
    visit_declared(e, i, &mut |edge| out.push(edge));
    out
}

/// Calls `f` with each relation entity `i` declares, without allocating.
pub fn visit_declared(e: &Entity, i: EntityIdx, f: &mut impl FnMut(Edge)) {
    let mut push = |from: EntityIdx, to: EntityIdx, rel: Rel| {
        if from != to {
            f(Edge { from, to, rel });
        }
    };
    match &e.data {
        KindData::Actor(a) => {
            if let Some(t) = a.affiliation.as_ref().and_then(|r| r.target) {
                push(i, t, Rel::Affiliated);
            }
            targets(&a.members).for_each(|t| push(i, t, Rel::Member));
        }
        KindData::Meeting(m) => {
            if let Some(t) = m.host.as_ref().and_then(|r| r.target) {
                push(t, i, Rel::Hosted);
            }
            for t in m.participants.iter().filter_map(|p| p.actor.target) {
                push(t, i, Rel::Attended);
            }
            targets(&m.proposals).for_each(|t| push(i, t, Rel::Discussed));
        }
        KindData::Proposal(p) => {
            targets(&p.proposed_by).for_each(|t| push(t, i, Rel::Proposed));
            targets(&p.supporters).for_each(|t| push(t, i, Rel::Supports));
            targets(&p.opponents).for_each(|t| push(t, i, Rel::Opposes));
        }
        KindData::Source(_) | KindData::Page => {}
    }
}

/// The last `limit` entries of a list: the newest of a date-ordered one.
fn newest<T>(list: &[T], limit: usize) -> &[T] {
    &list[list.len().saturating_sub(limit)..]
}

/// The relations others declare towards `i`, read from its backlinks, at
/// most `limit` of each kind.
pub fn incoming(b: &Backlinks, i: EntityIdx, limit: usize) -> Vec<Edge> {
    let mut out = Vec::new();
    visit_incoming(b, i, limit, &mut |edge| out.push(edge));
    out
}

/// Calls `f` with each relation others declare towards `i` (at most
/// `limit` of each kind), without allocating.
pub fn visit_incoming(b: &Backlinks, i: EntityIdx, limit: usize, f: &mut impl FnMut(Edge)) {
    let mut push = |from: EntityIdx, to: EntityIdx, rel: Rel| {
        if from != to {
            f(Edge { from, to, rel });
        }
    };
    for (m, _) in newest(&b.attended, limit) {
        push(i, *m, Rel::Attended);
    }
    newest(&b.hosted, limit)
        .iter()
        .for_each(|&m| push(i, m, Rel::Hosted));
    newest(&b.proposed, limit)
        .iter()
        .for_each(|&p| push(i, p, Rel::Proposed));
    newest(&b.supports, limit)
        .iter()
        .for_each(|&p| push(i, p, Rel::Supports));
    newest(&b.opposes, limit)
        .iter()
        .for_each(|&p| push(i, p, Rel::Opposes));
    newest(&b.member_of, limit)
        .iter()
        .for_each(|&g| push(g, i, Rel::Member));
    newest(&b.affiliates, limit)
        .iter()
        .for_each(|&a| push(a, i, Rel::Affiliated));
    newest(&b.discussed_in, limit)
        .iter()
        .for_each(|&m| push(m, i, Rel::Discussed));
}

/// How many relations `i` has (reading at most `limit` of each backlink
/// kind): a cheap measure of how connected it is, to rank neighbours.
pub fn degree(entities: Entities<'_>, relations: Rels<'_>, i: EntityIdx, limit: usize) -> usize {
    let mut n = 0;
    visit_declared(&entities[i], i, &mut |_| n += 1);
    visit_incoming(&relations[i], i, limit, &mut |_| n += 1);
    n
}

/// Every relation of `i` (its own and its backlinks', up to `limit` of
/// each backlink kind), without duplicates, in a stable order.
pub fn edges_of(
    entities: Entities<'_>,
    relations: Rels<'_>,
    i: EntityIdx,
    limit: usize,
) -> Vec<Edge> {
    let mut edges = declared(&entities[i], i);
    edges.extend(incoming(&relations[i], i, limit));
    edges.sort();
    edges.dedup();
    edges
}

/// The neighbours of `i`, each with the summed weight of its relations to
/// `i`, strongest first (then by entity order, for a stable result).
pub fn neighbours(edges: &[Edge], i: EntityIdx) -> Vec<(EntityIdx, u32)> {
    let mut weights: BTreeMap<EntityIdx, u32> = BTreeMap::new();
    for e in edges {
        *weights.entry(e.other(i)).or_insert(0) += e.rel.weight();
    }
    let mut list: Vec<(EntityIdx, u32)> = weights.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    list
}

/// Merges several relations between the same two entities into the
/// strongest one (a host who is also a participant is drawn as host).
pub fn strongest_per_pair(edges: &[Edge]) -> Vec<Edge> {
    let mut best: BTreeMap<(EntityIdx, EntityIdx), Edge> = BTreeMap::new();
    for e in edges {
        best.entry(e.pair())
            .and_modify(|b| {
                if (e.rel.weight(), std::cmp::Reverse(e.rel))
                    > (b.rel.weight(), std::cmp::Reverse(b.rel))
                {
                    *b = *e;
                }
            })
            .or_insert(*e);
    }
    best.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(from: EntityIdx, to: EntityIdx, rel: Rel) -> Edge {
        Edge { from, to, rel }
    }

    #[test]
    fn neighbours_are_ranked_by_summed_weight() {
        let edges = [
            edge(0, 1, Rel::Attended),
            edge(0, 1, Rel::Hosted),
            edge(0, 2, Rel::Supports),
            edge(3, 0, Rel::Affiliated),
        ];
        assert_eq!(neighbours(&edges, 0), vec![(1, 5), (2, 2), (3, 1)]);
    }

    #[test]
    fn a_host_who_also_attended_is_drawn_once_as_host() {
        let edges = [edge(0, 1, Rel::Attended), edge(0, 1, Rel::Hosted)];
        assert_eq!(strongest_per_pair(&edges), vec![edge(0, 1, Rel::Hosted)]);
    }

    #[test]
    fn only_the_newest_backlinks_are_read() {
        let b = Backlinks {
            hosted: vec![10, 11, 12],
            ..Backlinks::default()
        };
        let edges = incoming(&b, 0, 2);
        let ends: Vec<EntityIdx> = edges.iter().map(|e| e.to).collect();
        assert_eq!(ends, vec![11, 12]);
    }
}
