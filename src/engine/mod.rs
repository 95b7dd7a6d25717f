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

pub mod build;
pub mod content;
mod diagnostics;
pub mod graph;
pub mod prints;
pub mod state;
mod statics;
mod templates;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::cmd::CompileOptions;
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::render::site::{Entities, PreparedTable, Reads, Rels, SiteData, Tags};
use crate::render::site_pages::{Job, Pages};
use crate::render::{OutFile, RenderOptions, entity_feeds, exports};
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
}

impl Outcome {
    /// Adds what a later step of the same run did.
    pub fn add(&mut self, later: Outcome) {
        self.changed.extend(later.changed);
        self.rendered += later.rendered;
        self.full |= later.full;
    }
}

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
    output: BTreeMap<PathBuf, Arc<[u8]>>,
    /// The template error of each output that failed to render.
    job_errors: BTreeMap<PathBuf, Diagnostic>,
    /// Outputs [`Engine::update`] left for [`Engine::finish`].
    waiting: Vec<Job>,
    diagnostics: Diagnostics,
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
        let (config, config_diags) = build::load_config(root, &options);
        let mut ids = Interner::default();
        let content = Content::load(root, options.drafts);
        let state = State::derive(config, content, &mut ids, false, true);
        let templates = TemplateState::load(root, &state.config.theme);
        let mut engine = Engine {
            root: root.to_path_buf(),
            options,
            ids,
            state,
            config_diags,
            templates,
            graph: Graph::default(),
            output: BTreeMap::new(),
            job_errors: BTreeMap::new(),
            waiting: Vec::new(),
            diagnostics: Diagnostics::default(),
        };
        engine.state.prints.templates = engine.templates.prints();
        let mut outcome = Outcome::default();
        engine.render_everything(&mut outcome);
        engine
    }

    /// Every file to serve or write, by output path.
    pub fn output(&self) -> &BTreeMap<PathBuf, Arc<[u8]>> {
        &self.output
    }

    /// Takes the output away to hand it to the HTTP side; give a copy back
    /// with [`Engine::restore_output`] before the next change.
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
        let applied = self.state.content.apply(&self.root, &content);
        clock.lap("content");
        if changes.contains(&Change::Template) {
            self.templates = TemplateState::load(&self.root, &self.state.config.theme);
        }
        self.state.prints = old.clone();
        self.state.prints.templates = self.templates.prints();
        self.state.update(&applied, &mut self.ids);
        clock.lap("derive");
        let changed_keys: Vec<_> = self
            .graph
            .keys()
            .filter(|k| old.get(k) != self.state.prints.get(k))
            .copied()
            .collect();
        let reached = self.graph.readers(changed_keys.iter());
        clock.lap("compare");
        let jobs = self.jobs_to_render(&reached, &mut outcome);
        clock.lap("jobs");
        let (later, mut now): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(can_wait);
        now.sort_by_key(|j| {
            let path = self.path_of(j);
            !first.contains(&path)
        });
        self.waiting.extend(later);
        outcome.rendered = self.render(&now, &mut outcome.changed);
        clock.lap("render");
        for change in changes {
            if let Change::Static(rel) = change {
                statics::copy(
                    &self.root,
                    &self.state.config,
                    rel,
                    &mut self.output,
                    &mut outcome.changed,
                );
            }
        }
        self.refresh_diagnostics();
        clock.lap("diagnostics");
        outcome
    }

    /// Renders what [`Engine::update`] left waiting.
    pub fn finish(&mut self) -> Outcome {
        let jobs = std::mem::take(&mut self.waiting);
        let mut outcome = Outcome::default();
        outcome.rendered = self.render(&jobs, &mut outcome.changed);
        if outcome.rendered > 0 {
            self.refresh_diagnostics();
        }
        outcome
    }

    /// Reads the configuration, the content and the templates again, and
    /// forgets every recorded read: a configuration change may change any
    /// output.
    fn reset(&mut self) {
        let (config, config_diags) = build::load_config(&self.root, &self.options);
        self.config_diags = config_diags;
        let content = Content::load(&self.root, self.options.drafts);
        self.state = State::derive(config, content, &mut self.ids, false, true);
        self.templates = TemplateState::load(&self.root, &self.state.config.theme);
        self.state.prints.templates = self.templates.prints();
        self.graph.clear();
        self.waiting.clear();
        self.job_errors.clear();
    }

    /// Renders every output and copies every static file; removes what
    /// the site no longer has.
    fn render_everything(&mut self, outcome: &mut Outcome) {
        outcome.full = true;
        let before: BTreeSet<PathBuf> = self.output.keys().cloned().collect();
        let jobs = self.jobs_to_render(&BTreeSet::new(), outcome);
        outcome.rendered = self.render(&jobs, &mut outcome.changed);
        let mut produced: BTreeSet<PathBuf> = jobs.iter().map(|j| self.path_of(j)).collect();
        for rel in statics::all(&self.root, &self.state.config) {
            statics::copy(
                &self.root,
                &self.state.config,
                &rel,
                &mut self.output,
                &mut outcome.changed,
            );
            produced.insert(rel);
        }
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

    /// The jobs of the current site that are new or read a key in
    /// `reached`; outputs of jobs the site no longer has are removed.
    fn jobs_to_render(&mut self, reached: &BTreeSet<PathBuf>, outcome: &mut Outcome) -> Vec<Job> {
        let Some(jobs) = self.with_pages(&Reads::off(), |pages| pages.jobs()) else {
            return Vec::new();
        };
        let paths: BTreeSet<PathBuf> = jobs.iter().map(|j| self.path_of(j)).collect();
        let known: Vec<PathBuf> = self
            .graph_outputs()
            .filter(|p| !paths.contains(p))
            .collect();
        let keep = self.pages_of_unparsed();
        for gone in known {
            self.graph.forget(&gone);
            self.job_errors.remove(&gone);
            if !keep.contains(&gone) && self.output.remove(&gone).is_some() {
                outcome.changed.insert(gone);
            }
        }
        jobs.into_iter()
            .filter(|j| {
                let path = self.path_of(j);
                !self.graph.knows(&path) || reached.contains(&path)
            })
            .collect()
    }

    fn graph_outputs(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.output
            .keys()
            .chain(self.job_errors.keys())
            .filter(|p| self.graph.knows(p))
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
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
        match job {
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
            _ => self
                .with_pages(&Reads::off(), |p| p.output_path(job))
                .flatten()
                .unwrap_or_default(),
        }
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
    fn render(&mut self, jobs: &[Job], changed: &mut BTreeSet<PathBuf>) -> usize {
        if jobs.is_empty() || self.templates.compiled.is_none() {
            return 0;
        }
        let done: Vec<(
            PathBuf,
            Result<OutFile, Diagnostic>,
            Vec<crate::render::site::Key>,
        )> = jobs
            .par_iter()
            .with_max_len(1)
            .filter_map(|job| {
                let reads = Reads::recording();
                let result = self.with_pages(&reads, |pages| pages.render_job(job))?;
                Some((self.path_of(job), result, reads.into_keys()))
            })
            .collect();
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
        for (path, result, keys) in done {
            self.graph.set(&path, keys);
            match result {
                Ok(file) => {
                    self.job_errors.remove(&path);
                    let same = self
                        .output
                        .get(&file.path)
                        .is_some_and(|old| **old == *file.bytes);
                    if !same {
                        changed.insert(file.path.clone());
                        self.output.insert(file.path, Arc::from(file.bytes));
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
            job_errors: self.job_errors.values(),
            checks: None,
        });
    }
}

/// Where an update's time goes, printed to stderr when `EXPLAINER_TRACE`
/// is set: for profiling `serve` on a large site.
struct Trace(Option<std::time::Instant>);

impl Trace {
    fn start() -> Self {
        Trace(std::env::var_os("EXPLAINER_TRACE").map(|_| std::time::Instant::now()))
    }

    fn lap(&mut self, what: &str) {
        if let Some(since) = &mut self.0 {
            eprintln!(
                "  {what:<12} {:>7.1} ms",
                since.elapsed().as_secs_f64() * 1000.0
            );
            *since = std::time::Instant::now();
        }
    }
}
