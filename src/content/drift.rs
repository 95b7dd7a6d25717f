//! CHECK: translation drift. `translated_from:` in a translation records a
//! print of the original's text as it was translated; when the original's
//! text changes after, `check` says which part, per fact, at the
//! translation. Input: the two files' front matter; output: warnings.
//!
//! The print is one short line a writer can leave alone:
//! `3f9a12bc-f1a2b0c3d-q77aa-c` — eight hex digits for the page's own text
//! (title, summary, aliases, role, country, body), then four per item of
//! `key_facts` (`f`), `reader_questions` (`q`) and `changes` (`c`), so the
//! warning can name the one fact that changed.

use super::parse::node_to_json;
use super::translation::{self, Front, LISTS, TEXT_KEYS, TRANSLATED_FROM, Translation};
use super::yaml::{Node, Value};
use crate::diag::{Diagnostic, Span};

/// Hex digits per list item: 16 bits, a one-in-65,536 chance that an
/// edit goes unseen, for a print that stays short with 30 facts.
const ITEM_DIGITS: usize = 4;

/// The letter of each list in the print, in [`LISTS`] order.
const LIST_LETTERS: [char; 3] = ['f', 'q', 'c'];

/// The print of an original's translatable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Print {
    pub page: u32,
    /// Per list of [`LISTS`], one print per item.
    pub lists: [Vec<u16>; 3],
}

impl Print {
    /// The print of an original as it is now.
    pub fn of(original: &Front) -> Print {
        let entries = translation::entries(&original.root);
        let mut page = xxhash_rust::xxh3::Xxh3::new();
        for key in TEXT_KEYS.iter().chain(&["body"]) {
            let value = translation::get(entries, key).map(node_to_json);
            page.update(key.as_bytes());
            page.update(serde_json::to_string(&value).unwrap_or_default().as_bytes());
        }
        page.update(original.body.trim().as_bytes());
        let lists = LISTS.map(|(key, item_keys)| match translation::get(entries, key) {
            Some(Node {
                value: Value::Seq(items),
                ..
            }) => items.iter().map(|i| item_print(i, item_keys)).collect(),
            _ => Vec::new(),
        });
        Print {
            page: (page.digest() >> 32) as u32,
            lists,
        }
    }

    /// Reads a print as [`Print::to_string`] writes it.
    pub fn parse(text: &str) -> Option<Print> {
        let mut parts = text.trim().split('-');
        let page = u32::from_str_radix(parts.next()?, 16).ok()?;
        let mut lists: [Vec<u16>; 3] = Default::default();
        for (letter, list) in LIST_LETTERS.iter().zip(lists.iter_mut()) {
            let part = parts.next()?.strip_prefix(*letter)?;
            if part.len() % ITEM_DIGITS != 0 || !part.is_ascii() {
                return None;
            }
            for at in (0..part.len()).step_by(ITEM_DIGITS) {
                list.push(u16::from_str_radix(&part[at..at + ITEM_DIGITS], 16).ok()?);
            }
        }
        parts.next().is_none().then_some(Print { page, lists })
    }
}

impl std::fmt::Display for Print {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:08x}", self.page)?;
        for (letter, list) in LIST_LETTERS.iter().zip(&self.lists) {
            write!(f, "-{letter}")?;
            for item in list {
                write!(f, "{item:04x}")?;
            }
        }
        Ok(())
    }
}

/// The print of one item's text keys.
fn item_print(item: &Node, item_keys: &[&str]) -> u16 {
    let entries = translation::entries(item);
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for key in item_keys {
        let value = translation::get(entries, key).map(node_to_json);
        h.update(serde_json::to_string(&value).unwrap_or_default().as_bytes());
    }
    (h.digest() >> 48) as u16
}

/// The drift warnings of a translation: what of the original changed since
/// the print in its `translated_from`.
pub fn warnings(t: &Translation, ours: &Front, original: &Front) -> Vec<Diagnostic> {
    let entries = translation::entries(&ours.root);
    let Some(node) = translation::get(entries, TRANSLATED_FROM) else {
        return Vec::new();
    };
    let refresh = refresh_hint(t);
    let Some(then) = node.as_str().and_then(Print::parse) else {
        return vec![
            Diagnostic::warning(
                "translation-drift",
                &t.file,
                "`translated_from` is not a print explainer wrote",
            )
            .at(node.span)
            .hint(refresh),
        ];
    };
    let now = Print::of(original);
    let mut out = Vec::new();
    let warn = |message: String, at: Span| {
        Diagnostic::warning("translation-drift", &t.file, message)
            .at(at)
            .hint(format!("translate the change, then {refresh}"))
    };
    if then.page != now.page {
        out.push(warn(
            "the original's title, summary or text changed since this translation".into(),
            node.span,
        ));
    }
    for (i, (key, _)) in LISTS.iter().enumerate() {
        let items = translated_items(entries, key);
        out.extend(
            list_drift(key, &then.lists[i], &now.lists[i], original)
                .into_iter()
                .map(|(n, message)| {
                    let at = n
                        .and_then(|n| items.get(n))
                        .map_or(node.span, |item| item.span);
                    warn(message, at)
                }),
        );
    }
    out
}

/// The items of a translated list, to point at the one that drifted.
fn translated_items<'a>(entries: &'a [(Node, Node)], key: &str) -> &'a [Node] {
    match translation::get(entries, key).map(|n| &n.value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    }
}

/// What changed in one list: the item (when one did) and the message.
fn list_drift(
    key: &str,
    then: &[u16],
    now: &[u16],
    original: &Front,
) -> Vec<(Option<usize>, String)> {
    if then.len() != now.len() {
        return vec![(
            None,
            format!(
                "the original's `{key}` has {} now, {} when this was translated",
                crate::diag::plural(now.len(), "item", "items"),
                then.len()
            ),
        )];
    }
    let labels = translated_items(translation::entries(&original.root), key);
    (0..now.len())
        .filter(|&n| then[n] != now[n])
        .map(|n| (Some(n), item_changed(key, n, labels.get(n))))
        .collect()
}

/// "fact `Ceasefire line` (2nd) changed …".
fn item_changed(key: &str, n: usize, item: Option<&Node>) -> String {
    let name_key = match key {
        "key_facts" => "label",
        "reader_questions" => "question",
        _ => "text",
    };
    let name = item
        .map(translation::entries)
        .and_then(|e| translation::get(e, name_key))
        .and_then(Node::as_str)
        .map(|s| format!(" `{s}`"))
        .unwrap_or_default();
    let what = match key {
        "key_facts" => "fact",
        "reader_questions" => "reader question",
        _ => "change",
    };
    format!(
        "{what}{name} (item {} of `{key}`) changed in the original since this translation",
        n + 1
    )
}

/// How to mark a translation current again.
fn refresh_hint(t: &Translation) -> String {
    format!(
        "run `explainer translated {} {}` to mark it current",
        t.lang, t.original_id
    )
}

/// Writes `print` as the `translated_from:` of a translation's text: the
/// existing line is replaced, or one is added at the top of the front
/// matter. `None` when the text has no front matter to put it in.
pub fn with_print(text: &str, print: &Print) -> Option<String> {
    let line = format!("{TRANSLATED_FROM}: {print}");
    let mut out = String::with_capacity(text.len() + line.len() + 1);
    let mut replaced = false;
    let mut lines = text.split_inclusive('\n');
    let first = lines.next()?;
    out.push_str(first);
    if first.trim_end() != "---" {
        return None;
    }
    for l in lines {
        if !replaced && l.starts_with(&format!("{TRANSLATED_FROM}:")) {
            out.push_str(&line);
            out.push('\n');
            replaced = true;
        } else {
            out.push_str(l);
        }
    }
    if !replaced {
        out.insert_str(first.len(), &format!("{line}\n"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn front(text: &str) -> Front {
        translation::read_front(Path::new("x.md"), text, false).expect("test text parses")
    }

    const ORIGINAL: &str = "---\ntitle: A\nkey_facts:\n  - {label: One, value: x}\n  - {label: Two, value: y}\n---\nBody\n";

    #[test]
    fn prints_read_back_as_written() {
        let p = Print::of(&front(ORIGINAL));
        assert_eq!(Print::parse(&p.to_string()), Some(p.clone()));
        assert_eq!(p.lists[0].len(), 2);
        assert!(p.to_string().ends_with("-q-c"));
    }

    #[test]
    fn an_edited_fact_is_named_at_the_translated_fact() {
        let print = Print::of(&front(ORIGINAL));
        let text = format!(
            "---\ntranslated_from: {print}\nkey_facts:\n  - {{label: Один}}\n  - {{label: Два}}\n---\n"
        );
        let t = Translation {
            lang: "uk".into(),
            original_id: "actors/a".into(),
            file: "content/actors/a.uk.md".into(),
            text: text.clone(),
        };
        let edited = ORIGINAL.replace("value: y", "value: z");
        let d = warnings(&t, &front(&text), &front(&edited));
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].message,
            "fact `Two` (item 2 of `key_facts`) changed in the original since this translation"
        );
        let at = d[0].span.expect("at the item").start;
        assert!(text[at..].starts_with("{label: Два}"));
        assert!(warnings(&t, &front(&text), &front(ORIGINAL)).is_empty());
    }

    #[test]
    fn the_print_line_is_replaced_or_added() {
        let p = Print::parse("0000000a-f-q-c").expect("valid print");
        assert_eq!(
            with_print("---\ntitle: A\n---\n", &p).as_deref(),
            Some("---\ntranslated_from: 0000000a-f-q-c\ntitle: A\n---\n")
        );
        assert_eq!(
            with_print("---\ntranslated_from: 1-f-q-c\n---\n", &p).as_deref(),
            Some("---\ntranslated_from: 0000000a-f-q-c\n---\n")
        );
    }
}
