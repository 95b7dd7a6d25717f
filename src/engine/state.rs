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

use super::content::{Applied, Content};
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
    pub prints: Prints,
}

impl State {
    /// Derives everything from the content. With `free_sources` (a build,
    /// which renders once), Markdown sources are dropped as soon as they
    /// are rendered.
    /// Without `kept` (a build), no prints are taken: nothing compares them.
    pub fn derive(
        config: Config,
        mut content: Content,
        ids: &mut Interner,
        free_sources: bool,
        kept: bool,
    ) -> Self {
        let eids = ids.eids(&content.entities);
        let index = index_of(&content);
        let tables = Tables::new(&content.entities, &config);
        let mut resolve_diags = BTreeMap::new();
        let resolution = resolve_all(&mut content, &index, &mut resolve_diags);
        let relations = resolve::relations(&content.entities);
        let mut site = render::SiteMut {
            config: &config,
            entities: &mut content.entities,
            home: content.home.as_ref(),
            index: &index,
        };
        let PreparedSite {
            prepared,
            home,
            relations,
            diagnostics: _,
        } = render::prepare_site(&mut site, &tables, relations, free_sources);
        let lookups = prepared
            .iter()
            .map(|p| lookups_print(p, &index, &tables))
            .collect();
        let mut state = State {
            names: names_print(&content, &config),
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
            prints: Prints::default(),
        };
        state.finish(kept);
        state
    }

    /// Brings the state up to date after `content` took in a change.
    pub fn update(&mut self, applied: &Applied, ids: &mut Interner) {
        let reparsed: HashSet<PathBuf> = match applied {
            Applied::Nothing => HashSet::new(),
            Applied::InPlace(at) => at
                .iter()
                .map(|&i| self.content.entities[i].file.clone())
                .chain(self.content.home.iter().map(|h| h.file.clone()))
                .collect(),
            Applied::Reordered(read) => read.iter().cloned().collect(),
        };
        let old_eids = std::mem::replace(&mut self.eids, ids.eids(&self.content.entities));
        let reordered = matches!(applied, Applied::Reordered(_));
        if reordered {
            self.index = index_of(&self.content);
            self.tables = Tables::new(&self.content.entities, &self.config);
            self.resolve_diags.clear();
            self.resolution = resolve_all(&mut self.content, &self.index, &mut self.resolve_diags);
        } else if let Applied::InPlace(at) = applied {
            for &i in at {
                let e = &mut self.content.entities[i];
                let mut diags = Vec::new();
                self.resolution[i] =
                    resolve::resolve_refs(e, &self.index, &self.tables.kinds, &mut diags);
                resolve::add_hints(&self.content.entities, &self.index, &mut diags);
                self.resolve_diags
                    .insert(self.content.entities[i].file.clone(), diags);
            }
        }
        let names = names_print(&self.content, &self.config);
        let names_changed = names != self.names;
        if names_changed {
            self.names = names;
            self.tables.autolinker =
                render::markdown::Autolinker::new(&self.content.entities, self.config.autolink);
        }
        self.prepare_again(&old_eids, &reparsed, names_changed, reordered);
        self.relations = resolve::relations(&self.content.entities);
        render::add_mentions(&mut self.relations, &self.prepared);
        self.finish(true);
    }

    /// Renders again the Markdown of the entities whose Markdown may have
    /// changed; moves the rest to their (possibly new) indices.
    fn prepare_again(
        &mut self,
        old_eids: &[Eid],
        reparsed: &HashSet<PathBuf>,
        names_changed: bool,
        reordered: bool,
    ) {
        let old_data = &self.prints.data;
        let new_data = |i: EntityIdx| self.data_print(i);
        let data_changed: HashSet<Eid> = (0..self.eids.len())
            .filter(|&i| old_data.get(&self.eids[i]) != Some(&new_data(i)))
            .map(|i| self.eids[i])
            .collect();
        let mut kept: HashMap<Eid, (Prepared, u64)> = std::mem::take(&mut self.prepared)
            .into_iter()
            .zip(std::mem::take(&mut self.lookups))
            .enumerate()
            .map(|(i, p)| (old_eids[i], p))
            .collect();
        let autolink = self.config.autolink && names_changed;
        let mut slots: Vec<Option<(Prepared, u64)>> = Vec::with_capacity(self.eids.len());
        let mut todo = Vec::new();
        for (i, eid) in self.eids.iter().enumerate() {
            let e = &self.content.entities[i];
            let reuse = kept.remove(eid).filter(|(p, lookups)| {
                !reparsed.contains(&e.file)
                    && !autolink
                    && p.links_to
                        .iter()
                        .all(|&t| !data_changed.contains(&old_eids[t]))
                    && (!reordered || *lookups == lookups_print(p, &self.index, &self.tables))
            });
            if reuse.is_none() {
                todo.push(i);
            }
            slots.push(reuse);
        }
        if reordered {
            let eid_index: HashMap<Eid, EntityIdx> =
                self.eids.iter().enumerate().map(|(i, &e)| (e, i)).collect();
            for (p, _) in slots.iter_mut().flatten() {
                // Links found in Markdown kept from before point by old index.
                p.links_to = p
                    .links_to
                    .iter()
                    .filter_map(|&t| old_eids.get(t).and_then(|e| eid_index.get(e)).copied())
                    .collect();
            }
        }
        let fresh = {
            let md = self.tables.markdown(&self.content.entities, &self.index);
            render::prepare_many(&md, &todo, self.config.pretty_links)
        };
        for (i, p) in todo.into_iter().zip(fresh) {
            let lookups = lookups_print(&p, &self.index, &self.tables);
            slots[i] = Some((p, lookups));
        }
        (self.prepared, self.lookups) = slots.into_iter().flatten().unzip();
        let md = self.tables.markdown(&self.content.entities, &self.index);
        self.home_prepared = self
            .content
            .home
            .as_ref()
            .map(|h| render::prepare_home(&md, h, self.config.pretty_links));
    }

    /// Tags, listings and prints: cheap, and read by many pages.
    fn finish(&mut self, with_prints: bool) {
        self.tags = render::tag_table(&self.content.entities);
        self.listings = Orders::default();
        if with_prints {
            self.prints = Prints::of(self);
        }
    }

    /// [`super::prints::Prints::data`] of entity `i`.
    pub fn data_print(&self, i: EntityIdx) -> u64 {
        let e = &self.content.entities[i];
        self.content.front_hash(&e.file) ^ self.resolution[i].rotate_left(1)
    }

    /// Every resolve error, file by file.
    pub fn resolve_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.resolve_diags.values().flatten()
    }
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
    let mut prints = Vec::with_capacity(kinds.len());
    for e in content.entities.iter_mut() {
        let mut found = Vec::new();
        prints.push(resolve::resolve_refs(e, index, &kinds, &mut found));
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
