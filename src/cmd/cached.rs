//! `explainer build` with the build cache (the default): starts from what
//! the last build recorded ([`crate::engine::cache`]) and renders again
//! only the outputs whose reads changed, changing the output folder in
//! place. Without a usable cache it renders everything, recording, and
//! writes a new folder as a build without the cache does.

mod left;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::progress::Progress;
use super::{CompileOptions, Failure, Outcome, Stage, StageClock, report, say};
use crate::cli::{BuildArgs, GlobalArgs};
use crate::engine::cache::{self, Record, Stamp, Store};
use crate::engine::parses::Parses;
use crate::engine::persist::{Done, Recorded};
use crate::output::{self, StaticSources};
use crate::render::OutFile;
use crate::render::site_pages::Job;
use left::{files_now, usable};

/// Above this many outputs to render again, a build from the cache writes
/// a new folder and swaps it in instead of changing files in place: the
/// rendered files then need not all be held in memory at once.
const PATCH_LIMIT: usize = 2_000;
/// Outputs rendered (and handed to the writer) at a time in a full build.
const CHUNK: usize = 256;

/// Where the build is, for the summary line.
pub struct Built {
    pub html_pages: usize,
    pub pages: usize,
    /// `Some((rendered, written))` when the build started from the cache.
    pub from_cache: Option<(usize, usize)>,
    /// The output files written or removed, when the build changed the
    /// last build's output in place.
    touched: Option<Vec<PathBuf>>,
    pub timings: super::Timings,
}

pub fn run(
    args: &BuildArgs,
    global: &GlobalArgs,
    options: &CompileOptions,
    out: &Path,
    progress: &Progress,
) -> Result<(Outcome, Option<Built>), Failure> {
    let root = &args.site.root;
    let dir = cache_dir(root, args.cache_dir.as_deref());
    let mut trace = crate::engine::Trace::start();
    let configs = crate::engine::build::load_configs(root, options);
    let stores: Vec<Store> = configs.iter().map(|(c, _)| store_of(&dir, c)).collect();
    let stamp = Stamp::of(root, options, out);
    let mut previous: Vec<Option<Record>> = stores
        .iter()
        .map(|store| usable(store, stamp, out, global))
        .collect();
    trace.lap("cache");
    let known = previous[0]
        .as_ref()
        .map_or(&[][..], |r| r.inputs.as_slice());
    let inputs = cache::inputs(root, out, &dir, known);
    // The languages are built from one cache or none: they share the
    // output folder.
    let whole = previous.iter().all(|r| {
        r.as_ref()
            .is_some_and(|r| cache::same_inputs(&r.inputs, &inputs))
    });
    if !whole {
        previous.iter_mut().for_each(|r| *r = None);
    }
    // The output as the last build left it (checked by `usable`): a
    // build that patches it looks again only at the files it touches.
    let left = previous[0].as_mut().map(|r| std::mem::take(&mut r.files));
    trace.lap("inputs");
    let observer = |stage| progress.stage(stage);
    let mut clock = StageClock::start(&observer);
    let patching = whole;
    let mut views = Views {
        root,
        options,
        pending: configs.into_iter().zip(previous).collect(),
        parses: Some(Parses::load(&dir, cache::binary_print(&inputs))),
        cache_dir: &dir,
        quiet: global.quiet,
    };
    let (mut build, previous) = views.next_view();
    trace.lap("load+derive");
    clock.next(Stage::Render);
    let jobs = build.stale(previous);
    trace.lap("stale");
    let outcome = if patching && jobs.len() <= PATCH_LIMIT {
        patch(
            build, &jobs, &mut views, out, &stores, &mut clock, args, global,
        )?
    } else {
        full(build, jobs, &mut views, out, &mut clock, args, global)?
    };
    let Some((done, mut built)) = outcome else {
        return Ok((Outcome::ContentErrors, None));
    };
    built.timings = clock.finish();
    trace.lap("render+write");
    let files = files_now(out, left.zip(built.touched.as_deref()));
    for (store, done) in stores.iter().zip(done) {
        let mut record = done.record;
        record.inputs = inputs.clone();
        record.files = files.clone();
        save(store, stamp, record);
    }
    trace.lap("save");
    Ok((Outcome::Clean, Some(built)))
}

/// The languages of the site still to build, each with its last record:
/// loaded one at a time, so only one language's site is in memory.
struct Views<'a> {
    root: &'a Path,
    options: &'a CompileOptions,
    pending: std::collections::VecDeque<(
        (crate::config::Config, crate::diag::Diagnostics),
        Option<Record>,
    )>,
    /// The parsed content files, shared by the languages: each reads the
    /// same files.
    parses: Option<Parses>,
    /// The cache folder, where `parses` is saved once the last language
    /// has read the files (it holds them all: 55 MB at 10,000 entities).
    /// Their bytes do not depend on the build's outcome.
    cache_dir: &'a Path,
    quiet: bool,
}

impl Views<'_> {
    /// Loads and derives the next language's site.
    fn next_view(&mut self) -> (Recorded, Option<Record>) {
        let (config, mut previous) = self
            .pending
            .pop_front()
            .unwrap_or_else(|| ((Default::default(), Default::default()), None));
        let build = Recorded::load(
            self.root,
            self.options.clone(),
            previous.as_mut(),
            config,
            self.parses.as_mut(),
        );
        if self.pending.is_empty() {
            self.save_parses();
        }
        (build, previous)
    }

    /// Writes the parses and lets them go.
    fn save_parses(&mut self) {
        let Some(parses) = self.parses.take() else {
            return;
        };
        if let Err(e) = parses.save(self.cache_dir)
            && !self.quiet
        {
            say::err(&format!(
                "warning: cannot write the build cache {}: {e}; the next build parses every file\n",
                self.cache_dir.display()
            ));
        }
    }

    fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

/// Where a language's record is kept: the first's in the cache folder,
/// each other's in a folder of its own there.
fn store_of(dir: &Path, config: &crate::config::Config) -> Store {
    match config.view.current().filter(|_| !config.view.is_first()) {
        Some(lang) => Store::in_dir(&dir.join(&lang.code)),
        None => Store::in_dir(dir),
    }
}

/// The `.html` files among `outputs`, for the summary line.
fn html_count(outputs: impl Iterator<Item = PathBuf>) -> usize {
    outputs
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .count()
}

/// Merges the diagnostics of the other languages (their template errors)
/// into the first's.
fn merge_diagnostics(done: &mut [Done]) {
    let (first, others) = done.split_at_mut(1);
    for d in others {
        first[0]
            .diagnostics
            .extend(std::mem::take(&mut d.diagnostics).items().iter().cloned());
    }
}

/// The cache folder: `--cache-dir`, or `.explainer-cache` in the site.
pub fn cache_dir(root: &Path, flag: Option<&Path>) -> PathBuf {
    flag.map_or_else(|| root.join(cache::DEFAULT_DIR), Path::to_path_buf)
}

/// Renders the stale outputs of every language, then, if the site has no
/// errors, writes the ones whose bytes changed into the output in place
/// and removes the ones the site no longer has. `None` when the site has
/// errors (nothing is written, and the cache stays as it was).
#[allow(clippy::too_many_arguments)]
fn patch(
    mut build: Recorded,
    jobs: &[Job],
    views: &mut Views<'_>,
    out: &Path,
    stores: &[Store],
    clock: &mut StageClock<'_>,
    args: &BuildArgs,
    global: &GlobalArgs,
) -> Result<Option<(Vec<Done>, Built)>, Failure> {
    let mut rendered = jobs.len();
    let mut files = build.render(jobs);
    let mut live: HashSet<PathBuf> = build.outputs().chain(build.statics()).collect();
    let mut html_pages = html_count(build.outputs());
    let mut done = vec![build.finish()];
    while !views.is_empty() {
        let (mut build, previous) = views.next_view();
        let jobs = build.stale(previous);
        rendered += jobs.len();
        files.extend(build.render(&jobs));
        live.extend(build.outputs().chain(build.statics()));
        html_pages += html_count(build.outputs());
        done.push(build.finish());
    }
    merge_diagnostics(&mut done);
    if failed(&mut done[0], out, args, global) {
        return Ok(None);
    }
    clock.next(Stage::Write);
    let fail = |e: output::WriteError| Failure(e.to_string());
    for store in stores {
        store
            .forget()
            .map_err(|e| Failure(format!("cannot update the build cache: {e}")))?;
    }
    let mut patch = output::Patch::begin(out).map_err(fail)?;
    for file in &files {
        patch.put(&file.path, &file.bytes).map_err(fail)?;
    }
    let gone: Vec<PathBuf> = patch
        .listed()
        .filter(|p| !live.contains(*p))
        .cloned()
        .collect();
    for rel in gone {
        patch.remove(&rel).map_err(fail)?;
    }
    let touched = patch.finish().map_err(fail)?;
    let built = Built {
        html_pages,
        pages: done[0].pages,
        from_cache: Some((rendered, touched.len())),
        touched: Some(touched),
        timings: Default::default(),
    };
    Ok(Some((done, built)))
}

/// Renders every stale output of every language in chunks, writing them
/// into a new folder as they come, and swaps it in. `None` when the site
/// has errors.
fn full(
    build: Recorded,
    jobs: Vec<Job>,
    views: &mut Views<'_>,
    out: &Path,
    clock: &mut StageClock<'_>,
    args: &BuildArgs,
    global: &GlobalArgs,
) -> Result<Option<(Vec<Done>, Built)>, Failure> {
    let fail = |e: output::WriteError| Failure(e.to_string());
    let writer = output::Writer::begin(out).map_err(fail)?;
    let mut done = Vec::new();
    let mut html_pages = 0;
    let write_error = std::thread::scope(|scope| {
        let (batches, received) = std::sync::mpsc::sync_channel::<Vec<OutFile>>(1);
        let writing = scope.spawn(|| {
            for files in received {
                writer.write_batch_serial(&files)?;
            }
            Ok::<(), output::WriteError>(())
        });
        let mut next = Some((build, jobs));
        while let Some((mut build, jobs)) = next.take() {
            html_pages += html_count(build.outputs());
            for chunk in jobs.chunks(CHUNK) {
                if batches.send(build.render(chunk)).is_err() {
                    break;
                }
            }
            done.push(build.finish());
            if !views.is_empty() {
                let (mut build, _) = views.next_view();
                let jobs = build.stale(None);
                next = Some((build, jobs));
            }
        }
        drop(batches);
        writing
            .join()
            .unwrap_or_else(|_| Err(output::WriteError::Refused("the writer panicked".into())))
    });
    merge_diagnostics(&mut done);
    if failed(&mut done[0], out, args, global) {
        return Ok(None);
    }
    write_error.map_err(fail)?;
    clock.next(Stage::Write);
    let root = &args.site.root;
    let statics = StaticSources::of(root, &done[0].config);
    writer.finish(&statics).map_err(fail)?;
    let built = Built {
        html_pages,
        pages: done[0].pages,
        from_cache: None,
        touched: None,
        timings: Default::default(),
    };
    Ok(Some((done, built)))
}

/// Prints the diagnostics; whether the site has errors (then the output
/// is left as it was, and says so).
fn failed(done: &mut Done, out: &Path, args: &BuildArgs, global: &GlobalArgs) -> bool {
    if report(&mut done.diagnostics, &args.site, global) == Outcome::ContentErrors {
        say::err(&format!(
            "build failed; the previous output in {} was left as it was\n",
            out.display()
        ));
        return true;
    }
    false
}

/// Writes the cache for the output as it now is; a cache that cannot be
/// written costs the next build time, not this one its result.
fn save(store: &Store, stamp: Stamp, record: Record) {
    if let Err(e) = store.save(stamp, record) {
        say::err(&format!(
            "warning: cannot write the build cache {}: {e}; the next build renders everything\n",
            store.path().display()
        ));
    }
}
