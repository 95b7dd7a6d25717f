//! ENGINE: the templates of the site's layers, compiled, with a print of
//! each top-level template that covers everything it extends, includes or
//! imports: a page records the template it renders with, and a change to a
//! partial changes the print of every template using it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::render::site::{Sym, sym};
use crate::render::templates::{self, Origin, Templates};

/// Template name to its layer and text.
type Layers = BTreeMap<String, (Origin, String)>;

pub struct TemplateState {
    pub layers: Layers,
    pub layer_diags: Vec<Diagnostic>,
    pub compiled: Option<Templates>,
    pub compile_diags: Vec<Diagnostic>,
}

impl TemplateState {
    /// The templates of `config`'s theme, with its words (`t`) in
    /// `config`'s language.
    pub fn load(root: &Path, config: &Config) -> Self {
        let (layers, layer_diags) = templates::collect(root, &config.theme);
        let (compiled, compile_diags) = if layer_diags.is_empty() {
            match templates::compile(layers.clone(), config.strings.clone()) {
                Ok(t) => (Some(t), Vec::new()),
                Err(diags) => (None, diags),
            }
        } else {
            // Without every template there is nothing sensible to render;
            // the missing ones are already reported.
            (None, Vec::new())
        };
        TemplateState {
            layers,
            layer_diags,
            compiled,
            compile_diags,
        }
    }

    /// Each template's print, by [`Sym`] of its name.
    pub fn prints(&self) -> HashMap<Sym, u64> {
        let mut out: HashMap<Sym, u64> = HashMap::new();
        for name in self.layers.keys() {
            let mut seen = HashSet::new();
            let print = self.print(name, &mut seen);
            *out.entry(sym(name)).or_default() ^= print;
        }
        out
    }

    fn print(&self, name: &str, seen: &mut HashSet<String>) -> u64 {
        if !seen.insert(name.to_owned()) {
            return 0;
        }
        let Some((_, text)) = self.layers.get(name) else {
            return 1;
        };
        let mut print = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
        for used in referenced_templates(text) {
            print = crate::resolve::mix(print, &self.print(&used, seen));
        }
        print
    }
}

/// Names in `{% extends "x" %}`, `{% include "y" %}` and `{% import "z" %}`.
fn referenced_templates(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for keyword in ["extends", "include", "import"] {
        for part in text.split(keyword).skip(1) {
            let part = part.trim_start();
            let Some(quote) = part.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(name) = part[1..].split(quote).next() {
                names.push(name.to_owned());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_references_are_found() {
        let text = "{% extends \"entity.html\" %}{% include 'partials/x.html' %}";
        assert_eq!(
            referenced_templates(text),
            ["entity.html", "partials/x.html"]
        );
    }

    #[test]
    fn a_partial_changes_the_print_of_every_template_using_it() {
        let o = || Origin::Builtin(String::new());
        let mut state = TemplateState {
            layers: Layers::new(),
            layer_diags: Vec::new(),
            compiled: None,
            compile_diags: Vec::new(),
        };
        state
            .layers
            .insert("base.html".into(), (o(), "base".into()));
        state.layers.insert(
            "actor.html".into(),
            (
                o(),
                "{% extends \"base.html\" %}{% include \"k.html\" %}".into(),
            ),
        );
        state.layers.insert(
            "list.html".into(),
            (o(), "{% extends \"base.html\" %}".into()),
        );
        state.layers.insert("k.html".into(), (o(), "k".into()));
        let before = state.prints();
        state.layers.insert("k.html".into(), (o(), "k2".into()));
        let after = state.prints();
        assert_ne!(before[&sym("actor.html")], after[&sym("actor.html")]);
        assert_eq!(before[&sym("list.html")], after[&sym("list.html")]);
    }
}
