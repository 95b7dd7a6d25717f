//! Commands: orchestration of the pipeline stages, nothing more.
//!
//! [`compile`] runs load → resolve → render in memory; `build` adds the write
//! stage, `check` reports what `compile` found. `init`, `new` and
//! `completions` write starter files and scripts without running the pipeline.

pub mod build;
pub mod cached;
pub mod check;
pub mod clean;
pub mod completions;
pub mod deploy;
pub mod init;
pub mod new;
pub mod progress;
pub mod say;
pub mod translate;

use std::io::IsTerminal;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::cli::{Color, GlobalArgs, SiteArgs};
use crate::config::{self, Config};
use crate::diag::{Diagnostics, Severity};
use crate::render::OutFile;

/// A failure of the environment or the command line (exit code 2), as
/// opposed to problems in the content (exit code 1).
#[derive(Debug)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a command ended with, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Clean,
    ContentErrors,
    /// Files under `content/` that could not be read (exit 2, like any
    /// other problem of the environment): a site built without them would
    /// be a smaller site, never what the writer meant.
    Unreadable,
}

/// Diagnostic codes for content that exists but cannot be read.
const UNREADABLE: [&str; 2] = ["unreadable", "content-not-folder"];

/// The outcome of a run with these diagnostics.
pub fn outcome_of(diagnostics: &Diagnostics) -> Outcome {
    let errors = diagnostics
        .items()
        .iter()
        .filter(|d| d.severity == Severity::Error);
    if errors.clone().any(|d| UNREADABLE.contains(&d.code)) {
        Outcome::Unreadable
    } else if errors.count() > 0 {
        Outcome::ContentErrors
    } else {
        Outcome::Clean
    }
}

/// The site, compiled in memory.
pub struct Compiled {
    pub config: Config,
    pub files: Vec<OutFile>,
    pub diagnostics: Diagnostics,
    /// Entity pages rendered (drafts left out are not counted).
    pub pages: usize,
    /// How long each stage took, for `--verbose`.
    pub timings: Timings,
}

/// The stages of the pipeline, in order, as progress and timings name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Load,
    Resolve,
    Render,
    Write,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Load, Stage::Resolve, Stage::Render, Stage::Write];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::Resolve => "resolve",
            Stage::Render => "render",
            Stage::Write => "write",
        }
    }
}

/// Wall-clock time of each stage of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    pub load: Duration,
    pub resolve: Duration,
    pub render: Duration,
    pub write: Duration,
}

impl Timings {
    fn set(&mut self, stage: Stage, took: Duration) {
        match stage {
            Stage::Load => self.load = took,
            Stage::Resolve => self.resolve = took,
            Stage::Render => self.render = took,
            Stage::Write => self.write = took,
        }
    }

    fn get(&self, stage: Stage) -> Duration {
        match stage {
            Stage::Load => self.load,
            Stage::Resolve => self.resolve,
            Stage::Render => self.render,
            Stage::Write => self.write,
        }
    }

    /// One line per stage, `  render    41.2 ms`, up to and including `last`.
    pub fn lines(&self, last: Stage) -> String {
        let mut out = String::new();
        for stage in Stage::ALL {
            let ms = self.get(stage).as_secs_f64() * 1000.0;
            out.push_str(&format!("  {:<8} {ms:>8.1} ms\n", stage.name()));
            if stage == last {
                break;
            }
        }
        out
    }
}

/// Times the stages of a run and tells an observer when each one starts.
pub struct StageClock<'a> {
    current: Stage,
    since: Instant,
    timings: Timings,
    observer: &'a dyn Fn(Stage),
}

impl<'a> StageClock<'a> {
    pub fn start(observer: &'a dyn Fn(Stage)) -> Self {
        observer(Stage::Load);
        StageClock {
            current: Stage::Load,
            since: Instant::now(),
            timings: Timings::default(),
            observer,
        }
    }

    pub fn next(&mut self, stage: Stage) {
        self.timings.set(self.current, self.since.elapsed());
        (self.observer)(stage);
        self.current = stage;
        self.since = Instant::now();
    }

    pub fn finish(mut self) -> Timings {
        self.timings.set(self.current, self.since.elapsed());
        self.timings
    }
}

/// What changes how a site compiles, besides its files.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    pub drafts: bool,
    pub base_url: Option<String>,
    pub serving: bool,
    /// `--today`: the date "today" stands for in date checks.
    pub today: Option<crate::content::model::Date>,
}

/// Runs load → resolve → render. Never stops at the first problem: every
/// stage runs as far as it can and all diagnostics come back together.
pub fn compile(root: &Path, options: &CompileOptions) -> Result<Compiled, Failure> {
    compile_observed(root, options, &|_| {})
}

/// [`compile`], calling `observer` as each stage starts (for a progress bar).
pub fn compile_observed(
    root: &Path,
    options: &CompileOptions,
    observer: &dyn Fn(Stage),
) -> Result<Compiled, Failure> {
    let mut files = Vec::new();
    let mut compiled =
        compile_streaming(root, options, observer, &mut |chunk| files.extend(chunk))?;
    compiled.files = files;
    Ok(compiled)
}

/// [`compile_observed`], handing rendered files to `emit` in chunks as they
/// are rendered instead of keeping them (`Compiled::files` stays empty), so
/// `build` can write a site of any size in bounded memory.
pub fn compile_streaming(
    root: &Path,
    options: &CompileOptions,
    observer: &dyn Fn(Stage),
    emit: &mut (dyn FnMut(Vec<OutFile>) + Send),
) -> Result<Compiled, Failure> {
    crate::engine::run_once(root, options, observer, emit)
}

/// Checks that `root` is a site folder at all (exit 2 otherwise).
pub fn ensure_site(root: &Path) -> Result<(), Failure> {
    if !root.is_dir() {
        return Err(Failure(format!(
            "site folder {} does not exist",
            root.display()
        )));
    }
    if !root.join("content").is_dir() && !root.join(config::CONFIG_FILE).is_file() {
        return Err(Failure(format!(
            "{} is not an explainer site: it has no site.yaml and no content/ folder",
            root.display()
        )));
    }
    Ok(())
}

/// Whether to colour output on stderr: `--color`, then `NO_COLOR`, then
/// whether stderr is a terminal.
pub fn use_color(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}

/// Prints diagnostics to stderr and decides the outcome. `--quiet` keeps
/// only the errors.
pub fn report(diagnostics: &mut Diagnostics, site: &SiteArgs, global: &GlobalArgs) -> Outcome {
    if site.deny_warnings {
        diagnostics.deny_warnings();
    }
    if global.quiet {
        diagnostics.retain(|d| d.severity == Severity::Error);
    }
    if !diagnostics.is_empty() {
        say::err(&diagnostics.render_human(use_color(global.color)));
    }
    outcome_of(diagnostics)
}
