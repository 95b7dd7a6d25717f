//! ENGINE: which outputs the site has. Every output is a job with its
//! output path; the list is made again when a change may have changed it
//! (a front matter edit, a file that came or went), kept with its index
//! when it came out the same, and the outputs of jobs that went are
//! removed.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::{Engine, Outcome, Trace};
use crate::render::site::Reads;
use crate::render::site_pages::Job;

impl Engine {
    /// The jobs of the current site that are new or read a key in
    /// `reached`; outputs of jobs the site no longer has are removed.
    /// `relisted` says the jobs were just listed anew, and may hold new ones.
    pub(super) fn jobs_to_render(
        &mut self,
        reached: &BTreeSet<PathBuf>,
        relisted: bool,
        outcome: &mut Outcome,
    ) -> Vec<Job> {
        let fresh = self.jobs.is_empty();
        if fresh {
            self.list_jobs(outcome);
        }
        if fresh || relisted {
            // Hashed: a path's hash is one pass over it, where a tree
            // compares it component by component at every level.
            let reached: std::collections::HashSet<&PathBuf> = reached.iter().collect();
            return self
                .jobs
                .iter()
                .filter(|(_, path)| !self.graph.knows(path) || reached.contains(path))
                .map(|(job, _)| job.clone())
                .collect();
        }
        // The same pages as last time, every one rendered since.
        let mut at: Vec<usize> = reached
            .iter()
            .filter_map(|p| self.job_index.get(p).copied())
            .collect();
        at.sort_unstable();
        at.into_iter().map(|i| self.jobs[i].0.clone()).collect()
    }

    /// Every job of the site with its output path, or `None` when the
    /// templates do not compile.
    pub(super) fn listed(&self) -> Option<Vec<(Job, PathBuf)>> {
        self.with_pages(&Reads::off(), |pages| {
            pages
                .jobs()
                .into_iter()
                .map(|j| {
                    let path = self.path_in(pages, &j);
                    (j, path)
                })
                .collect()
        })
    }

    /// `jobs` with their output paths, found through one renderer.
    pub(super) fn with_paths(&self, jobs: Vec<Job>) -> Vec<(Job, PathBuf)> {
        let paths: Option<Vec<PathBuf>> = self.with_pages(&Reads::off(), |pages| {
            jobs.iter().map(|j| self.path_in(pages, j)).collect()
        });
        let paths = paths.unwrap_or_else(|| jobs.iter().map(|j| self.path_of(j)).collect());
        jobs.into_iter().zip(paths).collect()
    }

    /// After a change that may have changed which pages the site has (a
    /// front matter edit): lists the jobs again, and keeps the list, its
    /// index and the queues as they are when it came out the same (most
    /// edits), which saves re-indexing tens of thousands of paths.
    /// Returns whether the list changed.
    pub(super) fn relist_jobs(&mut self, outcome: &mut Outcome) -> bool {
        if self.jobs.is_empty() {
            // Listed from nothing by `jobs_to_render`.
            return false;
        }
        let mut clock = Trace::start();
        let listed = self.listed();
        clock.lap(" list: jobs");
        match listed {
            Some(listed) if listed == self.jobs => false,
            Some(listed) => {
                self.take_jobs(listed, outcome);
                true
            }
            None => {
                self.jobs.clear();
                false
            }
        }
    }

    /// Lists every job of the site again, and removes the outputs of jobs
    /// it no longer has.
    pub(super) fn list_jobs(&mut self, outcome: &mut Outcome) {
        if let Some(listed) = self.listed() {
            self.take_jobs(listed, outcome);
        }
    }

    /// Makes `listed` the site's jobs: indexes them, finds the queued jobs
    /// again by path, and removes the outputs of jobs it no longer has.
    fn take_jobs(&mut self, listed: Vec<(Job, PathBuf)>, outcome: &mut Outcome) {
        let mut clock = Trace::start();
        self.jobs = listed;
        self.job_index = self
            .jobs
            .iter()
            .enumerate()
            .map(|(i, (_, p))| (p.clone(), i))
            .collect();
        clock.lap(" take: index");
        let gone: Vec<PathBuf> = self
            .graph
            .outputs()
            .filter(|p| !self.job_index.contains_key(*p))
            .cloned()
            .collect();
        // Jobs in line name entities by index, which may have moved.
        let (pending, waiting) = (
            std::mem::take(&mut self.pending),
            std::mem::take(&mut self.waiting),
        );
        clock.lap(" take: gone");
        self.pending = self.by_path_again(pending);
        self.waiting = self.by_path_again(waiting);
        clock.lap(" take: again");
        let keep = self.pages_of_unparsed();
        for gone in gone {
            self.graph.forget(&gone);
            self.job_errors.remove(&gone);
            if !keep.contains(&gone) && self.output.remove(&gone).is_some() {
                outcome.changed.insert(gone);
            }
        }
    }
}
