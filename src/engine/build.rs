//! ENGINE: one run from nothing, for `build` and `check` — the same stages
//! as a kept [`super::Engine`], without recording reads, streaming each
//! file to the caller as it is rendered so a site of any size is written
//! in bounded memory.

use std::path::Path;

use super::content::Content;
use super::parses::Parses;
use super::prints::Interner;
use super::state::State;
use super::templates::TemplateState;
use crate::cmd::{CompileOptions, Compiled, Failure, Stage, StageClock};
use crate::config::{self, Config};
use crate::diag::Diagnostics;
use crate::render::{self, OutFile, RenderOptions};

/// The configuration, with `--base-url` applied.
pub fn load_config(root: &Path, options: &CompileOptions) -> (Config, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut config = config::load(root, &mut diags);
    if let Some(url) = &options.base_url {
        config.set_base_url(url);
    }
    config.today = options.today;
    crate::i18n::view::first(&mut config);
    (config, diags)
}

/// The configuration of every language of the site, the first's first,
/// each with its diagnostics (the others' words go to the first's).
pub fn load_configs(root: &Path, options: &CompileOptions) -> Vec<(Config, Diagnostics)> {
    let (first, mut diags) = load_config(root, options);
    let others = crate::i18n::view::others(root, &first, &mut diags);
    std::iter::once((first, diags))
        .chain(others.into_iter().map(|c| (c, Diagnostics::default())))
        .collect()
}

/// Runs load → resolve → render once, handing rendered files to `emit` in
/// chunks. Never stops at the first problem: every stage runs as far as it
/// can and all diagnostics come back together.
pub fn run_once(
    root: &Path,
    options: &CompileOptions,
    observer: &dyn Fn(Stage),
    emit: &mut (dyn FnMut(Vec<OutFile>) + Send),
) -> Result<Compiled, Failure> {
    crate::cmd::ensure_site(root)?;
    let mut clock = StageClock::start(observer);
    let mut configs = load_configs(root, options);
    let others = configs.split_off(1);
    let (config, mut config_diags) = configs.remove(0);
    // Every language reads the same files: the first parses them, the
    // others take its entities (kept encoded until the last has loaded)
    // wherever a file's bytes are still the same.
    let mut parses = (!others.is_empty()).then(Parses::in_memory);
    let mut trace = super::Trace::start();
    let content = Content::load_with(
        root,
        &config,
        options.drafts,
        &mut config_diags,
        parses.as_mut(),
    );
    trace.lap("load");
    clock.next(Stage::Resolve);
    let templates = TemplateState::load(root, &config);
    let mut state = derive(root, config, content);
    trace.lap("derive");
    clock.next(Stage::Render);
    let mut job_errors = Vec::new();
    let mut checks = None;
    if let Some(compiled) = &templates.compiled {
        checks = Some(super::diagnostics::site_checks(&state));
        for e in &mut state.content.entities {
            e.body = Default::default();
        }
        job_errors = render_all(&mut state, compiled, options, emit);
        trace.lap("render");
    }
    let mut diagnostics = super::diagnostics::gather(super::diagnostics::Parts {
        root,
        state: &state,
        config_diags: &config_diags,
        templates: &templates,
        job_errors: job_errors.iter(),
        checks,
        texts: &mut Default::default(),
    });
    // Each other language is built after the first is done with, so one
    // language's site is in memory at a time.
    let pages = state.content.entities.len();
    let config = std::mem::take(&mut state.config);
    drop(state);
    let views = others.len();
    for (at, (other, _)) in others.into_iter().enumerate() {
        let last = at + 1 == views;
        diagnostics.extend(run_view(root, options, other, (&mut parses, last), emit));
    }
    Ok(Compiled {
        pages,
        config,
        files: Vec::new(),
        diagnostics,
        timings: clock.finish(),
    })
}

/// Renders the whole site in another language, its files under its
/// folder; returns its template errors (its content's problems are the
/// first language's to report).
fn run_view(
    root: &Path,
    options: &CompileOptions,
    config: Config,
    (parses, last): (&mut Option<Parses>, bool),
    emit: &mut (dyn FnMut(Vec<OutFile>) + Send),
) -> Vec<crate::diag::Diagnostic> {
    let Some(lang) = config.view.current().cloned() else {
        return Vec::new();
    };
    let templates = TemplateState::load(root, &config);
    let Some(compiled) = &templates.compiled else {
        return Vec::new();
    };
    let mut trace = super::Trace::start();
    let mut quiet = Diagnostics::default();
    let content = Content::load_with(root, &config, options.drafts, &mut quiet, parses.as_mut());
    if last {
        // No language reads them after this one.
        *parses = None;
    }
    trace.lap(&format!("{} load", lang.code));
    let mut state = derive(root, config, content);
    trace.lap(&format!("{} derive", lang.code));
    for e in &mut state.content.entities {
        e.body = Default::default();
    }
    let mut placed = |mut files: Vec<OutFile>| {
        for f in &mut files {
            f.path = crate::i18n::view::in_view(&lang, &f.path);
        }
        emit(files);
    };
    let errors = render_all(&mut state, compiled, options, &mut placed);
    trace.lap(&format!("{} render", lang.code));
    errors
}

/// The site derived from `content` for one run, with its static files.
fn derive(root: &Path, config: Config, content: Content) -> State {
    // Lint reads the sources for unlinked mentions only when autolinking
    // is on; otherwise they go as soon as rendered.
    let free_sources = !config.autolink;
    let mut state = State::derive(
        config,
        content,
        &mut Interner::default(),
        (free_sources, false),
        None,
    );
    state.statics = super::statics::Statics::load(root, &state.config);
    state
}

/// Renders every page, moving each entity's rendered body into its page.
fn render_all(
    state: &mut State,
    templates: &render::templates::Templates,
    options: &CompileOptions,
    emit: &mut (dyn FnMut(Vec<OutFile>) + Send),
) -> Vec<crate::diag::Diagnostic> {
    let site = render::Site {
        config: &state.config,
        entities: &state.content.entities,
        home: state.content.home.as_ref(),
        index: &state.index,
        assets: &state.statics.table,
    };
    let mut prepared = render::PreparedSite {
        prepared: std::mem::take(&mut state.prepared),
        home: state.home_prepared.take(),
        relations: std::mem::take(&mut state.relations),
        diagnostics: Vec::new(),
    };
    let options = RenderOptions {
        serving: options.serving,
    };
    let errors = render::render_pages(
        &site,
        &state.tables,
        &mut prepared,
        templates,
        options,
        emit,
    );
    state.prepared = prepared.prepared;
    state.home_prepared = prepared.home;
    state.relations = prepared.relations;
    errors
}
