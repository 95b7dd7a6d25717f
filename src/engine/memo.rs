//! ENGINE, RESOLVE: every entity's rendered Markdown, kept in the build
//! cache so that a build from the cache renders again only the Markdown
//! that can have changed — the largest part of deriving a site (about a
//! second at 10,000 entities), which `serve` already skips between two
//! edits ([`super::state`]) and a build from the cache did not.
//!
//! An entity's Markdown is taken from the cache under the same rules
//! `serve` keeps it between edits: the entity is as it was (a print of all
//! it holds, texts and translation included), every ref it looked up finds
//! the same page, every page it links to has the same front matter, and
//! the autolinker's names and the shortcode templates are the same. What
//! these cannot vouch for is never kept: Markdown that shows a picture
//! (the picture files are not in the prints), calls a shortcode, or has a
//! problem to report.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::shards::{SHARDS, Shelf, shard_of};
use crate::content::model::{Entity, EntityIdx};
use crate::render::Prepared;

/// The rendered Markdown of one build, for the next.
#[derive(Debug, Default)]
pub struct Memo {
    entries: Vec<Entry>,
    /// The shards ([`SHARDS`]) whose entries may differ from those the
    /// memo was read with, when known: only those are written again.
    dirty: Option<Vec<bool>>,
}

/// One entity's rendered Markdown and what it depended on.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    id: String,
    /// What all the Markdown assumed of the whole site ([`site_print`]).
    site: u64,
    /// [`entity_print`] of the entity it was rendered from.
    entity: u64,
    /// What its refs found ([`super::state`]'s lookups print).
    lookups: u64,
    /// The entities it links to, by id, with their front matter's print.
    links: Vec<(String, u64)>,
    body: String,
    facts: Vec<String>,
    answers: Vec<Option<String>>,
    components: Vec<String>,
    outcome: Option<String>,
    search: String,
    notes: Vec<Option<String>>,
    looked_up: Vec<String>,
}

/// What one entity's Markdown read beyond itself, in this build.
pub struct Reads<'a> {
    /// The print of every entity's front matter as resolved, by index.
    pub data: &'a [u64],
    /// Every entity, by index.
    pub entities: &'a [Entity],
    /// Every entity's [`entity_print`] as loaded, by index.
    pub prints: &'a [u64],
}

impl Memo {
    /// Keeps what can be reused of `prepared`: `lookups` is each one's
    /// lookups print, `site` the [`site_print`] of this build.
    pub fn of(prepared: Vec<Prepared>, lookups: &[u64], site: u64, reads: &Reads<'_>) -> Memo {
        let entries = prepared
            .into_iter()
            .zip(lookups)
            .enumerate()
            .filter(|(_, (p, _))| keepable(p))
            .map(|(i, (p, &lookups))| entry(i, p, (site, lookups), reads))
            .collect();
        Memo {
            entries,
            dirty: None,
        }
    }

    /// Only the shards `dirty` marks are to be written ([`Memo::reuse`]).
    pub fn with_dirty(self, dirty: Option<Vec<bool>>) -> Memo {
        Memo { dirty, ..self }
    }

    /// The Markdown of each entity of this build that the memo still
    /// holds, by index; `lookups` says what an entry's refs find now. With
    /// it, which shards will differ: those of entities it does not hold
    /// and of entries whose entity is gone.
    pub fn reuse(
        self,
        site: u64,
        reads: &Reads<'_>,
        lookups: impl Fn(&Prepared) -> u64,
    ) -> (Vec<Option<Prepared>>, Vec<bool>) {
        let mut dirty = vec![false; SHARDS];
        let mut out: Vec<Option<Prepared>> = (0..reads.entities.len()).map(|_| None).collect();
        let at: HashMap<&str, EntityIdx> = reads
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        for entry in self.entries {
            let Some(&i) = at.get(entry.id.as_str()) else {
                dirty[shard_of(&entry.id)] = true;
                continue;
            };
            if entry.site != site || reads.prints[i] != entry.entity {
                continue;
            }
            let Some(links_to) = links_now(&entry, &at, reads.data) else {
                continue;
            };
            let was = entry.lookups;
            let prepared = entry.into_prepared(links_to);
            if lookups(&prepared) == was {
                out[i] = Some(prepared);
            }
        }
        for (e, p) in reads.entities.iter().zip(&out) {
            if p.is_none() {
                dirty[shard_of(&e.id)] = true;
            }
        }
        (out, dirty)
    }
}

/// Whether the prints vouch for a rendered Markdown: no pictures, no
/// shortcodes, nothing to report.
fn keepable(p: &Prepared) -> bool {
    p.lead.is_none() && p.pictures.is_empty() && p.shortcodes.is_empty() && p.diagnostics.is_empty()
}

fn entry(i: EntityIdx, p: Prepared, (site, lookups): (u64, u64), reads: &Reads<'_>) -> Entry {
    let e = &reads.entities[i];
    Entry {
        id: e.id.clone(),
        site,
        entity: reads.prints[i],
        lookups,
        links: p
            .links_to
            .iter()
            .map(|&t| (reads.entities[t].id.clone(), reads.data[t]))
            .collect(),
        body: p.body,
        facts: p.facts,
        answers: p.answers,
        components: p.components,
        outcome: p.outcome,
        search: p.search,
        notes: p.notes,
        looked_up: p.looked_up,
    }
}

/// The indices an entry links to now, if every one is still there with
/// the front matter it had.
fn links_now(entry: &Entry, at: &HashMap<&str, EntityIdx>, data: &[u64]) -> Option<Vec<usize>> {
    entry
        .links
        .iter()
        .map(|(id, print)| {
            let &t = at.get(id.as_str())?;
            (data[t] == *print).then_some(t)
        })
        .collect()
}

impl Entry {
    fn into_prepared(self, links_to: Vec<EntityIdx>) -> Prepared {
        Prepared {
            body: self.body,
            facts: self.facts,
            answers: self.answers,
            components: self.components,
            outcome: self.outcome,
            links_to,
            search: self.search,
            notes: self.notes,
            looked_up: self.looked_up,
            ..Prepared::default()
        }
    }
}

/// A print of everything an entity holds as loaded (its file's texts,
/// its translation's, dates from git): a hash of its encoded form, which
/// holds every field, so a field added later is covered without a change
/// here. (Its `Debug` form, hashed before, took 100 ms at 10,000 entities.)
/// Taken before its refs are resolved (they then hold indices, which a
/// new file moves).
pub fn entity_print(e: &Entity) -> u64 {
    match postcard::to_allocvec(e) {
        Ok(bytes) => xxhash_rust::xxh3::xxh3_64(&bytes),
        // Not expected (the encoding writes to memory); the slow form
        // rather than a print two versions could share.
        Err(_) => xxhash_rust::xxh3::xxh3_64(format!("{e:?}").as_bytes()),
    }
}

/// What every entity's Markdown read of the site as a whole: the
/// autolinker's names and the shortcode templates.
pub fn site_print(names: u64, shortcodes: u64) -> u64 {
    names ^ shortcodes.rotate_left(17)
}

/// The memo's files ([`super::shards`]).
const SHELF: Shelf = Shelf {
    magic: b"explainer markdown memo 1\n",
};

impl Memo {
    /// Reads the memo kept in `dir` for builds under `stamp` (the cache's
    /// [`super::cache::Stamp`]): shards written under another, unreadable
    /// or damaged are left out. Safe with any mix of old shards, since
    /// every entry is checked before it is used ([`Memo::reuse`]).
    pub fn load(dir: &Path, stamp: u64) -> Memo {
        Memo {
            entries: SHELF.load(dir, stamp),
            dirty: None,
        }
    }

    /// Writes the memo into `dir` under `stamp`: only the shards whose
    /// bytes changed since they were last written.
    pub fn save(self, dir: &Path, stamp: u64) -> std::io::Result<()> {
        let mut shards: Vec<Vec<Entry>> = (0..SHARDS).map(|_| Vec::new()).collect();
        for e in self.entries {
            shards[shard_of(&e.id)].push(e);
        }
        let dirty = self.dirty.as_deref();
        SHELF.save(dir, stamp, &shards, |n| dirty.is_some_and(|d| !d[n]))
    }
}
