//! ENGINE: a build that records what every output read, so the next build
//! can start from it ([`super::cache`]). The same comparison `serve` makes
//! between two edits, made between two runs: derive the site, compare the
//! print of every key the last build's outputs read with its print now,
//! and render only the outputs that read a changed key or are new.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashSet;

use super::cache::Record;
use super::prints::Interner;
use super::{Engine, diagnostics};
use crate::cmd::CompileOptions;
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::render::OutFile;
use crate::render::site::Key;
use crate::render::site_pages::Job;

/// One build's engine and what its outputs read.
pub struct Recorded {
    engine: Engine,
    /// Every output of the site, with the job that makes it.
    jobs: Vec<(Job, PathBuf)>,
    /// What each output read: from this build for the outputs it
    /// rendered, from the last build's record for the others.
    reads: HashMap<PathBuf, Vec<Key>>,
    /// With a last record, while this build has rendered fewer than half
    /// its outputs: the keys that record listed and those of every output
    /// rendered since, unsorted; the keys of this build's record. A key no
    /// output reads any more stays listed, its print compared for nothing,
    /// until a build renders most outputs: cheaper than going through the
    /// million reads of 10,000 entities (70 ms).
    listed: Option<Vec<Key>>,
    /// How many outputs this build rendered.
    rendered: usize,
    errors: Vec<Diagnostic>,
    /// The folder of the language this build is of, when not the first:
    /// its files go there, and its diagnostics are its own template
    /// errors only (the content's are the first language's to report).
    folder: Option<crate::i18n::view::ViewLang>,
}

/// What a recorded build found, besides its files.
pub struct Done {
    pub config: Config,
    pub diagnostics: Diagnostics,
    /// Entity pages (drafts left out are not counted).
    pub pages: usize,
    /// For the cache; its `files` are for the caller to fill in once the
    /// output is written.
    pub record: Record,
}

impl Recorded {
    /// Loads and derives the site; entities keep the numbers `previous`
    /// gave them, so its keys still name the same entities. Files whose
    /// bytes `parses` holds are not parsed again; those parsed are kept
    /// there.
    pub fn load(
        root: &Path,
        options: CompileOptions,
        previous: Option<&mut Record>,
        (config, diags): (Config, Diagnostics),
        parses: Option<&mut super::parses::Parses>,
    ) -> Self {
        let ids = previous
            .as_ref()
            .map_or_else(Interner::default, |r| Interner::from_ids(&r.ids));
        let folder = config
            .view
            .current()
            .filter(|_| !config.view.is_first())
            .cloned();
        // Always a memo, empty on a first build: what this build renders
        // is kept for the next.
        let memo = previous.map_or_else(super::memo::Memo::default, |r| {
            std::mem::take(&mut r.markdown)
        });
        let memo = Some(memo);
        let engine = Engine::load(root, options, ids, (config, diags), (memo, parses));
        let mut clock = super::Trace::start();
        let jobs = engine.listed().unwrap_or_default();
        clock.lap("jobs");
        Recorded {
            engine,
            jobs,
            reads: HashMap::new(),
            listed: None,
            rendered: 0,
            errors: Vec::new(),
            folder,
        }
    }

    /// Where a file of this build goes in the output folder.
    fn placed(&self, rel: &Path) -> PathBuf {
        match &self.folder {
            Some(lang) => crate::i18n::view::in_view(lang, rel),
            None => rel.to_path_buf(),
        }
    }

    /// The output path of every job of the site.
    pub fn outputs(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.jobs.iter().map(|(_, p)| self.placed(p))
    }

    /// The jobs to render: every one without a record; with one, those
    /// whose output read a key whose print changed since, and those the
    /// record does not know (new pages). The reads of the others carry
    /// over.
    pub fn stale(&mut self, previous: Option<Record>) -> Vec<Job> {
        let Some(previous) = previous else {
            return self.jobs.iter().map(|(j, _)| j.clone()).collect();
        };
        self.listed = Some(previous.prints.iter().map(|(key, _)| *key).collect());
        let prints = &self.engine.state.prints;
        let changed: FxHashSet<Key> = previous
            .prints
            .iter()
            .filter(|(key, print)| prints.get(key) != *print)
            .map(|(key, _)| *key)
            .collect();
        let mut fresh: HashMap<PathBuf, Vec<Key>> = previous
            .outputs
            .into_iter()
            .filter(|(_, keys)| !keys.iter().any(|k| changed.contains(k)))
            .collect();
        let stale = self
            .jobs
            .iter()
            .filter(|(_, path)| !fresh.contains_key(path))
            .map(|(job, _)| job.clone())
            .collect();
        let live: HashSet<&PathBuf> = self.jobs.iter().map(|(_, p)| p).collect();
        fresh.retain(|path, _| live.contains(path));
        self.reads = fresh;
        stale
    }

    /// Renders `jobs` in parallel, recording what each read, and hands
    /// back their files. A job whose template fails gives an error, in
    /// [`Recorded::finish`]'s diagnostics, instead of a file.
    pub fn render(&mut self, jobs: &[Job]) -> Vec<OutFile> {
        let done = self.engine.render_recording(jobs);
        let mut files = Vec::with_capacity(done.len());
        self.rendered += done.len();
        if self.rendered * 2 >= self.jobs.len() {
            self.listed = None;
        }
        for (path, result, keys) in done {
            if let Some(listed) = &mut self.listed {
                listed.extend_from_slice(&keys);
            }
            self.reads.insert(path, keys);
            match result {
                Ok(mut file) => {
                    file.path = self.placed(&file.path);
                    files.push(file)
                }
                Err(d) => {
                    if !self.errors.iter().any(|e| e.message == d.message) {
                        self.errors.push(d);
                    }
                }
            }
        }
        files
    }

    /// The output path of every static file of the site, as published
    /// (stylesheets and scripts under hashed names).
    pub fn statics(&self) -> std::collections::BTreeSet<PathBuf> {
        let table = &self.engine.state.statics.table;
        table.files().map(|f| self.placed(Path::new(f))).collect()
    }

    /// The diagnostics of the whole build and the record for the next.
    pub fn finish(mut self) -> Done {
        let mut clock = super::Trace::start();
        let engine = &mut self.engine;
        let diagnostics = if self.folder.is_some() {
            let mut own = Diagnostics::default();
            own.extend(self.errors.iter().cloned());
            own
        } else {
            diagnostics::gather(diagnostics::Parts {
                root: &engine.root,
                state: &engine.state,
                config_diags: &engine.config_diags,
                templates: &engine.templates,
                job_errors: self.errors.iter(),
                checks: None,
                texts: &mut engine.texts,
            })
        };
        clock.lap("diagnostics");
        let mut outputs: Vec<(PathBuf, Vec<Key>)> = self.reads.into_iter().collect();
        // By bytes: `Path`'s order compares component by component, which
        // took 60 ms for 47,000 paths.
        outputs.sort_unstable_by(|a, b| bytes_of(&a.0).cmp(bytes_of(&b.0)));
        let keys = match self.listed {
            Some(mut listed) => {
                listed.sort_unstable();
                listed.dedup();
                listed
            }
            _ => read_keys(&outputs),
        };
        clock.lap("reads");
        let prints = &engine.state.prints;
        let record = Record {
            ids: engine.ids.ids(),
            prints: keys.into_iter().map(|k| (k, prints.get(&k))).collect(),
            outputs,
            files: Vec::new(),
            inputs: Vec::new(),
            markdown: engine.state.take_memo(),
        };
        clock.lap("record");
        Done {
            pages: engine.state.content.entities.len(),
            config: engine.state.config.clone(),
            diagnostics,
            record,
        }
    }
}

/// Every key some output read, in order. About a million reads at 10,000
/// entities (80 ms), of a few tens of thousands of keys: a set, then only
/// the keys sorted.
fn read_keys(outputs: &[(PathBuf, Vec<Key>)]) -> Vec<Key> {
    let unique: FxHashSet<Key> = outputs
        .iter()
        .flat_map(|(_, keys)| keys.iter().copied())
        .collect();
    let mut keys: Vec<Key> = unique.into_iter().collect();
    keys.sort_unstable();
    keys
}

fn bytes_of(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}
