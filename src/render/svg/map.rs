//! RENDER: the relation map of the whole story on `/map/`, and its text
//! version.
//!
//! The map draws the most connected actors on the left, grouped the way a
//! reader places them (by country; groups and international bodies
//! together), and the most connected meetings (in date order) and
//! proposals on the right, with a line for each relation between the two
//! sides. It is a fluid figure (see [`super::fluid`]): full width, labels
//! at the stylesheet's size at any width, lines only in the gap between
//! the columns. Relations within one side (members, affiliations, the
//! proposals a meeting discussed) are in the text version, which lists
//! every relation among the entities shown.
//!
//! Bounds: [`SITE_MAX_ACTORS`] actors and [`SITE_MAX_EVENTS`] meetings and
//! proposals, few enough that the map fits a laptop screen.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::fluid::{self, Column, Item, Node, Placed};
use super::status_words;
use crate::content::model::{ActorType, EntityIdx, Kind, KindData};
use crate::i18n::Catalog;
use crate::render::dates;
use crate::render::graph::{self, Edge, Rel};
use crate::render::links::Linker;
use crate::render::views::{SiteData, status_of};

/// The site map's actors and meetings-and-proposals.
pub const SITE_MAX_ACTORS: usize = 12;
pub const SITE_MAX_EVENTS: usize = 8;
/// Actors on the left, meetings and proposals on the right; lines between.
const LEFT: Column = Column {
    x: 0.0,
    width: 40.0,
};
const RIGHT: Column = Column {
    x: 56.0,
    width: 44.0,
};
/// The group of actors with no country, as the layout knows it; readers
/// see the words of `map_site_international`.
const INTERNATIONAL: &str = "International";

/// The site map and its text version.
#[derive(Debug, Clone, Serialize)]
pub struct SiteMap {
    /// The figure, an inline `<svg>` (HTML).
    pub svg: String,
    /// Entities on the map, and entities with any relation at all.
    pub shown: usize,
    pub total: usize,
    /// The same relations as text: every entity on the map with its links.
    pub entries: Vec<MapEntry>,
}

/// An entity on the map with its relations to the others shown.
#[derive(Debug, Clone, Serialize)]
pub struct MapEntry {
    pub title: String,
    pub href: String,
    pub kind: &'static str,
    pub links: Vec<MapLink>,
}

/// "attended" → a meeting, from the entry's side.
#[derive(Debug, Clone, Serialize)]
pub struct MapLink {
    pub relation: String,
    pub title: String,
    pub href: String,
}

/// The site map: the most connected actors, meetings and proposals.
pub fn site(data: &SiteData<'_>, linker: &Linker) -> Option<SiteMap> {
    let e = data.entities;
    let all: Vec<Edge> = graph::strongest_per_pair(
        &(0..e.len())
            .flat_map(|i| graph::declared(&e[i], i))
            .collect::<Vec<_>>(),
    );
    let mut degree: HashMap<EntityIdx, usize> = HashMap::new();
    for edge in &all {
        *degree.entry(edge.from).or_insert(0) += 1;
        *degree.entry(edge.to).or_insert(0) += 1;
    }
    let ranked = |keep: &dyn Fn(Kind) -> bool, max: usize| {
        let mut list: Vec<(EntityIdx, usize)> = degree
            .iter()
            .filter(|(i, _)| keep(e.kind(**i)))
            .map(|(i, d)| (*i, *d))
            .collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        list.into_iter()
            .take(max)
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
    };
    let mut chosen = ranked(&|k| k == Kind::Actor, SITE_MAX_ACTORS);
    chosen.extend(ranked(&|k| k != Kind::Actor, SITE_MAX_EVENTS));
    let edges: Vec<Edge> = all
        .into_iter()
        .filter(|x| chosen.contains(&x.from) && chosen.contains(&x.to))
        .collect();
    // An entity none of whose lines are drawn would float alone.
    chosen.retain(|n| {
        edges
            .iter()
            .any(|x| crosses(data, x) && (x.from == *n || x.to == *n))
    });
    if chosen.is_empty() {
        return None;
    }
    let t = &data.config.strings;
    let title = t.fill("map_of", &[("title", &data.config.title)]);
    Some(SiteMap {
        svg: draw(data, linker, &chosen, &edges, &title),
        shown: chosen.len(),
        total: degree.len(),
        entries: entries(data, linker, &chosen, &edges),
    })
}

/// Whether a relation joins an actor to a meeting or proposal: the lines
/// the map draws.
fn crosses(data: &SiteData<'_>, edge: &Edge) -> bool {
    (data.entities.kind(edge.from) == Kind::Actor) != (data.entities.kind(edge.to) == Kind::Actor)
}

/// The group an actor is shown in: its country; a country is its own
/// group; anyone else is international.
fn group_of(data: &SiteData<'_>, i: EntityIdx) -> String {
    let e = &data.entities[i];
    match &e.data {
        KindData::Actor(a) => match (&a.country, a.actor_type) {
            (Some(c), _) => c.clone(),
            (None, Some(ActorType::Country)) => e.title.clone(),
            _ => INTERNATIONAL.to_owned(),
        },
        _ => INTERNATIONAL.to_owned(),
    }
}

/// The left column: actors by group (largest group first, international
/// last), by title within a group; the right column: meetings by date,
/// then proposals by title.
fn columns(data: &SiteData<'_>, chosen: &[EntityIdx]) -> (Vec<(String, Vec<usize>)>, Vec<usize>) {
    let e = data.entities;
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut events = Vec::new();
    for (n, &i) in chosen.iter().enumerate() {
        if e.kind(i) == Kind::Actor {
            groups.entry(group_of(data, i)).or_default().push(n);
        } else {
            events.push(n);
        }
    }
    let mut groups: Vec<(String, Vec<usize>)> = groups.into_iter().collect();
    for (_, members) in &mut groups {
        members.sort_by(|&a, &b| e[chosen[a]].title.cmp(&e[chosen[b]].title));
    }
    groups.sort_by_key(|(name, members)| (name == INTERNATIONAL, std::cmp::Reverse(members.len())));
    events.sort_by(|&a, &b| {
        let (x, y) = (&e[chosen[a]], &e[chosen[b]]);
        (x.kind, x.date(), &x.title).cmp(&(y.kind, y.date(), &y.title))
    });
    (groups, events)
}

/// Lays out and draws the map.
fn draw(
    data: &SiteData<'_>,
    linker: &Linker,
    chosen: &[EntityIdx],
    edges: &[Edge],
    title: &str,
) -> String {
    let e = data.entities;
    let t = &data.config.strings;
    let nodes: Vec<Node> = chosen
        .iter()
        .map(|&i| Node {
            idx: i,
            kind: e.kind(i),
            title: e[i].title.clone(),
            meta: match e.kind(i) {
                Kind::Meeting => e[i].when().map(|d| dates::when(&t.dates, &d)),
                Kind::Proposal => status_of(&e[i]).map(|s| status_words(t, &s)),
                _ => None,
            },
            href: Some(linker.href(&data.paths[i])),
        })
        .collect();
    let (groups, events) = columns(data, chosen);
    let headings: Vec<String> = groups
        .iter()
        .map(|(name, _)| match name.as_str() {
            INTERNATIONAL => t.text("map_site_international").to_owned(),
            _ => name.clone(),
        })
        .collect();
    let mut left: Vec<Item<'_>> = Vec::new();
    for ((_, members), heading) in groups.iter().zip(&headings) {
        left.push(Item::Heading(heading));
        left.extend(members.iter().map(|&n| Item::Node(n)));
    }
    let mut right: Vec<Item<'_>> = Vec::new();
    for kind in [Kind::Meeting, Kind::Proposal] {
        let of_kind: Vec<usize> = events
            .iter()
            .copied()
            .filter(|&n| nodes[n].kind == kind)
            .collect();
        if !of_kind.is_empty() {
            right.push(Item::Heading(t.kind_title(kind)));
            right.extend(of_kind.into_iter().map(Item::Node));
        }
    }
    let mut places: Vec<Option<Placed>> = vec![None; nodes.len()];
    let mut body = String::new();
    let left_end = fluid::stack(&mut body, &nodes, &mut places, LEFT, 0.0, &left);
    let right_end = fluid::stack(&mut body, &nodes, &mut places, RIGHT, 0.0, &right);
    let index: HashMap<EntityIdx, usize> =
        chosen.iter().enumerate().map(|(n, &i)| (i, n)).collect();
    let lines: Vec<(&Placed, &Placed, Rel)> = edges
        .iter()
        .filter(|x| crosses(data, x))
        .filter_map(|x| {
            let (a, b) = (
                places[index[&x.from]].as_ref()?,
                places[index[&x.to]].as_ref()?,
            );
            Some(if a.column.x < b.column.x {
                (a, b, x.rel)
            } else {
                (b, a, x.rel)
            })
        })
        .collect();
    let actors = nodes.iter().filter(|n| n.kind == Kind::Actor).count();
    let desc = t.fill(
        "map_site_desc",
        &[
            ("actors", &actors.to_string()),
            ("events", &(nodes.len() - actors).to_string()),
            ("lines", &lines.len().to_string()),
        ],
    );
    let mut out = String::with_capacity(4096 + 300 * nodes.len());
    super::open_fluid(
        &mut out,
        "viz-map viz-map-site",
        "site-map",
        left_end.max(right_end) + 2.0,
        title,
        &desc,
    );
    for (a, b, rel) in lines {
        fluid::line(
            &mut out,
            fluid::edge_x(a, true),
            a.mid(),
            fluid::edge_x(b, false),
            b.mid(),
            Some(rel),
        );
    }
    for (n, node) in nodes.iter().enumerate() {
        if let Some(p) = &places[n] {
            fluid::node(&mut out, node, p);
        }
    }
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

/// The text version of the site map, by title.
fn entries(
    data: &SiteData<'_>,
    linker: &Linker,
    chosen: &[EntityIdx],
    edges: &[Edge],
) -> Vec<MapEntry> {
    let e = data.entities;
    let mut order = chosen.to_vec();
    order.sort_by(|&a, &b| (e[a].kind, &e[a].title).cmp(&(e[b].kind, &e[b].title)));
    order
        .into_iter()
        .map(|n| {
            let mut links: Vec<MapLink> = edges
                .iter()
                .filter(|x| x.from == n || x.to == n)
                .map(|x| {
                    let other = x.other(n);
                    MapLink {
                        relation: phrase(&data.config.strings, x.rel, x.from == n).to_owned(),
                        title: e[other].title.clone(),
                        href: linker.href(&data.paths[other]),
                    }
                })
                .collect();
            links.sort_by(|a, b| (&a.relation, &a.title).cmp(&(&b.relation, &b.title)));
            MapEntry {
                title: e[n].title.clone(),
                href: linker.href(&data.paths[n]),
                kind: e[n].kind.name(),
                links,
            }
        })
        .collect()
}

/// A relation from one end's side: "hosted" from the actor, "hosted by"
/// from the meeting.
fn phrase(t: &Catalog, rel: Rel, from_side: bool) -> &str {
    t.text(match (rel, from_side) {
        (Rel::Hosted, true) => "map_hosted",
        (Rel::Hosted, false) => "map_hosted_by",
        (Rel::Proposed, true) => "map_proposed",
        (Rel::Proposed, false) => "map_proposed_by",
        (Rel::Supports, true) => "map_supports",
        (Rel::Supports, false) => "map_supported_by",
        (Rel::Opposes, true) => "map_opposes",
        (Rel::Opposes, false) => "map_opposed_by",
        (Rel::Attended, true) => "map_attended",
        (Rel::Attended, false) => "map_attended_by",
        (Rel::Discussed, true) => "map_discussed",
        (Rel::Discussed, false) => "map_discussed_at",
        (Rel::Member, true) => "map_has_member",
        (Rel::Member, false) => "map_member_of",
        (Rel::Affiliated, true) => "map_affiliated_with",
        (Rel::Affiliated, false) => "map_has_affiliate",
    })
}
