//! `explainer new --translate LANG ID` and `explainer translated LANG ID`:
//! a translation skeleton beside its original, and marking a translation
//! current after its original changed.
//!
//! Both record in `translated_from:` a print of the original's text as it
//! is now (`content::drift`); `check` compares it with the original's text
//! on every run and warns, per fact, when the original moved on.

use std::path::{Path, PathBuf};

use super::init::create_new;
use super::new::shown;
use super::{Failure, Outcome, say};
use crate::cli::TranslatedArgs;
use crate::config;
use crate::content::drift::{self, Print};
use crate::content::model::Kind;
use crate::content::translation::{self, Front, LISTS, TEXT_KEYS};
use crate::content::yaml::{Node, Value};
use crate::diag::Diagnostics;

/// Writes `content/<id>.<lang>.md`: the original's text to translate, and
/// its print.
pub fn create(root: &Path, lang: &str, id: &str) -> Result<Outcome, Failure> {
    let name = language_name(root, lang)?;
    let (original, front) = read_original(root, id)?;
    let rel = translation_path(&original, lang);
    let text = skeleton(&original, &name, &front);
    let path = root.join(&rel);
    create_new(&path, &text).map_err(|e| {
        Failure(format!(
            "cannot write {}: {e}; if it exists, edit it and mark it current with `explainer translated {lang} {id}`",
            path.display()
        ))
    })?;
    say::out(&format!("{}\n", shown(root, rel).display()));
    Ok(Outcome::Clean)
}

/// Records the original's print as it is now in an existing translation.
pub fn refresh(args: &TranslatedArgs) -> Result<Outcome, Failure> {
    let root = &args.root;
    language_name(root, &args.lang)?;
    let (original, front) = read_original(root, &args.id)?;
    let rel = translation_path(&original, &args.lang);
    let path = root.join(&rel);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Failure(format!(
            "cannot read {}: {e}; write one with `explainer new --translate {} {}`",
            path.display(),
            args.lang,
            args.id
        ))
    })?;
    let marked = drift::with_print(&text, &Print::of(&front)).ok_or_else(|| {
        Failure(format!(
            "{} has no front matter (a first line `---`) to record `translated_from` in",
            path.display()
        ))
    })?;
    std::fs::write(&path, marked)
        .map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
    say::out(&format!("{}\n", shown(root, rel).display()));
    Ok(Outcome::Clean)
}

/// The name of `lang` in itself, when it is one of the site's languages
/// other than the first.
fn language_name(root: &Path, lang: &str) -> Result<String, Failure> {
    let config = config::load(root, &mut Diagnostics::default());
    let mut others = config.languages.iter().skip(1);
    match others.find(|l| l.code == lang) {
        Some(l) => Ok(l.name.clone()),
        None => Err(Failure(format!(
            "`{lang}` is not one of the site's other languages; add `{{code: {lang}, name: …}}` to `languages:` in site.yaml after the first"
        ))),
    }
}

/// The original's file (relative to the root) and front matter.
fn read_original(root: &Path, id: &str) -> Result<(PathBuf, Front), Failure> {
    let id = id.trim_end_matches(['/']).trim_end_matches(".md");
    let known_kind = id
        .split_once('/')
        .is_some_and(|(dir, _)| Kind::from_dir(dir).is_some());
    if !known_kind && id != crate::content::HOME_ID {
        return Err(Failure(format!(
            "`{id}` is not a page id: write `<kind>/<slug>` (actors/volodymyr-zelensky) or `_index` for the home page"
        )));
    }
    let rel = ["md", "yaml"]
        .iter()
        .map(|ext| PathBuf::from("content").join(format!("{id}.{ext}")))
        .find(|rel| root.join(rel).is_file())
        .ok_or_else(|| Failure(format!("no page `{id}`: content/{id}.md does not exist")))?;
    let text = std::fs::read_to_string(root.join(&rel))
        .map_err(|e| Failure(format!("cannot read {}: {e}", rel.display())))?;
    let yaml_file = rel.extension().is_some_and(|e| e == "yaml");
    let front = translation::read_front(&rel, &text, yaml_file).map_err(|d| {
        Failure(format!(
            "{}: {}; fix the original first (`explainer check`)",
            rel.display(),
            d.message
        ))
    })?;
    Ok((rel, front))
}

/// `content/actors/x.md` → `content/actors/x.uk.md` (a `.yaml` original
/// gets a `.md` translation too: its body is Markdown like any other).
fn translation_path(original: &Path, lang: &str) -> PathBuf {
    let stem = original.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    original.with_file_name(format!("{stem}.{lang}.md"))
}

/// The skeleton: the original's text, to be translated in place.
fn skeleton(original: &Path, language: &str, front: &Front) -> String {
    let mut out = format!(
        "---\n# {language} text of {}. Translate the text; everything else\n# (dates, refs, sources, tags) comes from the original.\ntranslated_from: {}\n",
        original.display(),
        Print::of(front)
    );
    let entries = translation::entries(&front.root);
    for key in TEXT_KEYS {
        if let Some(node) = translation::get(entries, key) {
            write_value(&mut out, key, node, "");
        }
    }
    for (key, item_keys) in LISTS {
        if let Some(Value::Seq(items)) = translation::get(entries, key).map(|n| &n.value) {
            out.push_str(&format!("{key}:\n"));
            for item in items {
                write_item(&mut out, item, item_keys);
            }
        }
    }
    let body = match translation::get(entries, "body").and_then(Node::as_str) {
        Some(yaml_body) => yaml_body.to_owned(),
        None => front.body.clone(),
    };
    out.push_str("---\n");
    out.push_str(&body);
    out
}

/// One list item: its text keys only (`- label: …`).
fn write_item(out: &mut String, item: &Node, item_keys: &[&str]) {
    let entries = translation::entries(item);
    let mut first = true;
    for key in item_keys {
        if let Some(node) = translation::get(entries, key) {
            write_value(out, key, node, if first { "  - " } else { "    " });
            first = false;
        }
    }
    if first {
        out.push_str("  - {}\n");
    }
}

/// `key: "text"` or a list of texts; a JSON string is a valid YAML
/// double-quoted scalar, so any text round-trips.
fn write_value(out: &mut String, key: &str, node: &Node, indent: &str) {
    let quoted = |n: &Node| {
        let text = n.as_str().map(str::to_owned).unwrap_or_default();
        serde_json::to_string(&text).unwrap_or_default()
    };
    match &node.value {
        Value::Seq(items) => {
            out.push_str(&format!("{indent}{key}:\n"));
            let pad = " ".repeat(indent.len());
            for item in items {
                out.push_str(&format!("{pad}  - {}\n", quoted(item)));
            }
        }
        Value::Null => {}
        _ => out.push_str(&format!("{indent}{key}: {}\n", quoted(node))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skeleton_holds_the_text_and_reads_back_clean() {
        let text = "---\ntitle: \"Paris \\\"summit\\\"\"\ndate: 2026-01-06\naliases: [Paris]\nkey_facts:\n  - {label: A, value: x, sources: [s1]}\n---\nBody [[a]]\n";
        let rel = Path::new("content/meetings/paris.md");
        let front = translation::read_front(rel, text, false).expect("parses");
        let out = skeleton(rel, "Українська", &front);
        assert!(out.contains("title: \"Paris \\\"summit\\\"\"\n"), "{out}");
        assert!(
            out.contains("key_facts:\n  - label: \"A\"\n    value: \"x\"\n"),
            "{out}"
        );
        assert!(!out.contains("sources:") && !out.contains("date:"), "{out}");
        assert!(out.ends_with("---\nBody [[a]]\n"));
        let t = translation::Translation {
            lang: "uk".into(),
            original_id: "meetings/paris".into(),
            file: "content/meetings/paris.uk.md".into(),
            text: out.clone(),
        };
        let ours = translation::read_front(&t.file, &out, false).expect("skeleton parses");
        let original = translation::Original {
            file: rel,
            front: &front,
        };
        assert!(translation::check(&t, &ours, &original).is_empty());
        assert!(drift::warnings(&t, &ours, &front).is_empty());
    }
}
