//! SERVE: the pipeline's data kept between rebuilds, so a change re-runs
//! only the part it touches.
//!
//! A [`Session`] holds the parsed site, the resolved relations, every
//! entity's rendered Markdown and every rendered page, in memory. An edit to
//! one content file re-parses that file, re-resolves (cheap, linear), renders
//! again only the Markdown whose output can change, and re-renders only the
//! pages whose context can change: the page itself, pages whose relations or
//! links to it changed, and — when what others show of it (title, summary,
//! date, tags…) changed — the pages that list it. A template change
//! re-renders the pages using that template; a static file is copied alone;
//! `site.yaml`, and files appearing or disappearing, rebuild everything.
//! The figures (relation maps, timelines, stance matrices) show entities
//! two steps away, so pages are re-rendered when a fingerprint of their
//! figures changes; entity feeds go with their pages, and the site map and
//! data exports with any change to what they read.
//! Whatever the path, only files whose bytes changed are replaced, and a
//! property test checks that the result equals a full build.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cmd::CompileOptions;
use crate::config::{self, Config};
use crate::content::model::{Entity, EntityIdx, Kind, KindData, Ref};
use crate::content::{self, HOME_ID};
use crate::diag::{Diagnostic, Diagnostics};
use crate::render::site_pages::{Job, Pages};
use crate::render::templates::{self, DEFAULT_THEME, Origin, Templates};
use crate::render::{self, OutFile, Prepared, RenderOptions, Tables, views};
use crate::resolve::{self, Index, Relations};

/// A change the watcher saw, already classified.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// A file under `content/`, relative to the site root.
    Content(PathBuf),
    /// Anything under `templates/` or a theme's `templates/`.
    Template,
    /// A static file: its path relative to the output root.
    Static(PathBuf),
    /// `site.yaml`, or a change too broad to track (a folder renamed).
    Everything,
}

/// Template and text of every layer, as `templates::collect` returns them.
type Layers = BTreeMap<String, (Origin, String)>;

/// The site as last built, and everything needed to rebuild part of it.
pub struct Session {
    root: PathBuf,
    options: CompileOptions,
    config: Config,
    config_diags: Diagnostics,
    /// Every content entity, drafts included, by id; with load problems.
    all: Vec<Entity>,
    home: Option<Entity>,
    unparsed: Vec<(String, String)>,
    load_diags: Diagnostics,
    layers: Layers,
    layer_diags: Vec<Diagnostic>,
    templates: Option<Templates>,
    compile_diags: Vec<Diagnostic>,
    derived: Derived,
    /// The template error of each page that failed to render.
    job_errors: BTreeMap<Job, Diagnostic>,
    /// What is served: rendered pages and static files.
    output: BTreeMap<PathBuf, Arc<[u8]>>,
    /// Texts of content files that diagnostics point into, read once and
    /// forgotten when the file changes.
    texts: BTreeMap<PathBuf, String>,
    diagnostics: Diagnostics,
    /// A fingerprint of each entity page's figures, to find the pages a
    /// change two steps away reaches (see [`render::visuals`]).
    visuals: Vec<u64>,
}

/// Everything computed from the entities, kept to be patched.
struct Derived {
    entities: Vec<Entity>,
    index: Index,
    base_relations: Relations,
    relations: Relations,
    resolve_diags: Vec<Diagnostic>,
    tables: Tables,
    prepared: Vec<Prepared>,
    home_prepared: Option<Prepared>,
    tag_counts: BTreeMap<String, usize>,
    tag_members: BTreeMap<String, Vec<EntityIdx>>,
}

/// What one rebuild did, for the terminal and the live-reload channel.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Output files whose bytes changed, were added or were removed.
    pub changed: BTreeSet<PathBuf>,
    /// Pages rendered again (whether or not their bytes changed).
    pub rendered: usize,
    pub full: bool,
}

impl Session {
    /// Builds the whole site in memory.
    pub fn new(root: &Path, options: CompileOptions) -> Self {
        let (config, config_diags) = load_config(root, &options);
        let empty = Derived::empty(&config);
        let mut session = Session {
            root: root.to_path_buf(),
            options,
            config,
            config_diags,
            all: Vec::new(),
            home: None,
            unparsed: Vec::new(),
            load_diags: Diagnostics::default(),
            layers: Layers::new(),
            layer_diags: Vec::new(),
            templates: None,
            compile_diags: Vec::new(),
            derived: empty,
            job_errors: BTreeMap::new(),
            output: BTreeMap::new(),
            texts: BTreeMap::new(),
            diagnostics: Diagnostics::default(),
            visuals: Vec::new(),
        };
        session.rebuild_all();
        session
    }

    /// Every file to serve or write, by output path.
    pub fn output(&self) -> &BTreeMap<PathBuf, Arc<[u8]>> {
        &self.output
    }

    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Entity pages in this build (drafts left out are not counted).
    pub fn entity_count(&self) -> usize {
        self.derived.entities.len()
    }

    /// Applies a batch of changes, rebuilding as little as possible.
    pub fn apply(&mut self, changes: &[Change]) -> Outcome {
        if changes.contains(&Change::Everything) {
            return self.rebuild_all();
        }
        let mut jobs: BTreeSet<Job> = BTreeSet::new();
        let mut outcome = Outcome::default();
        let content: Vec<&PathBuf> = changes
            .iter()
            .filter_map(|c| {
                if let Change::Content(p) = c {
                    Some(p)
                } else {
                    None
                }
            })
            .collect();
        if !content.is_empty() {
            match self.edit_content(&content) {
                Some(more) => jobs.extend(more),
                None => return self.rebuild_all(),
            }
        }
        if changes.contains(&Change::Template) {
            match self.reload_templates() {
                Some(more) => jobs.extend(more),
                None => return self.rebuild_all(),
            }
        }
        for change in changes {
            if let Change::Static(rel) = change {
                self.copy_static(rel, &mut outcome.changed);
            }
        }
        outcome.rendered = jobs.len();
        let jobs: Vec<Job> = jobs.into_iter().collect();
        self.render(&jobs, &mut outcome.changed);
        self.refresh_diagnostics();
        outcome
    }

    /// Reads, resolves and renders everything again; replaces only the
    /// output files whose bytes changed.
    pub fn rebuild_all(&mut self) -> Outcome {
        let (config, config_diags) = load_config(&self.root, &self.options);
        self.config = config;
        self.config_diags = config_diags;
        self.texts.clear();
        let loaded = content::load(&self.root);
        self.all = loaded.entities;
        self.home = loaded.home;
        self.unparsed = loaded.unparsed;
        self.load_diags = loaded.diagnostics;
        let (layers, layer_diags) = templates::collect(&self.root, &self.config.theme);
        self.layers = layers;
        self.layer_diags = layer_diags;
        self.compile_templates();
        self.derived = Derived::build(
            &self.all,
            self.home.as_ref(),
            &self.unparsed,
            &self.config,
            &self.options,
        );
        self.visuals = self.visual_fingerprints();
        let jobs = self.all_jobs();
        let mut outcome = Outcome {
            rendered: jobs.len(),
            full: true,
            ..Outcome::default()
        };
        let before: BTreeSet<PathBuf> = self.output.keys().cloned().collect();
        let mut produced = BTreeSet::new();
        self.job_errors.clear();
        self.render_into(&jobs, &mut outcome.changed, &mut produced);
        for rel in self.all_statics() {
            self.copy_static(&rel, &mut outcome.changed);
            produced.insert(rel);
        }
        let keep = self.pages_of_unparsed();
        // Without templates nothing was rendered: keep serving what we had.
        let stale: Vec<PathBuf> = if self.templates.is_some() {
            before.difference(&produced).cloned().collect()
        } else {
            Vec::new()
        };
        for stale in &stale {
            if !keep.contains(stale)
                && !self
                    .job_errors
                    .keys()
                    .any(|j| self.job_path(j).as_ref() == Some(stale))
            {
                self.output.remove(stale);
                outcome.changed.insert(stale.clone());
            }
        }
        self.refresh_diagnostics();
        outcome
    }

    fn all_jobs(&self) -> Vec<Job> {
        if self.templates.is_none() {
            return Vec::new();
        }
        self.pages(|pages| pages.jobs())
    }

    /// What views read of the current state.
    fn site_data(&self) -> views::SiteData<'_> {
        let d = &self.derived;
        views::SiteData {
            config: &self.config,
            base: self.config.base(),
            entities: &d.entities,
            paths: &d.tables.paths,
            relations: &d.relations,
            prepared: &d.prepared,
            tag_counts: &d.tag_counts,
            tag_members: &d.tag_members,
        }
    }

    /// Runs `f` with a [`Pages`] renderer over the current state.
    fn pages<T>(&self, f: impl FnOnce(&Pages<'_>) -> T) -> T {
        let d = &self.derived;
        let md_site = d.tables.markdown(&d.entities, &d.index);
        let data = self.site_data();
        let templates = self
            .templates
            .as_ref()
            .expect("pages() is only called with compiled templates");
        let pages = Pages {
            data: &data,
            home: self.home.as_ref(),
            home_body: d.home_prepared.as_ref().map(|h| h.body.clone()),
            md_site: &md_site,
            templates,
            options: RenderOptions {
                serving: self.options.serving,
            },
            bodies: None,
        };
        f(&pages)
    }

    fn job_path(&self, job: &Job) -> Option<PathBuf> {
        match job {
            Job::Entity(i) => self.derived.tables.paths.get(*i).map(|p| p.output_file()),
            _ => None,
        }
    }

    fn render(&mut self, jobs: &[Job], changed: &mut BTreeSet<PathBuf>) {
        let mut produced = BTreeSet::new();
        self.render_into(jobs, changed, &mut produced);
    }

    /// Renders `jobs` and stores every file whose bytes changed. A page
    /// whose template fails keeps its last good bytes.
    fn render_into(
        &mut self,
        jobs: &[Job],
        changed: &mut BTreeSet<PathBuf>,
        produced: &mut BTreeSet<PathBuf>,
    ) {
        if self.templates.is_none() || jobs.is_empty() {
            return;
        }
        let results = self.pages(|pages| pages.render_some(jobs));
        for (job, result) in results {
            match result {
                Ok(file) => {
                    self.job_errors.remove(&job);
                    produced.insert(file.path.clone());
                    store(&mut self.output, file, changed);
                }
                Err(d) => {
                    self.job_errors.insert(job, d);
                }
            }
        }
    }

    /// Output paths of entities whose file exists but failed to parse: they
    /// keep serving their last good page until the file is fixed.
    fn pages_of_unparsed(&self) -> HashSet<PathBuf> {
        self.unparsed
            .iter()
            .map(|(id, _)| PathBuf::from(format!("{id}/index.html")))
            .collect()
    }

    fn compile_templates(&mut self) {
        self.compile_diags.clear();
        if !self.layer_diags.is_empty() {
            self.templates = None;
            return;
        }
        match templates::compile(self.layers.clone()) {
            Ok(t) => self.templates = Some(t),
            Err(diags) => {
                self.compile_diags = diags;
                self.templates = None;
            }
        }
    }

    /// Re-reads the templates. Returns the jobs whose template (or one it
    /// extends or includes) changed; `None` when everything must go again.
    fn reload_templates(&mut self) -> Option<Vec<Job>> {
        let (layers, layer_diags) = templates::collect(&self.root, &self.config.theme);
        let changed: BTreeSet<String> = layers
            .iter()
            .filter(|(name, (_, text))| self.layers.get(*name).is_none_or(|(_, old)| old != text))
            .map(|(name, _)| name.clone())
            .chain(
                self.layers
                    .keys()
                    .filter(|n| !layers.contains_key(*n))
                    .cloned(),
            )
            .collect();
        let had_templates = self.templates.is_some();
        self.layers = layers;
        self.layer_diags = layer_diags;
        self.compile_templates();
        if self.templates.is_none() {
            return Some(Vec::new());
        }
        if !had_templates {
            return None;
        }
        let affected = affected_templates(&self.layers, &changed);
        let jobs = self.all_jobs();
        Some(
            jobs.into_iter()
                .filter(|j| affected.contains(self.template_of(j)))
                .collect(),
        )
    }

    /// The top-level template a job renders with.
    fn template_of(&self, job: &Job) -> &'static str {
        match job {
            Job::Home => "index.html",
            Job::List(_) => "list.html",
            Job::Entity(i) => match self.derived.entities[*i].kind {
                Kind::Actor => "actor.html",
                Kind::Meeting => "meeting.html",
                Kind::Proposal => "proposal.html",
                Kind::Source => "source.html",
                Kind::Page => "page.html",
            },
            Job::Timeline => "timeline.html",
            Job::Questions => "questions.html",
            Job::Tags => "tags.html",
            Job::Tag(_) => "tag.html",
            Job::Search => "search.html",
            Job::NotFound => "404.html",
            Job::Atom => "atom.xml",
            Job::Sitemap => "sitemap.xml",
            Job::Robots => "robots.txt",
            Job::SearchIndex | Job::DataEntities | Job::DataTimeline => "",
            Job::Map => "map.html",
            Job::EntityFeed(_) => "atom.xml",
        }
    }

    /// Re-parses edited content files. Returns the jobs to re-render, or
    /// `None` when the set of pages changed (a file added, removed, renamed,
    /// broken or drafted) and everything must be rebuilt.
    fn edit_content(&mut self, rels: &[&PathBuf]) -> Option<Vec<Job>> {
        let mut edits: Vec<(Entity, Entity)> = Vec::new();
        let mut home_edited = false;
        for rel in rels {
            self.texts.remove(*rel);
            let text = std::fs::read_to_string(self.root.join(rel)).ok()?;
            let (entity, diags) = content::parse_file(rel, &text);
            let new = entity?;
            if diags
                .iter()
                .any(|d| d.severity == crate::diag::Severity::Error)
            {
                return None;
            }
            self.load_diags.retain(|d| &d.file != *rel);
            if !diags.is_empty() {
                self.load_diags.add_source(rel, &text);
                self.load_diags.extend(diags);
            }
            if new.id == HOME_ID {
                if self.home.as_ref().is_none_or(|h| h.file != **rel) {
                    return None;
                }
                self.home = Some(new);
                home_edited = true;
                continue;
            }
            let slot = self
                .all
                .iter()
                .position(|e| e.file == **rel && e.id == new.id)?;
            if self.all[slot].draft != new.draft {
                return None;
            }
            let old = std::mem::replace(&mut self.all[slot], new.clone());
            edits.push((old, new));
        }
        Some(self.patch(&edits, home_edited))
    }

    /// Patches the derived state after entities changed in place; returns
    /// the jobs whose output can have changed.
    fn patch(&mut self, edits: &[(Entity, Entity)], home_edited: bool) -> Vec<Job> {
        let front_matter_changed = edits.iter().any(|(old, new)| !same_front_matter(old, new));
        let figures_changed = edits
            .iter()
            .any(|(old, new)| render::visuals::Inputs::of(old) != render::visuals::Inputs::of(new));
        let d = &mut self.derived;
        let mut changed: BTreeSet<EntityIdx> = BTreeSet::new();
        let mut face_changed: HashSet<EntityIdx> = HashSet::new();
        // Autolinking finds actor names in bodies: a renamed actor can change
        // the Markdown of any page whose body holds the old or new name.
        let mut names_changed = false;
        let mut names: Vec<String> = Vec::new();
        let mut questions_changed = false;
        let mut kinds: BTreeSet<Kind> = BTreeSet::new();
        // Tags whose pages list a changed face, and tags whose counts changed.
        let mut listed_on: BTreeSet<String> = BTreeSet::new();
        let mut recounted: BTreeSet<String> = BTreeSet::new();
        for (old, new) in edits {
            let Some(i) = d.entities.iter().position(|e| e.id == new.id) else {
                continue;
            };
            d.entities[i] = new.clone();
            changed.insert(i);
            if Face::of(old) != Face::of(new) {
                face_changed.insert(i);
                kinds.insert(new.kind);
                listed_on.extend(
                    old.tags
                        .iter()
                        .chain(&new.tags)
                        .map(|t| render::links::tag_slug(t)),
                );
            }
            if old.tags != new.tags {
                recounted.extend(
                    old.tags
                        .iter()
                        .chain(&new.tags)
                        .map(|t| render::links::tag_slug(t)),
                );
            }
            if self.config.autolink
                && new.kind == Kind::Actor
                && (old.title != new.title || old.aliases != new.aliases)
            {
                names_changed = true;
                names.extend([old.title.clone(), new.title.clone()]);
                names.extend(old.aliases.iter().chain(&new.aliases).cloned());
            }
            questions_changed |= old.questions != new.questions;
        }
        let old_relations = std::mem::take(&mut d.relations);
        d.resolve_diags.clear();
        d.base_relations = resolve::resolve(&mut d.entities, &d.index, &mut d.resolve_diags);
        if names_changed {
            d.tables = Tables::new(&d.entities, &self.config);
        }
        let mentions_name = |text: &str| {
            names
                .iter()
                .any(|n| !n.is_empty() && text.contains(n.as_str()))
        };
        let reprepare: Vec<EntityIdx> = (0..d.entities.len())
            .filter(|i| {
                changed.contains(i)
                    || d.prepared[*i]
                        .links_to
                        .iter()
                        .any(|t| face_changed.contains(t))
                    || (names_changed && mentions_name(&d.entities[*i].body.source))
            })
            .collect();
        let pretty = self.config.pretty_links;
        let md_site = d.tables.markdown(&d.entities, &d.index);
        let fresh = render::prepare_many(&md_site, &reprepare, pretty);
        let mut prepared_changed: BTreeSet<EntityIdx> = BTreeSet::new();
        for (i, p) in reprepare.iter().zip(fresh) {
            if d.prepared[*i] != p {
                prepared_changed.insert(*i);
                d.prepared[*i] = p;
            }
        }
        let home_links_face = d
            .home_prepared
            .as_ref()
            .is_some_and(|h| h.links_to.iter().any(|t| face_changed.contains(t)));
        let home_names = names_changed
            && self
                .home
                .as_ref()
                .is_some_and(|h| mentions_name(&h.body.source));
        let home_changed = home_edited || home_names || home_links_face;
        if home_changed {
            d.home_prepared = self
                .home
                .as_ref()
                .map(|h| render::prepare_home(&md_site, h, pretty));
        }
        let mut relations = d.base_relations.clone();
        render::add_mentions(&mut relations, &d.prepared);
        d.relations = relations;
        d.tag_members = render::tag_members(&d.entities);
        d.tag_counts = render::tag_counts(&d.tag_members);
        let mut jobs: BTreeSet<Job> = BTreeSet::new();
        #[allow(clippy::needless_range_loop)] // i indexes four parallel vectors
        for i in 0..d.entities.len() {
            let touched = changed.contains(&i)
                || prepared_changed.contains(&i)
                || d.relations[i] != old_relations[i]
                || (!face_changed.is_empty()
                    && depends_on(
                        &d.entities[i],
                        &d.relations[i],
                        &d.prepared[i],
                        &face_changed,
                    ))
                || (!recounted.is_empty()
                    && d.entities[i]
                        .tags
                        .iter()
                        .any(|t| recounted.contains(&render::links::tag_slug(t))));
            if touched {
                jobs.insert(Job::Entity(i));
            }
        }
        if !face_changed.is_empty() || home_changed {
            jobs.insert(Job::Home);
        }
        if !face_changed.is_empty() {
            jobs.extend(kinds.iter().map(|k| Job::List(*k)));
            jobs.extend([
                Job::Timeline,
                Job::Questions,
                Job::Tags,
                Job::Atom,
                Job::Sitemap,
            ]);
            jobs.extend(
                listed_on
                    .iter()
                    .chain(&recounted)
                    .filter(|t| d.tag_counts.contains_key(*t))
                    .map(|t| Job::Tag(t.clone())),
            );
        }
        if questions_changed {
            jobs.insert(Job::Questions);
        }
        if !changed.is_empty() {
            jobs.insert(Job::SearchIndex);
        }
        let relations_changed = d.relations != old_relations;
        self.visual_jobs(
            front_matter_changed,
            figures_changed,
            relations_changed,
            &mut jobs,
        );
        jobs.into_iter().collect()
    }

    /// Jobs for the figures, entity feeds, map and data exports. An entity
    /// feed lists what its page lists, so it goes with its page. The
    /// figures show entities two steps away, so when what they read of an
    /// entity changed ([`render::visuals::Inputs`]) every page's figures are
    /// fingerprinted again and the pages whose figures differ are rendered;
    /// a body, summary or question edit changes none of them.
    fn visual_jobs(
        &mut self,
        front_matter_changed: bool,
        figures_changed: bool,
        relations_changed: bool,
        jobs: &mut BTreeSet<Job>,
    ) {
        if figures_changed {
            let fresh = self.visual_fingerprints();
            for (i, (old, new)) in self.visuals.iter().zip(&fresh).enumerate() {
                if old != new {
                    jobs.insert(Job::Entity(i));
                }
            }
            self.visuals = fresh;
            // The stance matrix of `/proposals/` reads supporters,
            // opponents and facts, which are not part of a page's face.
            jobs.extend([Job::List(Kind::Proposal), Job::Map]);
        }
        if front_matter_changed {
            jobs.insert(Job::DataTimeline);
        }
        if front_matter_changed || relations_changed {
            jobs.insert(Job::DataEntities);
        }
        let entities = &self.derived.entities;
        let feeds: Vec<Job> = jobs
            .iter()
            .filter_map(|j| match j {
                Job::Entity(i) if render::visuals::has_feed(entities[*i].kind) => {
                    Some(Job::EntityFeed(*i))
                }
                _ => None,
            })
            .collect();
        jobs.extend(feeds);
    }

    /// [`render::visuals::fingerprint`] of every entity page.
    fn visual_fingerprints(&self) -> Vec<u64> {
        use rayon::prelude::*;
        let d = &self.derived;
        let data = self.site_data();
        (0..d.entities.len())
            .into_par_iter()
            .map(|i| render::visuals::fingerprint(&data, i))
            .collect()
    }

    /// Static files of every layer, by output path.
    fn all_statics(&self) -> BTreeSet<PathBuf> {
        let mut all = BTreeSet::new();
        if self.config.theme == "default" {
            all.extend(
                DEFAULT_THEME
                    .iter()
                    .filter_map(|(p, _)| p.strip_prefix("static/"))
                    .map(PathBuf::from),
            );
        }
        for dir in self.static_dirs() {
            for entry in walkdir::WalkDir::new(&dir)
                .into_iter()
                .flatten()
                .filter(|e| e.file_type().is_file())
            {
                if let Ok(rel) = entry.path().strip_prefix(&dir)
                    && !rel.iter().any(|c| c.to_string_lossy().starts_with('.'))
                {
                    all.insert(rel.to_path_buf());
                }
            }
        }
        all
    }

    /// Static folders, lowest precedence first.
    fn static_dirs(&self) -> [PathBuf; 2] {
        [
            self.root
                .join("themes")
                .join(&self.config.theme)
                .join("static"),
            self.root.join("static"),
        ]
    }

    /// Copies one static file (by output path) from the highest layer that
    /// has it, or removes it when no layer does.
    fn copy_static(&mut self, rel: &Path, changed: &mut BTreeSet<PathBuf>) {
        let from_disk = self
            .static_dirs()
            .iter()
            .rev()
            .find_map(|dir| std::fs::read(dir.join(rel)).ok());
        let builtin = || {
            let wanted = format!("static/{}", rel.to_string_lossy().replace('\\', "/"));
            DEFAULT_THEME
                .iter()
                .find(|(p, _)| *p == wanted)
                .map(|(_, text)| text.as_bytes().to_vec())
        };
        let bytes = from_disk.or_else(|| (self.config.theme == "default").then(builtin).flatten());
        match bytes {
            Some(bytes) => store(
                &mut self.output,
                OutFile {
                    path: rel.to_path_buf(),
                    bytes,
                },
                changed,
            ),
            None => {
                if self.output.remove(rel).is_some() {
                    changed.insert(rel.to_path_buf());
                }
            }
        }
    }

    /// Gathers every diagnostic of the current state, as a full build would.
    fn refresh_diagnostics(&mut self) {
        let d = &self.derived;
        let mut found: Vec<Diagnostic> = Vec::new();
        found.extend(d.resolve_diags.iter().cloned());
        found.extend(self.layer_diags.iter().cloned());
        found.extend(self.compile_diags.iter().cloned());
        found.extend(resolve::warnings::content_warnings(&d.entities));
        if self.templates.is_some() {
            let mut render_diags: Vec<Diagnostic> = d
                .prepared
                .iter()
                .flat_map(|p| p.diagnostics.iter().cloned())
                .collect();
            render_diags.extend(
                d.home_prepared
                    .iter()
                    .flat_map(|h| h.diagnostics.iter().cloned()),
            );
            let mut seen = HashSet::new();
            render_diags.extend(
                self.job_errors
                    .values()
                    .filter(|e| seen.insert(e.message.clone()))
                    .cloned(),
            );
            resolve::add_hints(&d.entities, &d.index, &mut render_diags);
            found.extend(render_diags);
            let menu: Vec<String> = self.config.menu.iter().map(|m| m.url.clone()).collect();
            let mut linked = resolve::warnings::linked_from_menu(&menu, &d.entities);
            linked.extend(
                d.home_prepared
                    .iter()
                    .flat_map(|h| h.links_to.iter().copied()),
            );
            found.extend(resolve::warnings::orphans(
                &d.entities,
                &d.relations,
                &linked,
            ));
            found.extend(resolve::lint::lint(&d.entities, &d.relations, &self.config));
        }
        let mut all = Diagnostics::default();
        all.merge(clone_diagnostics(&self.config_diags));
        all.merge(clone_diagnostics(&self.load_diags));
        for (_, (origin, text)) in self.layers.iter() {
            let path = origin.display_path();
            if found.iter().any(|f| f.file == path) {
                all.add_source(&path, text);
            }
        }
        let mut files: Vec<PathBuf> = found
            .iter()
            .filter(|f| f.span.is_some())
            .map(|f| f.file.clone())
            .collect();
        files.sort();
        files.dedup();
        for file in files {
            if !self.texts.contains_key(&file)
                && let Ok(text) = std::fs::read_to_string(self.root.join(&file))
            {
                self.texts.insert(file.clone(), text);
            }
            if let Some(text) = self.texts.get(&file) {
                all.add_source(&file, text);
            }
        }
        all.extend(found);
        self.diagnostics = all;
    }
}

impl Derived {
    fn empty(config: &Config) -> Self {
        Derived {
            entities: Vec::new(),
            index: Index::default(),
            base_relations: Vec::new(),
            relations: Vec::new(),
            resolve_diags: Vec::new(),
            tables: Tables::new(&[], config),
            prepared: Vec::new(),
            home_prepared: None,
            tag_counts: BTreeMap::new(),
            tag_members: BTreeMap::new(),
        }
    }

    /// Resolves and renders the Markdown of every entity.
    fn build(
        all: &[Entity],
        home: Option<&Entity>,
        unparsed: &[(String, String)],
        config: &Config,
        options: &CompileOptions,
    ) -> Self {
        let (mut entities, drafts): (Vec<Entity>, Vec<Entity>) = all
            .iter()
            .cloned()
            .partition(|e| options.drafts || !e.draft);
        let index = Index::new(&entities, &drafts).with_unparsed(unparsed);
        let mut resolve_diags = Vec::new();
        let base_relations = resolve::resolve(&mut entities, &index, &mut resolve_diags);
        let tables = Tables::new(&entities, config);
        let md_site = tables.markdown(&entities, &index);
        let every: Vec<EntityIdx> = (0..entities.len()).collect();
        let prepared = render::prepare_many(&md_site, &every, config.pretty_links);
        let home_prepared = home.map(|h| render::prepare_home(&md_site, h, config.pretty_links));
        let mut relations = base_relations.clone();
        render::add_mentions(&mut relations, &prepared);
        let tag_members = render::tag_members(&entities);
        let tag_counts = render::tag_counts(&tag_members);
        Derived {
            entities,
            index,
            base_relations,
            relations,
            resolve_diags,
            tables,
            prepared,
            home_prepared,
            tag_counts,
            tag_members,
        }
    }
}

fn load_config(root: &Path, options: &CompileOptions) -> (Config, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut config = config::load(root, &mut diags);
    if let Some(url) = &options.base_url {
        config.set_base_url(url);
    }
    (config, diags)
}

fn clone_diagnostics(d: &Diagnostics) -> Diagnostics {
    let mut copy = Diagnostics::default();
    copy.extend(d.items().iter().cloned());
    for file in d
        .items()
        .iter()
        .map(|i| i.file.clone())
        .collect::<BTreeSet<_>>()
    {
        if let Some(text) = d.source(&file) {
            copy.add_source(&file, text);
        }
    }
    copy
}

/// Stores a rendered file if its bytes differ from what is there.
fn store(
    output: &mut BTreeMap<PathBuf, Arc<[u8]>>,
    file: OutFile,
    changed: &mut BTreeSet<PathBuf>,
) {
    if output
        .get(&file.path)
        .is_some_and(|old| **old == *file.bytes)
    {
        return;
    }
    changed.insert(file.path.clone());
    output.insert(file.path, Arc::from(file.bytes));
}

/// Whether an edit left everything but the Markdown body as it was: then
/// no figure, map or data export can change.
fn same_front_matter(old: &Entity, new: &Entity) -> bool {
    let strip = |e: &Entity| Entity {
        body: Default::default(),
        ..e.clone()
    };
    strip(old) == strip(new)
}

/// What other pages show of an entity: when this changes, the pages that
/// list or link it must be rendered again.
#[derive(PartialEq)]
struct Face<'a> {
    title: &'a str,
    summary: Option<&'a str>,
    date: Option<crate::content::model::Date>,
    updated: Option<crate::content::model::Date>,
    status: Option<String>,
    tags: &'a [String],
    aliases: &'a [String],
    weight: Option<i64>,
    kind_data: Option<(Option<&'a str>, Option<&'a str>)>,
}

impl<'a> Face<'a> {
    fn of(e: &'a Entity) -> Self {
        let source_face = match &e.data {
            KindData::Source(s) => Some((s.publisher.as_deref(), s.url.as_deref())),
            _ => None,
        };
        Face {
            title: &e.title,
            summary: e.summary.as_deref(),
            date: e.date(),
            updated: e.updated,
            status: views::status_of(e),
            tags: &e.tags,
            aliases: &e.aliases,
            weight: e.weight,
            kind_data: source_face,
        }
    }
}

/// Whether entity `e`'s page shows anything of the entities in `faces`:
/// through a typed ref, a relation, a citation or a link in its text.
fn depends_on(
    e: &Entity,
    relations: &resolve::Backlinks,
    prepared: &Prepared,
    faces: &HashSet<EntityIdx>,
) -> bool {
    let hit = |r: &Ref| r.target.is_some_and(|t| faces.contains(&t));
    let typed = match &e.data {
        KindData::Actor(a) => a.affiliation.iter().chain(&a.members).any(hit),
        KindData::Meeting(m) => m
            .host
            .iter()
            .chain(m.participants.iter().map(|p| &p.actor))
            .chain(&m.proposals)
            .any(hit),
        KindData::Proposal(p) => p
            .proposed_by
            .iter()
            .chain(&p.supporters)
            .chain(&p.opponents)
            .any(hit),
        KindData::Source(_) | KindData::Page => false,
    };
    typed
        || e.sources.iter().any(hit)
        || e.key_facts.iter().flat_map(|f| &f.sources).any(hit)
        || prepared.links_to.iter().any(|t| faces.contains(t))
        || relations.shown().any(|t| faces.contains(&t))
}

/// Top-level templates that use any of `changed`, directly or through
/// `extends`, `include` or `import`.
fn affected_templates(layers: &Layers, changed: &BTreeSet<String>) -> HashSet<String> {
    let uses: BTreeMap<&str, Vec<String>> = layers
        .iter()
        .map(|(name, (_, text))| (name.as_str(), referenced_templates(text)))
        .collect();
    let mut affected: HashSet<String> = changed.iter().cloned().collect();
    loop {
        let before = affected.len();
        for (name, refs) in &uses {
            if refs.iter().any(|r| affected.contains(r)) {
                affected.insert((*name).to_owned());
            }
        }
        if affected.len() == before {
            return affected;
        }
    }
}

/// Names in `{% extends "x" %}`, `{% include "y" %}` and `{% import "z" %}`.
fn referenced_templates(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for keyword in ["extends", "include", "import"] {
        for part in text.split(keyword).skip(1) {
            let part = part.trim_start();
            let Some(quote) = part.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(name) = part[1..].split(quote).next() {
                names.push(name.to_owned());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_references_are_found() {
        let text = "{% extends \"entity.html\" %}{% include 'partials/x.html' %}";
        assert_eq!(
            referenced_templates(text),
            ["entity.html", "partials/x.html"]
        );
    }

    #[test]
    fn a_partial_change_affects_every_template_using_it() {
        let mut layers = Layers::new();
        let o = || Origin::Builtin(String::new());
        layers.insert("base.html".into(), (o(), "base".into()));
        layers.insert(
            "entity.html".into(),
            (
                o(),
                "{% extends \"base.html\" %}{% include \"partials/k.html\" %}".into(),
            ),
        );
        layers.insert(
            "actor.html".into(),
            (o(), "{% extends \"entity.html\" %}".into()),
        );
        layers.insert(
            "list.html".into(),
            (o(), "{% extends \"base.html\" %}".into()),
        );
        layers.insert("partials/k.html".into(), (o(), "k".into()));
        let hit = affected_templates(&layers, &BTreeSet::from(["partials/k.html".to_owned()]));
        assert!(hit.contains("actor.html") && hit.contains("entity.html"));
        assert!(!hit.contains("list.html"));
    }
}
