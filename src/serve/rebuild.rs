//! SERVE: the pipeline's data kept between rebuilds, so a change re-runs
//! only the part it touches.
//!
//! A [`Session`] holds the parsed site, what was computed from it
//! ([`Derived`]: resolved refs, relations, every entity's rendered
//! Markdown), every rendered page and each entity's diagnostics, in
//! memory. An edit to content files re-parses those files and patches the
//! derived state ([`Derived::patch`]); [`affected`] turns what changed into
//! the pages to render again, and [`Checks`] checks again only what the
//! edit can reach. No step of an edit passes over the whole site: the
//! pages to render are found by following backlinks from what changed,
//! and the figures (relation maps, timelines, stance matrices), which
//! show entities two steps away, are fingerprinted again only within that
//! reach. A template change re-renders the pages using that template; a
//! static file is copied alone; `site.yaml`, and files appearing or
//! disappearing, rebuild everything. Whatever the path, only files whose
//! bytes changed are replaced, and a property test checks that the result
//! equals a full build.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::affected;
use super::checks::Checks;
use super::derived::{Changes, Derived, Edit};
use crate::cmd::CompileOptions;
use crate::config::{self, Config};
use crate::content::model::{Entity, EntityIdx, Kind};
use crate::content::{self, HOME_ID};
use crate::diag::{Diagnostic, Diagnostics};
use crate::render::links::{Linker, SitePath};
use crate::render::paginate::{Listed, Listing, changed_pages, page_count};
use crate::render::site_pages::{Job, Pages};
use crate::render::stance::{self, StanceMatrix};
use crate::render::templates::{self, DEFAULT_THEME, Origin, Templates};
use crate::render::{self, OutFile, RenderOptions, exports, views};

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
    /// Each entity's diagnostics.
    checks: Checks,
    /// Each entity's line of `data/entities.json`.
    entity_lines: Vec<String>,
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
    /// The stance matrix of `/proposals/`, its only part that reads more
    /// than the faces of the proposals it lists.
    list_stances: Option<StanceMatrix>,
    /// Every listing's entries as its pages show them, to find the pages
    /// an edit moves entries across.
    listings: BTreeMap<Listing, Listed>,
    /// Jobs [`Session::apply_pages_first`] left for [`Session::finish`].
    waiting: BTreeSet<Job>,
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

impl Outcome {
    /// Adds what a later step of the same rebuild did.
    pub fn add(&mut self, later: Outcome) {
        self.changed.extend(later.changed);
        self.rendered += later.rendered;
        self.full |= later.full;
    }
}

/// Files a writer does not look at while editing, rendered just after the
/// pages ([`Session::apply_pages_first`]): exports, search index, feeds,
/// sitemap and robots.
fn can_wait(job: &Job) -> bool {
    matches!(
        job,
        Job::DataEntities
            | Job::DataTimeline
            | Job::SearchIndex
            | Job::Atom
            | Job::EntityFeed(_)
            | Job::Sitemap
            | Job::Robots
    )
}

impl Session {
    /// Builds the whole site in memory.
    pub fn new(root: &Path, options: CompileOptions) -> Self {
        let (config, config_diags) = load_config(root, &options);
        let empty = Derived::empty(&config);
        let checks = Checks::new(&empty, &config);
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
            checks,
            derived: empty,
            entity_lines: Vec::new(),
            job_errors: BTreeMap::new(),
            output: BTreeMap::new(),
            texts: BTreeMap::new(),
            diagnostics: Diagnostics::default(),
            visuals: Vec::new(),
            list_stances: None,
            listings: BTreeMap::new(),
            waiting: BTreeSet::new(),
        };
        session.rebuild_all();
        session
    }

    /// Every file to serve or write, by output path.
    pub fn output(&self) -> &BTreeMap<PathBuf, Arc<[u8]>> {
        &self.output
    }

    /// Takes the output away to hand it to the HTTP side; give a copy
    /// back with [`Session::restore_output`] before the next change.
    pub fn take_output(&mut self) -> BTreeMap<PathBuf, Arc<[u8]>> {
        std::mem::take(&mut self.output)
    }

    pub fn restore_output(&mut self, output: BTreeMap<PathBuf, Arc<[u8]>>) {
        self.output = output;
    }

    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether the site has, or had at its last build, a content file under
    /// `rel` (relative to the root): a folder deleted or renamed away.
    pub fn has_content_under(&self, rel: &Path) -> bool {
        let files = self.all.iter().chain(&self.home).map(|e| e.file.as_path());
        files.into_iter().any(|f| f.starts_with(rel))
            || self
                .unparsed
                .iter()
                .any(|(id, _)| Path::new("content").join(id).starts_with(rel))
    }

    /// Entity pages in this build (drafts left out are not counted).
    pub fn entity_count(&self) -> usize {
        self.derived.entities.len()
    }

    /// Applies a batch of changes, rebuilding as little as possible.
    pub fn apply(&mut self, changes: &[Change]) -> Outcome {
        let mut outcome = self.apply_pages_first(changes);
        outcome.add(self.finish());
        outcome
    }

    /// Like [`Session::apply`], but leaves the files nobody looks at while
    /// writing ([`can_wait`]: the data exports, search index, feeds,
    /// sitemap) for [`Session::finish`]. `serve` publishes the pages in
    /// between: `data/entities.json` alone is tens of megabytes on a large
    /// site, and joining it again took longer than the pages of an edit.
    pub fn apply_pages_first(&mut self, changes: &[Change]) -> Outcome {
        if changes.contains(&Change::Everything) {
            return self.rebuild_all();
        }
        let mut jobs: BTreeSet<Job> = BTreeSet::new();
        let mut figures: BTreeSet<EntityIdx> = BTreeSet::new();
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
            match self.edit_content(&content, &mut outcome.changed) {
                Some(work) => {
                    jobs.extend(work.jobs);
                    figures = work.figures;
                }
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
        let (later, now): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(can_wait);
        self.waiting.extend(later);
        let mut produced = BTreeSet::new();
        outcome.rendered = self.render_into(&now, &figures, &mut outcome.changed, &mut produced);
        self.refresh_diagnostics();
        outcome
    }

    /// Renders what [`Session::apply_pages_first`] left waiting.
    pub fn finish(&mut self) -> Outcome {
        let jobs: Vec<Job> = std::mem::take(&mut self.waiting).into_iter().collect();
        let mut outcome = Outcome::default();
        if jobs.is_empty() {
            return outcome;
        }
        let mut produced = BTreeSet::new();
        outcome.rendered =
            self.render_into(&jobs, &BTreeSet::new(), &mut outcome.changed, &mut produced);
        self.refresh_diagnostics();
        outcome
    }

    /// Reads, resolves and renders everything again; replaces only the
    /// output files whose bytes changed.
    pub fn rebuild_all(&mut self) -> Outcome {
        // Everything is rendered below, what was waiting too.
        self.waiting.clear();
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
        self.checks = Checks::new(&self.derived, &self.config);
        self.visuals = self.visual_fingerprints();
        self.list_stances = self.stances_of_list();
        self.listings = self.all_listings();
        self.entity_lines = self.lines_of(0..self.derived.entities.len());
        let jobs = self.all_jobs();
        let mut outcome = Outcome {
            full: true,
            ..Outcome::default()
        };
        let before: BTreeSet<PathBuf> = self.output.keys().cloned().collect();
        let mut produced = BTreeSet::new();
        self.job_errors.clear();
        outcome.rendered =
            self.render_into(&jobs, &BTreeSet::new(), &mut outcome.changed, &mut produced);
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
            orders: Default::default(),
        };
        f(&pages)
    }

    fn job_path(&self, job: &Job) -> Option<PathBuf> {
        match job {
            Job::Entity(i) => self.derived.tables.paths.get(*i).map(|p| p.output_file()),
            _ => None,
        }
    }

    /// Renders `jobs`, and the entity pages of `figures` whose figures
    /// changed ([`render::visuals::fingerprint`]), and stores every file
    /// whose bytes changed; returns how many pages were rendered. A page
    /// whose template fails keeps its last good bytes.
    ///
    /// The fingerprints are taken in the same parallel pass as the pages:
    /// the site-wide pages, which take longest, start at once.
    fn render_into(
        &mut self,
        jobs: &[Job],
        figures: &BTreeSet<EntityIdx>,
        changed: &mut BTreeSet<PathBuf>,
        produced: &mut BTreeSet<PathBuf>,
    ) -> usize {
        if self.templates.is_none() || (jobs.is_empty() && figures.is_empty()) {
            return 0;
        }
        let tasks = tasks(jobs, figures);
        let done: Vec<Done> = self.pages(|pages| {
            tasks
                .par_iter()
                // One task at a time: a few site pages take most of the
                // time, and each core must be free to take the next.
                .with_max_len(1)
                .map(|task| self.run(pages, task))
                .collect()
        });
        self.keep(done, changed, produced)
    }

    /// Runs one task of a render pass; changes nothing.
    fn run(&self, pages: &Pages<'_>, task: &Task) -> Done {
        let (job, print) = match *task {
            Task::Job(ref job) => (Some(job.clone()), None),
            Task::Figures(i, always) => {
                let print = render::visuals::fingerprint(pages.data, i);
                let redraw = always || print != self.visuals[i];
                (redraw.then_some(Job::Entity(i)), Some((i, print)))
            }
        };
        let file = job.map(|job| {
            let file = match job {
                Job::DataEntities => {
                    Ok(exports::entities_from_lines(pages.data, &self.entity_lines))
                }
                _ => pages.render_job(&job),
            };
            (job, file.map(|f| Fresh::compare(&self.output, f)))
        });
        Done { file, print }
    }

    /// Stores what a render pass did; returns how many pages it rendered.
    fn keep(
        &mut self,
        done: Vec<Done>,
        changed: &mut BTreeSet<PathBuf>,
        produced: &mut BTreeSet<PathBuf>,
    ) -> usize {
        let mut rendered = 0;
        for done in done {
            if let Some((i, print)) = done.print {
                self.visuals[i] = print;
            }
            let Some((job, result)) = done.file else {
                continue;
            };
            rendered += 1;
            match result {
                Ok(fresh) => {
                    self.job_errors.remove(&job);
                    produced.insert(fresh.path.clone());
                    if let Some(bytes) = fresh.bytes {
                        changed.insert(fresh.path.clone());
                        self.output.insert(fresh.path, bytes);
                    }
                }
                Err(d) => {
                    self.job_errors.insert(job, d);
                }
            }
        }
        rendered
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
            Job::List(..) => "list.html",
            Job::Entity(i) => match self.derived.entities[*i].kind {
                Kind::Actor => "actor.html",
                Kind::Meeting => "meeting.html",
                Kind::Proposal => "proposal.html",
                Kind::Source => "source.html",
                Kind::Page => "page.html",
            },
            Job::Timeline => "timeline.html",
            Job::Questions(_) => "questions.html",
            Job::Tags => "tags.html",
            Job::Tag(..) => "tag.html",
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
    fn edit_content(&mut self, rels: &[&PathBuf], changed: &mut BTreeSet<PathBuf>) -> Option<Work> {
        let mut edits: Vec<Edit> = Vec::new();
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
            // A draft left out of this build shows nowhere.
            let Some(i) = self.derived.index.position(&new.id) else {
                continue;
            };
            match edits.iter_mut().find(|e| e.i == i) {
                Some(earlier) => earlier.new = new,
                None => edits.push(Edit { i, old, new }),
            }
        }
        Some(self.patch(&edits, home_edited, changed))
    }

    /// Patches the derived state after entities changed in place; returns
    /// what to render again. Pages of tags no page carries any more are
    /// removed (and added to `changed`).
    fn patch(
        &mut self,
        edits: &[Edit],
        home_edited: bool,
        changed: &mut BTreeSet<PathBuf>,
    ) -> Work {
        let changes = self
            .derived
            .patch(edits, self.home.as_ref(), home_edited, &self.config);
        self.checks.update(&self.derived, &self.config, &changes);
        let mut jobs = affected::jobs(&self.derived, &changes);
        if changes.figures && self.restance_list() {
            // The stance matrix is on the first page only.
            jobs.insert(Job::List(Kind::Proposal, 1));
        }
        if self.refresh_entity_lines(&changes) {
            jobs.insert(Job::DataEntities);
        }
        let listings = affected::listings(&self.derived, &changes);
        jobs.extend(self.listing_pages(listings, changed));
        Work {
            jobs,
            figures: changes.figure_pages,
        }
    }

    /// Every listing of the site, with its entries.
    fn all_listings(&self) -> BTreeMap<Listing, Listed> {
        let data = self.site_data();
        let tags = self
            .derived
            .tag_counts
            .keys()
            .map(|t| Listing::Tag(t.clone()));
        Kind::ALL
            .iter()
            .map(|&k| Listing::Kind(k))
            .chain([Listing::Questions])
            .chain(tags)
            .map(|listing| {
                let listed = Listed::of(&data, &listing);
                (listing, listed)
            })
            .collect()
    }

    /// The pages of the listings an edit reached ([`affected::listings`])
    /// to render again: those whose entries moved or changed, or all of
    /// a listing's pages when what they all show of it changed. Pages past
    /// a listing's new end, and every page of a tag no page carries any
    /// more, are removed (and added to `changed`).
    fn listing_pages(
        &mut self,
        reached: BTreeMap<Listing, HashSet<EntityIdx>>,
        changed: &mut BTreeSet<PathBuf>,
    ) -> Vec<Job> {
        let per_page = self.config.paginate_by;
        let mut jobs = Vec::new();
        for (listing, touched) in reached {
            let exists = match &listing {
                Listing::Tag(slug) => self.derived.tag_counts.contains_key(slug),
                _ => true,
            };
            let fresh = Listed::of(&self.site_data(), &listing);
            let old = self.listings.remove(&listing);
            let old_count = old
                .as_ref()
                .map_or(0, |o| page_count(o.members.len(), per_page));
            let new_count = if exists {
                page_count(fresh.members.len(), per_page)
            } else {
                0
            };
            let pages: Vec<usize> = match &old {
                Some(o) if o.totals == fresh.totals => {
                    changed_pages(&o.members, &fresh.members, &touched, per_page)
                        .into_iter()
                        .collect()
                }
                _ => (1..=new_count).collect(),
            };
            for gone in new_count + 1..=old_count {
                self.job_errors.remove(&listing.job(gone));
                let file = listing.path(gone).output_file();
                if self.output.remove(&file).is_some() {
                    changed.insert(file);
                }
            }
            if exists {
                jobs.extend(pages.into_iter().map(|n| listing.job(n)));
                self.listings.insert(listing, fresh);
            }
        }
        jobs
    }

    /// Computes the stance matrix of `/proposals/` again; returns whether
    /// it changed.
    fn restance_list(&mut self) -> bool {
        let fresh = self.stances_of_list();
        let changed = fresh != self.list_stances;
        self.list_stances = fresh;
        changed
    }

    /// The stance matrix `/proposals/` shows.
    fn stances_of_list(&self) -> Option<StanceMatrix> {
        let linker = Linker::for_page(
            &SitePath::of(&[Kind::Proposal.dir()]),
            self.config.pretty_links,
        );
        stance::for_list(&self.site_data(), Kind::Proposal, &linker)
    }

    /// [`render::visuals::fingerprint`] of every entity page.
    fn visual_fingerprints(&self) -> Vec<u64> {
        let data = self.site_data();
        (0..self.derived.entities.len())
            .into_par_iter()
            .map(|i| render::visuals::fingerprint(&data, i))
            .collect()
    }

    /// Serialises again the `data/entities.json` lines of the entities a
    /// patch changed (their text, Markdown or backlinks: a line shows
    /// nothing else); returns whether any line changed.
    fn refresh_entity_lines(&mut self, c: &Changes) -> bool {
        let dirty = c.own_pages();
        let fresh = self.lines_of(dirty.iter().copied());
        let mut changed = false;
        for (i, line) in dirty.into_iter().zip(fresh) {
            if self.entity_lines[i] != line {
                self.entity_lines[i] = line;
                changed = true;
            }
        }
        changed
    }

    /// Lines of `data/entities.json` ([`exports::entity_line`]).
    fn lines_of(&self, which: impl Iterator<Item = EntityIdx>) -> Vec<String> {
        let data = self.site_data();
        let which: Vec<EntityIdx> = which.collect();
        which
            .par_iter()
            .map(|&i| exports::entity_line(&data, i))
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
        found.extend(self.checks.resolve().cloned());
        found.extend(self.layer_diags.iter().cloned());
        found.extend(self.compile_diags.iter().cloned());
        found.extend(self.checks.warnings().cloned());
        if self.templates.is_some() {
            found.extend(self.checks.markdown().cloned());
            let mut seen = HashSet::new();
            found.extend(
                self.job_errors
                    .values()
                    .filter(|e| seen.insert(e.message.clone()))
                    .cloned(),
            );
            found.extend(self.checks.orphans(d));
            found.extend(self.checks.lint().cloned());
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

/// What a content edit leaves to render: jobs, and the entity pages whose
/// figures may have changed, to render if their fingerprint did.
struct Work {
    jobs: BTreeSet<Job>,
    figures: BTreeSet<EntityIdx>,
}

/// One task of a render pass.
enum Task {
    Job(Job),
    /// Fingerprint entity `i`'s figures, and render its page when they
    /// changed — or always, when the page is to be rendered anyway.
    Figures(EntityIdx, bool),
}

/// What a task did: the job it ran with its result, and a fingerprint.
struct Done {
    file: Option<(Job, Result<Fresh, Diagnostic>)>,
    print: Option<(EntityIdx, u64)>,
}

/// The tasks for `jobs` and `figures`: pages about the whole site first,
/// as they take longest, then the entity pages fill both cores to the end.
fn tasks(jobs: &[Job], figures: &BTreeSet<EntityIdx>) -> Vec<Task> {
    let mut site: Vec<Task> = Vec::new();
    let mut pages: Vec<Task> = Vec::new();
    for job in jobs {
        match job {
            Job::Entity(i) if figures.contains(i) => {}
            Job::Entity(_) | Job::EntityFeed(_) => pages.push(Task::Job(job.clone())),
            _ => site.push(Task::Job(job.clone())),
        }
    }
    pages.extend(
        figures
            .iter()
            .map(|&i| Task::Figures(i, jobs.contains(&Job::Entity(i)))),
    );
    site.extend(pages);
    site
}

/// A rendered file, compared with what is served: `bytes` only when they
/// differ. Done where the file is rendered, in parallel: the search index
/// and the data export are megabytes.
struct Fresh {
    path: PathBuf,
    bytes: Option<Arc<[u8]>>,
}

impl Fresh {
    fn compare(output: &BTreeMap<PathBuf, Arc<[u8]>>, file: OutFile) -> Self {
        let same = output
            .get(&file.path)
            .is_some_and(|old| **old == *file.bytes);
        Fresh {
            bytes: (!same).then(|| Arc::from(file.bytes)),
            path: file.path,
        }
    }
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
