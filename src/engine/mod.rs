//! ENGINE: the one pipeline — load → resolve → render — that every command
//! runs. `build` runs it once from nothing ([`run_once`]) and streams the
//! pages to its writer; `check` runs it without writing; `serve` keeps an
//! [`Engine`] alive and feeds it the files that changed.
//!
//! What each output read of the site is recorded while it renders (see
//! [`crate::render::site`]): after a change the engine derives the site
//! again where the change reaches ([`state`]), compares the value of every
//! key some output read ([`prints`]) and renders again exactly the outputs
//! whose reads changed ([`graph`]). Nothing here knows what a page shows:
//! a new relation or a new site page needs no change in this folder.

pub mod blob;
pub mod build;
pub mod cache;
pub mod content;
mod diagnostics;
pub mod graph;
mod inputs;
mod jobs;
pub mod memo;
pub mod outputs;
pub mod parses;
pub mod persist;
pub mod prints;
mod queue;
mod shards;
pub mod state;
mod statics;
mod templates;
mod views;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::cmd::CompileOptions;
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::render::site::{Assets, Entities, Key, PreparedTable, Reads, Rels, SiteData, Tags};
use crate::render::site_pages::{Job, Pages};
use crate::render::{OutFile, RenderOptions, entity_feeds, exports};
use blob::Blob;
pub use build::run_once;
use content::Content;
use graph::Graph;
use prints::Interner;
use state::State;
use templates::TemplateState;

/// A change the watcher saw, already classified.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// A file or folder under `content/`, relative to the site root.
    Content(PathBuf),
    /// Anything under `templates/` or a theme's `templates/`.
    Template,
    /// A static file: its path relative to the output root.
    Static(PathBuf),
    /// `site.yaml`: everything may change.
    Everything,
    /// A picture file beside the content, relative to the site root: the
    /// engine finds the pages showing it.
    Picture(PathBuf),
}

/// What one run of the engine did, for the terminal and live reload.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Output files whose bytes changed, were added or were removed.
    pub changed: BTreeSet<PathBuf>,
    /// Outputs rendered (whether or not their bytes changed).
    pub rendered: usize,
    /// Whether everything was rendered again (a configuration change).
    pub full: bool,
    /// Output paths rendered, when [`Engine::render_next`] was asked to
    /// say.
    pub paths: Vec<PathBuf>,
}

impl Outcome {
    /// Adds what a later step of the same run did.
    pub fn add(&mut self, later: Outcome) {
        self.changed.extend(later.changed);
        self.rendered += later.rendered;
        self.full |= later.full;
        self.paths.extend(later.paths);
    }
}

/// One output rendered: its path, its file or template error, and the
/// keys it read.
type Rendered = (PathBuf, Result<OutFile, Diagnostic>, Vec<Key>);

/// A [`Rendered`] output packed for keeping ([`Blob`]), with its path.
type Packed = (PathBuf, Result<(PathBuf, Blob), Diagnostic>, Vec<Key>);

/// The engine kept alive between changes: the derived site, the recorded
/// reads of every output and the output itself, in memory.
pub struct Engine {
    root: PathBuf,
    options: CompileOptions,
    ids: Interner,
    state: State,
    config_diags: Diagnostics,
    templates: TemplateState,
    graph: Graph,
    output: outputs::Outputs,
    /// The template error of each output that failed to render.
    job_errors: BTreeMap<PathBuf, Diagnostic>,
    /// Pages [`Engine::plan`] listed and [`Engine::render_next`] has not
    /// rendered yet, with their output paths.
    pending: Vec<(Job, PathBuf)>,
    /// Outputs [`Engine::update`] left for [`Engine::finish`].
    /// with their output paths: a job names entities by index, and when
    /// indices move the path finds the job again ([`Engine::list_jobs`]).
    waiting: Vec<(Job, PathBuf)>,
    /// Every job of the site with its output path, kept while the set of
    /// pages stays the same.
    jobs: Vec<(Job, PathBuf)>,
    /// Each job's place in `jobs`, by output path.
    job_index: std::collections::HashMap<PathBuf, usize>,
    diagnostics: Diagnostics,
    /// Texts of files diagnostics point into, until the file changes.
    texts: std::collections::HashMap<PathBuf, String>,
    /// The engines of the site's other languages, whose outputs this
    /// one's output holds under their folders ([`views`]).
    views: Vec<Engine>,
}

/// The site as pages read it, through `reads`.
pub fn site_data<'a>(state: &'a State, reads: &'a Reads) -> SiteData<'a> {
    SiteData {
        config: &state.config,
        base: state.config.base(),
        entities: Entities::new(&state.content.entities, &state.eids, reads),
        paths: &state.tables.paths,
        relations: Rels::new(&state.relations, &state.eids, reads),
        prepared: PreparedTable::new(&state.prepared, &state.eids, reads),
        tags: Tags::new(&state.tags, reads),
        assets: Assets::new(&state.statics.table, reads),
        reads,
    }
}

/// Files a writer does not look at while editing: rendered after the pages.
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

impl Engine {
    /// Loads, derives and renders the whole site, recording every read.
    pub fn new(root: &Path, options: CompileOptions) -> Self {
        let mut engine = Engine::start(root, options);
        engine.finish();
        engine
    }

    /// Loads and derives the site in the language of `config`, rendering
    /// nothing; entities keep the numbers `ids` already gave them.
    /// With `memo`, Markdown it holds is not rendered again ([`memo`]);
    /// with `parses`, files whose bytes it holds are not parsed again
    /// ([`parses`]).
    fn load(
        root: &Path,
        options: CompileOptions,
        mut ids: Interner,
        (config, mut config_diags): (Config, Diagnostics),
        (memo, parses): (Option<memo::Memo>, Option<&mut parses::Parses>),
    ) -> Self {
        let mut clock = Trace::start();
        let drafts = options.drafts;
        let content = Content::load_with(root, &config, drafts, &mut config_diags, parses);
        clock.lap("content");
        let state = State::derive(config, content, &mut ids, (false, true), memo);
        clock.lap("derive");
        let templates = TemplateState::load(root, &state.config);
        clock.lap("templates");
        let mut engine = Engine {
            root: root.to_path_buf(),
            options,
            ids,
            state,
            config_diags,
            templates,
            graph: Graph::default(),
            output: outputs::Outputs::default(),
            job_errors: BTreeMap::new(),
            pending: Vec::new(),
            waiting: Vec::new(),
            jobs: Vec::new(),
            job_index: Default::default(),
            diagnostics: Diagnostics::default(),
            texts: Default::default(),
            views: Vec::new(),
        };
        engine.state.prints.templates = engine.templates.prints();
        // Pages link static files by their published names.
        engine.state.statics = statics::Statics::load(root, &engine.state.config);
        engine.state.prints.assets = engine.state.statics.table.prints();
        engine
    }

    /// Every file to serve or write, by output path, unpacked: a copy of
    /// the whole output, for tests and tools.
    pub fn output(&self) -> BTreeMap<PathBuf, Arc<[u8]>> {
        self.output
            .iter()
            .map(|(path, blob)| (path.clone(), Arc::from(blob.bytes().as_ref())))
            .collect()
    }

    /// Every file to serve or write, by output path, as held.
    pub fn blobs(&self) -> &BTreeMap<PathBuf, Blob> {
        &self.output
    }

    /// The output paths written or removed since the last call (every
    /// path the first time): what `serve` hands the HTTP side.
    pub fn take_changed(&mut self) -> BTreeSet<PathBuf> {
        self.output.take_changed()
    }

    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// Entity pages in this build (drafts left out are not counted).
    pub fn entity_count(&self) -> usize {
        self.state.content.entities.len()
    }

    /// Whether the site has, or had, a content file under `rel`.
    pub fn has_content_under(&self, rel: &Path) -> bool {
        self.state.content.has_under(rel)
    }

    /// Applies a batch of changes and renders everything they reach.
    pub fn apply(&mut self, changes: &[Change]) -> Outcome {
        let mut outcome = self.update(changes, &[]);
        outcome.add(self.finish());
        outcome
    }

    /// Applies a batch of changes and renders the pages they reach, the
    /// pages at `first` (output paths) before all others; leaves the files
    /// nobody looks at while editing ([`can_wait`]) for [`Engine::finish`].
    pub fn update(&mut self, changes: &[Change], first: &[PathBuf]) -> Outcome {
        let mut outcome = self.plan(changes);
        outcome.add(self.render_next(first, usize::MAX));
        self.settle();
        outcome
    }

    /// The first step of an update: takes in the changes, derives the
    /// site again where they reach, and lists the pages to render again
    /// ([`Engine::pending`]); renders none of them. Static files are
    /// copied, and outputs the site no longer has are removed.
    fn plan_own(&mut self, changes: &[Change]) -> Outcome {
        let mut outcome = Outcome::default();
        if changes.contains(&Change::Everything) {
            self.reset();
            self.render_everything(&mut outcome);
            return outcome;
        }
        let mut clock = Trace::start();
        let old = std::mem::take(&mut self.state.prints);
        let content: Vec<PathBuf> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Content(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        outcome.add(self.render_pending_of(&content));
        self.texts
            .retain(|file, _| !content.iter().any(|c| file.starts_with(c)));
        let kept = self.pages_of_unparsed();
        let applied = self.state.content.apply(&self.root, &content);
        clock.lap("content");
        if changes.contains(&Change::Template) {
            self.templates = TemplateState::load(&self.root, &self.state.config);
        }
        self.refresh_statics(changes, &mut outcome);
        self.state.prints = old.clone();
        self.state.prints.templates = self.templates.prints();
        self.state.prints.assets = self.state.statics.table.prints();
        self.state.update(&applied, &mut self.ids);
        clock.lap("derive");
        let new = &self.state.prints;
        let changed_keys = new.changed_since(&old).unwrap_or_else(|| {
            self.graph
                .keys()
                .filter(|k| old.get(k) != new.get(k))
                .copied()
                .collect()
        });
        let reached = self.graph.readers(changed_keys.iter());
        clock.keys(&changed_keys, &self.graph);
        // Which pages exist follows from the entities and their front
        // matter (a listing's length, a tag, a page of changes): list them
        // again when either changed.
        let front_matter = changed_keys.iter().any(|k| matches!(k, Key::Data(_)));
        let relisted = (front_matter || !new.same_pages(&old)) && self.relist_jobs(&mut outcome);
        let jobs = self.jobs_to_render(&reached, relisted, &mut outcome);
        clock.lap("to render");
        self.drop_kept_pages(&kept, &mut outcome);
        clock.lap("plan");
        self.queue(jobs);
        outcome
    }

    /// Publishes the static files that changed: before the pages are
    /// planned, since a new version of a stylesheet renames it and every
    /// page linking it is rendered again.
    fn refresh_statics(&mut self, changes: &[Change], outcome: &mut Outcome) {
        for change in changes {
            if let Change::Static(rel) = change {
                let output = Some((&mut self.output, &mut outcome.changed));
                let state = &mut self.state;
                state
                    .statics
                    .refresh(&self.root, &state.config, rel, output);
            }
        }
    }

    /// Gathers the diagnostics of the current state: the last step of an
    /// update.
    fn settle_own(&mut self) {
        let mut clock = Trace::start();
        self.refresh_diagnostics();
        clock.lap("diagnostics");
    }

    /// Reads the configuration, the content and the templates again, and
    /// forgets every recorded read: a configuration change may change any
    /// output.
    fn reset(&mut self) {
        let mut configs = build::load_configs(&self.root, &self.options);
        let others = configs.split_off(1);
        let (config, mut config_diags) = configs.remove(0);
        self.views = self.load_views(others);
        let content = Content::load(&self.root, &config, self.options.drafts, &mut config_diags);
        self.config_diags = config_diags;
        self.state = State::derive(config, content, &mut self.ids, (false, true), None);
        self.templates = TemplateState::load(&self.root, &self.state.config);
        self.state.prints.templates = self.templates.prints();
        self.graph.clear();
        self.texts.clear();
        self.jobs.clear();
        self.pending.clear();
        self.waiting.clear();
        self.job_errors.clear();
    }

    /// Renders every output and copies every static file; removes what
    /// the site no longer has.
    fn render_everything(&mut self, outcome: &mut Outcome) {
        outcome.full = true;
        let before: BTreeSet<PathBuf> = self.output.keys().cloned().collect();
        self.load_statics(outcome);
        let jobs = self.jobs_to_render(&BTreeSet::new(), false, outcome);
        outcome.rendered = self.render(&jobs, &mut outcome.changed);
        let mut produced: BTreeSet<PathBuf> =
            self.with_paths(jobs).into_iter().map(|(_, p)| p).collect();
        produced.extend(self.state.statics.table.files().map(PathBuf::from));
        produced.extend(self.render_views_everything(outcome));
        if self.templates.compiled.is_some() {
            let keep = self.pages_of_unparsed();
            for stale in before.difference(&produced) {
                if !keep.contains(stale) && self.output.remove(stale).is_some() {
                    outcome.changed.insert(stale.clone());
                }
            }
        }
        self.refresh_diagnostics();
    }

    /// Removes the last good pages kept for files that no longer fail to
    /// parse and have no page now: a broken file that was then deleted.
    /// (A fixed file's page is rendered again over its kept one.)
    fn drop_kept_pages(&mut self, kept: &BTreeSet<PathBuf>, outcome: &mut Outcome) {
        let still = self.pages_of_unparsed();
        for page in kept.difference(&still) {
            let has_job = self.job_index.contains_key(page);
            if !has_job && self.output.remove(page).is_some() {
                outcome.changed.insert(page.clone());
            }
        }
    }

    /// Output paths of entities whose file exists but failed to parse:
    /// they keep serving their last good page until the file is fixed.
    fn pages_of_unparsed(&self) -> BTreeSet<PathBuf> {
        self.state
            .content
            .unparsed()
            .into_iter()
            .map(|(id, _)| PathBuf::from(format!("{id}/index.html")))
            .collect()
    }

    /// Where a job's file goes.
    fn path_of(&self, job: &Job) -> PathBuf {
        self.direct_path(job).unwrap_or_else(|| {
            self.with_pages(&Reads::off(), |p| p.output_path(job))
                .flatten()
                .unwrap_or_default()
        })
    }

    /// [`Engine::path_of`] with a renderer at hand: listing 47,000 jobs
    /// built one per job otherwise.
    fn path_in(&self, pages: &Pages<'_>, job: &Job) -> PathBuf {
        self.direct_path(job)
            .unwrap_or_else(|| pages.output_path(job).unwrap_or_default())
    }

    /// Where a job's file goes, for the jobs whose path needs no renderer.
    fn direct_path(&self, job: &Job) -> Option<PathBuf> {
        Some(match job {
            Job::NotFound => "404.html".into(),
            Job::Atom => "atom.xml".into(),
            Job::Sitemap => "sitemap.xml".into(),
            Job::Robots => "robots.txt".into(),
            Job::SearchIndex => crate::render::search_index::FILE.into(),
            Job::DataEntities => exports::ENTITIES_FILE.into(),
            Job::DataTimeline => exports::TIMELINE_FILE.into(),
            Job::EntityFeed(i) => self.state.tables.paths[*i]
                .output_file()
                .with_file_name(entity_feeds::FILE),
            Job::Entity(i) => self.state.tables.paths[*i].output_file(),
            _ => return None,
        })
    }

    /// Runs `f` with a renderer over the current state that records into
    /// `reads`; `None` without compiled templates.
    fn with_pages<T>(&self, reads: &Reads, f: impl FnOnce(&Pages<'_>) -> T) -> Option<T> {
        let templates = self.templates.compiled.as_ref()?;
        let state = &self.state;
        let md_site = state.tables.markdown(&state.content.entities, &state.index);
        let data = site_data(state, reads);
        let pages = Pages {
            data: &data,
            home: state.content.home.as_ref(),
            home_body: state.home_prepared.as_ref().map(|h| h.body.clone()),
            md_site: &md_site,
            templates,
            options: RenderOptions {
                serving: self.options.serving,
            },
            bodies: None,
            orders: &state.listings,
            home_pictures: state
                .home_prepared
                .as_ref()
                .map_or(&[], |h| h.pictures.as_slice()),
        };
        Some(f(&pages))
    }

    /// Renders `jobs` in parallel, each recording its reads; stores every
    /// file whose bytes changed. Returns how many were rendered. A job
    /// whose template fails keeps its last good bytes.
    /// Renders `jobs` in parallel, each recording what it read: the one
    /// loop `serve`'s updates and the cached build ([`persist`]) share.
    fn render_recording(&self, jobs: &[Job]) -> Vec<Rendered> {
        jobs.par_iter()
            .with_max_len(1)
            .filter_map(|job| {
                let reads = Reads::recording();
                let result = self.with_pages(&reads, |pages| pages.render_job(job))?;
                Some((self.path_of(job), result, reads.into_keys()))
            })
            .collect()
    }

    fn render(&mut self, jobs: &[Job], changed: &mut BTreeSet<PathBuf>) -> usize {
        if jobs.is_empty() || self.templates.compiled.is_none() {
            return 0;
        }
        let done = self.render_recording(jobs);
        let rendered = done.len();
        if std::env::var_os("EXPLAINER_TRACE").is_some() {
            let mut sizes: Vec<(usize, &PathBuf)> =
                done.iter().map(|(p, _, k)| (k.len(), p)).collect();
            sizes.sort();
            eprintln!(
                "  reads: most {:?}",
                &sizes[sizes.len().saturating_sub(3)..]
            );
        }
        // Packed on every core, as they were rendered.
        let done: Vec<Packed> = done
            .into_par_iter()
            .map(|(path, result, keys)| {
                let packed = result.map(|f| {
                    let blob = match f.backing {
                        Some(file) => Blob::backed(file, &f.bytes),
                        None => Blob::new(&f.path, f.bytes),
                    };
                    (f.path, blob)
                });
                (path, packed, keys)
            })
            .collect();
        for (path, result, keys) in done {
            self.graph.set(&path, keys);
            match result {
                Ok((file, blob)) => {
                    self.job_errors.remove(&path);
                    if self.output.get(&file) != Some(&blob) {
                        changed.insert(file.clone());
                        self.output.insert(file, blob);
                    }
                }
                Err(d) => {
                    self.job_errors.insert(path, d);
                }
            }
        }
        rendered
    }

    fn refresh_diagnostics(&mut self) {
        self.diagnostics = diagnostics::gather(diagnostics::Parts {
            root: &self.root,
            state: &self.state,
            config_diags: &self.config_diags,
            templates: &self.templates,
            job_errors: self
                .job_errors
                .values()
                .chain(self.views.iter().flat_map(|v| v.job_errors.values())),
            checks: None,
            texts: &mut self.texts,
        });
    }
}

/// Where an update's time goes, printed to stderr when `EXPLAINER_TRACE`
/// is set: for profiling `serve` on a large site.
pub struct Trace(Option<std::time::Instant>);

impl Trace {
    pub fn start() -> Self {
        Trace(std::env::var_os("EXPLAINER_TRACE").map(|_| std::time::Instant::now()))
    }

    /// The changed keys of each kind, with how many outputs read them.
    fn keys(&self, keys: &[crate::render::site::Key], graph: &Graph) {
        if self.0.is_none() {
            return;
        }
        let mut kinds: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for key in keys {
            let name = format!("{key:?}");
            let kind = name.split('(').next().unwrap_or_default().to_owned();
            let entry = kinds.entry(kind).or_default();
            entry.0 += 1;
            entry.1 += graph.readers(std::iter::once(key)).len();
        }
        eprintln!("  changed keys (count, readers): {kinds:?}");
    }

    pub fn lap(&mut self, what: &str) {
        if let Some(since) = &mut self.0 {
            eprintln!(
                "  {what:<12} {:>7.1} ms",
                since.elapsed().as_secs_f64() * 1000.0
            );
            *since = std::time::Instant::now();
        }
    }
}
