//! ENGINE, CHECK: every diagnostic of the current state, gathered as a full
//! build reports them: load, resolve, templates, Markdown, rendering and
//! the checks that read the whole site (orphans, lint, content warnings).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::state::State;
use super::templates::TemplateState;
use crate::diag::{Diagnostic, Diagnostics};
use crate::resolve;

/// What the diagnostics are gathered from.
pub struct Parts<'a, I: Iterator<Item = &'a Diagnostic>> {
    pub root: &'a Path,
    pub state: &'a State,
    pub config_diags: &'a Diagnostics,
    pub templates: &'a TemplateState,
    pub job_errors: I,
    /// [`site_checks`], when they were run before the sources went.
    pub checks: Option<Vec<Diagnostic>>,
    /// Texts of content files read before, kept until the file changes.
    pub texts: &'a mut HashMap<PathBuf, String>,
}

pub fn gather<'a>(parts: Parts<'a, impl Iterator<Item = &'a Diagnostic>>) -> Diagnostics {
    let state = parts.state;
    let entities = &state.content.entities;
    let mut found: Vec<Diagnostic> = state.resolve_diagnostics().cloned().collect();
    found.extend(parts.templates.layer_diags.iter().cloned());
    found.extend(resolve::warnings::content_warnings(entities));
    found.extend(state.statics.warnings().cloned());
    if parts.templates.compiled.is_some() {
        found.extend(parts.checks.unwrap_or_else(|| site_checks(state)));
        let mut rendered: Vec<Diagnostic> = state
            .prepared
            .iter()
            .chain(&state.home_prepared)
            .flat_map(|p| p.diagnostics.iter().cloned())
            .collect();
        let mut seen = std::collections::HashSet::new();
        rendered.extend(
            parts
                .job_errors
                .filter(|e| seen.insert(e.message.clone()))
                .cloned(),
        );
        rendered.extend(
            state
                .content
                .translation_ref_errors(&state.index, &state.tables.kinds),
        );
        resolve::add_hints(entities, &state.index, &mut rendered);
        found.extend(rendered);
    } else {
        found.extend(parts.templates.compile_diags.iter().cloned());
    }
    let mut all = Diagnostics::default();
    all.merge(copy(parts.config_diags));
    all.merge(state.content.diagnostics(parts.root));
    add_sources(parts.root, parts.templates, parts.texts, &mut all, &found);
    all.extend(found);
    all
}

/// Orphans and lint: checks over the whole site and its relations.
pub fn site_checks(state: &State) -> Vec<Diagnostic> {
    let entities = &state.content.entities;
    let menu: Vec<String> = state.config.menu.iter().map(|m| m.url.clone()).collect();
    let mut linked = resolve::warnings::linked_from_menu(&menu, entities);
    linked.extend(
        state
            .home_prepared
            .iter()
            .flat_map(|h| h.links_to.iter().copied()),
    );
    let mut out = resolve::warnings::orphans(entities, &state.relations, &linked);
    out.extend(resolve::lint::lint(
        entities,
        &state.relations,
        &state.config,
    ));
    out
}

/// Registers the text of every file a diagnostic points into.
fn add_sources(
    root: &Path,
    templates: &TemplateState,
    texts: &mut HashMap<PathBuf, String>,
    all: &mut Diagnostics,
    found: &[Diagnostic],
) {
    for (origin, text) in templates.layers.values() {
        let path = origin.display_path();
        if found.iter().any(|d| d.file == path) {
            all.add_source(&path, text);
        }
    }
    let files: BTreeSet<&PathBuf> = found
        .iter()
        .filter(|d| d.span.is_some() && all.source(&d.file).is_none())
        .map(|d| &d.file)
        .collect();
    for file in files {
        if !texts.contains_key(file)
            && let Ok(text) = std::fs::read_to_string(root.join(file))
        {
            texts.insert(file.clone(), text);
        }
        if let Some(text) = texts.get(file) {
            all.add_source(file, text);
        }
    }
}

fn copy(d: &Diagnostics) -> Diagnostics {
    let mut out = Diagnostics::default();
    out.extend(d.items().iter().cloned());
    let files: BTreeSet<&PathBuf> = d.items().iter().map(|i| &i.file).collect();
    for file in files {
        if let Some(text) = d.source(file) {
            out.add_source(file, text);
        }
    }
    out
}
