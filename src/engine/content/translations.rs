//! ENGINE, CHECK: every translation file against its original, again
//! whenever either file changes. Input: the kept translations and the
//! originals on disk; output: the pair's diagnostics, kept by path.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

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
    ///
    /// Only the first language's content checks them: another language's
    /// view reports its own template errors alone (the same content would
    /// give the same problems twice), and each check reads and parses two
    /// front matters (0.7 s of CPU at 5,000 translations).
    pub(super) fn check_translations(&mut self, root: &Path, changed: Option<&[PathBuf]>) {
        if self.view.is_some() || self.translations.is_empty() && self.translation_diags.is_empty()
        {
            return;
        }
        let touched = |rel: &Path| changed.is_none_or(|c| c.iter().any(|p| rel.starts_with(p)));
        self.translation_diags
            .retain(|rel, _| self.translations.contains_key(rel));
        let files = self.original_files();
        let reached: Vec<(&PathBuf, &Translation, Option<&Path>)> = self
            .translations
            .iter()
            .map(|(rel, t)| (rel, t, files.get(t.original_id.as_str()).copied()))
            .filter(|(rel, _, original)| touched(rel) || original.is_some_and(&touched))
            .collect();
        let fresh: Vec<(PathBuf, Vec<Diagnostic>)> = reached
            .into_par_iter()
            .map(|(rel, t, original)| (rel.clone(), self.check_one(root, t, original)))
            .collect();
        for (rel, diags) in fresh {
            self.translation_diags.insert(rel, diags);
        }
    }

    /// The file of the entity `id` (a draft or the home page included).
    /// The file of every entity by its id (drafts and the home page
    /// included), the first of an id defined twice.
    fn original_files(&self) -> HashMap<&str, &Path> {
        let mut files = HashMap::new();
        for e in self.entities.iter().chain(&self.held).chain(&self.home) {
            files.entry(e.id.as_str()).or_insert(e.file.as_path());
        }
        files
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

/// `[[ref]]` and `[[ref|text]]` in a text, as the ref and its span.
fn refs_in(text: &str) -> Vec<(&str, crate::diag::Span)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find("[[").map(|o| at + o) {
        let inner_start = open + 2;
        let Some(close) = text[inner_start..].find("]]").map(|c| inner_start + c) else {
            break;
        };
        let inner = &text[inner_start..close];
        if !inner.contains('\n') {
            let raw = inner.split('|').next().unwrap_or_default().trim();
            out.push((raw, crate::diag::Span::new(open, close + 2)));
        }
        at = close + 2;
    }
    out
}

impl Content {
    /// The refs of every translation that find no page, or more than one:
    /// a translated link goes where the original's would.
    pub fn translation_ref_errors(
        &self,
        index: &crate::resolve::Index,
        kinds: &[(String, crate::content::model::Kind, String)],
    ) -> Vec<Diagnostic> {
        use crate::resolve::Lookup;
        let mut out = Vec::new();
        for (rel, t) in &self.translations {
            // A translation in error (no original, another language) is
            // reported once, for that.
            if self
                .translation_diags
                .get(rel)
                .is_some_and(|d| has_errors(d))
            {
                continue;
            }
            for (raw, span) in refs_in(&t.text) {
                let lookup = index.lookup(raw);
                if !matches!(lookup, Lookup::Found(_) | Lookup::Unparsed) {
                    out.push(crate::resolve::ref_error(raw, span, rel, &lookup, kinds));
                }
            }
        }
        out
    }
}

fn has_errors(diags: &[Diagnostic]) -> bool {
    diags
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_are_found_with_their_spans() {
        let text = "a [[x]] b [[actors/y|Y]] [[open\n]] c";
        let refs: Vec<_> = refs_in(text)
            .into_iter()
            .map(|(r, s)| (r, s.start))
            .collect();
        assert_eq!(refs, [("x", 2), ("actors/y", 10)]);
    }
}
