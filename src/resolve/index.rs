//! RESOLVE: the lookup table from what a writer types (`steve-witkoff`,
//! `actors/steve-witkoff`) to an entity, with "did you mean" for typos.

use std::collections::{HashMap, HashSet};

use crate::content::model::{Entity, EntityIdx, Kind};
use crate::diag::closest;

/// Every id and bare slug of the site, built once per build.
#[derive(Debug, Default)]
pub struct Index {
    by_id: HashMap<String, EntityIdx>,
    by_slug: HashMap<String, Vec<EntityIdx>>,
    /// Ids and slugs of drafts left out of this build.
    drafts: HashSet<String>,
    /// Ids and slugs of files that failed to parse.
    unparsed: HashSet<String>,
}

/// What a ref points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(EntityIdx),
    /// A bare slug used by several kinds: the candidates' ids.
    Ambiguous(Vec<EntityIdx>),
    /// A draft that this build leaves out.
    Draft,
    /// A file that exists but has errors of its own.
    Unparsed,
    NotFound,
}

impl Index {
    /// Marks files that exist but failed to parse, so refs to them resolve
    /// to [`Lookup::Unparsed`] instead of a second, misleading error.
    pub fn with_unparsed(mut self, unparsed: &[(String, String)]) -> Self {
        for (id, slug) in unparsed {
            self.unparsed.insert(id.clone());
            self.unparsed.insert(slug.clone());
        }
        self
    }

    pub fn new(entities: &[Entity], drafts: &[Entity]) -> Self {
        let mut index = Index::default();
        for (i, e) in entities.iter().enumerate() {
            index.by_id.insert(e.id.clone(), i);
            index.by_slug.entry(e.slug.clone()).or_default().push(i);
        }
        for d in drafts {
            index.drafts.insert(d.id.clone());
            index.drafts.insert(d.slug.clone());
        }
        index
    }

    /// The entity with exactly this id, if it is part of this build.
    pub fn position(&self, id: &str) -> Option<EntityIdx> {
        self.by_id.get(id).copied()
    }

    /// Resolves `raw` as written: an id, or a bare slug unique across kinds.
    pub fn lookup(&self, raw: &str) -> Lookup {
        let raw = raw.trim().trim_end_matches('/');
        if let Some(&i) = self.by_id.get(raw) {
            return Lookup::Found(i);
        }
        match self.by_slug.get(raw).map(Vec::as_slice) {
            Some([only]) => Lookup::Found(*only),
            Some(many) if !raw.contains('/') => Lookup::Ambiguous(many.to_vec()),
            _ if self.drafts.contains(raw) => Lookup::Draft,
            _ if self.unparsed.contains(raw) => Lookup::Unparsed,
            _ => Lookup::NotFound,
        }
    }

    /// The id a typo most likely meant, looking at ids, slugs, titles and
    /// aliases. Only called on error, so a linear scan is fine.
    pub fn suggest<'a>(&self, raw: &str, entities: &'a [Entity]) -> Option<&'a str> {
        let wanted = raw.trim().to_lowercase();
        let by_id = closest(&wanted, entities.iter().map(|e| e.id.as_str()))
            .or_else(|| closest(&wanted, entities.iter().map(|e| e.slug.as_str())))
            .and_then(|hit| entities.iter().find(|e| e.id == hit || e.slug == hit));
        let by_name = || {
            let names = entities.iter().enumerate().flat_map(|(i, e)| {
                std::iter::once((i, e.title.to_lowercase()))
                    .chain(e.aliases.iter().map(move |a| (i, a.to_lowercase())))
            });
            let names: Vec<(EntityIdx, String)> = names.collect();
            let hit = closest(
                &wanted.replace('-', " "),
                names.iter().map(|(_, n)| n.as_str()),
            )?;
            names
                .iter()
                .find(|(_, n)| n == hit)
                .map(|(i, _)| &entities[*i])
        };
        let entity = by_id.or_else(by_name)?;
        Some(
            if self.by_slug.get(&entity.slug).is_some_and(|v| v.len() == 1) {
                &entity.slug
            } else {
                &entity.id
            },
        )
    }
}

/// The kinds a typed key accepts, for wrong-kind errors.
pub fn expected_kinds(key: &str) -> &'static [Kind] {
    match key {
        "host" | "participants" | "proposed_by" | "supporters" | "opponents" | "affiliation"
        | "members" => &[Kind::Actor],
        "proposals" => &[Kind::Proposal],
        "sources" => &[Kind::Source],
        _ => &[],
    }
}
