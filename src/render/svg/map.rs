//! RENDER: relation maps as inline SVG — the neighbourhood of an actor,
//! meeting or proposal on its page, and the most connected entities of the
//! site on `/map/`.
//!
//! Layout: two columns, actors on the left, meetings and proposals on the
//! right, so every "who met where" and "who backs what" line crosses the
//! gap between them; a group's members and an actor's affiliation are arcs
//! on the left edge, the proposals a meeting discussed arcs on the right.
//! Each column is ordered by the barycentre heuristic (a node moves towards
//! the mean position of its neighbours in the other column, a few passes
//! each way, ties kept in their previous order), which removes most
//! crossings. There is no randomness and no floating-point iteration to
//! converge, so the same site always gives the same bytes, and a map does
//! not jump between builds. The drawing is narrow (it scales down to a
//! phone's width with readable text) and grows downwards.
//!
//! Bounds: an entity's map holds at most `MAX_NODES` nodes — its strongest
//! `FIRST_RING_MAX` neighbours (by relation weight, then by how connected
//! they are; each column keeps at least half of these places when it has
//! the candidates, so a summit's proposals are not crowded out by its
//! participants), then the second-degree entities most
//! connected to them — and the site map the `SITE_MAX_ACTORS` actors and
//! `SITE_MAX_EVENTS` meetings and proposals with the most relations.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

use super::{chars_that_fit, esc, num, open, status_words, text_lines, wrap};
use crate::content::model::{EntityIdx, Kind};
use crate::i18n::Catalog;
use crate::render::graph::{self, Edge, Rel};
use crate::render::links::Linker;
use crate::render::views::{SiteData, status_of};

const WIDTH: f32 = 400.0;
/// Room outside the columns for the arcs between nodes of one column.
const MARGIN: f32 = 20.0;
/// Actors' names are short, meeting and proposal titles long.
const LEFT_WIDTH: f32 = 136.0;
const RIGHT_WIDTH: f32 = 184.0;
const LEFT_X: f32 = MARGIN;
const RIGHT_X: f32 = WIDTH - MARGIN - RIGHT_WIDTH;
const PAD: f32 = 7.0;
const TITLE_FONT: f32 = 14.0;
const TITLE_LINE: f32 = 17.0;
const TITLE_LINES: usize = 4;
const META_FONT: f32 = 11.5;
const META_LINE: f32 = 15.0;
const NODE_GAP: f32 = 10.0;
/// Space for the column headings.
const HEADER: f32 = 30.0;
/// Barycentre passes (each pass orders both columns once).
const ORDER_PASSES: usize = 4;

/// Most nodes on an entity's map, itself included.
pub const MAX_NODES: usize = 18;
/// Most direct neighbours on an entity's map.
pub const FIRST_RING_MAX: usize = 14;
/// The site map's actors and meetings-and-proposals.
pub const SITE_MAX_ACTORS: usize = 18;
pub const SITE_MAX_EVENTS: usize = 14;

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

/// The neighbourhood of entity `i`; `None` for sources and free pages, and
/// for entities with no typed relation.
pub fn for_entity(data: &SiteData<'_>, i: EntityIdx, linker: &Linker) -> Option<String> {
    let e = &data.entities[i];
    if !matches!(e.kind, Kind::Actor | Kind::Meeting | Kind::Proposal) {
        return None;
    }
    let own = graph::edges_of(data.entities, data.relations, i, usize::MAX);
    let first = first_ring(data, graph::neighbours(&own, i));
    if first.is_empty() {
        return None;
    }
    let mut chosen: Vec<EntityIdx> = std::iter::once(i).chain(first.iter().copied()).collect();
    chosen.extend(second_ring(data, &chosen, MAX_NODES - chosen.len()));
    let edges = edges_among(data, &chosen);
    let nodes: Vec<Node> = chosen
        .iter()
        .map(|&n| Node::of(data, linker, n, n == i))
        .collect();
    let t = &data.config.strings;
    let title = t.fill("map_of", &[("title", &e.title)]);
    Some(render(t, &nodes, &edges, "relation-map", &title))
}

/// The strongest neighbours, at most `FIRST_RING_MAX`: ranked by weight,
/// then by their own number of relations, then by entity order; each
/// column (actors, meetings and proposals) is guaranteed half the places.
fn first_ring(data: &SiteData<'_>, neighbours: Vec<(EntityIdx, u32)>) -> Vec<EntityIdx> {
    let degree = |n: EntityIdx| graph::degree(data.entities, data.relations, n, graph::SCAN_LIMIT);
    let mut ranked: Vec<(EntityIdx, u32, usize)> = neighbours
        .into_iter()
        .map(|(n, w)| (n, w, degree(n)))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    let is_actor = |n: EntityIdx| data.entities.kind(n) == Kind::Actor;
    let actors = ranked.iter().filter(|r| is_actor(r.0)).count();
    let half = FIRST_RING_MAX / 2;
    let actor_places = actors.min(FIRST_RING_MAX - half.min(ranked.len() - actors));
    let event_places = FIRST_RING_MAX - actor_places;
    let (mut taken_actors, mut taken_events) = (0, 0);
    ranked
        .into_iter()
        .filter(|r| {
            let slot = if is_actor(r.0) {
                &mut taken_actors
            } else {
                &mut taken_events
            };
            let room = if is_actor(r.0) {
                actor_places
            } else {
                event_places
            };
            *slot += 1;
            *slot <= room
        })
        .map(|r| r.0)
        .collect()
}

/// Second-degree entities most connected to `chosen`, at most `room`.
fn second_ring(data: &SiteData<'_>, chosen: &[EntityIdx], room: usize) -> Vec<EntityIdx> {
    let mut scores: BTreeMap<EntityIdx, u32> = BTreeMap::new();
    for &n in &chosen[1..] {
        let mut score = |edge: Edge| {
            let other = edge.other(n);
            if !chosen.contains(&other) {
                *scores.entry(other).or_insert(0) += edge.rel.weight();
            }
        };
        graph::visit_declared(&data.entities[n], n, &mut score);
        graph::visit_incoming(&data.relations[n], n, graph::SCAN_LIMIT, &mut score);
    }
    let mut ranked: Vec<(EntityIdx, u32)> = scores.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.into_iter().take(room).map(|(n, _)| n).collect()
}

/// The relations between entities of `chosen`: each is declared in the
/// front matter of one of its ends, so reading theirs finds them all.
fn edges_among(data: &SiteData<'_>, chosen: &[EntityIdx]) -> Vec<Edge> {
    let edges: Vec<Edge> = chosen
        .iter()
        .flat_map(|&n| graph::declared(&data.entities[n], n))
        .filter(|e| chosen.contains(&e.from) && chosen.contains(&e.to))
        .collect();
    graph::strongest_per_pair(&edges)
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
    if chosen.is_empty() {
        return None;
    }
    let edges: Vec<Edge> = all
        .into_iter()
        .filter(|x| chosen.contains(&x.from) && chosen.contains(&x.to))
        .collect();
    // An entity whose relations all lead off the map would float alone.
    chosen.retain(|n| edges.iter().any(|x| x.from == *n || x.to == *n));
    if chosen.is_empty() {
        return None;
    }
    let nodes: Vec<Node> = chosen
        .iter()
        .map(|&n| Node::of(data, linker, n, false))
        .collect();
    let t = &data.config.strings;
    let title = t.fill("map_of", &[("title", &data.config.title)]);
    Some(SiteMap {
        svg: render(t, &nodes, &edges, "site-map", &title),
        shown: chosen.len(),
        total: degree.len(),
        entries: entries(data, linker, &chosen, &edges),
    })
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
                        relation: data
                            .config
                            .strings
                            .text(phrase(x.rel, x.from == n))
                            .to_owned(),
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

/// The key of a relation's words from one end's side: "hosted" from the
/// actor, "hosted by" from the meeting.
fn phrase(rel: Rel, from_side: bool) -> &'static str {
    match (rel, from_side) {
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
    }
}

/// One box on the map.
struct Node {
    idx: EntityIdx,
    kind: Kind,
    /// The kind in the site's language, for the label.
    kind_name: String,
    title: String,
    /// A meeting's date, a proposal's status.
    meta: Option<String>,
    /// The sort key of the events column: kind, then date.
    order: (Kind, Option<crate::content::model::Date>, String),
    /// `None` for the page's own entity.
    href: Option<String>,
}

impl Node {
    fn of(data: &SiteData<'_>, linker: &Linker, i: EntityIdx, current: bool) -> Self {
        let e = &data.entities[i];
        let t = &data.config.strings;
        let meta = match e.kind {
            Kind::Meeting => e.when().map(|d| crate::render::dates::when(&t.dates, &d)),
            Kind::Proposal => status_of(e).map(|s| status_words(t, &s)),
            _ => None,
        };
        Node {
            idx: i,
            kind: e.kind,
            kind_name: t.kind_name(e.kind).to_owned(),
            title: e.title.clone(),
            meta,
            order: (e.kind, e.date(), e.title.clone()),
            href: (!current).then(|| linker.href(&data.paths[i])),
        }
    }

    /// The link's accessible name and tooltip: the whole title, which the
    /// box may cut short.
    fn label(&self) -> String {
        match &self.meta {
            Some(m) => format!("{} ({}, {m})", self.title, self.kind_name),
            None => format!("{} ({})", self.title, self.kind_name),
        }
    }
}

/// Where a node is drawn.
#[derive(Debug, Clone, Default)]
struct Place {
    x: f32,
    y: f32,
    width: f32,
    height: f32,
    lines: Vec<String>,
}

impl Place {
    fn mid(&self) -> f32 {
        self.y + self.height / 2.0
    }
}

/// Orders the two columns and stacks each one; returns the places (by
/// node) and the drawing's height.
fn layout(nodes: &[Node], edges: &[(usize, usize, Rel)]) -> (Vec<Place>, f32) {
    let (mut left, mut right): (Vec<usize>, Vec<usize>) =
        (0..nodes.len()).partition(|&n| nodes[n].kind == Kind::Actor);
    right.sort_by(|&a, &b| nodes[a].order.cmp(&nodes[b].order));
    let across: Vec<(usize, usize)> = edges
        .iter()
        .filter(|(a, b, _)| (nodes[*a].kind == Kind::Actor) != (nodes[*b].kind == Kind::Actor))
        .map(|&(a, b, _)| {
            if nodes[a].kind == Kind::Actor {
                (a, b)
            } else {
                (b, a)
            }
        })
        .collect();
    for _ in 0..ORDER_PASSES {
        reorder(&mut right, &left, &across, |&(l, r)| (r, l));
        reorder(&mut left, &right, &across, |&(l, r)| (l, r));
    }
    let mut places = vec![Place::default(); nodes.len()];
    let mut stack = |column: &[usize], x: f32, width: f32| {
        let chars = chars_that_fit(width - 2.0 * PAD, TITLE_FONT);
        let mut y = HEADER;
        for &n in column {
            let lines = wrap(&nodes[n].title, chars, TITLE_LINES);
            let meta = if nodes[n].meta.is_some() {
                META_LINE
            } else {
                0.0
            };
            let height = 2.0 * PAD + meta + lines.len() as f32 * TITLE_LINE - 2.0;
            places[n] = Place {
                x,
                y,
                width,
                height,
                lines,
            };
            y += height + NODE_GAP;
        }
        y - NODE_GAP
    };
    let left_end = stack(&left, LEFT_X, LEFT_WIDTH);
    let right_end = stack(&right, RIGHT_X, RIGHT_WIDTH);
    let end = left_end.max(right_end);
    // Centre the shorter column against the longer one.
    let shift = |column: &[usize], column_end: f32, places: &mut [Place]| {
        let by = ((end - column_end) / 2.0).floor();
        for &n in column {
            places[n].y += by;
        }
    };
    shift(&left, left_end, &mut places);
    shift(&right, right_end, &mut places);
    (places, end + MARGIN / 2.0)
}

/// Sorts `column` by the mean position of each node's neighbours in
/// `other`; nodes without neighbours there keep their position. Stable.
fn reorder(
    column: &mut [usize],
    other: &[usize],
    across: &[(usize, usize)],
    ends: impl Fn(&(usize, usize)) -> (usize, usize),
) {
    // Positions by node number (nodes are few: plain vectors, no hashing).
    let size = column.iter().chain(other).max().map_or(0, |m| m + 1);
    let mut position = vec![usize::MAX; size];
    other.iter().enumerate().for_each(|(p, &n)| position[n] = p);
    let mut here = vec![0; size];
    column.iter().enumerate().for_each(|(p, &n)| here[n] = p);
    let scale = other.len().max(1) as f32 / column.len().max(1) as f32;
    let key = |n: usize| {
        let (mut sum, mut count) = (0.0, 0);
        for (_, theirs) in across.iter().map(&ends).filter(|(mine, _)| *mine == n) {
            if let Some(&p) = position.get(theirs).filter(|p| **p != usize::MAX) {
                sum += p as f32;
                count += 1;
            }
        }
        if count == 0 {
            here[n] as f32 * scale
        } else {
            sum / count as f32
        }
    };
    let mut keyed: Vec<(f32, usize, usize)> =
        column.iter().map(|&n| (key(n), here[n], n)).collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (slot, (_, _, n)) in column.iter_mut().zip(keyed) {
        *slot = n;
    }
}

fn render(t: &Catalog, nodes: &[Node], edges: &[Edge], id: &str, title: &str) -> String {
    // Edges by position in `nodes` rather than by entity.
    let index: HashMap<EntityIdx, usize> =
        nodes.iter().enumerate().map(|(n, x)| (x.idx, n)).collect();
    let ends: Vec<(usize, usize, Rel)> = edges
        .iter()
        .filter_map(|e| Some((*index.get(&e.from)?, *index.get(&e.to)?, e.rel)))
        .collect();
    let (places, height) = layout(nodes, &ends);
    let current = nodes.iter().position(|n| n.href.is_none());
    let actors = nodes.iter().filter(|n| n.kind == Kind::Actor).count();
    let desc = t.fill(
        "map_desc",
        &[
            ("actors", &actors.to_string()),
            ("events", &(nodes.len() - actors).to_string()),
            ("relations", &ends.len().to_string()),
        ],
    );
    let mut out = String::with_capacity(4096);
    open(&mut out, "viz-map", id, WIDTH, height, title, &desc);
    column_headings(t, &mut out);
    for &(a, b, rel) in &ends {
        let near = current.is_some_and(|c| c == a || c == b);
        edge_path(
            &mut out,
            &places[a],
            &places[b],
            nodes[a].kind,
            nodes[b].kind,
            rel,
            near,
        );
    }
    for (n, node) in nodes.iter().enumerate() {
        draw_node(&mut out, node, &places[n]);
    }
    out.push_str("</svg>");
    out
}

fn column_headings(t: &Catalog, out: &mut String) {
    let _ = write!(
        out,
        "<text class=\"mp-heading\" x=\"{}\" y=\"16\" font-size=\"12\">{}</text><text class=\"mp-heading\" x=\"{}\" y=\"16\" font-size=\"12\">{}</text>",
        num(LEFT_X),
        esc(t.text("map_actors")),
        num(RIGHT_X),
        esc(t.text("map_events")),
    );
}

fn edge_path(out: &mut String, a: &Place, b: &Place, ka: Kind, kb: Kind, rel: Rel, near: bool) {
    let near = if near { " mp-near" } else { "" };
    let d = if (ka == Kind::Actor) != (kb == Kind::Actor) {
        let (l, r) = if ka == Kind::Actor { (a, b) } else { (b, a) };
        let (x1, x2) = (LEFT_X + LEFT_WIDTH, RIGHT_X);
        let mid = (x1 + x2) / 2.0;
        format!(
            "M{} {} C{} {} {} {} {} {}",
            num(x1),
            num(l.mid()),
            num(mid),
            num(l.mid()),
            num(mid),
            num(r.mid()),
            num(x2),
            num(r.mid())
        )
    } else {
        // Same column: an arc outside it, deeper for nodes further apart.
        let left = ka == Kind::Actor;
        let x = if left { LEFT_X } else { RIGHT_X + RIGHT_WIDTH };
        let bulge = (8.0 + (a.mid() - b.mid()).abs() * 0.1).min((MARGIN - 3.0) / 0.75);
        let cx = if left { x - bulge } else { x + bulge };
        format!(
            "M{} {} C{} {} {} {} {} {}",
            num(x),
            num(a.mid()),
            num(cx),
            num(a.mid()),
            num(cx),
            num(b.mid()),
            num(x),
            num(b.mid())
        )
    };
    let _ = write!(
        out,
        "<path class=\"mp-edge mp-{}{near}\" d=\"{d}\"/>",
        rel.name()
    );
}

fn draw_node(out: &mut String, node: &Node, place: &Place) {
    let kind = node.kind.name();
    match &node.href {
        Some(href) => {
            let _ = write!(
                out,
                "<a class=\"mp-node mp-{kind}\" href=\"{}\"><title>{}</title>",
                esc(href),
                esc(&node.label())
            );
        }
        None => {
            let _ = write!(out, "<g class=\"mp-node mp-{kind} mp-current\">");
        }
    }
    let _ = write!(
        out,
        "<rect class=\"mp-box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\"/>",
        num(place.x),
        num(place.y),
        num(place.width),
        num(place.height)
    );
    let mut y = place.y + PAD + 11.0;
    if let Some(meta) = &node.meta {
        let _ = write!(
            out,
            "<text class=\"mp-meta\" x=\"{}\" y=\"{}\" font-size=\"{}\">{}</text>",
            num(place.x + PAD),
            num(y - 1.0),
            num(META_FONT),
            esc(meta)
        );
        y += META_LINE;
    }
    let _ = write!(out, "<g font-size=\"{}\">", num(TITLE_FONT));
    text_lines(
        out,
        "mp-title",
        place.x + PAD,
        y + 1.0,
        TITLE_LINE,
        &place.lines,
        false,
    );
    out.push_str("</g>");
    out.push_str(if node.href.is_some() { "</a>" } else { "</g>" });
}
