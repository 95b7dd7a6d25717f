//! RENDER: the resolved site to output files, in memory.
//!
//! Two passes, both parallel: first every entity's Markdown is rendered once
//! (bodies, fact values, answers, components), which also finds the pages
//! each text links to; then, with those mentions added to the relations,
//! every page is rendered through its template. Output: [`OutFile`]s, which
//! the write stage puts on disk and `serve` keeps in memory.

pub mod assets;
mod card_png;
pub mod changes;
pub mod context;
pub mod dates;
pub mod embeds;
pub mod entity_feeds;
pub mod exports;
pub mod front;
pub mod graph;
pub mod images;
pub mod jsonld;
pub mod languages;
pub mod links;
pub mod markdown;
pub mod paginate;
pub mod plain;
pub mod redirects;
pub mod report;
pub mod search_index;
pub mod share_card;
pub mod shortcodes;
pub mod site;
pub mod site_pages;
pub mod stance;
pub mod svg;
pub mod templates;
pub mod views;
pub mod visuals;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::model::{Entity, EntityIdx, Kind, KindData, Text};
use crate::diag::Diagnostic;
use crate::resolve::{self, Index, Relations};
use links::{Linker, SitePath};
use markdown::{Autolinker, PageRender};

/// One file of the output, relative to the output root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// A file of the site's cache holding the same bytes (a share card, a
    /// processed picture), which `serve` reads again instead of keeping
    /// the bytes in memory.
    pub backing: Option<PathBuf>,
}

/// An entity's Markdown, rendered once for its own page (depth 2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    pub body: String,
    pub facts: Vec<String>,
    pub answers: Vec<Option<String>>,
    pub components: Vec<String>,
    pub outcome: Option<String>,
    pub links_to: Vec<EntityIdx>,
    pub diagnostics: Vec<Diagnostic>,
    /// The entity's search-index record, as JSON.
    pub search: String,
    /// Each key fact's note, rendered inline (or none).
    pub notes: Vec<Option<String>>,
    /// Every ref the Markdown looked up, as written.
    pub looked_up: Vec<String>,
    /// The `image:` of the front matter, processed, for this page.
    pub lead: Option<images::FigureView>,
    /// Every picture the entity shows (lead, body, shortcodes): their
    /// files are outputs of the site.
    pub pictures: Vec<std::sync::Arc<images::Processed>>,
    /// The shortcodes its body calls, by name.
    pub shortcodes: Vec<String>,
}

/// The site's Markdown, rendered once: what the page pass reads, and the
/// relations completed with the mentions found in the Markdown (lint and
/// the orphan check need those before any page is rendered).
pub struct PreparedSite {
    pub prepared: Vec<Prepared>,
    /// The home page's rendered Markdown.
    pub home: Option<Prepared>,
    pub relations: Relations,
    /// Broken refs found in the Markdown.
    pub diagnostics: Vec<Diagnostic>,
}

impl PreparedSite {
    /// Entities the home page text links to.
    pub fn home_links(&self) -> &[EntityIdx] {
        self.home.as_ref().map_or(&[], |h| h.links_to.as_slice())
    }
}

/// The resolved site: what rendering reads.
pub struct Site<'a> {
    pub config: &'a Config,
    pub entities: &'a [Entity],
    pub home: Option<&'a Entity>,
    pub index: &'a Index,
    /// The static files as published ([`assets`]).
    pub assets: &'a std::sync::Arc<assets::AssetTable>,
}

/// Options of one render.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Pages are for `explainer serve` (the theme may show it).
    pub serving: bool,
}

/// The page path of an entity.
pub fn entity_path(e: &Entity) -> SitePath {
    SitePath::of(&[e.kind.dir(), &e.slug])
}

/// Lookup tables derived from the entity list alone: page paths, ids and
/// kinds, and the autolinker. Built once per resolve and reused by every
/// render, full or incremental.
pub struct Tables {
    pub paths: Vec<SitePath>,
    pub kinds: Vec<(String, Kind, String)>,
    pub autolinker: Autolinker,
    pub images: images::ImageConfig,
    pub shortcodes: shortcodes::Shortcodes,
}

impl Tables {
    pub fn new(entities: &[Entity], config: &Config) -> Self {
        Tables {
            paths: entities.iter().map(entity_path).collect(),
            kinds: entities
                .iter()
                .map(|e| (e.id.clone(), e.kind, e.slug.clone()))
                .collect(),
            autolinker: Autolinker::new(entities, config.autolink),
            images: config.images.clone(),
            shortcodes: shortcodes::Shortcodes::load(&config.images.site_root, config),
        }
    }

    /// What Markdown rendering needs, borrowed from the tables.
    pub fn markdown<'a>(&'a self, entities: &'a [Entity], index: &'a Index) -> markdown::Site<'a> {
        markdown::Site {
            entities,
            index,
            kinds: &self.kinds,
            autolinker: &self.autolinker,
            paths: &self.paths,
            images: &self.images,
            shortcodes: &self.shortcodes,
        }
    }
}

/// Renders the Markdown of the given entities, in parallel.
pub fn prepare_many(site: &markdown::Site<'_>, which: &[EntityIdx], pretty: bool) -> Vec<Prepared> {
    which
        .par_iter()
        .map(|&i| prepare(site, i, pretty))
        .collect()
}

/// Adds the mentions found in Markdown to the relations.
pub fn add_mentions(relations: &mut Relations, prepared: &[Prepared]) {
    for (from, p) in prepared.iter().enumerate() {
        for &to in &p.links_to {
            resolve::add_mention(relations, from, to);
        }
    }
}

/// First pass: renders every entity's Markdown, in parallel, and adds the
/// mentions it finds to the relations. With `free_sources`, each entity's
/// Markdown source is dropped as soon as it is rendered (nothing after this
/// pass reads it), so a large site never holds both the sources and the
/// rendered HTML of every page (about 600 MB each at 100,000 entities).
pub fn prepare_site(
    site: &mut SiteMut<'_>,
    tables: &Tables,
    relations: Relations,
    free_sources: bool,
) -> PreparedSite {
    let pretty = site.config.pretty_links;
    let count = site.entities.len();
    let mut prepared = Vec::with_capacity(count);
    for start in (0..count).step_by(PREPARE_CHUNK) {
        let end = (start + PREPARE_CHUNK).min(count);
        let which: Vec<EntityIdx> = (start..end).collect();
        let md_site = tables.markdown(site.entities, site.index);
        prepared.extend(prepare_many(&md_site, &which, pretty));
        if free_sources {
            for e in &mut site.entities[start..end] {
                e.body = Text::default();
            }
        }
    }
    let md_site = tables.markdown(site.entities, site.index);
    complete(&md_site, site.home, pretty, relations, prepared)
}

/// [`prepare_site`] for a build from the cache: what `kept` holds (by
/// entity index) is not rendered again.
pub fn prepare_site_with(
    md_site: &markdown::Site<'_>,
    home: Option<&Entity>,
    pretty: bool,
    relations: Relations,
    kept: Vec<Option<Prepared>>,
) -> PreparedSite {
    let todo: Vec<EntityIdx> = (0..kept.len()).filter(|&i| kept[i].is_none()).collect();
    let mut fresh = prepare_many(md_site, &todo, pretty).into_iter();
    let prepared = kept
        .into_iter()
        .map(|p| p.or_else(|| fresh.next()).unwrap_or_default())
        .collect();
    complete(md_site, home, pretty, relations, prepared)
}

/// The rest of the first pass once every entity's Markdown is rendered:
/// their problems, their mentions added to the relations, the home page.
fn complete(
    md_site: &markdown::Site<'_>,
    home: Option<&Entity>,
    pretty: bool,
    mut relations: Relations,
    prepared: Vec<Prepared>,
) -> PreparedSite {
    let mut diagnostics: Vec<Diagnostic> = prepared
        .iter()
        .flat_map(|p| p.diagnostics.iter().cloned())
        .collect();
    add_mentions(&mut relations, &prepared);
    let home = home.map(|h| prepare_home(md_site, h, pretty));
    if let Some(h) = &home {
        diagnostics.extend(h.diagnostics.iter().cloned());
    }
    PreparedSite {
        prepared,
        home,
        relations,
        diagnostics,
    }
}

/// Entities whose Markdown is rendered between two releases of sources.
const PREPARE_CHUNK: usize = 4096;

/// The resolved site with its entities open to change: the first pass may
/// drop their Markdown sources once rendered.
pub struct SiteMut<'a> {
    pub config: &'a Config,
    pub entities: &'a mut [Entity],
    pub home: Option<&'a Entity>,
    pub index: &'a Index,
}

/// Second pass: renders every page through its template, handing files to
/// `emit` as they are rendered. Returns the template errors.
///
/// Between waves of pages (see [`site_pages::Pages::render_streaming`])
/// `emit` gets an empty batch: a checkpoint, where a writer that keeps
/// files in flight should return only once they are written.
///
/// Each entity's rendered body moves into its page instead of being
/// copied, so `prepared` comes back without bodies: on a site of 100,000
/// entities that frees the largest part of the prepared Markdown while the
/// pages are written rather than at the end.
pub fn render_pages(
    site: &Site<'_>,
    tables: &Tables,
    prepared: &mut PreparedSite,
    templates: &templates::Templates,
    options: RenderOptions,
    emit: &mut (dyn FnMut(Vec<OutFile>) + Send),
) -> Vec<Diagnostic> {
    let md_site = tables.markdown(site.entities, site.index);
    let bodies: Vec<std::sync::Mutex<String>> = prepared
        .prepared
        .iter_mut()
        .map(|p| std::sync::Mutex::new(std::mem::take(&mut p.body)))
        .collect();
    let tags = tag_table(site.entities);
    let eids: Vec<site::Eid> = (0..site.entities.len() as site::Eid).collect();
    let reads = site::Reads::off();
    let data = views::SiteData {
        config: site.config,
        base: site.config.base(),
        entities: site::Entities::new(site.entities, &eids, &reads),
        paths: &tables.paths,
        relations: site::Rels::new(&prepared.relations, &eids, &reads),
        prepared: site::PreparedTable::new(&prepared.prepared, &eids, &reads),
        tags: site::Tags::new(&tags, &reads),
        assets: site::Assets::new(site.assets, &reads),
        reads: &reads,
    };
    let pages = site_pages::Pages {
        data: &data,
        home: site.home,
        home_body: prepared.home.as_ref().map(|h| h.body.clone()),
        md_site: &md_site,
        templates,
        options,
        bodies: Some(&bodies),
        orders: &Default::default(),
        home_pictures: prepared
            .home
            .as_ref()
            .map_or(&[], |h| h.pictures.as_slice()),
    };
    pages.render_streaming(emit)
}

/// Renders the home page's Markdown, at the site root.
pub fn prepare_home(site: &markdown::Site<'_>, home: &Entity, pretty: bool) -> Prepared {
    let linker = Linker::for_page(&SitePath::home(), pretty);
    let mut page = PageRender::new(site, &linker, &home.file, None);
    let rendered = page.body(&home.body);
    Prepared {
        looked_up: page.looked_up.take(),
        body: rendered.html,
        links_to: rendered.links_to,
        diagnostics: page.diagnostics,
        pictures: page.pictures,
        shortcodes: page.shortcodes,
        ..Default::default()
    }
}

/// Renders one entity's Markdown for its own page.
pub fn prepare(site: &markdown::Site<'_>, i: EntityIdx, pretty: bool) -> Prepared {
    let e = &site.entities[i];
    let linker = Linker::for_page(&site.paths[i], pretty);
    let mut page = PageRender::new(site, &linker, &e.file, Some(i));
    let mut links_to = Vec::new();
    let take = |r: markdown::Rendered, links: &mut Vec<EntityIdx>| {
        links.extend(r.links_to);
        r.html
    };
    let lead = e.image.as_ref().and_then(|spec| page.lead_image(spec));
    let body = take(page.body(&e.body), &mut links_to);
    let facts: Vec<String> = e
        .key_facts
        .iter()
        .map(|f| take(page.inline(&f.value), &mut links_to))
        .collect();
    let answers = e
        .questions
        .iter()
        .map(|q| {
            q.answer
                .as_ref()
                .map(|a| take(page.block(a), &mut links_to))
        })
        .collect();
    let (components, outcome) = match &e.data {
        KindData::Proposal(p) => (
            p.components
                .iter()
                .map(|c| take(page.inline(c), &mut links_to))
                .collect(),
            None,
        ),
        KindData::Meeting(m) => (
            Vec::new(),
            m.outcome
                .as_ref()
                .map(|o| take(page.inline(o), &mut links_to)),
        ),
        _ => (Vec::new(), None),
    };
    let notes = e
        .key_facts
        .iter()
        .map(|f| f.note.as_ref().map(|n| take(page.inline(n), &mut links_to)))
        .collect();
    let url = site.paths[i].site_relative(pretty);
    let search = search_index::record_json(e, &body, &facts, url);
    let looked_up = page.looked_up.take();
    Prepared {
        looked_up,
        body,
        facts,
        answers,
        components,
        outcome,
        links_to,
        diagnostics: page.diagnostics,
        search,
        notes,
        lead,
        pictures: page.pictures,
        shortcodes: page.shortcodes,
    }
}

/// The entities carrying each tag, by tag slug: computed once, so tag pages
/// and counts need no scan over every entity.
pub fn tag_table(entities: &[Entity]) -> site::TagTable {
    let mut members: BTreeMap<String, Vec<EntityIdx>> = BTreeMap::new();
    for (i, e) in entities.iter().enumerate() {
        for slug in e.tags.iter().map(|t| links::tag_slug(t)) {
            let list = members.entry(slug).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    site::TagTable { members }
}
