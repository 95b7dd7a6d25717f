//! ENGINE, RESOLVE: the site derived from its content — ids, resolved refs,
//! relations, every entity's rendered Markdown, tags and listings — kept
//! between runs and brought up to date after a change by redoing only the
//! entities the change reaches.
//!
//! What is cheap over the whole site (the index, the relations, the
//! listings: a few milliseconds at 10,000 entities) is derived again after
//! every change; what is not (an entity's Markdown) is kept, and done again
//! only when the entity's text changed or something it read did: a ref it
//! looked up now finds another page, a page it links to changed its title,
//! or the autolinker's names changed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use rayon::prelude::*;

use super::content::{Applied, Content};
use super::memo::{self, Memo};
use super::prints::{Interner, Prints};
use crate::config::Config;
use crate::content::model::EntityIdx;
use crate::diag::Diagnostic;
use crate::render::site::{Eid, TagTable};
use crate::render::site_pages::Orders;
use crate::render::{self, Prepared, PreparedSite, Tables};
use crate::resolve::{self, Index, Relations};

/// The derived site.
pub struct State {
    pub config: Config,
    pub content: Content,
    pub eids: Vec<Eid>,
    pub index: Index,
    pub tables: Tables,
    pub relations: Relations,
    pub prepared: Vec<Prepared>,
    pub home_prepared: Option<Prepared>,
    pub tags: TagTable,
    /// Every listing's entries, worked out once per revision.
    pub listings: Orders,
    /// Each file's resolve errors.
    resolve_diags: BTreeMap<PathBuf, Vec<Diagnostic>>,
    /// Where each entity's typed refs point, by id ([`resolve::resolve_refs`]).
    resolution: Vec<u64>,
    /// What each entity's Markdown found in the index ([`lookups_print`]).
    lookups: Vec<u64>,
    /// The autolinker's names, when autolinking is on.
    names: u64,
    /// Each entity's [`memo::entity_print`] as loaded, for the build
    /// cache's [`Memo`]; taken only when deriving with a memo (a build
    /// from the cache derives once, so these are not brought up to date).
    loaded_prints: Vec<u64>,
    /// Which of the memo's shards this derivation may have changed
    /// ([`Memo::reuse`]), when it started from one.
    memo_dirty: Option<Vec<bool>>,
    /// Each entity's front matter print ([`Key::Data`](crate::render::site::Key)).
    pub data_prints: Vec<u64>,
    /// Each entity's Markdown print ([`Key::Text`](crate::render::site::Key)).
    pub text_prints: Vec<u64>,
    pub prints: Prints,
    /// The static files as published, which pages link ([`super::statics`]).
    pub statics: super::statics::Statics,
}

impl State {
    /// Derives everything from the content. With `free_sources` (a build,
    /// which renders once), Markdown sources are dropped as soon as they
    /// are rendered.
    /// Without `kept` (a build), no prints are taken: nothing compares them.
    /// With `memo` (a build with the cache, its memo empty on a first
    /// build), the Markdown it still holds is taken from it instead of
    /// rendered.
    pub fn derive(
        config: Config,
        mut content: Content,
        ids: &mut Interner,
        (free_sources, kept): (bool, bool),
        memo: Option<Memo>,
    ) -> Self {
        let mut clock = super::Trace::start();
        let eids = ids.eids(&content.entities);
        let index = index_of(&content);
        let tables = Tables::new(&content.entities, &config);
        // Before refs are resolved: their targets are indices, which move.
        let loaded_prints: Vec<u64> = match memo {
            Some(_) => content
                .entities
                .par_iter()
                .map(memo::entity_print)
                .collect(),
            None => Vec::new(),
        };
        clock.lap("  entity prints");
        let mut resolve_diags = BTreeMap::new();
        let resolution = resolve_all(&mut content, &index, &mut resolve_diags);
        let relations = resolve::relations(&content.entities);
        clock.lap("  resolve");
        let names = names_print(&content, &config);
        let mut memo_dirty = None;
        let PreparedSite {
            prepared,
            home,
            relations,
            diagnostics: _,
        } = match memo {
            Some(memo) => {
                let data: Vec<u64> = (0..content.entities.len())
                    .map(|i| data_print(&content, &resolution, i))
                    .collect();
                let reads = memo::Reads {
                    data: &data,
                    entities: &content.entities,
                    prints: &loaded_prints,
                };
                let site = memo::site_print(names, tables.shortcodes.print());
                let (kept, dirty) = memo.reuse(site, &reads, |p| lookups_print(p, &index, &tables));
                memo_dirty = Some(dirty);
                let md = tables.markdown(&content.entities, &index);
                let (home, pretty) = (content.home.as_ref(), config.pretty_links);
                render::prepare_site_with(&md, home, pretty, relations, kept)
            }
            None => {
                let mut site = render::SiteMut {
                    config: &config,
                    entities: &mut content.entities,
                    home: content.home.as_ref(),
                    index: &index,
                };
                render::prepare_site(&mut site, &tables, relations, free_sources)
            }
        };
        clock.lap("  markdown");
        // The prints are what a kept state compares after an edit; a
        // build from nothing never looks at them.
        let lookups = match kept {
            true => prepared
                .iter()
                .map(|p| lookups_print(p, &index, &tables))
                .collect(),
            false => Vec::new(),
        };
        let mut state = State {
            names,
            loaded_prints,
            memo_dirty,
            config,
            content,
            eids,
            index,
            tables,
            relations,
            prepared,
            home_prepared: home,
            tags: TagTable::default(),
            listings: Orders::default(),
            resolve_diags,
            resolution,
            lookups,
            data_prints: Vec::new(),
            text_prints: Vec::new(),
            prints: Prints::default(),
            statics: Default::default(),
        };
        state.finish(kept);
        clock.lap("  prints");
        state
    }

    /// Brings the state up to date after `content` took in a change.
    pub fn update(&mut self, applied: &Applied, ids: &mut Interner) {
        match applied {
            Applied::Nothing => self.update_in_place(&[]),
            Applied::InPlace(at) => self.update_in_place(at),
            Applied::Reordered(_) => self.update_reordered(applied, ids),
        }
    }

    /// Entities changed where they stand: every index still names the
    /// same entity, and only what the changed ones reach is done again.
    fn update_in_place(&mut self, at: &[EntityIdx]) {
        let mut clock = super::Trace::start();
        let mut data_changed = HashSet::new();
        for &i in at {
            self.resolve_one(i);
            let print = self.data_print(i);
            if print != self.data_prints[i] {
                self.data_prints[i] = print;
                data_changed.insert(i);
            }
        }
        clock.lap(" resolve");
        let names_changed = self.renew_autolinker();
        let mut todo: std::collections::BTreeSet<EntityIdx> = at.iter().copied().collect();
        todo.extend(self.stale_markdown());
        if self.config.autolink && names_changed {
            todo.extend(0..self.prepared.len());
        } else if !data_changed.is_empty() {
            // Link texts show the titles of the pages they link to.
            todo.extend((0..self.prepared.len()).filter(|&j| {
                self.prepared[j]
                    .links_to
                    .iter()
                    .any(|t| data_changed.contains(t))
            }));
        }
        let todo: Vec<EntityIdx> = todo.into_iter().collect();
        let fresh = {
            let md = self.tables.markdown(&self.content.entities, &self.index);
            render::prepare_many(&md, &todo, self.config.pretty_links)
        };
        let mut links_moved = false;
        for (&i, p) in todo.iter().zip(fresh) {
            links_moved |= p.links_to != self.prepared[i].links_to;
            self.lookups[i] = lookups_print(&p, &self.index, &self.tables);
            self.text_prints[i] = super::prints::prepared_print(&p);
            self.prepared[i] = p;
        }
        self.prepare_home();
        clock.lap(" markdown");
        let structure = !data_changed.is_empty();
        let relations = structure || links_moved;
        if relations {
            self.relations = resolve::relations(&self.content.entities);
            render::add_mentions(&mut self.relations, &self.prepared);
        }
        clock.lap(" relations");
        if structure {
            self.tags = render::tag_table(&self.content.entities);
            self.listings = Orders::default();
        }
        let touched: Vec<EntityIdx> = todo.iter().chain(at).copied().collect();
        let mut prints = std::mem::take(&mut self.prints);
        prints.refresh(self, &touched, relations, structure);
        self.prints = prints;
        clock.lap(" prints");
    }

    /// Files came, went or changed id: everything cheap is derived again,
    /// and Markdown is kept where what it read still holds.
    fn update_reordered(&mut self, applied: &Applied, ids: &mut Interner) {
        let mut clock = super::Trace::start();
        let old_data = std::mem::take(&mut self.data_prints);
        let old_eids = std::mem::replace(&mut self.eids, ids.eids(&self.content.entities));
        let (reparsed, reordered) = match applied {
            Applied::Nothing => (HashSet::new(), false),
            Applied::InPlace(at) => (at.iter().copied().collect(), false),
            Applied::Reordered(read) => {
                let read: HashSet<&PathBuf> = read.iter().collect();
                let at = (0..self.content.entities.len())
                    .filter(|&i| read.contains(&self.content.entities[i].file))
                    .collect();
                (at, true)
            }
        };
        if reordered {
            self.index = index_of(&self.content);
            clock.lap("  index");
            self.tables = Tables::new(&self.content.entities, &self.config);
            clock.lap("  tables");
            self.resolve_diags.clear();
            self.resolution = resolve_all(&mut self.content, &self.index, &mut self.resolve_diags);
            clock.lap("  resolve all");
        } else {
            for &i in &reparsed {
                self.resolve_one(i);
            }
        }
        self.data_prints = if reordered {
            (0..self.eids.len()).map(|i| self.data_print(i)).collect()
        } else {
            let mut prints = old_data.clone();
            for &i in &reparsed {
                prints[i] = self.data_print(i);
            }
            prints
        };
        clock.lap("  data prints");
        let old_pos = positions(&old_eids);
        let new_pos = positions(&self.eids);
        let data_changed: HashSet<Eid> = (0..self.eids.len())
            .filter(|&i| {
                let before = old_pos.get(&self.eids[i]).map(|&o| old_data[o]);
                before != Some(self.data_prints[i])
            })
            .map(|i| self.eids[i])
            .chain(
                old_eids
                    .iter()
                    .copied()
                    .filter(|e| !new_pos.contains_key(e)),
            )
            .collect();
        clock.lap(" resolve");
        let names_changed = self.renew_autolinker();
        let mut reparsed = reparsed;
        // Found in the old order, by Eid into the new one.
        let stale: Vec<Eid> = self.stale_markdown().iter().map(|&i| old_eids[i]).collect();
        reparsed.extend(stale.iter().filter_map(|e| new_pos.get(e)));
        let links_moved = self.prepare_again(
            &old_eids,
            &reparsed,
            &data_changed,
            names_changed,
            reordered,
        );
        clock.lap(" markdown");
        let structure = reordered || !data_changed.is_empty();
        if structure || links_moved {
            self.relations = resolve::relations(&self.content.entities);
            render::add_mentions(&mut self.relations, &self.prepared);
        }
        clock.lap(" relations");
        self.refresh(structure);
        clock.lap(" prints");
    }

    /// Resolves entity `i`'s typed refs again against the same index.
    fn resolve_one(&mut self, i: EntityIdx) {
        let e = &mut self.content.entities[i];
        let mut diags = Vec::new();
        self.resolution[i] = resolve::resolve_refs(e, &self.index, &self.tables.kinds, &mut diags);
        resolve::add_hints(&self.content.entities, &self.index, &mut diags);
        let file = self.content.entities[i].file.clone();
        if diags.is_empty() {
            self.resolve_diags.remove(&file);
        } else {
            self.resolve_diags.insert(file, diags);
        }
    }

    /// Renders again the Markdown of the entities whose Markdown may have
    /// changed; moves the rest to their (possibly new) indices. Returns
    /// whether any entity's links changed.
    fn prepare_again(
        &mut self,
        old_eids: &[Eid],
        reparsed: &HashSet<EntityIdx>,
        data_changed: &HashSet<Eid>,
        names_changed: bool,
        reordered: bool,
    ) -> bool {
        let autolink = self.config.autolink && names_changed;
        let mut old: Vec<Option<(Prepared, u64, u64)>> = std::mem::take(&mut self.prepared)
            .into_iter()
            .zip(std::mem::take(&mut self.lookups))
            .zip(std::mem::take(&mut self.text_prints))
            .map(|((p, l), t)| Some((p, l, t)))
            .collect();
        let old_pos = positions(old_eids);
        let new_pos = positions(&self.eids);
        let mut slots: Vec<Option<(Prepared, u64, u64)>> = Vec::with_capacity(self.eids.len());
        let mut todo = Vec::new();
        // The links of each entity rendered again, as they were, by Eid.
        let mut links_before: Vec<Option<Vec<Eid>>> = Vec::new();
        // Whether each entity's Markdown still holds, worked out on every
        // core: after a file came or went, every link is looked up again.
        let still: Vec<bool> = (0..self.eids.len())
            .into_par_iter()
            .map(|i| {
                let kept = old_pos.get(&self.eids[i]).and_then(|&o| old[o].as_ref());
                kept.is_some_and(|(p, lookups, _)| {
                    !reparsed.contains(&i)
                        && !autolink
                        && (data_changed.is_empty()
                            || p.links_to
                                .iter()
                                .all(|&t| !data_changed.contains(&old_eids[t])))
                        && (!reordered || *lookups == lookups_print(p, &self.index, &self.tables))
                })
            })
            .collect();
        for (i, eid) in self.eids.iter().enumerate() {
            let kept = old_pos.get(eid).and_then(|&o| old[o].take());
            if still[i] {
                slots.push(kept);
            } else {
                links_before
                    .push(kept.map(|(p, _, _)| p.links_to.iter().map(|&t| old_eids[t]).collect()));
                todo.push(i);
                slots.push(None);
            }
        }
        if reordered {
            for (p, _, _) in slots.iter_mut().flatten() {
                // Links found in Markdown kept from before point by old index.
                p.links_to = p
                    .links_to
                    .iter()
                    .filter_map(|&t| new_pos.get(&old_eids[t]).copied())
                    .collect();
            }
        }
        let fresh = {
            let md = self.tables.markdown(&self.content.entities, &self.index);
            render::prepare_many(&md, &todo, self.config.pretty_links)
        };
        let mut links_moved = reordered;
        for ((i, p), before) in todo.into_iter().zip(fresh).zip(links_before) {
            let now: Vec<Eid> = p.links_to.iter().map(|&t| self.eids[t]).collect();
            links_moved |= before.as_ref() != Some(&now);
            let lookups = lookups_print(&p, &self.index, &self.tables);
            let text = super::prints::prepared_print(&p);
            slots[i] = Some((p, lookups, text));
        }
        let mut prepared = Vec::with_capacity(slots.len());
        let mut lookups = Vec::with_capacity(slots.len());
        let mut texts = Vec::with_capacity(slots.len());
        for (p, l, t) in slots.into_iter().flatten() {
            prepared.push(p);
            lookups.push(l);
            texts.push(t);
        }
        (self.prepared, self.lookups, self.text_prints) = (prepared, lookups, texts);
        self.prepare_home();
        links_moved
    }

    /// Builds the autolinker again when the names it matches changed;
    /// returns whether they did.
    fn renew_autolinker(&mut self) -> bool {
        let names = names_print(&self.content, &self.config);
        if names == self.names {
            return false;
        }
        self.names = names;
        self.tables.autolinker =
            render::markdown::Autolinker::new(&self.content.entities, self.config.autolink);
        true
    }

    /// Entities whose Markdown read something outside the content files
    /// that changed: a shortcode template it calls, or a picture it shows
    /// (see [`super::inputs`]).
    fn stale_markdown(&mut self) -> Vec<EntityIdx> {
        let templates = self.renew_shortcodes();
        let stale_pictures = super::inputs::stale_pictures(&self.prepared, &self.tables.images);
        (0..self.prepared.len())
            .filter(|&i| {
                let p = &self.prepared[i];
                p.shortcodes.iter().any(|n| templates.contains(n))
                    || stale_pictures.contains(&i)
                    || super::inputs::picture_failed(p)
            })
            .collect()
    }

    /// Loads the shortcode templates again; the names whose template
    /// changed.
    fn renew_shortcodes(&mut self) -> Vec<String> {
        let root = &self.config.images.site_root;
        let fresh = render::shortcodes::Shortcodes::load(root, &self.config);
        let changed = fresh.changed_since(&self.tables.shortcodes);
        if !changed.is_empty() {
            self.tables.shortcodes = fresh;
        }
        changed
    }

    /// Renders the home page's Markdown again (one page: always).
    fn prepare_home(&mut self) {
        let md = self.tables.markdown(&self.content.entities, &self.index);
        self.home_prepared = self
            .content
            .home
            .as_ref()
            .map(|h| render::prepare_home(&md, h, self.config.pretty_links));
    }

    /// Tags, listings and prints. With `structure` (entities came, went or
    /// changed front matter) tags and listings are worked out again;
    /// otherwise they still hold.
    fn refresh(&mut self, structure: bool) {
        if structure {
            self.tags = render::tag_table(&self.content.entities);
            self.listings = Orders::default();
        }
        self.prints = Prints::of(self, structure);
    }

    /// Tags, listings and prints of a state derived from nothing.
    fn finish(&mut self, with_prints: bool) {
        self.tags = render::tag_table(&self.content.entities);
        self.listings = Orders::default();
        if !with_prints {
            return;
        }
        self.data_prints = (0..self.eids.len()).map(|i| self.data_print(i)).collect();
        self.text_prints = self
            .prepared
            .iter()
            .map(super::prints::prepared_print)
            .collect();
        self.prints = Prints::of(self, true);
    }

    /// The print of entity `i`'s front matter as resolved.
    fn data_print(&self, i: EntityIdx) -> u64 {
        data_print(&self.content, &self.resolution, i)
    }

    /// The Markdown of this build as the build cache keeps it for the next
    /// ([`memo`]), taken out: the last use of a build's state.
    pub fn take_memo(&mut self) -> Memo {
        let reads = memo::Reads {
            data: &self.data_prints,
            entities: &self.content.entities,
            prints: &self.loaded_prints,
        };
        let site = memo::site_print(self.names, self.tables.shortcodes.print());
        let prepared = std::mem::take(&mut self.prepared);
        Memo::of(prepared, &self.lookups, site, &reads).with_dirty(self.memo_dirty.take())
    }

    /// Every resolve error, file by file.
    pub fn resolve_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.resolve_diags.values().flatten()
    }
}

/// The print of entity `i`'s front matter as resolved: its file's, its
/// refs' targets and its translations'.
fn data_print(content: &Content, resolution: &[u64], i: EntityIdx) -> u64 {
    let e = &content.entities[i];
    content.front_hash(&e.file)
        ^ resolution[i].rotate_left(1)
        ^ content.translations_print(&e.id).rotate_left(2)
}

/// Each [`Eid`]'s index.
fn positions(eids: &[Eid]) -> HashMap<Eid, EntityIdx> {
    eids.iter().enumerate().map(|(i, &e)| (e, i)).collect()
}

fn index_of(content: &Content) -> Index {
    let drafts: Vec<_> = content.drafts().into_iter().cloned().collect();
    Index::new(&content.entities, &drafts).with_unparsed(&content.unparsed())
}

/// Resolves every entity's typed refs; returns each one's resolution print.
fn resolve_all(
    content: &mut Content,
    index: &Index,
    diags: &mut BTreeMap<PathBuf, Vec<Diagnostic>>,
) -> Vec<u64> {
    let kinds: Vec<_> = content
        .entities
        .iter()
        .map(|e| (e.id.clone(), e.kind, e.slug.clone()))
        .collect();
    // Each entity's refs resolve on their own: in parallel.
    let resolved: Vec<(u64, Vec<Diagnostic>)> = content
        .entities
        .par_iter_mut()
        .map(|e| {
            let mut found = Vec::new();
            (resolve::resolve_refs(e, index, &kinds, &mut found), found)
        })
        .collect();
    let mut prints = Vec::with_capacity(kinds.len());
    for (e, (print, found)) in content.entities.iter().zip(resolved) {
        prints.push(print);
        if !found.is_empty() {
            diags.insert(e.file.clone(), found);
        }
    }
    for found in diags.values_mut() {
        resolve::add_hints(&content.entities, index, found);
    }
    prints
}

/// A print of what an entity's Markdown found when it looked refs up.
fn lookups_print(p: &Prepared, index: &Index, tables: &Tables) -> u64 {
    p.looked_up.iter().fold(0, |acc, raw| {
        resolve::mix(
            acc,
            &resolve::lookup_print(raw, &index.lookup(raw), &tables.kinds),
        )
    })
}

/// A print of the autolinker's names: every title and alias, by id.
fn names_print(content: &Content, config: &Config) -> u64 {
    if !config.autolink {
        return 0;
    }
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for e in &content.entities {
        h.update(e.id.as_bytes());
        h.update(e.title.as_bytes());
        for a in &e.aliases {
            h.update(a.as_bytes());
        }
        h.update(&[0]);
    }
    h.digest()
}
