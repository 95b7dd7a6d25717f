//! LOAD: a page in another language — the original's entity with the
//! texts of its translation file laid over it. Input: the original
//! [`Entity`] and the translation's front matter and body; output: the
//! same entity, its typed data (dates, refs, statuses, tags) untouched.
//!
//! Only what [`super::translation`] lets a translation set is taken:
//! the [`TEXT_KEYS`](super::translation::TEXT_KEYS), the body, and the
//! text of each item of the translated lists, item by item (the check
//! keeps their length and order the original's). Whatever the translation
//! leaves out stays in the original's words.

use super::model::{Entity, KindData, Text};
use super::translation::{Front, entries, get};
use super::yaml::{Node, Value};

/// Lays the texts of `front` over `entity`.
pub fn overlay(entity: &mut Entity, front: &Front) {
    let map = entries(&front.root);
    let text = |key: &str| get(map, key).and_then(Node::as_str).map(str::to_owned);
    if let Some(title) = text("title") {
        entity.title = title;
    }
    if let Some(summary) = text("summary") {
        entity.summary = Some(summary);
    }
    if let Some(Value::Seq(items)) = get(map, "aliases").map(|n| &n.value) {
        entity.aliases = items
            .iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect();
    }
    if let KindData::Actor(actor) = &mut entity.data {
        if let Some(role) = text("role") {
            actor.role = Some(role);
        }
        if let Some(country) = text("country") {
            actor.country = Some(country);
        }
    }
    let body = text("body").unwrap_or_else(|| front.body.clone());
    if !body.trim().is_empty() {
        entity.body = loose(body);
    }
    overlay_lists(entity, map);
}

/// The translated items of `key_facts`, `reader_questions` and `changes`.
fn overlay_lists(entity: &mut Entity, map: &[(Node, Node)]) {
    for (fact, item) in entity.key_facts.iter_mut().zip(items(map, "key_facts")) {
        if let Some(label) = item_text(item, "label") {
            fact.label = label;
        }
        if let Some(value) = item_text(item, "value") {
            fact.value = loose(value);
        }
        if let Some(note) = item_text(item, "note") {
            fact.note = Some(loose(note));
        }
    }
    let questions = items(map, "reader_questions");
    for (question, item) in entity.questions.iter_mut().zip(questions) {
        if let Some(q) = item_text(item, "question") {
            question.question = q;
        }
        if let Some(answer) = item_text(item, "answer") {
            question.answer = Some(loose(answer));
        }
    }
    for (change, item) in entity.changes.iter_mut().zip(items(map, "changes")) {
        if let Some(text) = item_text(item, "text") {
            change.text = text;
        }
    }
}

/// The items of a list of the translation (none when it leaves it out).
fn items<'a>(map: &'a [(Node, Node)], key: &str) -> &'a [Node] {
    match get(map, key).map(|n| &n.value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    }
}

fn item_text(item: &Node, key: &str) -> Option<String> {
    get(entries(item), key)
        .and_then(Node::as_str)
        .map(str::to_owned)
}

/// A text from another file than the entity's: its offsets do not map
/// into the original, so a diagnostic points at the start (the
/// translation's own problems are reported at the translation).
fn loose(source: String) -> Text {
    Text {
        source,
        start: 0,
        exact: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parsed(rel: &str, text: &str) -> Entity {
        let (entity, _) = super::super::parse_file(Path::new(rel), text);
        entity.expect("the fixture parses")
    }

    #[test]
    fn texts_are_laid_over_typed_data_kept() {
        let mut e = parsed(
            "content/actors/x.md",
            "---\ntitle: Volodymyr\nrole: President\ntags: [war]\nkey_facts:\n  - {label: Born, value: '1978'}\n---\nBody.\n",
        );
        let t = "---\ntitle: Володимир\nrole: Президент\nkey_facts:\n  - {label: Народився, value: '1978'}\n---\nТекст.\n";
        let front = super::super::translation::read_front(Path::new("x.uk.md"), t, false)
            .expect("the translation parses");
        overlay(&mut e, &front);
        assert_eq!(e.title, "Володимир");
        assert_eq!(e.key_facts[0].label, "Народився");
        assert_eq!(e.tags, ["war"]);
        assert_eq!(e.body.source.trim(), "Текст.");
        match &e.data {
            KindData::Actor(a) => assert_eq!(a.role.as_deref(), Some("Президент")),
            _ => panic!("an actor"),
        }
    }
}
