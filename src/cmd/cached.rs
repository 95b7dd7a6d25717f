//! `explainer build` with the build cache (the default): starts from what
//! the last build recorded ([`crate::engine::cache`]) and renders again
//! only the outputs whose reads changed, changing the output folder in
//! place. Without a usable cache it renders everything, recording, and
//! writes a new folder as a build without the cache does.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::progress::Progress;
use super::{CompileOptions, Failure, Outcome, Stage, StageClock, report, say};
use crate::cli::{BuildArgs, GlobalArgs};
use crate::engine::cache::{self, Record, Stamp, Store, Unusable};
use crate::engine::persist::{Done, Recorded};
use crate::output::{self, MARKER, StaticSources};
use crate::render::OutFile;
use crate::render::site_pages::Job;

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
    let store = Store::in_dir(&dir);
    let stamp = Stamp::of(root, options, out, &dir);
    let previous = usable(&store, stamp, out, global);
    let observer = |stage| progress.stage(stage);
    let mut clock = StageClock::start(&observer);
    let patching = previous.is_some();
    let mut build = Recorded::load(root, options.clone(), previous.as_ref());
    clock.next(Stage::Render);
    let jobs = build.stale(previous);
    let html_pages = build
        .outputs()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .count();
    let (done, from_cache) = if patching && jobs.len() <= PATCH_LIMIT {
        let rendered = jobs.len();
        match patch(build, &jobs, out, &store, &mut clock, args, global)? {
            Some((done, written)) => (done, Some((rendered, written))),
            None => return Ok((Outcome::ContentErrors, None)),
        }
    } else {
        match full(build, jobs, out, &mut clock, args, global)? {
            Some(done) => (done, None),
            None => return Ok((Outcome::ContentErrors, None)),
        }
    };
    let timings = clock.finish();
    save(&store, stamp, done.record, out);
    Ok((
        Outcome::Clean,
        Some(Built {
            html_pages,
            pages: done.pages,
            from_cache,
            timings,
        }),
    ))
}

/// The cache folder: `--cache-dir`, or `.explainer-cache` in the site.
pub fn cache_dir(root: &Path, flag: Option<&Path>) -> PathBuf {
    flag.map_or_else(|| root.join(cache::DEFAULT_DIR), Path::to_path_buf)
}

/// The last build's record, when it is for this binary, configuration and
/// output, and the output is as that build left it. A damaged cache is
/// worth a warning; an outdated one is not.
fn usable(store: &Store, stamp: Stamp, out: &Path, global: &GlobalArgs) -> Option<Record> {
    match store.load(stamp) {
        Ok(record) if output_as_left(out, &record.files) => Some(record),
        Ok(_) | Err(Unusable::Missing | Unusable::Outdated) => None,
        Err(Unusable::Broken(why)) => {
            if !global.quiet {
                say::err(&format!(
                    "warning: ignoring the build cache {} ({why}); building everything\n",
                    store.path().display()
                ));
            }
            None
        }
    }
}

/// Whether every file the last build wrote is still there with the same
/// length and time: an output folder someone changed, removed or replaced
/// is written anew.
fn output_as_left(out: &Path, files: &[(PathBuf, u64, i128)]) -> bool {
    !files.is_empty()
        && files.iter().all(|(rel, len, time)| {
            std::fs::symlink_metadata(out.join(rel))
                .is_ok_and(|m| m.is_file() && m.len() == *len && cache::mtime_ns(&m) == *time)
        })
}

/// Renders the stale outputs, then, if the site has no errors, writes the
/// ones whose bytes changed into the output in place and removes the ones
/// the site no longer has. `None` when the site has errors (nothing is
/// written, and the cache stays as it was).
fn patch(
    mut build: Recorded,
    jobs: &[Job],
    out: &Path,
    store: &Store,
    clock: &mut StageClock<'_>,
    args: &BuildArgs,
    global: &GlobalArgs,
) -> Result<Option<(Done, usize)>, Failure> {
    let files = build.render(jobs);
    let live: HashSet<PathBuf> = build.outputs().cloned().chain(build.statics()).collect();
    let mut done = build.finish();
    if failed(&mut done, out, args, global) {
        return Ok(None);
    }
    clock.next(Stage::Write);
    let fail = |e: output::WriteError| Failure(e.to_string());
    store
        .forget()
        .map_err(|e| Failure(format!("cannot update the build cache: {e}")))?;
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
    let (written, _) = patch.finish().map_err(fail)?;
    Ok(Some((done, written)))
}

/// Renders every stale output in chunks, writing them into a new folder
/// as they come, and swaps it in. `None` when the site has errors.
fn full(
    mut build: Recorded,
    jobs: Vec<Job>,
    out: &Path,
    clock: &mut StageClock<'_>,
    args: &BuildArgs,
    global: &GlobalArgs,
) -> Result<Option<Done>, Failure> {
    let fail = |e: output::WriteError| Failure(e.to_string());
    let writer = output::Writer::begin(out).map_err(fail)?;
    let write_error = std::thread::scope(|scope| {
        let (batches, received) = std::sync::mpsc::sync_channel::<Vec<OutFile>>(1);
        let writing = scope.spawn(|| {
            for files in received {
                writer.write_batch_serial(&files)?;
            }
            Ok::<(), output::WriteError>(())
        });
        for chunk in jobs.chunks(CHUNK) {
            if batches.send(build.render(chunk)).is_err() {
                break;
            }
        }
        drop(batches);
        writing
            .join()
            .unwrap_or_else(|_| Err(output::WriteError::Refused("the writer panicked".into())))
    });
    let mut done = build.finish();
    if failed(&mut done, out, args, global) {
        return Ok(None);
    }
    write_error.map_err(fail)?;
    clock.next(Stage::Write);
    let root = &args.site.root;
    let statics = StaticSources {
        builtin_theme: done.config.theme == "default",
        dirs: vec![
            root.join("themes").join(&done.config.theme).join("static"),
            root.join("static"),
        ],
    };
    writer.finish(&statics).map_err(fail)?;
    Ok(Some(done))
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
fn save(store: &Store, stamp: Stamp, mut record: Record, out: &Path) {
    let mut files = output::listed_files(out);
    files.push(PathBuf::from(MARKER));
    record.files = files
        .into_iter()
        .filter_map(|rel| {
            let meta = std::fs::symlink_metadata(out.join(&rel)).ok()?;
            Some((rel, meta.len(), cache::mtime_ns(&meta)))
        })
        .collect();
    if let Err(e) = store.save(stamp, &record) {
        say::err(&format!(
            "warning: cannot write the build cache {}: {e}; the next build renders everything\n",
            store.path().display()
        ));
    }
}
