//! ENGINE, LOAD: an entity as its language view shows it. Input: a parsed
//! original and the kept translation files; output: the entity with the
//! languages it exists in and, in another language's view, its
//! translation's texts laid over it — or, untranslated, marked a fallback
//! shown in the original's words.
//!
//! A translation file reaches its original's pages through the original:
//! a change to `x.uk.md` is taken in as a change to `x.md` too
//! ([`Content::with_originals`]), so the original is read again and
//! dressed again, and its front matter print ([`Content::translations_print`])
//! tells every output that read it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Content;
use crate::content::model::Entity;
use crate::content::translation::{self, Translation};

/// Translation files by the id of their original: `(language, path)`.
pub(super) type ByOriginal = HashMap<String, Vec<(String, PathBuf)>>;

impl Content {
    /// Indexes the kept translations by their original's id.
    pub(super) fn index_translations(&mut self) {
        let mut by: ByOriginal = HashMap::new();
        for (rel, t) in &self.translations {
            by.entry(t.original_id.clone())
                .or_default()
                .push((t.lang.clone(), rel.clone()));
        }
        self.translated = by;
    }

    /// Sets where `e` stands among the languages and, in another
    /// language's view, lays its translation over it.
    pub(super) fn dress(&self, e: &mut Entity) {
        if self.languages.len() < 2 {
            return;
        }
        let files = self.translated.get(&e.id).map_or(&[][..], Vec::as_slice);
        e.lang.translated_into = self.languages[1..]
            .iter()
            .filter(|code| files.iter().any(|(l, _)| l == *code))
            .cloned()
            .collect();
        let Some(view) = &self.view else {
            return;
        };
        let front = files
            .iter()
            .find(|(l, _)| l == view)
            .and_then(|(_, rel)| self.translations.get(rel))
            .and_then(read_front);
        match front {
            Some(front) => crate::content::overlay::overlay(e, &front),
            None => e.lang.fallback_from = self.languages.first().cloned(),
        }
    }

    /// A print of an entity's translation files as written: part of its
    /// front matter print, since its pages list the languages it exists
    /// in and, in another language, show the translation's texts.
    pub fn translations_print(&self, id: &str) -> u64 {
        let Some(files) = self.translated.get(id) else {
            return 0;
        };
        files.iter().fold(0, |acc, (_, rel)| {
            crate::resolve::mix(acc, &self.front_hash(rel))
        })
    }

    /// `changed` with the original of every translation file in it, on a
    /// multilingual site: the original's pages show what the translation
    /// says (or that there is one).
    pub(super) fn with_originals(&self, root: &Path, changed: &[PathBuf]) -> Vec<PathBuf> {
        let mut all = changed.to_vec();
        if self.languages.len() < 2 {
            return all;
        }
        for rel in changed {
            for original in originals_of(rel) {
                if root.join(&original).is_file() && !all.contains(&original) {
                    all.push(original);
                }
            }
        }
        all
    }
}

/// The files `rel` would be a translation of: `x.uk.md` → `x.md`, `x.yaml`.
fn originals_of(rel: &Path) -> Vec<PathBuf> {
    let Some(stem) = rel.file_stem().and_then(|s| s.to_str()) else {
        return Vec::new();
    };
    let Some((slug, _)) = translation::split_stem(stem) else {
        return Vec::new();
    };
    ["md", "yaml", "yml"]
        .iter()
        .map(|ext| rel.with_file_name(format!("{slug}.{ext}")))
        .collect()
}

fn read_front(t: &Translation) -> Option<translation::Front> {
    let yaml_file = t.file.extension().is_some_and(|e| e != "md");
    translation::read_front(&t.file, &t.text, yaml_file).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_translation_names_its_original_files() {
        let found = super::originals_of(std::path::Path::new("content/actors/x.uk.md"));
        assert_eq!(found[0], std::path::Path::new("content/actors/x.md"));
        assert!(super::originals_of(std::path::Path::new("content/actors/x.md")).is_empty());
    }
}
