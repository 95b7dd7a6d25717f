//! ENGINE: the value of every [`Key`] a page can read, as a hash, per
//! revision. Two revisions' prints of a key differ exactly when what a
//! page reads through that key differs, so comparing them finds the pages
//! to render again.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::state::State;
use crate::content::model::{Entity, Kind};
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

    /// An interner that gives `ids` the numbers they had when
    /// [`Interner::ids`] listed them: the build cache's keys stay valid.
    pub fn from_ids(ids: &[String]) -> Self {
        Interner(
            ids.iter()
                .enumerate()
                .map(|(n, id)| (id.clone(), n as Eid))
                .collect(),
        )
    }

    /// Every id, in number order.
    pub fn ids(&self) -> Vec<String> {
        let mut ids = vec![String::new(); self.0.len()];
        for (id, &n) in &self.0 {
            ids[n as usize] = id.clone();
        }
        ids
    }

    /// The numbers of `entities`, in order.
    pub fn eids(&mut self, entities: &[Entity]) -> Vec<Eid> {
        entities.iter().map(|e| self.eid(&e.id)).collect()
    }
}

/// Every key's print in one revision; a key with no value prints as 0.
#[derive(Debug, Default, Clone)]
pub struct Prints {
    /// Each entity's index, by [`Eid`].
    pos: HashMap<Eid, usize>,
    data: Vec<u64>,
    text: Vec<u64>,
    /// Each entity's Markdown's links, as [`Eid`]s.
    links: Vec<u64>,
    backlinks: Vec<u64>,
    set: u64,
    listing_pages: HashMap<(ListingKey, u32), u64>,
    newest: HashMap<ListingKey, u64>,
    tags: u64,
    tag: HashMap<Sym, u64>,
    tag_count: HashMap<Sym, u64>,
    home: u64,
    /// Each picture file's print, by [`Key::Image`]'s [`Sym`].
    images: HashMap<Sym, u64>,
    /// Which pictures the site shows: their output files are jobs.
    pictures: u64,
    /// Filled in by the engine from the templates.
    pub templates: HashMap<Sym, u64>,
    /// Filled in by the engine from the static files.
    pub assets: HashMap<Sym, u64>,
}

impl Prints {
    pub fn get(&self, key: &Key) -> u64 {
        let of = |v: &[u64], e: &Eid| self.pos.get(e).map_or(0, |&i| v[i]);
        match key {
            Key::Data(e) => of(&self.data, e),
            Key::Text(e) => of(&self.text, e),
            Key::Links(e) => of(&self.links, e),
            Key::Backlinks(e) => of(&self.backlinks, e),
            Key::Set => self.set,
            Key::ListingPage(l, n) => self.listing_pages.get(&(*l, *n)).copied().unwrap_or(0),
            Key::ListingNewest(l) => self.newest.get(l).copied().unwrap_or(0),
            Key::Tags => self.tags,
            Key::Tag(s) => self.tag.get(s).copied().unwrap_or(0),
            Key::TagCount(s) => self.tag_count.get(s).copied().unwrap_or(0),
            Key::Home => self.home,
            Key::Template(s) => self.templates.get(s).copied().unwrap_or(0),
            Key::Asset(s) => self.assets.get(s).copied().unwrap_or(0),
            Key::Image(s) => self.images.get(s).copied().unwrap_or(0),
        }
    }

    /// Whether which pages exist may differ between two revisions: the
    /// entities, the tags, the length of a listing or the pictures shown
    /// (each picture's files are outputs) changed.
    pub fn same_pages(&self, other: &Prints) -> bool {
        self.set == other.set
            && self.tags == other.tags
            && self.newest == other.newest
            && self.pictures == other.pictures
    }

    /// The keys whose print differs between `old` and `self`, when both
    /// have their entities in the same order (`None` otherwise: then the
    /// caller compares key by key).
    pub fn changed_since(&self, old: &Prints) -> Option<Vec<Key>> {
        if self.set != old.set || self.data.len() != old.data.len() {
            return None;
        }
        let eids = self.eids();
        let mut keys = Vec::new();
        let entity = |new: &[u64], was: &[u64], key: fn(Eid) -> Key, keys: &mut Vec<Key>| {
            for i in (0..new.len()).filter(|&i| new[i] != was[i]) {
                keys.push(key(eids[i]));
            }
        };
        entity(&self.data, &old.data, Key::Data, &mut keys);
        entity(&self.text, &old.text, Key::Text, &mut keys);
        entity(&self.links, &old.links, Key::Links, &mut keys);
        entity(&self.backlinks, &old.backlinks, Key::Backlinks, &mut keys);
        let site = self
            .listing_pages
            .keys()
            .chain(old.listing_pages.keys())
            .map(|(l, n)| Key::ListingPage(*l, *n))
            .chain(
                self.newest
                    .keys()
                    .chain(old.newest.keys())
                    .map(|l| Key::ListingNewest(*l)),
            )
            .chain(self.tag.keys().chain(old.tag.keys()).map(|s| Key::Tag(*s)))
            .chain(
                self.tag_count
                    .keys()
                    .chain(old.tag_count.keys())
                    .map(|s| Key::TagCount(*s)),
            )
            .chain(
                self.templates
                    .keys()
                    .chain(old.templates.keys())
                    .map(|s| Key::Template(*s)),
            )
            .chain(
                self.assets
                    .keys()
                    .chain(old.assets.keys())
                    .map(|s| Key::Asset(*s)),
            )
            .chain(
                self.images
                    .keys()
                    .chain(old.images.keys())
                    .map(|s| Key::Image(*s)),
            )
            .chain([Key::Tags, Key::Home]);
        keys.extend(site.filter(|k| self.get(k) != old.get(k)));
        keys.sort_unstable();
        keys.dedup();
        Some(keys)
    }

    /// Each index's [`Eid`].
    fn eids(&self) -> Vec<Eid> {
        let mut eids = vec![0; self.pos.len()];
        for (&e, &i) in &self.pos {
            eids[i] = e;
        }
        eids
    }

    /// Brings the prints up to date after entities changed in place: the
    /// data and Markdown prints of `touched`, the backlinks when the
    /// relations were derived again, tags and listings with `structure`.
    pub fn refresh(&mut self, state: &State, touched: &[usize], relations: bool, structure: bool) {
        for &i in touched {
            self.data[i] = state.data_prints[i];
            self.text[i] = state.text_prints[i];
        }
        // Any entity's links may name one that moved: all of them, cheaply.
        self.links = links_prints(state);
        if relations {
            self.backlinks = state
                .relations
                .iter()
                .map(|b| backlinks_print(b, &state.eids))
                .collect();
        }
        if structure {
            self.listing_pages.clear();
            self.newest.clear();
            self.tag.clear();
            self.tag_count.clear();
            self.tag_prints(state);
            self.listings(state);
        }
        self.home = home_print(state);
        (self.images, self.pictures) = picture_prints(state);
    }

    /// The prints of every key of `state`. Without `structure`, tags and
    /// listings are as in `state.prints` (nothing they show changed).
    pub fn of(state: &State, structure: bool) -> Self {
        let eids = &state.eids;
        let mut p = Prints {
            pos: eids.iter().enumerate().map(|(i, &e)| (e, i)).collect(),
            data: state.data_prints.clone(),
            text: state.text_prints.clone(),
            links: links_prints(state),
            backlinks: state
                .relations
                .iter()
                .map(|b| backlinks_print(b, eids))
                .collect(),
            set: hash_of(eids),
            templates: state.prints.templates.clone(),
            assets: state.prints.assets.clone(),
            ..Prints::default()
        };
        if structure {
            p.listings(state);
            p.tag_prints(state);
        } else {
            p.listing_pages = state.prints.listing_pages.clone();
            p.newest = state.prints.newest.clone();
            p.tags = state.prints.tags;
            p.tag = state.prints.tag.clone();
            p.tag_count = state.prints.tag_count.clone();
        }
        p.home = home_print(state);
        (p.images, p.pictures) = picture_prints(state);
        p
    }

    fn tag_prints(&mut self, state: &State) {
        self.tags = hash_of(&state.tags.members.keys().collect::<Vec<_>>());
        for (slug, members) in &state.tags.members {
            let members: Vec<Eid> = members.iter().map(|&i| state.eids[i]).collect();
            *self.tag_count.entry(sym(slug)).or_default() ^= hash_of(&(slug, members.len()));
            *self.tag.entry(sym(slug)).or_default() ^= hash_of(&(slug, members));
        }
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

fn home_print(state: &State) -> u64 {
    hash_of(&(
        state
            .content
            .home
            .as_ref()
            .map(|h| state.content.front_hash(&h.file) ^ state.content.translations_print(&h.id)),
        state.home_prepared.as_ref().map(|h| &h.body),
    ))
}

/// Each picture file's print (what was made of it: its hash, format and
/// sizes), and a print of which pictures the site shows.
fn picture_prints(state: &State) -> (HashMap<Sym, u64>, u64) {
    let mut images = HashMap::new();
    let all = state
        .prepared
        .iter()
        .chain(&state.home_prepared)
        .flat_map(|p| &p.pictures);
    for picture in all {
        let Key::Image(s) = crate::render::site::image_key(&picture.source) else {
            continue;
        };
        images.insert(
            s,
            hash_of(&(&picture.key, picture.fallback, &picture.sizes)),
        );
    }
    let mut set: Vec<(&Sym, &u64)> = images.iter().collect();
    set.sort_unstable();
    let set = hash_of(&set);
    (images, set)
}

fn hash_of(value: &impl Hash) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    value.hash(&mut h);
    h.finish()
}

/// A print of an entity's rendered Markdown.
/// Each entity's [`Key::Links`] print: the [`Eid`]s its Markdown links to.
fn links_prints(state: &State) -> Vec<u64> {
    state
        .prepared
        .iter()
        .map(|p| {
            let eids: Vec<Eid> = p.links_to.iter().map(|&t| state.eids[t]).collect();
            hash_of(&eids)
        })
        .collect()
}

pub fn prepared_print(p: &Prepared) -> u64 {
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
        shortcodes: _,
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
/// indices moving does not change it. Hashed as it goes: this runs for
/// every entity after every change.
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
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for (m, role) in attended {
        eids[*m].hash(&mut h);
        role.hash(&mut h);
    }
    for list in [
        hosted,
        proposed,
        supports,
        opposes,
        member_of,
        affiliates,
        discussed_in,
        cited_by_pages,
        mentioned_by,
    ] {
        list.len().hash(&mut h);
        for &i in list {
            eids[i].hash(&mut h);
        }
    }
    for (p, label) in cited_by_facts {
        eids[*p].hash(&mut h);
        label.hash(&mut h);
    }
    previous_meeting.map(|i| eids[i]).hash(&mut h);
    next_meeting.map(|i| eids[i]).hash(&mut h);
    h.finish()
}
