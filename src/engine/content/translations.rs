//! ENGINE, CHECK: every translation file against its original, again
//! whenever either file changes. Input: the kept translations and the
//! originals on disk; output: the pair's diagnostics, kept by path.

use std::path::{Path, PathBuf};

use super::Content;
use crate::config::Config;
use crate::content::drift;
use crate::content::translation::{self, Front, Original, Translation};
use crate::diag::{Diagnostic, Diagnostics};

/// The site's language codes, the first the originals' own.
pub fn language_codes(config: &Config) -> Vec<String> {
    if config.languages.is_empty() {
        return vec![config.language.clone()];
    }
    config.languages.iter().map(|l| l.code.clone()).collect()
}

impl Content {
    /// Checks the translations again: all of them, or with `changed` only
    /// those whose own file or whose original is under a changed path.
    pub(super) fn check_translations(&mut self, root: &Path, changed: Option<&[PathBuf]>) {
        let touched = |rel: &Path| changed.is_none_or(|c| c.iter().any(|p| rel.starts_with(p)));
        self.translation_diags
            .retain(|rel, _| self.translations.contains_key(rel));
        let mut fresh = Vec::new();
        for (rel, t) in &self.translations {
            let original = self.original_file(&t.original_id);
            let reach = touched(rel) || original.is_some_and(|o| touched(o));
            if reach {
                fresh.push((rel.clone(), self.check_one(root, t, original)));
            }
        }
        for (rel, diags) in fresh {
            self.translation_diags.insert(rel, diags);
        }
    }

    /// The file of the entity `id` (a draft or the home page included).
    fn original_file(&self, id: &str) -> Option<&Path> {
        self.entities
            .iter()
            .chain(&self.held)
            .chain(&self.home)
            .find(|e| e.id == id)
            .map(|e| e.file.as_path())
    }

    fn check_one(&self, root: &Path, t: &Translation, original: Option<&Path>) -> Vec<Diagnostic> {
        let first = self.languages.first();
        if !self.languages.contains(&t.lang) || first == Some(&t.lang) {
            return vec![translation::bad_language(t, &self.languages)];
        }
        let ours = match read_front(&t.file, &t.text) {
            Ok(front) => front,
            Err(d) => return vec![d],
        };
        let Some(file) = original else {
            return vec![translation::no_original(t, &expected_original(t))];
        };
        let Some(theirs) = std::fs::read_to_string(root.join(file))
            .ok()
            .and_then(|text| read_front(file, &text).ok())
        else {
            // The original's own problems are reported at the original.
            return Vec::new();
        };
        let mut diags = translation::check(
            t,
            &ours,
            &Original {
                file,
                front: &theirs,
            },
        );
        diags.extend(drift::warnings(t, &ours, &theirs));
        diags
    }

    /// Every translation's diagnostics, with the texts they point into.
    pub(super) fn translation_diagnostics(&self, all: &mut Diagnostics) {
        for (rel, diags) in &self.translation_diags {
            if diags.is_empty() {
                continue;
            }
            if let Some(t) = self.translations.get(rel) {
                all.add_source(rel, &t.text);
            }
            all.extend(diags.iter().cloned());
        }
    }
}

/// The front matter of a content file, `.md` or `.yaml`.
fn read_front(file: &Path, text: &str) -> Result<Front, Diagnostic> {
    let yaml_file = file.extension().is_some_and(|e| e != "md");
    translation::read_front(file, text, yaml_file)
}

/// Where the original of a translation would be: `x.uk.md` → `x.md`.
fn expected_original(t: &Translation) -> PathBuf {
    let ext = t.file.extension().and_then(|e| e.to_str()).unwrap_or("md");
    let stem = t.file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let slug = translation::split_stem(stem).map_or(stem, |(slug, _)| slug);
    t.file.with_file_name(format!("{slug}.{ext}"))
}
