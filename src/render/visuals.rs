//! RENDER: the figures of one entity page — its timeline, relation map and
//! stance matrix — built together from the resolved site.
//!
//! They are the only parts of an entity page that show entities two steps
//! away (a co-participant on a map, another proposal in a stance matrix).
//! `serve` cannot tell from an edit alone which pages such a change
//! reaches, so it compares [`fingerprint`]s before and after instead.

use std::hash::{Hash, Hasher};

use serde::Serialize;

use super::links::Linker;
use super::stance::{self, StanceMatrix};
use super::svg;
use super::views::SiteData;
use crate::content::model::{Entity, EntityIdx, Fact, Kind, KindData, Ref};

/// An entity page's figures; each is none where it does not apply.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct EntityVisuals {
    /// Actors and proposals: an inline `<svg>` of their dated events.
    pub timeline_svg: Option<String>,
    /// Actors, meetings and proposals: an inline `<svg>` of their
    /// neighbourhood.
    pub map_svg: Option<String>,
    /// Proposals: who stands where on it and on related proposals.
    pub stances: Option<StanceMatrix>,
    /// Actors and proposals: their own Atom feed, relative to the page.
    pub feed_href: Option<String>,
}

/// The figures of entity `i`'s page, with links relative to `linker`.
pub fn for_entity(data: &SiteData<'_>, i: EntityIdx, linker: &Linker) -> EntityVisuals {
    EntityVisuals {
        timeline_svg: svg::timeline::for_entity(data, i, linker),
        map_svg: svg::neighbourhood::for_entity(data, i, linker),
        stances: stance::for_proposal(data, i, linker),
        feed_href: has_feed(data.entities.kind(i)).then(|| feed_href(data, i, linker)),
    }
}

/// Entity `i`'s feed, relative to its page: beside it, or beside the
/// original's page when `i` is not yet translated (its feed is the
/// original's, as its cards are).
fn feed_href(data: &SiteData<'_>, i: EntityIdx, linker: &Linker) -> String {
    let file = super::entity_feeds::FILE;
    if !super::languages::is_fallback(data, i) {
        return file.to_owned();
    }
    super::languages::in_original(data, linker, &data.paths[i], file)
        .unwrap_or_else(|| file.to_owned())
}

/// What the figures read of one entity, anywhere on the site: when this is
/// unchanged by an edit, no page's figures can change.
#[derive(PartialEq)]
pub struct Inputs<'a> {
    title: &'a str,
    aliases: &'a [String],
    date: Option<crate::content::model::When>,
    status: Option<String>,
    /// Typed refs (the relations) and the other typed keys.
    data: &'a KindData,
    /// Stance matrices cite the sources of facts naming an actor.
    facts: &'a [Fact],
    sources: &'a [Ref],
}

impl<'a> Inputs<'a> {
    pub fn of(e: &'a Entity) -> Self {
        Inputs {
            title: &e.title,
            aliases: &e.aliases,
            date: e.when(),
            status: super::views::status_of(e),
            data: &e.data,
            facts: &e.key_facts,
            sources: &e.sources,
        }
    }
}

/// Whether pages of this kind get a feed of their own.
pub fn has_feed(kind: Kind) -> bool {
    matches!(kind, Kind::Actor | Kind::Proposal)
}

/// A hash of entity `i`'s figures: equal before and after an edit means
/// the figures did not change.
pub fn fingerprint(data: &SiteData<'_>, i: EntityIdx) -> u64 {
    let linker = Linker::for_page(&data.paths[i], data.config.pretty_links);
    let visuals = for_entity(data, i, &linker);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    visuals.timeline_svg.hash(&mut hasher);
    visuals.map_svg.hash(&mut hasher);
    serde_json::to_string(&visuals.stances)
        .unwrap_or_default()
        .hash(&mut hasher);
    hasher.finish()
}
