//! LOAD + CHECK: translation files. `content/actors/x.uk.md` beside
//! `content/actors/x.md` is the Ukrainian text of `actors/x`. Input: the
//! translation's text and its original's; output: the diagnostics of the
//! pair (the contract below) and the drift warnings of [`super::drift`].
//!
//! A translation inherits everything it does not set. It may set the text
//! fields ([`TEXT_KEYS`], and the text of each item of [`LISTS`]) and its
//! body; typed data (dates, refs, statuses, tags …) comes from the
//! original, so a typed key may repeat the original's value but never
//! differ from it. Lists of items keep the original's length and order,
//! which is what lets a translated fact stand beside its original.

use std::path::{Path, PathBuf};

use super::parse::node_to_json;
use super::yaml::{self, Node, Value};
use super::{Found, HOME_ID, front_matter, is_valid_slug};
use crate::diag::{Diagnostic, Span};

/// Top-level keys whose value a translation replaces with its own.
pub const TEXT_KEYS: &[&str] = &["title", "summary", "aliases", "role", "country"];

/// Lists whose items a translation restates in its language: the key, and
/// the item keys that are text.
pub const LISTS: [(&str, &[&str]); 3] = [
    ("key_facts", &["label", "value", "note"]),
    ("reader_questions", &["question", "answer"]),
    ("changes", &["text"]),
];

/// The key recording which version of the original was translated.
pub const TRANSLATED_FROM: &str = "translated_from";

/// A translation file, as read: checked against its original once the
/// whole site is known ([`check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    /// The language code of the file name: `uk` in `x.uk.md`.
    pub lang: String,
    /// The id of the original: `actors/x`, or `_index` for the home page.
    pub original_id: String,
    /// Relative to the site root.
    pub file: PathBuf,
    /// The file's text: a translation is checked against its original
    /// whenever either changes, and its diagnostics point into it.
    pub text: String,
}

/// `x.uk` → `("x", "uk")`: a file stem naming a translation. The code is
/// what follows the last dot; the slug is checked by the caller.
pub fn split_stem(stem: &str) -> Option<(&str, &str)> {
    let (slug, lang) = stem.rsplit_once('.')?;
    let code_like = !lang.is_empty()
        && lang.len() <= 12
        && lang.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    (code_like && !slug.is_empty()).then_some((slug, lang))
}

/// A file named `<slug>.<language>.md` (or `.yaml`) is a translation of
/// `<slug>`: kept whole until the site is known (`translation::check`).
pub fn from_found(found: &Found, text: &str) -> Option<Translation> {
    let (slug, lang) = split_stem(&found.slug)?;
    let original_id = match found.kind {
        Some(kind) if is_valid_slug(slug) => format!("{}/{slug}", kind.dir()),
        None if slug == HOME_ID => HOME_ID.to_owned(),
        _ => return None,
    };
    Some(Translation {
        lang: lang.to_owned(),
        original_id,
        file: found.rel.clone(),
        text: text.to_owned(),
    })
}

/// A content file's front matter as a YAML tree, with its body's text.
pub struct Front {
    pub root: Node,
    pub body: String,
}

/// Reads the front matter of `text` (a `.md` or, with `yaml_file`, a
/// `.yaml` file); a problem is an error in `file`.
pub fn read_front(file: &Path, text: &str, yaml_file: bool) -> Result<Front, Diagnostic> {
    let (yaml_span, body) = if yaml_file {
        (Span::new(0, text.len()), String::new())
    } else {
        let split = front_matter::split(text).map_err(|e| {
            Diagnostic::error("front-matter", file, e.message)
                .at(e.span)
                .hint(e.hint)
        })?;
        (
            split.yaml,
            text[split.body.start..split.body.end].to_owned(),
        )
    };
    let root =
        yaml::parse(text, yaml_span.start, &text[yaml_span.start..yaml_span.end]).map_err(|e| {
            let d = Diagnostic::error("yaml", file, e.message).at(e.span);
            match e.hint {
                Some(h) => d.hint(h),
                None => d,
            }
        })?;
    Ok(Front { root, body })
}

/// The `key: value` entries of a front matter tree (none when it is not
/// a mapping).
pub fn entries(root: &Node) -> &[(Node, Node)] {
    match &root.value {
        Value::Map(entries) => entries,
        _ => &[],
    }
}

/// The value of `key` in a mapping's entries.
pub fn get<'a>(entries: &'a [(Node, Node)], key: &str) -> Option<&'a Node> {
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

/// The original a translation restates, as the check needs it.
pub struct Original<'a> {
    pub file: &'a Path,
    pub front: &'a Front,
}

/// Checks a translation against its original: every typed key it sets
/// must equal the original's, and every list keeps the original's length.
pub fn check(t: &Translation, front: &Front, original: &Original<'_>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let ours = entries(&front.root);
    let theirs = entries(&original.front.root);
    for (key_node, value) in ours {
        let Some(key) = key_node.as_str() else {
            continue;
        };
        if TEXT_KEYS.contains(&key) || key == TRANSLATED_FROM || key == "body" {
            continue;
        }
        if let Some((_, item_keys)) = LISTS.iter().find(|(k, _)| *k == key) {
            let list = ListCheck {
                t,
                original: original.file,
                key,
                item_keys,
            };
            list.check(key_node, value, get(theirs, key), &mut diags);
        } else if get(theirs, key).is_none() && !known_key(t, key) {
            diags.push(unknown_key(t, key, key_node.span));
        } else if get(theirs, key).map(node_to_json) != Some(node_to_json(value)) {
            diags.push(contradiction(t, original.file, key, key_node.span));
        }
    }
    diags
}

/// One translated list (`key_facts`, …) against the original's.
struct ListCheck<'a> {
    t: &'a Translation,
    original: &'a Path,
    key: &'a str,
    item_keys: &'a [&'a str],
}

impl ListCheck<'_> {
    fn check(
        &self,
        key_node: &Node,
        value: &Node,
        theirs: Option<&Node>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let Value::Seq(ours) = &value.value else {
            diags.push(
                Diagnostic::error(
                    "wrong-type",
                    &self.t.file,
                    format!("`{}` must be a list, found {}", self.key, value.type_name()),
                )
                .at(value.span)
                .hint("list the original's items in the same order, each with its translated text"),
            );
            return;
        };
        let theirs: &[Node] = match theirs.map(|n| &n.value) {
            Some(Value::Seq(items)) => items,
            _ => &[],
        };
        if ours.len() != theirs.len() {
            diags.push(self.wrong_length(key_node.span, ours.len(), theirs.len()));
            return;
        }
        for (item, original) in ours.iter().zip(theirs) {
            self.check_item(item, original, diags);
        }
    }

    /// One item: its text keys are free, any other key must equal the
    /// original item's.
    fn check_item(&self, item: &Node, original: &Node, diags: &mut Vec<Diagnostic>) {
        let Value::Map(ours) = &item.value else {
            diags.push(
                Diagnostic::error(
                    "wrong-type",
                    &self.t.file,
                    format!(
                        "an item of `{}` must be a mapping, found {}",
                        self.key,
                        item.type_name()
                    ),
                )
                .at(item.span)
                .hint(format!("give it {}", ticked(self.item_keys))),
            );
            return;
        };
        let theirs = match &original.value {
            Value::Map(entries) => entries.as_slice(),
            _ => &[],
        };
        for (key_node, value) in ours {
            let Some(key) = key_node.as_str() else {
                continue;
            };
            if self.item_keys.contains(&key) {
                continue;
            }
            if get(theirs, key).map(node_to_json) != Some(node_to_json(value)) {
                let what = format!("`{key}` in this item of `{}`", self.key);
                diags.push(contradiction(self.t, self.original, &what, key_node.span));
            }
        }
    }

    fn wrong_length(&self, at: Span, ours: usize, theirs: usize) -> Diagnostic {
        Diagnostic::error(
            "translation-length",
            &self.t.file,
            format!(
                "`{}` has {} but the original has {}",
                self.key,
                crate::diag::plural(ours, "item", "items"),
                crate::diag::plural(theirs, "item", "items"),
            ),
        )
        .at(at)
        .hint(format!(
            "a translation lists the same items in the same order as {}, each with its translated {}",
            self.original.display(),
            ticked(self.item_keys)
        ))
    }
}

/// Whether the original's kind knows `key` (a typo is no contradiction).
fn known_key(t: &Translation, key: &str) -> bool {
    let dir = t.original_id.split('/').next().unwrap_or_default();
    let kind = super::model::Kind::from_dir(dir).unwrap_or(super::model::Kind::Page);
    super::parse::known_keys(kind).contains(&key)
}

/// A key neither the original nor its kind has: most likely a misspelt
/// text key.
fn unknown_key(t: &Translation, key: &str, at: Span) -> Diagnostic {
    let text_keys = TEXT_KEYS
        .iter()
        .chain(LISTS.iter().map(|(k, _)| k))
        .chain(&[TRANSLATED_FROM]);
    let hint = match crate::diag::closest(key, text_keys.copied()) {
        Some(k) => format!("did you mean `{k}`?"),
        None => format!("a translation sets only text: {}", ticked(TEXT_KEYS)),
    };
    Diagnostic::warning(
        "unknown-key",
        &t.file,
        format!("unknown key `{key}` in a translation"),
    )
    .at(at)
    .hint(hint)
}

/// A typed key whose value differs from the original's.
fn contradiction(t: &Translation, original: &Path, what: &str, at: Span) -> Diagnostic {
    let what = if what.starts_with('`') {
        what.to_owned()
    } else {
        format!("`{what}`")
    };
    Diagnostic::error(
        "translation-contradicts",
        &t.file,
        format!(
            "{what} contradicts the original, {}; remove it, typed data comes from the original",
            original.display()
        ),
    )
    .at(at)
    .hint(format!(
        "a translation sets only text: {}; if the original is wrong, correct it there",
        ticked(TEXT_KEYS)
    ))
}

/// `a`, `b` and `c`.
fn ticked(keys: &[&str]) -> String {
    let ticked: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match ticked.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// A translation whose original does not exist.
pub fn no_original(t: &Translation, original: &Path) -> Diagnostic {
    Diagnostic::error(
        "translation-no-original",
        &t.file,
        format!("a translation of `{}`, which does not exist", t.original_id),
    )
    .at(Span::new(0, 0))
    .hint(format!(
        "write the original, {}, first, or rename this file to the original it translates",
        original.display()
    ))
}

/// A translation into a language the site does not have, or into its
/// first language.
pub fn bad_language(t: &Translation, codes: &[String]) -> Diagnostic {
    let first = codes.first().map(String::as_str).unwrap_or("en");
    let (message, hint) = if t.lang == first {
        (
            format!(
                "`{}` is the site's first language, the originals' own",
                t.lang
            ),
            "write this text in the original itself, or name another language".to_owned(),
        )
    } else {
        (
            format!("`{}` is not one of the site's languages", t.lang),
            format!(
                "add `{{code: {}, name: …}}` to `languages:` in site.yaml, or rename the file (languages: {})",
                t.lang,
                codes.join(", ")
            ),
        )
    };
    Diagnostic::error("translation-language", &t.file, message)
        .at(Span::new(0, 0))
        .hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translation(text: &str) -> (Translation, Front) {
        let t = Translation {
            lang: "uk".into(),
            original_id: "meetings/paris".into(),
            file: "content/meetings/paris.uk.md".into(),
            text: text.into(),
        };
        let front = read_front(&t.file, text, false).expect("test front matter parses");
        (t, front)
    }

    fn check_against(original: &str, text: &str) -> Vec<Diagnostic> {
        let file = Path::new("content/meetings/paris.md");
        let theirs = read_front(file, original, false).expect("test original parses");
        let (t, ours) = translation(text);
        check(
            &t,
            &ours,
            &Original {
                file,
                front: &theirs,
            },
        )
    }

    const ORIGINAL: &str = "---\ntitle: Paris\ndate: 2026-01-06\nkey_facts:\n  - {label: A, value: x, sources: [s1]}\n  - {label: B, value: y}\n---\nBody\n";

    #[test]
    fn stems_with_a_code_name_translations() {
        assert_eq!(
            split_stem("volodymyr-zelensky.uk"),
            Some(("volodymyr-zelensky", "uk"))
        );
        assert_eq!(split_stem("_index.pt-BR"), Some(("_index", "pt-BR")));
        assert_eq!(split_stem("paris"), None);
        assert_eq!(split_stem("paris."), None);
    }

    #[test]
    fn text_fields_and_equal_typed_keys_are_allowed() {
        let text = "---\ntitle: Париж\ndate: 2026-01-06\nkey_facts:\n  - {label: А, sources: [s1]}\n  - {value: й}\n---\nТекст\n";
        assert!(check_against(ORIGINAL, text).is_empty());
    }

    #[test]
    fn a_different_typed_value_contradicts_the_original() {
        let d = check_against(ORIGINAL, "---\ndate: 2026-01-07\n---\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.starts_with("`date` contradicts the original"));
        assert_eq!(d[0].span, Some(Span::new(4, 8)));
    }

    #[test]
    fn a_misspelt_text_key_is_an_unknown_key_not_a_contradiction() {
        let d = check_against(ORIGINAL, "---\nsumary: Саміт\n---\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "unknown key `sumary` in a translation");
        assert_eq!(d[0].hints, ["did you mean `summary`?"]);
        assert_eq!(d[0].severity, crate::diag::Severity::Warning);
    }

    #[test]
    fn a_list_of_another_length_is_an_error() {
        let d = check_against(ORIGINAL, "---\nkey_facts:\n  - {label: А}\n---\n");
        assert_eq!(
            d[0].message,
            "`key_facts` has 1 item but the original has 2 items"
        );
    }

    #[test]
    fn fact_sources_must_equal_the_originals() {
        let text = "---\nkey_facts:\n  - {label: А, sources: [s2]}\n  - {label: Б}\n---\n";
        let d = check_against(ORIGINAL, text);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message
                .starts_with("`sources` in this item of `key_facts` contradicts")
        );
    }
}
