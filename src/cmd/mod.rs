//! Commands: orchestration of the pipeline stages, nothing more.
//!
//! [`compile`] runs load → resolve → render in memory; `build` adds the write
//! stage, `check` reports what `compile` found. `init`, `new` and
//! `completions` write starter files and scripts without running the pipeline.

pub mod build;
pub mod check;
pub mod completions;
pub mod init;
pub mod new;
pub mod progress;
pub mod say;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cli::{Color, GlobalArgs, SiteArgs};
use crate::config::{self, Config};
use crate::content;
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::render::{self, OutFile, RenderOptions, templates};
use crate::resolve::{self, Index};

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
struct StageClock<'a> {
    current: Stage,
    since: Instant,
    timings: Timings,
    observer: &'a dyn Fn(Stage),
}

impl<'a> StageClock<'a> {
    fn start(observer: &'a dyn Fn(Stage)) -> Self {
        observer(Stage::Load);
        StageClock {
            current: Stage::Load,
            since: Instant::now(),
            timings: Timings::default(),
            observer,
        }
    }

    fn next(&mut self, stage: Stage) {
        self.timings.set(self.current, self.since.elapsed());
        (self.observer)(stage);
        self.current = stage;
        self.since = Instant::now();
    }

    fn finish(mut self) -> Timings {
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
    ensure_site(root)?;
    let mut clock = StageClock::start(observer);
    let mut diagnostics = Diagnostics::default();
    let mut config = config::load(root, &mut diagnostics);
    if let Some(url) = &options.base_url {
        config.set_base_url(url);
    }
    let loaded = content::load(root);
    diagnostics.merge(loaded.diagnostics);
    let (mut entities, drafts): (Vec<_>, Vec<_>) = loaded
        .entities
        .into_iter()
        .partition(|e| options.drafts || !e.draft);
    clock.next(Stage::Resolve);
    let index = Index::new(&entities, &drafts).with_unparsed(&loaded.unparsed);
    let mut found: Vec<Diagnostic> = Vec::new();
    let relations = resolve::resolve(&mut entities, &index, &mut found);
    let (layers, template_diags) = templates::collect(root, &config.theme);
    let template_texts: Vec<(PathBuf, String)> = layers
        .values()
        .map(|(origin, text)| (origin.display_path(), text.clone()))
        .collect();
    let templates_missing = !template_diags.is_empty();
    found.extend(template_diags);
    found.extend(resolve::warnings::content_warnings(&entities));
    clock.next(Stage::Render);
    // Without every template there is nothing sensible to render; the
    // missing ones are already reported.
    let compiled = if templates_missing {
        Err(Vec::new())
    } else {
        templates::compile(layers)
    };
    match compiled {
        Ok(templates) => {
            let tables = render::Tables::new(&entities, &config);
            // Lint reads the sources for unlinked mentions only when
            // autolinking is on; otherwise they go as soon as rendered.
            let keep_sources = config.autolink;
            let mut site = render::SiteMut {
                config: &config,
                entities: &mut entities,
                home: loaded.home.as_ref(),
                index: &index,
            };
            let mut prepared = render::prepare_site(&mut site, &tables, relations, !keep_sources);
            let mut render_diags = std::mem::take(&mut prepared.diagnostics);
            let menu: Vec<String> = config.menu.iter().map(|m| m.url.clone()).collect();
            let mut linked = resolve::warnings::linked_from_menu(&menu, &entities);
            linked.extend(prepared.home_links());
            found.extend(resolve::warnings::orphans(
                &entities,
                &prepared.relations,
                &linked,
            ));
            found.extend(resolve::lint::lint(&entities, &prepared.relations, &config));
            if keep_sources {
                for e in &mut entities {
                    e.body = Default::default();
                }
            }
            let site = render::Site {
                config: &config,
                entities: &entities,
                home: loaded.home.as_ref(),
                index: &index,
            };
            let options = RenderOptions {
                serving: options.serving,
            };
            render_diags.extend(render::render_pages(
                &site,
                &tables,
                &mut prepared,
                &templates,
                options,
                emit,
            ));
            resolve::add_hints(&entities, &index, &mut render_diags);
            found.extend(render_diags);
        }
        // Nothing rendered: `emit` was never called.
        Err(template_errors) => found.extend(template_errors),
    }
    add_template_sources(&mut diagnostics, &template_texts, &found);
    add_content_sources(root, &mut diagnostics, &found);
    diagnostics.extend(found);
    Ok(Compiled {
        config,
        files: Vec::new(),
        diagnostics,
        pages: entities.len(),
        timings: clock.finish(),
    })
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

/// Registers the text of every content file a diagnostic points into.
fn add_content_sources(root: &Path, diagnostics: &mut Diagnostics, found: &[Diagnostic]) {
    let mut files: Vec<&PathBuf> = found
        .iter()
        .filter(|d| d.span.is_some())
        .map(|d| &d.file)
        .collect();
    files.sort();
    files.dedup();
    for file in files {
        if let Ok(text) = std::fs::read_to_string(root.join(file)) {
            diagnostics.add_source(file, &text);
        }
    }
}

/// Registers the text of every template a diagnostic points into.
fn add_template_sources(
    diagnostics: &mut Diagnostics,
    texts: &[(PathBuf, String)],
    found: &[Diagnostic],
) {
    for (path, text) in texts {
        if found.iter().any(|d| &d.file == path) {
            diagnostics.add_source(path, text);
        }
    }
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
    if diagnostics.has_errors() {
        Outcome::ContentErrors
    } else {
        Outcome::Clean
    }
}
