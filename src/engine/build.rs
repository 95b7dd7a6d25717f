//! ENGINE: one run from nothing, for `build` and `check` — the same stages
//! as a kept [`super::Engine`], without recording reads, streaming each
//! file to the caller as it is rendered so a site of any size is written
//! in bounded memory.

use std::path::Path;

use super::content::Content;
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
    (config, diags)
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
    let (config, mut config_diags) = load_config(root, options);
    let content = Content::load(root, &config, options.drafts, &mut config_diags);
    clock.next(Stage::Resolve);
    let templates = TemplateState::load(root, &config);
    // Lint reads the sources for unlinked mentions only when autolinking
    // is on; otherwise they go as soon as rendered.
    let free_sources = !config.autolink;
    let mut state = State::derive(
        config,
        content,
        &mut Interner::default(),
        free_sources,
        false,
    );
    state.statics = super::statics::Statics::load(root, &state.config);
    clock.next(Stage::Render);
    let mut job_errors = Vec::new();
    let mut checks = None;
    if let Some(compiled) = &templates.compiled {
        checks = Some(super::diagnostics::site_checks(&state));
        for e in &mut state.content.entities {
            e.body = Default::default();
        }
        job_errors = render_all(&mut state, compiled, options, emit);
    }
    let diagnostics = super::diagnostics::gather(super::diagnostics::Parts {
        root,
        state: &state,
        config_diags: &config_diags,
        templates: &templates,
        job_errors: job_errors.iter(),
        checks,
        texts: &mut Default::default(),
    });
    Ok(Compiled {
        pages: state.content.entities.len(),
        config: state.config,
        files: Vec::new(),
        diagnostics,
        timings: clock.finish(),
    })
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
