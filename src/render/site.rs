//! RENDER: the site as pages see it — the only door from a page to site
//! data — and the record of what each page read through it.
//!
//! Every renderer (pages, feeds, exports, the search index, figures) takes
//! a [`SiteData`]. Its tables are wrapped: indexing [`Entities`],
//! [`Rels`] or [`PreparedTable`] records a [`Key`] in the page's [`Reads`]
//! before handing out the value, and there is no other way to reach the
//! values. The engine keeps each output's reads and, after a change,
//! renders again exactly the outputs one of whose keys changed value
//! (`crate::engine`). A full build passes [`Reads::off`], which records
//! nothing.
//!
//! Keys name entities by [`Eid`], a number given to each entity id once
//! for the life of the engine, so that a file added or removed (which
//! moves every later entity's index) changes no other entity's keys.

use std::collections::BTreeMap;
use std::ops::Index;
use std::sync::{Arc, Mutex};

use super::Prepared;
use super::assets::{Asset, AssetTable};
use super::links::{SitePath, tag_slug};
use crate::config::Config;
use crate::content::model::{Entity, EntityIdx};
use crate::resolve::Backlinks;

/// An entity's number for the life of an engine: the same id always gets
/// the same number, whatever its index in a revision.
pub type Eid = u32;

/// A string's number for the life of an engine (tag slugs).
pub type Sym = u32;

/// A string's [`Sym`]: a hash, so that every renderer can name a tag or a
/// template without a shared table. Two strings with one `Sym` only make
/// the engine render a little more than needed, never less.
pub fn sym(s: &str) -> Sym {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes()) as Sym
}

/// One thing an output read of the site, whose value the engine can
/// compare between two revisions.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Key {
    /// An entity's front matter as resolved: everything but its Markdown.
    Data(Eid),
    /// An entity's rendered Markdown ([`Prepared`]).
    Text(Eid),
    /// The pages an entity's Markdown links to, alone: what the data
    /// export lists as its mentions, which a new sentence rarely changes.
    Links(Eid),
    /// What points at an entity ([`Backlinks`]).
    Backlinks(Eid),
    /// Which entities the site has, in order.
    Set,
    /// The entries of one page of a listing, with the listing's length and
    /// totals.
    ListingPage(ListingKey, u32),
    /// A listing's newest date (every page's sitemap `lastmod`).
    ListingNewest(ListingKey),
    /// Which tags the site has.
    Tags,
    /// The pages carrying one tag (by slug).
    Tag(Sym),
    /// How many pages carry one tag: every page showing the tag shows it.
    TagCount(Sym),
    /// The home page's own text.
    Home,
    /// A top-level template, with everything it extends or includes.
    Template(Sym),
    /// A static file a page links by its published name (by [`Sym`] of its
    /// path under `static/`): a new version renames it.
    Asset(Sym),
    /// A picture file as processed (by the [`Sym`] of its path under the
    /// site root): read by the pages and cards showing it and by its
    /// output files, so an edit to the file alone reaches them.
    Image(Sym),
}

/// The [`Key::Image`] of a picture file.
pub fn image_key(source: &std::path::Path) -> Key {
    Key::Image(sym(&source.to_string_lossy()))
}

/// A listing, as a key: tags by their [`Sym`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum ListingKey {
    Kind(crate::content::model::Kind),
    Questions,
    Tag(Sym),
}

/// The reads of one output, as it renders. Renderers may use rayon inside
/// one output (the data export does), hence the lock.
#[derive(Debug, Default)]
pub struct Reads(Option<Mutex<Vec<Key>>>);

impl Reads {
    /// A recorder that keeps every read.
    pub fn recording() -> Self {
        Reads(Some(Mutex::new(Vec::new())))
    }

    /// A recorder that keeps nothing: a full build renders every output
    /// once and never asks what it read.
    pub fn off() -> Self {
        Reads(None)
    }

    pub fn record(&self, key: Key) {
        if let Some(reads) = &self.0
            && let Ok(mut reads) = reads.lock()
        {
            reads.push(key);
        }
    }

    fn record_all(&self, keys: impl Iterator<Item = Key>) {
        if let Some(reads) = &self.0
            && let Ok(mut reads) = reads.lock()
        {
            reads.extend(keys);
        }
    }

    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// The keys read, each once, in order.
    pub fn into_keys(self) -> Vec<Key> {
        let mut keys = self.0.and_then(|m| m.into_inner().ok()).unwrap_or_default();
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

/// Every entity of the site, by index; reading one records [`Key::Data`].
#[derive(Clone, Copy)]
pub struct Entities<'a> {
    all: &'a [Entity],
    eids: &'a [Eid],
    reads: &'a Reads,
}

impl<'a> Entities<'a> {
    pub fn new(all: &'a [Entity], eids: &'a [Eid], reads: &'a Reads) -> Self {
        Entities { all, eids, reads }
    }

    /// How many entities there are: depends on which there are.
    pub fn len(&self) -> usize {
        self.reads.record(Key::Set);
        self.all.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every entity, in order: reads all of them.
    pub fn iter(&self) -> std::slice::Iter<'a, Entity> {
        self.reads.record(Key::Set);
        self.reads
            .record_all(self.eids.iter().map(|&eid| Key::Data(eid)));
        self.all.iter()
    }

    pub fn get(&self, i: EntityIdx) -> &'a Entity {
        self.reads.record(Key::Data(self.eids[i]));
        &self.all[i]
    }

    /// The entity's id, which never changes for an index's [`Eid`]: no read.
    pub fn id(&self, i: EntityIdx) -> &'a str {
        &self.all[i].id
    }

    /// The entity's kind, which is part of its id: no read.
    pub fn kind(&self, i: EntityIdx) -> crate::content::model::Kind {
        self.all[i].kind
    }

    /// The entity's number, for keys of the caller's own.
    pub fn eid(&self, i: EntityIdx) -> Eid {
        self.eids[i]
    }
}

impl Index<EntityIdx> for Entities<'_> {
    type Output = Entity;

    fn index(&self, i: EntityIdx) -> &Entity {
        self.get(i)
    }
}

/// Every entity's backlinks; reading one records [`Key::Backlinks`].
#[derive(Clone, Copy)]
pub struct Rels<'a> {
    all: &'a [Backlinks],
    eids: &'a [Eid],
    reads: &'a Reads,
}

impl<'a> Rels<'a> {
    pub fn new(all: &'a [Backlinks], eids: &'a [Eid], reads: &'a Reads) -> Self {
        Rels { all, eids, reads }
    }

    pub fn get(&self, i: EntityIdx) -> &'a Backlinks {
        self.reads.record(Key::Backlinks(self.eids[i]));
        &self.all[i]
    }
}

impl Index<EntityIdx> for Rels<'_> {
    type Output = Backlinks;

    fn index(&self, i: EntityIdx) -> &Backlinks {
        self.get(i)
    }
}

/// Every entity's rendered Markdown; reading one records [`Key::Text`].
#[derive(Clone, Copy)]
pub struct PreparedTable<'a> {
    all: &'a [Prepared],
    eids: &'a [Eid],
    reads: &'a Reads,
}

impl<'a> PreparedTable<'a> {
    pub fn new(all: &'a [Prepared], eids: &'a [Eid], reads: &'a Reads) -> Self {
        PreparedTable { all, eids, reads }
    }

    pub fn get(&self, i: EntityIdx) -> Option<&'a Prepared> {
        self.reads.record(Key::Text(*self.eids.get(i)?));
        self.all.get(i)
    }

    /// The pages entity `i`'s Markdown links to, without reading the rest
    /// of it.
    pub fn links(&self, i: EntityIdx) -> &'a [EntityIdx] {
        let Some(&eid) = self.eids.get(i) else {
            return &[];
        };
        self.reads.record(Key::Links(eid));
        self.all.get(i).map_or(&[], |p| p.links_to.as_slice())
    }

    /// The pictures entity `i` shows (lead, body, shortcodes): reads its
    /// Markdown and each picture file.
    pub fn pictures(&self, i: EntityIdx) -> &'a [std::sync::Arc<super::images::Processed>] {
        let Some(p) = self.get(i) else {
            return &[];
        };
        self.reads
            .record_all(p.pictures.iter().map(|picture| image_key(&picture.source)));
        &p.pictures
    }

    /// Every entity's Markdown, in order: reads all of it.
    pub fn iter(&self) -> std::slice::Iter<'a, Prepared> {
        self.reads.record(Key::Set);
        self.reads
            .record_all(self.eids.iter().map(|&eid| Key::Text(eid)));
        self.all.iter()
    }
}

impl Index<EntityIdx> for PreparedTable<'_> {
    type Output = Prepared;

    fn index(&self, i: EntityIdx) -> &Prepared {
        self.reads.record(Key::Text(self.eids[i]));
        &self.all[i]
    }
}

/// The tags of the site: which pages carry each, by slug.
#[derive(Debug, Default)]
pub struct TagTable {
    /// The entities carrying each tag, by tag slug, in entity order.
    pub members: BTreeMap<String, Vec<EntityIdx>>,
}

/// Tags as pages read them; each read records its key.
#[derive(Clone, Copy)]
pub struct Tags<'a> {
    table: &'a TagTable,
    reads: &'a Reads,
}

impl<'a> Tags<'a> {
    pub fn new(table: &'a TagTable, reads: &'a Reads) -> Self {
        Tags { table, reads }
    }

    /// Every tag slug, in order.
    pub fn slugs(&self) -> impl Iterator<Item = &'a String> + 'a {
        self.reads.record(Key::Tags);
        self.table.members.keys()
    }

    /// The pages carrying the tag of `slug`, in entity order.
    pub fn members(&self, slug: &str) -> &'a [EntityIdx] {
        self.record(slug);
        self.table.members.get(slug).map_or(&[], Vec::as_slice)
    }

    /// How many pages carry the tag `tag` (as written).
    pub fn count(&self, tag: &str) -> usize {
        let slug = tag_slug(tag);
        self.reads.record(Key::TagCount(sym(&slug)));
        self.table.members.get(&slug).map_or(0, Vec::len)
    }

    fn record(&self, slug: &str) {
        self.reads.record(Key::Tag(sym(slug)));
    }
}

/// The static files as published; looking one up records [`Key::Asset`].
#[derive(Clone, Copy)]
pub struct Assets<'a> {
    table: &'a Arc<AssetTable>,
    reads: &'a Reads,
}

impl<'a> Assets<'a> {
    pub fn new(table: &'a Arc<AssetTable>, reads: &'a Reads) -> Self {
        Assets { table, reads }
    }

    /// The file at `rel` under `static/`, as published.
    pub fn get(&self, rel: &str) -> Option<&'a Asset> {
        self.reads.record(Key::Asset(sym(rel)));
        self.table.get(rel)
    }

    /// Runs a template render in which `asset()` finds the files, and
    /// records every file it asked for.
    pub fn render<T>(&self, render: impl FnOnce() -> T) -> T {
        let (result, asked) = super::assets::with_table(self.table, render);
        self.reads
            .record_all(asked.iter().map(|rel| Key::Asset(sym(rel))));
        result
    }
}

/// Read-only site data every view builder needs: the only door.
pub struct SiteData<'a> {
    pub config: &'a Config,
    pub base: String,
    pub entities: Entities<'a>,
    /// Page paths follow from ids alone: reading one is no dependency.
    pub paths: &'a [SitePath],
    pub relations: Rels<'a>,
    pub prepared: PreparedTable<'a>,
    pub tags: Tags<'a>,
    pub assets: Assets<'a>,
    pub reads: &'a Reads,
}
