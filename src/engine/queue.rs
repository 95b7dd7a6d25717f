//! ENGINE: what is left to render. A change's pages go in line
//! ([`Engine::queue`]) before those a previous change left, the exports
//! and feeds nobody reads while editing wait apart, and `serve` takes them
//! a chunk at a time, the pages a reader asks for first. Jobs in line keep
//! their output paths: a job names entities by index, and when a file
//! comes or goes the path finds the job again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::prints::Interner;
use super::{Engine, Outcome, Trace, build, can_wait, statics};
use crate::cmd::CompileOptions;
use crate::render::site_pages::Job;

impl Engine {
    /// Loads and derives the site in every language and lists every
    /// output as still to render ([`Engine::pending`] and
    /// [`Engine::waiting`]), rendering none: `serve` answers requests
    /// from here on and renders the pages in the background, the ones a
    /// reader asks for first.
    pub fn start(root: &Path, options: CompileOptions) -> Self {
        let mut configs = build::load_configs(root, &options);
        let others = configs.split_off(1);
        let (config, diags) = configs.remove(0);
        let mut engine = Engine::load(
            root,
            options,
            Interner::default(),
            (config, diags),
            (None, None),
        );
        engine.views = engine.load_views(others);
        engine.list_everything();
        engine.list_views_everything();
        engine.settle();
        engine
    }

    /// Publishes the static files and lists every job of the site as
    /// pending, or waiting for the files nobody reads while editing.
    pub(super) fn list_everything(&mut self) {
        let mut outcome = Outcome::default();
        self.load_statics(&mut outcome);
        let jobs = self.jobs_to_render(&BTreeSet::new(), false, &mut outcome);
        self.queue(jobs);
    }

    /// Publishes every static file, before any page: pages link them by
    /// their published names.
    pub(super) fn load_statics(&mut self, outcome: &mut Outcome) {
        self.state.statics = statics::Statics::load_into(
            &self.root,
            &self.state.config,
            &mut self.output,
            &mut outcome.changed,
        );
        self.state.prints.assets = self.state.statics.table.prints();
    }

    /// Puts `jobs` in line: pages to [`Engine::pending`], before those
    /// still there (a change may come before the pages of the last are all
    /// rendered), and the files that [`can_wait`] to [`Engine::waiting`].
    pub(super) fn queue(&mut self, jobs: Vec<Job>) {
        let with_paths = self.with_paths(jobs);
        let (later, now): (Vec<_>, Vec<_>) = with_paths.into_iter().partition(|(j, _)| can_wait(j));
        self.waiting.extend(later);
        self.waiting.sort();
        self.waiting.dedup();
        // The new change's pages first, then those left from before.
        let left = std::mem::replace(&mut self.pending, now);
        self.pending.extend(left);
        let mut seen = std::collections::HashSet::new();
        self.pending.retain(|(_, path)| seen.insert(path.clone()));
    }

    /// Output paths of the pages [`Engine::plan`] left to render.
    pub(super) fn pending_own(&self) -> Vec<PathBuf> {
        self.pending.iter().map(|(_, p)| p.clone()).collect()
    }

    pub(super) fn has_pending_own(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Renders pending pages: those at `first` (output paths a reader is
    /// looking at or asking for), then others, `at_most` in all (at least
    /// the ones at `first`).
    pub(super) fn render_next_own(&mut self, first: &[PathBuf], at_most: usize) -> Outcome {
        let mut clock = Trace::start();
        let wanted: BTreeSet<&PathBuf> = first.iter().collect();
        let (mut now, mut rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|(_, p)| wanted.contains(p));
        let room = at_most.saturating_sub(now.len()).min(rest.len());
        if room > 0 {
            now.extend(rest.drain(..room));
        }
        self.pending = rest;
        let (jobs, paths): (Vec<Job>, Vec<PathBuf>) = now.into_iter().unzip();
        let mut outcome = Outcome {
            paths,
            ..Outcome::default()
        };
        outcome.rendered = self.render(&jobs, &mut outcome.changed);
        clock.lap("render");
        outcome
    }

    /// Renders, from the site as it stands, the pending pages of the
    /// entities in `files` (or under them) before those files are read
    /// again: a save that breaks a file keeps serving the file's last
    /// good page, so that page must exist even when the save comes before
    /// `serve` had rendered it.
    pub(super) fn render_pending_of(&mut self, files: &[PathBuf]) -> Outcome {
        if self.pending.is_empty() {
            return Outcome::default();
        }
        let paths: Vec<PathBuf> = self
            .state
            .content
            .entities
            .iter()
            .zip(&self.state.tables.paths)
            .filter(|(e, _)| files.iter().any(|f| e.file.starts_with(f)))
            .map(|(_, p)| p.output_file())
            .collect();
        let pending = |p: &PathBuf| self.pending.iter().any(|(_, q)| q == p);
        if !paths.iter().any(pending) {
            return Outcome::default();
        }
        self.render_next_own(&paths, 0)
    }

    /// Whether exports, feeds or the search index wait to be rendered.
    pub(super) fn has_waiting_own(&self) -> bool {
        !self.waiting.is_empty()
    }

    /// Output paths of the files waiting ([`Engine::finish`]).
    pub(super) fn waiting_own(&self) -> Vec<PathBuf> {
        self.waiting.iter().map(|(_, p)| p.clone()).collect()
    }

    /// Renders up to `most` of the files [`Engine::plan`] left waiting,
    /// those at `first` first: `serve` looks for new edits between two
    /// such steps.
    pub(super) fn finish_some_own(&mut self, first: &[PathBuf], most: usize) -> Outcome {
        if self.waiting.is_empty() {
            return Outcome::default();
        }
        // The files asked for, then the last in line, up to `most`.
        let mut picked: Vec<bool> = self
            .waiting
            .iter()
            .map(|(_, p)| first.contains(p))
            .collect();
        let asked = picked.iter().filter(|&&p| p).count();
        let room = most.max(1).saturating_sub(asked);
        picked
            .iter_mut()
            .rev()
            .filter(|p| !**p)
            .take(room)
            .for_each(|p| *p = true);
        let mut picks = picked.into_iter();
        let (mut taken, left): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|_| picks.next().unwrap_or(false));
        self.waiting = left;
        // The last in line first, as they were taken before.
        taken.reverse();
        let (jobs, paths): (Vec<Job>, Vec<PathBuf>) = taken.into_iter().unzip();
        let mut outcome = Outcome {
            paths,
            ..Outcome::default()
        };
        outcome.rendered = self.render(&jobs, &mut outcome.changed);
        if self.waiting.is_empty() {
            self.refresh_diagnostics();
        }
        outcome
    }

    /// Renders what [`Engine::update`] left waiting (and any page still
    /// pending).
    pub(super) fn finish_own(&mut self) -> Outcome {
        let mut jobs: Vec<Job> = std::mem::take(&mut self.pending)
            .into_iter()
            .map(|(j, _)| j)
            .collect();
        jobs.extend(
            std::mem::take(&mut self.waiting)
                .into_iter()
                .map(|(j, _)| j),
        );
        let mut outcome = Outcome::default();
        outcome.rendered = self.render(&jobs, &mut outcome.changed);
        if outcome.rendered > 0 {
            self.refresh_diagnostics();
        }
        outcome
    }

    /// The jobs of the current site at the output paths of `jobs` (a
    /// path the site no longer has drops out).
    pub(super) fn by_path_again(&self, jobs: Vec<(Job, PathBuf)>) -> Vec<(Job, PathBuf)> {
        jobs.into_iter()
            .filter_map(|(_, path)| {
                let at = *self.job_index.get(&path)?;
                Some((self.jobs[at].0.clone(), path))
            })
            .collect()
    }
}
