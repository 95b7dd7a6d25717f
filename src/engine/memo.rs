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

use serde::{Deserialize, Serialize};

use crate::content::model::{Entity, EntityIdx};
use crate::render::Prepared;

/// The rendered Markdown of one build, for the next.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Memo {
    /// What all the Markdown assumed of the whole site ([`site_print`]).
    site: u64,
    entries: Vec<Entry>,
}

/// One entity's rendered Markdown and what it depended on.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    id: String,
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
    pub fn of(prepared: &[Prepared], lookups: &[u64], site: u64, reads: &Reads<'_>) -> Memo {
        let entries = prepared
            .iter()
            .zip(lookups)
            .enumerate()
            .filter(|(_, (p, _))| keepable(p))
            .map(|(i, (p, &lookups))| entry(i, p, lookups, reads))
            .collect();
        Memo { site, entries }
    }

    /// The Markdown of each entity of this build that the memo still
    /// holds, by index; `lookups` says what an entry's refs find now.
    pub fn reuse(
        &self,
        site: u64,
        reads: &Reads<'_>,
        lookups: impl Fn(&Prepared) -> u64,
    ) -> Vec<Option<Prepared>> {
        let mut out: Vec<Option<Prepared>> = (0..reads.entities.len()).map(|_| None).collect();
        if site != self.site {
            return out;
        }
        let at: HashMap<&str, EntityIdx> = reads
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        for entry in &self.entries {
            let Some(&i) = at.get(entry.id.as_str()) else {
                continue;
            };
            if reads.prints[i] != entry.entity {
                continue;
            }
            let Some(links_to) = links_now(entry, &at, reads.data) else {
                continue;
            };
            let prepared = entry.to_prepared(links_to);
            if lookups(&prepared) == entry.lookups {
                out[i] = Some(prepared);
            }
        }
        out
    }
}

/// Whether the prints vouch for a rendered Markdown: no pictures, no
/// shortcodes, nothing to report.
fn keepable(p: &Prepared) -> bool {
    p.lead.is_none() && p.pictures.is_empty() && p.shortcodes.is_empty() && p.diagnostics.is_empty()
}

fn entry(i: EntityIdx, p: &Prepared, lookups: u64, reads: &Reads<'_>) -> Entry {
    let e = &reads.entities[i];
    Entry {
        id: e.id.clone(),
        entity: reads.prints[i],
        lookups,
        links: p
            .links_to
            .iter()
            .map(|&t| (reads.entities[t].id.clone(), reads.data[t]))
            .collect(),
        body: p.body.clone(),
        facts: p.facts.clone(),
        answers: p.answers.clone(),
        components: p.components.clone(),
        outcome: p.outcome.clone(),
        search: p.search.clone(),
        notes: p.notes.clone(),
        looked_up: p.looked_up.clone(),
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
    fn to_prepared(&self, links_to: Vec<EntityIdx>) -> Prepared {
        Prepared {
            body: self.body.clone(),
            facts: self.facts.clone(),
            answers: self.answers.clone(),
            components: self.components.clone(),
            outcome: self.outcome.clone(),
            links_to,
            search: self.search.clone(),
            notes: self.notes.clone(),
            looked_up: self.looked_up.clone(),
            ..Prepared::default()
        }
    }
}

/// A print of everything an entity holds as loaded (its file's texts,
/// its translation's, dates from git): its `Debug` form, which lists
/// every field, so a field added later is covered without a change here.
/// Taken before its refs are resolved (they then hold indices, which a
/// new file moves).
pub fn entity_print(e: &Entity) -> u64 {
    use std::fmt::Write;
    let mut text = String::with_capacity(4096);
    let _ = write!(text, "{e:?}");
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// What every entity's Markdown read of the site as a whole: the
/// autolinker's names and the shortcode templates.
pub fn site_print(names: u64, shortcodes: u64) -> u64 {
    names ^ shortcodes.rotate_left(17)
}
