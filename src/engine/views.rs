//! ENGINE: a multilingual site is one engine per language. The first
//! language's engine holds the others' ([`Engine::views`]) and stands for
//! all of them: every step of an update (plan, render, settle, finish)
//! runs in each, and each other language's outputs are published in this
//! one's output under its folder (`uk/…`). Inside its own engine a
//! language is a whole site of its own, with view-relative paths; only
//! here are they put under its folder.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::prints::Interner;
use super::{Change, Engine, Outcome};
use crate::config::Config;
use crate::diag::Diagnostics;
use crate::i18n::view;

impl Engine {
    /// The engines of the other languages, loaded and derived.
    pub(super) fn load_views(&self, others: Vec<(Config, Diagnostics)>) -> Vec<Engine> {
        others
            .into_iter()
            .map(|(config, diags)| {
                Engine::load(
                    &self.root,
                    self.options.clone(),
                    Interner::default(),
                    (config, diags),
                    (None, None),
                )
            })
            .collect()
    }

    /// The folder of view `k`'s outputs.
    fn view_folder(&self, k: usize) -> &view::ViewLang {
        let config = &self.views[k].state.config;
        &config.view.languages[config.view.at]
    }

    /// Renders every output of every other language; publishes them in
    /// this engine's output and returns their paths there.
    pub(super) fn render_views_everything(&mut self, outcome: &mut Outcome) -> BTreeSet<PathBuf> {
        let mut produced = BTreeSet::new();
        for k in 0..self.views.len() {
            let mut own = Outcome::default();
            self.views[k].render_everything(&mut own);
            outcome.rendered += own.rendered;
            let lang = self.view_folder(k).clone();
            let files: Vec<(PathBuf, super::blob::Blob)> = self.views[k]
                .output
                .iter()
                .map(|(p, b)| (view::in_view(&lang, p), b.clone()))
                .collect();
            for (path, bytes) in files {
                if self.output.get(&path) != Some(&bytes) {
                    outcome.changed.insert(path.clone());
                    self.output.insert(path.clone(), bytes);
                }
                produced.insert(path);
            }
        }
        produced
    }

    /// Lists every output of every other language as still to render
    /// ([`Engine::start`]), publishing their static files.
    pub(super) fn list_views_everything(&mut self) {
        for k in 0..self.views.len() {
            self.views[k].list_everything();
            let statics = Outcome {
                changed: self.views[k].output.keys().cloned().collect(),
                ..Outcome::default()
            };
            self.adopt(k, statics);
        }
    }

    /// Publishes what view `k` did, under its folder; returns its outcome
    /// with output paths.
    fn adopt(&mut self, k: usize, done: Outcome) -> Outcome {
        let lang = self.view_folder(k).clone();
        for rel in &done.changed {
            let path = view::in_view(&lang, rel);
            match self.views[k].output.get(rel) {
                Some(bytes) => self.output.insert(path, bytes.clone()),
                None => self.output.remove(&path),
            };
        }
        Outcome {
            changed: done
                .changed
                .iter()
                .map(|p| view::in_view(&lang, p))
                .collect(),
            paths: done.paths.iter().map(|p| view::in_view(&lang, p)).collect(),
            rendered: done.rendered,
            full: done.full,
        }
    }

    /// The paths of `paths` in view `k`, relative to it.
    fn in_view_k(&self, k: usize, paths: &[PathBuf]) -> Vec<PathBuf> {
        let lang = self.view_folder(k);
        let folder = lang.prefix.trim_end_matches('/');
        paths
            .iter()
            .filter_map(|p| p.strip_prefix(folder).ok())
            .map(Path::to_path_buf)
            .collect()
    }

    /// The first step of an update ([`Engine::plan_own`]), in every
    /// language. A change to `site.yaml` loads every language again.
    pub fn plan(&mut self, changes: &[Change]) -> Outcome {
        let full = changes.contains(&Change::Everything);
        let mut outcome = self.plan_own(changes);
        if full {
            return outcome;
        }
        for k in 0..self.views.len() {
            let done = self.views[k].plan_own(changes);
            outcome.add(self.adopt(k, done));
        }
        outcome
    }

    /// Output paths of the pages [`Engine::plan`] left to render.
    pub fn pending(&self) -> Vec<PathBuf> {
        self.in_every_language(Engine::pending_own)
    }

    pub fn has_pending(&self) -> bool {
        self.has_pending_own() || self.views.iter().any(Engine::has_pending_own)
    }

    /// Renders pending pages: those at `first`, in whichever language,
    /// then others, `at_most` in all (at least the ones at `first`).
    pub fn render_next(&mut self, first: &[PathBuf], at_most: usize) -> Outcome {
        let mut outcome = self.render_next_own(first, at_most);
        let mut left = at_most.saturating_sub(outcome.rendered);
        for k in 0..self.views.len() {
            let wanted = self.in_view_k(k, first);
            let done = self.views[k].render_next_own(&wanted, left);
            left = left.saturating_sub(done.rendered);
            outcome.add(self.adopt(k, done));
        }
        outcome
    }

    /// Gathers the diagnostics of the current state.
    pub fn settle(&mut self) {
        for v in &mut self.views {
            v.settle_own();
        }
        self.settle_own();
    }

    /// Whether exports, feeds or the search index wait to be rendered.
    pub fn has_waiting(&self) -> bool {
        self.has_waiting_own() || self.views.iter().any(Engine::has_waiting_own)
    }

    /// Output paths of the files waiting ([`Engine::finish`]).
    pub fn waiting(&self) -> Vec<PathBuf> {
        self.in_every_language(Engine::waiting_own)
    }

    /// How many HTML pages the site has in every language, rendered yet
    /// or not.
    pub fn html_pages(&self) -> usize {
        let html = |e: &Engine| {
            e.jobs
                .iter()
                .filter(|(_, p)| p.extension().is_some_and(|x| x == "html"))
                .count()
        };
        html(self) + self.views.iter().map(html).sum::<usize>()
    }

    /// Whether one of `paths` (output paths) is a file left waiting.
    pub fn waits_for(&self, paths: &[PathBuf]) -> bool {
        // Listing the waiting paths clones them: only when one is wanted.
        !paths.is_empty() && self.has_waiting() && self.waiting().iter().any(|p| paths.contains(p))
    }

    /// `paths` of this engine and of every other language's, each under
    /// its language's folder.
    fn in_every_language(&self, paths: impl Fn(&Engine) -> Vec<PathBuf>) -> Vec<PathBuf> {
        let mut all = paths(self);
        for (k, v) in self.views.iter().enumerate() {
            let lang = self.view_folder(k);
            all.extend(paths(v).iter().map(|p| view::in_view(lang, p)));
        }
        all
    }

    /// Renders up to `most` waiting files (those at `first` first), in
    /// whichever language: a few at a time, so that a save never waits
    /// long behind them, and enough that a publish (a copy of the whole
    /// output) is not paid for each.
    pub fn finish_some(&mut self, first: &[PathBuf], most: usize) -> Outcome {
        for k in 0..self.views.len() {
            let wanted = self.in_view_k(k, first);
            let asked = self.views[k]
                .waiting_own()
                .iter()
                .any(|p| wanted.contains(p));
            if asked {
                let done = self.views[k].finish_some_own(&wanted, most);
                return self.after_view_finish(k, done);
            }
        }
        if self.has_waiting_own() {
            return self.finish_some_own(first, most);
        }
        let Some(k) = self.views.iter().position(Engine::has_waiting_own) else {
            return Outcome::default();
        };
        let done = self.views[k].finish_some_own(&[], most);
        self.after_view_finish(k, done)
    }

    /// Publishes what a view's finishing step did; the diagnostics are
    /// gathered again once nothing waits.
    fn after_view_finish(&mut self, k: usize, done: Outcome) -> Outcome {
        let outcome = self.adopt(k, done);
        if !self.has_waiting() {
            self.refresh_diagnostics();
        }
        outcome
    }

    /// Renders what [`Engine::update`] left waiting, in every language.
    pub fn finish(&mut self) -> Outcome {
        let mut outcome = Outcome::default();
        for k in 0..self.views.len() {
            let done = self.views[k].finish_own();
            outcome.add(self.adopt(k, done));
        }
        let own = self.finish_own();
        if own.rendered == 0 && outcome.rendered > 0 {
            self.refresh_diagnostics();
        }
        outcome.add(own);
        outcome
    }
}
