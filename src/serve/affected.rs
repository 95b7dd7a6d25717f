//! SERVE: from what an edit changed ([`Changes`]) to the pages and files
//! to render again.
//!
//! Each page reads a known part of the site: an entity page its own
//! entity, the faces of the entities it links and of those linking it,
//! its backlinks and its figures; a list page the faces of what it lists;
//! and so on. These rules turn a change into pages by following the
//! backlinks from the changed entities, never by a pass over the site.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::derived::{Changes, Derived};
use crate::content::model::{Entity, EntityIdx, Kind, KindData, Ref};
use crate::render::Prepared;
use crate::render::paginate::Listing;
use crate::render::site_pages::Job;
use crate::render::visuals;
use crate::resolve::patch::{declared_targets, typed_targets};
use crate::resolve::{Backlinks, Relations};

/// How many typed relations away a page's figures show an entity: a
/// relation map shows its neighbours' neighbours, a stance matrix the
/// proposals sharing an actor with its own.
const FIGURE_STEPS: usize = 2;

/// Every page and file whose output can differ after the patch
/// `changes`, except what the session decides: entity pages whose figures
/// changed (it compares fingerprints of [`Changes::figure_pages`]),
/// `data/entities.json` (it keeps its lines), `/proposals/` for its
/// stance matrix, and which pages of each listing ([`listings`]).
pub fn jobs(d: &Derived, changes: &Changes) -> BTreeSet<Job> {
    let mut pages: BTreeSet<EntityIdx> = changes.own_pages();
    // An entity's feed lists itself and the pages its relations and
    // mentions come from.
    let mut feeds: BTreeSet<EntityIdx> =
        changes.edited.union(&changes.relations).copied().collect();
    let faces: HashSet<EntityIdx> = changes.faces.iter().copied().collect();
    for &x in &changes.faces {
        for i in dependents(d, x) {
            if depends_on(&d.entities[i], &d.relations[i], &d.prepared[i], &faces) {
                pages.insert(i);
            }
            if d.relations[i].related().any(|r| r == x) {
                feeds.insert(i);
            }
        }
    }
    for slug in &changes.recounted {
        pages.extend(d.tag_members.get(slug).into_iter().flatten());
    }
    let mut jobs: BTreeSet<Job> = pages.iter().map(|&i| Job::Entity(i)).collect();
    jobs.extend(
        feeds
            .iter()
            .filter(|&&i| visuals::has_feed(d.entities[i].kind))
            .map(|&i| Job::EntityFeed(i)),
    );
    jobs.extend(site_jobs(d, changes));
    jobs
}

/// The listings (kind lists, `/questions/`, tag pages) the changes reach,
/// each with the entities on it that changed in place. Which of a
/// listing's pages to render again depends on where its entries were and
/// are: the session knows ([`crate::render::paginate::changed_pages`]).
pub fn listings(d: &Derived, c: &Changes) -> BTreeMap<Listing, HashSet<EntityIdx>> {
    let mut out: BTreeMap<Listing, HashSet<EntityIdx>> = BTreeMap::new();
    for &i in &c.faces {
        out.entry(Listing::Kind(d.entities[i].kind))
            .or_default()
            .insert(i);
    }
    if c.questions {
        out.insert(
            Listing::Questions,
            c.edited
                .iter()
                .chain(&c.faces)
                .chain(&c.prepared)
                .copied()
                .collect(),
        );
    }
    for slug in c.listed_on.iter().chain(&c.recounted) {
        out.insert(
            Listing::Tag(slug.clone()),
            c.faces.iter().copied().collect(),
        );
    }
    out
}

/// The pages and files about the whole site that the changes reach,
/// listings aside.
fn site_jobs(d: &Derived, c: &Changes) -> Vec<Job> {
    let kinds: BTreeSet<Kind> = c.faces.iter().map(|&i| d.entities[i].kind).collect();
    let mut jobs: Vec<Job> = Vec::new();
    let when = |on: bool, job: Job| on.then_some(job);
    let dated = kinds.contains(&Kind::Meeting) || kinds.contains(&Kind::Proposal);
    jobs.extend(
        [
            // The home page lists the latest meetings.
            when(c.home || kinds.contains(&Kind::Meeting), Job::Home),
            when(dated, Job::Timeline),
            when(!c.recounted.is_empty(), Job::Tags),
            when(c.feed, Job::Atom),
            when(c.sitemap, Job::Sitemap),
            when(
                !c.edited.is_empty() || !c.prepared.is_empty(),
                Job::SearchIndex,
            ),
            // The site map reads what figures read.
            when(c.figures, Job::Map),
            when(c.timeline_export, Job::DataTimeline),
        ]
        .into_iter()
        .flatten(),
    );
    jobs
}

/// Entities whose page can show something of entity `x`: those it points
/// at, those pointing at it (relations, citations, mentions) and the
/// meetings before and after it.
fn dependents(d: &Derived, x: EntityIdx) -> BTreeSet<EntityIdx> {
    let mut out: BTreeSet<EntityIdx> = d.relations[x].shown().collect();
    out.extend(declared_targets(&d.entities[x]));
    out.extend(&d.prepared[x].links_to);
    out
}

/// Whether entity `e`'s page shows anything of the entities in `faces`:
/// through a typed ref, a relation, a citation or a link in its text.
fn depends_on(
    e: &Entity,
    relations: &Backlinks,
    prepared: &Prepared,
    faces: &HashSet<EntityIdx>,
) -> bool {
    let hit = |r: &Ref| r.target.is_some_and(|t| faces.contains(&t));
    let typed = match &e.data {
        KindData::Actor(a) => a.affiliation.iter().chain(&a.members).any(hit),
        KindData::Meeting(m) => m
            .host
            .iter()
            .chain(m.participants.iter().map(|p| &p.actor))
            .chain(&m.proposals)
            .any(hit),
        KindData::Proposal(p) => p
            .proposed_by
            .iter()
            .chain(&p.supporters)
            .chain(&p.opponents)
            .any(hit),
        KindData::Source(_) | KindData::Page => false,
    };
    typed
        || e.sources.iter().any(hit)
        || e.key_facts.iter().flat_map(|f| &f.sources).any(hit)
        || prepared.links_to.iter().any(|t| faces.contains(t))
        || relations.shown().any(|t| faces.contains(&t))
}

/// Entity pages whose figures can show something of the entities in
/// `from`: those within [`FIGURE_STEPS`] typed relations of one of them,
/// or of a page citing one (a stance matrix links the sources of the
/// facts it rests on). Only these can have figures that changed, so only
/// these are fingerprinted again.
pub fn figure_reach(
    entities: &[Entity],
    relations: &Relations,
    from: &[EntityIdx],
) -> BTreeSet<EntityIdx> {
    let mut reached: BTreeSet<EntityIdx> = BTreeSet::new();
    let mut ring: Vec<EntityIdx> = Vec::new();
    for &x in from {
        let b = &relations[x];
        let citing = b
            .cited_by_pages
            .iter()
            .copied()
            .chain(b.cited_by_facts.iter().map(|(p, _)| *p));
        ring.extend(std::iter::once(x).chain(citing));
    }
    ring.retain(|&n| reached.insert(n));
    for _ in 0..FIGURE_STEPS {
        let mut next = Vec::new();
        for &n in &ring {
            for m in typed_targets(&entities[n])
                .into_iter()
                .chain(relations[n].typed())
            {
                if reached.insert(m) {
                    next.push(m);
                }
            }
        }
        ring = next;
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_file;
    use crate::resolve::{Index, resolve};
    use std::path::Path;

    /// A chain a0 — m1 — a2 — m3 — a4: each meeting has two participants.
    fn chain() -> (Vec<Entity>, Relations) {
        let mut files: Vec<(String, String)> = (0..5)
            .step_by(2)
            .map(|n| {
                (
                    format!("content/actors/a{n}.md"),
                    format!("---\ntitle: A{n}\n---\n"),
                )
            })
            .collect();
        for n in [1, 3] {
            files.push((
                format!("content/meetings/m{n}.md"),
                format!(
                    "---\ntitle: M{n}\ndate: 2025-01-0{n}\nparticipants: [a{}, a{}]\n---\n",
                    n - 1,
                    n + 1
                ),
            ));
        }
        let mut entities: Vec<Entity> = files
            .iter()
            .filter_map(|(p, t)| parse_file(Path::new(p), t).0)
            .collect();
        let index = Index::new(&entities, &[]);
        let relations = resolve(&mut entities, &index, &mut Vec::new());
        (entities, relations)
    }

    #[test]
    fn figures_reach_two_typed_steps() {
        let (entities, relations) = chain();
        let id = |i: EntityIdx| entities[i].id.as_str();
        let a0 = entities.iter().position(|e| e.id == "actors/a0").unwrap();
        let reached: Vec<&str> = figure_reach(&entities, &relations, &[a0])
            .into_iter()
            .map(id)
            .collect();
        assert_eq!(reached, ["actors/a0", "actors/a2", "meetings/m1"]);
    }
}
