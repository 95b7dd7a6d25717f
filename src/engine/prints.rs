//! ENGINE: the value of every [`Key`] a page can read, as a hash, per
//! revision. Two revisions' prints of a key differ exactly when what a
//! page reads through that key differs, so comparing them finds the pages
//! to render again.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::state::State;
use crate::content::model::{Entity, EntityIdx, Kind};
use crate::render::Prepared;
use crate::render::paginate::{Listed, Listing, page_range};
use crate::render::site::{Eid, Key, ListingKey, Reads, Sym, sym};
use crate::resolve::Backlinks;

/// Entity ids to [`Eid`]s, for the life of an engine.
#[derive(Debug, Default)]
pub struct Interner(HashMap<String, Eid>);

impl Interner {
    pub fn eid(&mut self, id: &str) -> Eid {
        let next = self.0.len() as Eid;
        *self.0.entry(id.to_owned()).or_insert(next)
    }

    /// The numbers of `entities`, in order.
    pub fn eids(&mut self, entities: &[Entity]) -> Vec<Eid> {
        entities.iter().map(|e| self.eid(&e.id)).collect()
    }
}

/// Every key's print in one revision; a key with no value prints as 0.
#[derive(Debug, Default, Clone)]
pub struct Prints {
    pub data: HashMap<Eid, u64>,
    text: HashMap<Eid, u64>,
    backlinks: HashMap<Eid, u64>,
    set: u64,
    listing_pages: HashMap<(ListingKey, u32), u64>,
    newest: HashMap<ListingKey, u64>,
    tags: u64,
    tag: HashMap<Sym, u64>,
    home: u64,
    /// Filled in by the engine from the templates.
    pub templates: HashMap<Sym, u64>,
}

impl Prints {
    pub fn get(&self, key: &Key) -> u64 {
        let of = |m: &HashMap<Eid, u64>, e: &Eid| m.get(e).copied().unwrap_or(0);
        match key {
            Key::Data(e) => of(&self.data, e),
            Key::Text(e) => of(&self.text, e),
            Key::Backlinks(e) => of(&self.backlinks, e),
            Key::Set => self.set,
            Key::ListingPage(l, n) => self.listing_pages.get(&(*l, *n)).copied().unwrap_or(0),
            Key::ListingNewest(l) => self.newest.get(l).copied().unwrap_or(0),
            Key::Tags => self.tags,
            Key::Tag(s) => self.tag.get(s).copied().unwrap_or(0),
            Key::Home => self.home,
            Key::Template(s) => self.templates.get(s).copied().unwrap_or(0),
        }
    }

    /// The prints of every key of `state`.
    pub fn of(state: &State) -> Self {
        let eids = &state.eids;
        let mut p = Prints {
            templates: state.prints.templates.clone(),
            ..Prints::default()
        };
        for (i, &eid) in eids.iter().enumerate() {
            p.data.insert(eid, state.data_print(i));
            p.text.insert(eid, prepared_print(&state.prepared[i]));
            p.backlinks
                .insert(eid, backlinks_print(&state.relations[i], eids));
        }
        p.set = hash_of(eids);
        p.listings(state);
        p.tags = hash_of(&state.tags.members.keys().collect::<Vec<_>>());
        for (slug, members) in &state.tags.members {
            let members: Vec<Eid> = members.iter().map(|&i| eids[i]).collect();
            *p.tag.entry(sym(slug)).or_default() ^= hash_of(&(slug, members));
        }
        p.home = hash_of(&(
            state
                .content
                .home
                .as_ref()
                .map(|h| state.content.front_hash(&h.file)),
            state.home_prepared.as_ref().map(|h| &h.body),
        ));
        p
    }

    /// Every listing's pages and newest date, computed once here and kept
    /// in `state.listings` for the pages to read.
    fn listings(&mut self, state: &State) {
        let reads = Reads::off();
        let data = super::site_data(state, &reads);
        let per_page = state.config.paginate_by;
        let tags = state.tags.members.keys().map(|t| Listing::Tag(t.clone()));
        let all = Kind::ALL
            .iter()
            .map(|&k| Listing::Kind(k))
            .chain([Listing::Questions])
            .chain(tags);
        for listing in all {
            let listed = Listed::of(&data, &listing);
            let key = listing.key(sym);
            let count = crate::render::paginate::page_count(listed.members.len(), per_page);
            for n in 1..=count {
                let slice: Vec<Eid> = listed.members[page_range(listed.members.len(), per_page, n)]
                    .iter()
                    .map(|&i| state.eids[i])
                    .collect();
                let print = hash_of(&(slice, listed.members.len(), listed.totals));
                *self.listing_pages.entry((key, n as u32)).or_default() ^= print;
            }
            *self.newest.entry(key).or_default() ^= hash_of(&(listed.newest, listed.members.len()));
            state.listings.insert(listing, listed);
        }
    }
}

fn hash_of(value: &impl Hash) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    value.hash(&mut h);
    h.finish()
}

/// A print of an entity's rendered Markdown.
fn prepared_print(p: &Prepared) -> u64 {
    let Prepared {
        body,
        facts,
        answers,
        components,
        outcome,
        links_to: _,
        diagnostics: _,
        search,
        notes,
        looked_up: _,
        lead,
        pictures,
    } = p;
    hash_of(&(
        body,
        facts,
        answers,
        components,
        outcome,
        search,
        notes,
        (lead, pictures),
    ))
}

/// A print of an entity's backlinks, naming entities by [`Eid`] so that
/// indices moving does not change it.
fn backlinks_print(b: &Backlinks, eids: &[Eid]) -> u64 {
    let Backlinks {
        attended,
        hosted,
        proposed,
        supports,
        opposes,
        member_of,
        affiliates,
        discussed_in,
        cited_by_facts,
        cited_by_pages,
        mentioned_by,
        previous_meeting,
        next_meeting,
    } = b;
    let ids = |list: &[EntityIdx]| list.iter().map(|&i| eids[i]).collect::<Vec<_>>();
    let attended: Vec<(Eid, &Option<String>)> =
        attended.iter().map(|(m, r)| (eids[*m], r)).collect();
    let cited: Vec<(Eid, &String)> = cited_by_facts.iter().map(|(p, l)| (eids[*p], l)).collect();
    let lists = [
        ids(hosted),
        ids(proposed),
        ids(supports),
        ids(opposes),
        ids(member_of),
        ids(affiliates),
        ids(discussed_in),
        ids(cited_by_pages),
        ids(mentioned_by),
    ];
    let around = (
        previous_meeting.map(|i| eids[i]),
        next_meeting.map(|i| eids[i]),
    );
    hash_of(&(attended, lists, cited, around))
}
