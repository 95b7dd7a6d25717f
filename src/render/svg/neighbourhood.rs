//! RENDER: an entity's neighbourhood figure — the actor, meeting or
//! proposal of the page at the top, a spine down the middle, the people,
//! countries and groups it is related to on the left and the meetings and
//! proposals on the right, each joined to the spine by a short branch drawn
//! as its relation. Every box says in words how it is related ("host",
//! "supporter", "attended · 6 Jan 2026"), so the lines' styles are a help,
//! not the only carrier of meaning.
//!
//! Input: the page's own relations and backlinks, read through `SiteData`.
//! Output: a fluid inline `<svg>` (see [`super::fluid`]). Only direct
//! neighbours are drawn, at most [`MAX_NEIGHBOURS`]: the strongest by
//! relation weight, then by how connected they are, each side keeping at
//! least half the places when it has the candidates.

use super::fluid::{self, Column, Item, Node, Placed};
use super::{short_date, status_words};
use crate::content::model::{EntityIdx, Kind};
use crate::i18n::Catalog;
use crate::render::graph::{self, Edge, Rel};
use crate::render::links::Linker;
use crate::render::views::{SiteData, status_of};

/// Most neighbours on an entity's figure (so at most 15 boxes in all).
pub const MAX_NEIGHBOURS: usize = 14;
/// The page's own box: centred, wide enough for a long title.
const HUB: Column = Column {
    x: 15.0,
    width: 70.0,
};
/// Actors on the left, meetings and proposals on the right, and the spine
/// between them at 50%.
const LEFT: Column = Column {
    x: 0.0,
    width: 44.0,
};
const RIGHT: Column = Column {
    x: 56.0,
    width: 44.0,
};
const SPINE_X: f32 = 50.0;
/// Space between the page's own box and the first row, in px.
const DROP: f32 = 18.0;

/// The neighbourhood figure of entity `i`; `None` for sources and free
/// pages, and for entities with no typed relation.
pub fn for_entity(data: &SiteData<'_>, i: EntityIdx, linker: &Linker) -> Option<String> {
    let e = &data.entities[i];
    if !matches!(e.kind, Kind::Actor | Kind::Meeting | Kind::Proposal) {
        return None;
    }
    let own = graph::strongest_per_pair(&graph::edges_of(
        data.entities,
        data.relations,
        i,
        usize::MAX,
    ));
    let chosen = strongest(data, graph::neighbours(&own, i));
    if chosen.is_empty() {
        return None;
    }
    let mut nodes = vec![Node {
        idx: i,
        kind: e.kind,
        title: e.title.clone(),
        meta: None,
        href: None,
    }];
    let mut rels = vec![None];
    for n in chosen {
        let edge = own.iter().find(|x| x.other(i) == n)?;
        nodes.push(neighbour(data, linker, *edge, n));
        rels.push(Some(edge.rel));
    }
    let t = &data.config.strings;
    let title = t.fill("neighbourhood_title", &[("title", &e.title)]);
    Some(draw(t, &nodes, &rels, &title))
}

/// The strongest neighbours, at most `MAX_NEIGHBOURS`, ranked by weight,
/// then by their own number of relations, then by entity order; actors and
/// the others (meetings, proposals) are each guaranteed half the places.
fn strongest(data: &SiteData<'_>, neighbours: Vec<(EntityIdx, u32)>) -> Vec<EntityIdx> {
    let degree = |n: EntityIdx| graph::degree(data.entities, data.relations, n, graph::SCAN_LIMIT);
    let mut ranked: Vec<(EntityIdx, u32, usize)> = neighbours
        .into_iter()
        .map(|(n, w)| (n, w, degree(n)))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    let is_actor = |n: EntityIdx| data.entities.kind(n) == Kind::Actor;
    let actors = ranked.iter().filter(|r| is_actor(r.0)).count();
    let half = MAX_NEIGHBOURS / 2;
    let actor_places = actors.min(MAX_NEIGHBOURS - half.min(ranked.len() - actors));
    let event_places = MAX_NEIGHBOURS - actor_places;
    let (mut taken_actors, mut taken_events) = (0, 0);
    ranked
        .into_iter()
        .filter(|r| {
            let (taken, room) = if is_actor(r.0) {
                (&mut taken_actors, actor_places)
            } else {
                (&mut taken_events, event_places)
            };
            *taken += 1;
            *taken <= room
        })
        .map(|r| r.0)
        .collect()
}

/// Neighbour `n`'s box: its title, and above it how it relates to the page
/// ("host", "supports") with a meeting's date or a proposal's status.
fn neighbour(data: &SiteData<'_>, linker: &Linker, edge: Edge, n: EntityIdx) -> Node {
    let e = &data.entities[n];
    let t = &data.config.strings;
    let role = role(t, edge.rel, edge.from == n);
    let detail = match e.kind {
        Kind::Meeting => e.when().map(|d| short_date(&t.dates, &d)),
        Kind::Proposal => status_of(e).map(|s| status_words(t, &s)),
        _ => None,
    };
    Node {
        idx: n,
        kind: e.kind,
        title: e.title.clone(),
        meta: Some(match detail {
            Some(d) => t.fill("neighbour_meta", &[("role", role), ("detail", &d)]),
            None => role.to_owned(),
        }),
        href: Some(linker.href(&data.paths[n])),
    }
}

/// How a neighbour relates to the page, in a reader's words, given the
/// relation and whether the neighbour is its `from` end.
fn role(t: &Catalog, rel: Rel, neighbour_is_from: bool) -> &str {
    t.text(match (rel, neighbour_is_from) {
        (Rel::Hosted, true) => "neighbour_host",
        (Rel::Hosted, false) => "neighbour_hosted",
        (Rel::Proposed, true) => "neighbour_proposer",
        (Rel::Proposed, false) => "neighbour_proposed",
        (Rel::Supports, true) => "neighbour_supporter",
        (Rel::Supports, false) => "neighbour_supports",
        (Rel::Opposes, true) => "neighbour_opponent",
        (Rel::Opposes, false) => "neighbour_opposes",
        (Rel::Attended, true) => "neighbour_participant",
        (Rel::Attended, false) => "neighbour_attended",
        (Rel::Discussed, true) => "neighbour_discussed_at",
        (Rel::Discussed, false) => "neighbour_discussed",
        (Rel::Member, true) => "neighbour_member_of",
        (Rel::Member, false) => "neighbour_member",
        (Rel::Affiliated, true) => "neighbour_affiliate",
        (Rel::Affiliated, false) => "neighbour_affiliation",
    })
}

/// Lays out and draws the figure: `nodes[0]` is the page's own entity,
/// `rels[n]` the relation of node `n` to it.
fn draw(t: &Catalog, nodes: &[Node], rels: &[Option<Rel>], title: &str) -> String {
    let mut places: Vec<Option<Placed>> = vec![None; nodes.len()];
    let hub = fluid::place(&nodes[0], HUB, 1.0);
    let top = hub.bottom() + DROP;
    let side = |left: bool| -> Vec<Item<'static>> {
        let mut side: Vec<usize> = (1..nodes.len())
            .filter(|&n| (nodes[n].kind == Kind::Actor) == left)
            .collect();
        side.sort_by_key(|&n| (rels[n], nodes[n].kind, n));
        side.into_iter().map(Item::Node).collect()
    };
    let mut body = String::new();
    let left_end = fluid::stack(&mut body, nodes, &mut places, LEFT, top, &side(true));
    let right_end = fluid::stack(&mut body, nodes, &mut places, RIGHT, top, &side(false));
    let placed: Vec<(usize, &Placed)> = places
        .iter()
        .enumerate()
        .filter_map(|(n, p)| p.as_ref().map(|p| (n, p)))
        .collect();
    let spine_end = placed.iter().map(|(_, p)| p.mid()).fold(top, f32::max);
    let actors = placed
        .iter()
        .filter(|(n, _)| nodes[*n].kind == Kind::Actor)
        .count();
    let desc = t.fill(
        "neighbourhood_desc",
        &[
            ("title", &nodes[0].title),
            ("actors", &actors.to_string()),
            ("events", &(placed.len() - actors).to_string()),
        ],
    );
    let height = left_end.max(right_end) + 2.0;
    let mut out = String::with_capacity(2048 + 400 * nodes.len());
    fluid::open(&mut out, "neighbourhood", height, title, &desc);
    fluid::line(&mut out, SPINE_X, hub.bottom(), SPINE_X, spine_end, None);
    for &(n, p) in &placed {
        let left = p.column.x < SPINE_X;
        fluid::line(
            &mut out,
            fluid::edge_x(p, left),
            p.mid(),
            SPINE_X,
            p.mid(),
            rels[n],
        );
    }
    fluid::node(&mut out, &nodes[0], &hub);
    for &(n, p) in &placed {
        fluid::node(&mut out, &nodes[n], p);
    }
    out.push_str(&body);
    out.push_str("</svg>");
    out
}
