//! PARSE: a file's YAML tree to a typed [`Entity`], with every problem found
//! reported as a diagnostic rather than the first one stopping the file.

use std::collections::BTreeMap;
use std::path::Path;

use super::model::*;
use super::yaml::{Node, Value};
use crate::diag::{Diagnostic, Span, closest};

const COMMON_KEYS: &[&str] = &[
    "title",
    "summary",
    "aliases",
    "tags",
    "sources",
    "key_facts",
    "reader_questions",
    "updated",
    "draft",
    "weight",
    "changes",
    "moved_from",
    "image",
];
const ACTOR_KEYS: &[&str] = &[
    "type",
    "role",
    "country",
    "affiliation",
    "members",
    "born",
    "founded",
];
const MEETING_KEYS: &[&str] = &[
    "date",
    "end_date",
    "location",
    "format",
    "host",
    "participants",
    "proposals",
    "outcome",
    "status",
];
const PROPOSAL_KEYS: &[&str] = &[
    "status",
    "proposed_by",
    "supporters",
    "opponents",
    "date",
    "components",
];
const SOURCE_KEYS: &[&str] = &[
    "publisher",
    "url",
    "date",
    "author",
    "type",
    "archive_url",
    "accessed",
    "quote",
];
/// How a date is written, for hints.
const DATE_FORMS: &str =
    "write `2025`, `2025-04` or `2025-04-06`, with `~` in front when approximate (`~2025-04`)";

/// The keys a kind knows, for unknown-key warnings and docs.
pub fn known_keys(kind: Kind) -> Vec<&'static str> {
    let own: &[&str] = match kind {
        Kind::Actor => ACTOR_KEYS,
        Kind::Meeting => MEETING_KEYS,
        Kind::Proposal => PROPOSAL_KEYS,
        Kind::Source => SOURCE_KEYS,
        Kind::Page => &[],
    };
    COMMON_KEYS.iter().chain(own).copied().collect()
}

/// What the loader knows about a file before its YAML is read.
pub struct FileInfo<'a> {
    pub kind: Kind,
    pub slug: &'a str,
    pub id: String,
    /// Path relative to the site root.
    pub file: &'a Path,
    pub text: &'a str,
    /// Span of the opening fence or first line, where "missing title" points.
    pub head: Span,
    /// `.yaml` files may hold their body under `body:`.
    pub yaml_file: bool,
    /// The home page may leave out its title.
    pub title_optional: bool,
}

/// Turns the front matter of one file into an entity. Problems go to `diags`;
/// an entity is returned even then, so later stages can still check refs.
pub fn entity(info: &FileInfo<'_>, root: Node, body: Text, diags: &mut Vec<Diagnostic>) -> Entity {
    let mut reader = Reader { info, diags };
    let entries = reader.top_level(root);
    let mut fields: BTreeMap<&str, Node> = BTreeMap::new();
    let mut extra = BTreeMap::new();
    let known = known_keys(info.kind);
    for (key_node, value) in entries {
        let Some(key) = key_node.scalar_text(info.text) else {
            reader.error(
                "bad-key",
                key_node.span,
                "a front matter key must be text",
                None,
            );
            continue;
        };
        if let Some(&k) = known.iter().find(|k| **k == key) {
            fields.insert(k, value);
        } else if info.yaml_file && key == "body" {
            fields.insert("body", value);
        } else {
            reader.unknown_key(&key, key_node.span, &known);
            extra.insert(key, node_to_json(&value));
        }
    }
    reader.build(fields, body, extra)
}

struct Reader<'a, 'b> {
    info: &'a FileInfo<'a>,
    diags: &'b mut Vec<Diagnostic>,
}

impl Reader<'_, '_> {
    fn error(
        &mut self,
        code: &'static str,
        span: Span,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let mut d = Diagnostic::error(code, self.info.file, message).at(span);
        if let Some(hint) = hint {
            d = d.hint(hint);
        }
        self.diags.push(d);
    }

    fn top_level(&mut self, root: Node) -> Vec<(Node, Node)> {
        match root.value {
            Value::Map(entries) => entries,
            Value::Null => Vec::new(),
            _ => {
                let found = root.type_name();
                self.error(
                    "wrong-type",
                    root.span,
                    format!("front matter must be a mapping of `key: value` lines, found {found}"),
                    Some("write one `key: value` per line, e.g. `title: \"Steve Witkoff\"`".into()),
                );
                Vec::new()
            }
        }
    }

    fn unknown_key(&mut self, key: &str, span: Span, known: &[&'static str]) {
        let mut d = Diagnostic::warning(
            "unknown-key",
            self.info.file,
            format!("unknown key `{key}` for {}", self.info.kind.with_article()),
        )
        .at(span);
        d = match closest(key, known.iter().copied()) {
            Some(k) => d.hint(format!("did you mean `{k}`?")),
            None => d.hint(format!(
                "{} knows: {}; templates can still read it as `page.extra.{key}`",
                capitalize_first(self.info.kind.with_article()),
                known.join(", ")
            )),
        };
        self.diags.push(d);
    }

    fn wrong_type(&mut self, key: &str, node: &Node, expected: &str, example: &str) {
        let found = node.type_name();
        self.error(
            "wrong-type",
            node.span,
            format!("`{key}` must be {expected}, found {found}"),
            Some(format!("for example `{key}: {example}`")),
        );
    }

    fn string(&mut self, key: &str, node: Option<Node>) -> Option<String> {
        let node = node?;
        if node.value == Value::Null {
            return None;
        }
        match node.scalar_text(self.info.text) {
            Some(s) => Some(s),
            None => {
                self.wrong_type(key, &node, "text", "\"…\"");
                None
            }
        }
    }

    fn text(&mut self, key: &str, node: Option<Node>) -> Option<Text> {
        let node = node?;
        let start = node.text_start.unwrap_or(node.span.start);
        let exact = node.text_start.is_some();
        self.string(key, Some(node)).map(|source| Text {
            source,
            start,
            exact,
        })
    }

    fn list(&mut self, key: &str, node: Option<Node>, example: &str) -> Vec<Node> {
        let Some(node) = node else { return Vec::new() };
        match node.value {
            Value::Seq(items) => items,
            Value::Null => Vec::new(),
            _ => {
                self.wrong_type(key, &node, "a list", example);
                Vec::new()
            }
        }
    }

    /// Tags, each of which becomes a page `tags/<slug>/`: an empty one has
    /// no page to be, and one whose slug is too long for a file name would
    /// pass `check` and fail `build`.
    fn tags(&mut self, node: Option<Node>) -> Vec<String> {
        let items = self.list("tags", node, "[\"one\", \"two\"]");
        let mut tags = Vec::with_capacity(items.len());
        for item in items {
            let span = item.span;
            let Some(tag) = self.string("tags", Some(item)) else {
                continue;
            };
            if tag.trim().is_empty() {
                let hint = "remove it, or write the topic it stands for";
                self.error("empty-tag", span, "empty tag", Some(hint.into()));
                continue;
            }
            let slug_len = crate::slug::tag(&tag).len();
            if slug_len > crate::slug::MAX_TAG_SLUG {
                self.error(
                    "long-tag",
                    span,
                    format!(
                        "tag is too long to name its page: {slug_len} bytes, at most {}",
                        crate::slug::MAX_TAG_SLUG
                    ),
                    Some("a tag names a topic in a few words; put longer text in the summary or body".into()),
                );
                continue;
            }
            tags.push(tag);
        }
        tags
    }

    fn reference(&mut self, key: &str, node: Option<Node>) -> Option<Ref> {
        let node = node?;
        if node.value == Value::Null {
            return None;
        }
        match node.as_str() {
            Some(s) => Some(Ref::new(s.trim(), node.span)),
            None => {
                self.wrong_type(
                    key,
                    &node,
                    "a ref to a page (its slug or `kind/slug`)",
                    "steve-witkoff",
                );
                None
            }
        }
    }

    fn refs(&mut self, key: &str, node: Option<Node>) -> Vec<Ref> {
        let items = self.list(key, node, "[steve-witkoff, actors/marco-rubio]");
        items
            .into_iter()
            .filter_map(|n| self.reference(key, Some(n)))
            .collect()
    }

    /// A date as precise as written (see [`When`]); `tbd` only where the
    /// caller allows it, as `Ok(None)`.
    fn date(&mut self, key: &str, node: Option<Node>) -> Option<When> {
        self.date_or_tbd(key, node, false).flatten()
    }

    fn date_or_tbd(&mut self, key: &str, node: Option<Node>, tbd: bool) -> Option<Option<When>> {
        let node = node?;
        if node.value == Value::Null {
            return None;
        }
        if let Value::Map(entries) = &node.value {
            self.approximate_mapping(key, &node, entries);
            return None;
        }
        let Some(text) = node.scalar_text(self.info.text) else {
            self.wrong_type(key, &node, "a date", "2025-04-06");
            return None;
        };
        let text = text.trim();
        if text.eq_ignore_ascii_case("tbd") {
            if !tbd {
                let hint = "only a meeting's `date` may be `tbd`; leave the key out when the date is unknown";
                self.error(
                    "tbd-not-allowed",
                    node.span,
                    format!("`{key}` cannot be `tbd`"),
                    Some(hint.into()),
                );
            }
            return tbd.then_some(None);
        }
        match When::parse(text) {
            Ok(when) => Some(Some(when)),
            Err(WhenError::ApproximateNonDate) => {
                self.error(
                    "approximate-non-date",
                    node.span,
                    format!(
                        "`{key}`: `~` marks an approximate date, but `{}` is not a date",
                        &text[1..].trim()
                    ),
                    Some(format!(
                        "{DATE_FORMS}; a date to be announced is `tbd`, never approximate"
                    )),
                );
                None
            }
            Err(WhenError::Invalid) => {
                self.error(
                    "invalid-date",
                    node.span,
                    format!("`{key}` is not a valid date: `{text}`"),
                    Some(format!("{DATE_FORMS}, e.g. `{key}: 2026-01-06`")),
                );
                None
            }
        }
    }

    /// `{date: 2025-04, approximate: true}`: the spelling not chosen. One
    /// spelling keeps the files greppable; say which.
    fn approximate_mapping(&mut self, key: &str, node: &Node, entries: &[(Node, Node)]) {
        let text = self.info.text;
        let inner = entries
            .iter()
            .find(|(k, _)| k.as_str() == Some("date"))
            .and_then(|(_, v)| v.scalar_text(text));
        let example = inner.map_or_else(|| "~2025-04".to_owned(), |d| format!("~{}", d.trim()));
        self.error(
            "approximate-spelling",
            node.span,
            format!("`{key}` must be a date written on one line, found a mapping"),
            Some(format!(
                "an approximate date is written with `~` in front: `{key}: {example}`"
            )),
        );
    }

    fn bool(&mut self, key: &str, node: Option<Node>) -> bool {
        match node {
            None => false,
            Some(Node {
                value: Value::Bool(b),
                ..
            }) => b,
            Some(node) => {
                self.wrong_type(key, &node, "true or false", "true");
                false
            }
        }
    }

    fn int(&mut self, key: &str, node: Option<Node>) -> Option<i64> {
        match node? {
            Node {
                value: Value::Int(i),
                ..
            } => Some(i),
            node => {
                self.wrong_type(key, &node, "a whole number", "10");
                None
            }
        }
    }

    /// Reads one of a fixed set of words, such as a meeting's `status`.
    fn choice<T: Copy>(
        &mut self,
        key: &str,
        node: Option<Node>,
        options: &[(&str, T)],
    ) -> Option<T> {
        let node = node?;
        let text = self.string(key, Some(node.clone()))?;
        if let Some((_, value)) = options.iter().find(|(name, _)| *name == text) {
            return Some(*value);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let hint = match closest(&text, names.iter().copied()) {
            Some(n) => format!(
                "did you mean `{n}`? `{key}` is one of: {}",
                names.join(", ")
            ),
            None => format!("`{key}` is one of: {}", names.join(", ")),
        };
        self.error(
            "unknown-value",
            node.span,
            format!("unknown {key} `{text}`"),
            Some(hint),
        );
        None
    }

    fn facts(&mut self, node: Option<Node>) -> Vec<Fact> {
        let example = "[{label: \"Date\", value: \"6 January\", sources: [axios]}]";
        let items = self.list("key_facts", node, example);
        items.into_iter().filter_map(|n| self.fact(n)).collect()
    }

    fn fact(&mut self, node: Node) -> Option<Fact> {
        let span = node.span;
        let keys = ["label", "value", "sources", "note", "as_of", "review_by"];
        let mut fields = self.mapping("key_facts", node, &keys)?;
        let label_node = fields.remove("label");
        let label_span = label_node.as_ref().map_or(span, |n| n.span);
        let label = self.string("label", label_node);
        let value = self.text("value", fields.remove("value"));
        let (Some(label), Some(value)) = (label, value) else {
            self.error(
                "missing-key",
                span,
                "a key fact needs a `label` and a `value`",
                Some("write `- {label: \"Date\", value: \"6 January 2026\", sources: [some-source]}`".into()),
            );
            return None;
        };
        let sources = self.refs("sources", fields.remove("sources"));
        let note = self.text("note", fields.remove("note"));
        let as_of = self.date("as_of", fields.remove("as_of"));
        let review_node = fields.remove("review_by");
        let review_span = review_node.as_ref().map_or(span, |n| n.span);
        let review_by = self
            .date("review_by", review_node)
            .map(|w| (w, review_span));
        Some(Fact {
            label,
            label_span,
            value,
            sources,
            note,
            as_of,
            review_by,
            span,
        })
    }

    fn questions(&mut self, node: Option<Node>) -> Vec<Question> {
        let example = "[{question: \"Who pays?\", answer: \"…\"}]";
        let items = self.list("reader_questions", node, example);
        items.into_iter().filter_map(|n| self.question(n)).collect()
    }

    fn question(&mut self, node: Node) -> Option<Question> {
        let span = node.span;
        let mut fields = self.mapping("reader_questions", node, &["question", "answer"])?;
        let Some(question) = self.string("question", fields.remove("question")) else {
            self.error(
                "missing-key",
                span,
                "a reader question needs a `question`",
                None,
            );
            return None;
        };
        let answer = self
            .text("answer", fields.remove("answer"))
            .filter(|a| !a.source.trim().is_empty());
        Some(Question {
            question,
            answer,
            span,
        })
    }

    /// A nested mapping with a fixed set of keys (a fact, a question, a participant).
    fn mapping<'k>(
        &mut self,
        key: &str,
        node: Node,
        keys: &[&'k str],
    ) -> Option<BTreeMap<&'k str, Node>> {
        let Value::Map(entries) = node.value else {
            let example = format!("{{{}: …}}", keys[0]);
            self.wrong_type(key, &node, "a mapping", &example);
            return None;
        };
        let mut fields = BTreeMap::new();
        for (k, v) in entries {
            let name = k.scalar_text(self.info.text).unwrap_or_default();
            match keys.iter().find(|known| **known == name) {
                Some(known) => {
                    fields.insert(*known, v);
                }
                None => {
                    let mut d = Diagnostic::warning(
                        "unknown-key",
                        self.info.file,
                        format!("unknown key `{name}` in `{key}`"),
                    )
                    .at(k.span);
                    if let Some(c) = closest(&name, keys.iter().copied()) {
                        d = d.hint(format!("did you mean `{c}`?"));
                    }
                    self.diags.push(d);
                }
            }
        }
        Some(fields)
    }

    /// The `changes:` log; a `fact` must name a key fact of this page.
    fn changes(&mut self, node: Option<Node>, facts: &[Fact]) -> Vec<Change> {
        let example = "[{date: 2026-01-07, kind: correction, text: \"…\"}]";
        let items = self.list("changes", node, example);
        items
            .into_iter()
            .filter_map(|n| self.change(n, facts))
            .collect()
    }

    fn change(&mut self, node: Node, facts: &[Fact]) -> Option<Change> {
        let span = node.span;
        let mut fields = self.mapping("changes", node, &["date", "kind", "text", "fact"])?;
        let kinds = [
            ("correction", ChangeKind::Correction),
            ("clarification", ChangeKind::Clarification),
            ("update", ChangeKind::Update),
        ];
        // A key written but wrong has its own error; only absent ones here.
        if ["date", "kind", "text"]
            .iter()
            .any(|k| !fields.contains_key(k))
        {
            self.error(
                "missing-key",
                span,
                "a change needs a `date`, a `kind` and a `text`",
                Some("write `- {date: 2026-01-07, kind: correction, text: \"…\"}`".into()),
            );
        }
        let date = self.date("date", fields.remove("date"));
        let kind = self.choice("kind", fields.remove("kind"), &kinds);
        let text = self.string("text", fields.remove("text"));
        let fact = self.change_fact(fields.remove("fact"), facts);
        let (Some(date), Some(kind), Some(text)) = (date, kind, text) else {
            return None;
        };
        Some(Change {
            date,
            kind,
            text,
            fact,
            span,
        })
    }

    fn change_fact(&mut self, node: Option<Node>, facts: &[Fact]) -> Option<String> {
        let span = node.as_ref()?.span;
        let label = self.string("fact", node)?;
        if facts.iter().any(|f| f.label == label) {
            return Some(label);
        }
        let labels: Vec<&str> = facts.iter().map(|f| f.label.as_str()).collect();
        let hint = match closest(&label, labels.iter().copied()) {
            Some(l) => format!("did you mean `{l}`?"),
            None if labels.is_empty() => {
                "this page has no `key_facts`; name one of its labels, or leave `fact` out".into()
            }
            None => format!(
                "`fact` names a key fact label of this page: {}",
                labels.join(", ")
            ),
        };
        self.error(
            "unknown-fact",
            span,
            format!("`fact` names no key fact of this page: `{label}`"),
            Some(hint),
        );
        None
    }

    /// `moved_from`: old URL paths, `/old/path/`, each becoming a redirect.
    fn moved_from(&mut self, node: Option<Node>) -> Vec<MovedFrom> {
        let items = self.list("moved_from", node, "[/old/path/]");
        let mut out = Vec::new();
        for item in items {
            let span = item.span;
            let Some(path) = self.string("moved_from", Some(item)) else {
                continue;
            };
            match url_path_segments(&path) {
                Some(segments) => out.push(MovedFrom { segments, span }),
                None => self.error(
                    "bad-moved-from",
                    span,
                    format!("`moved_from` must be a URL path of this site, found `{path}`"),
                    Some("write the old path from the site root, e.g. `/actors/old-name/`".into()),
                ),
            }
        }
        out
    }

    /// Aliases are other names; a value that looks like a URL path was
    /// probably meant as Hugo's and Zola's `aliases` (old URLs).
    fn aliases(&mut self, node: Option<Node>) -> Vec<String> {
        let items = self.list("aliases", node, "[\"one\", \"two\"]");
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let span = item.span;
            let Some(alias) = self.string("aliases", Some(item)) else {
                continue;
            };
            if alias.starts_with('/') {
                self.diags.push(
                    Diagnostic::warning(
                        "alias-looks-like-url",
                        self.info.file,
                        format!("alias `{alias}` looks like a URL path"),
                    )
                    .at(span)
                    .hint("`aliases` are other names of this page; to redirect an old URL here, list it under `moved_from`"),
                );
            }
            out.push(alias);
        }
        out
    }

    fn participants(&mut self, node: Option<Node>) -> Vec<Participant> {
        let items = self.list(
            "participants",
            node,
            "[volodymyr-zelensky, {actor: steve-witkoff, role: \"US envoy\"}]",
        );
        let mut out = Vec::new();
        for item in items {
            if let Value::Map(_) = item.value {
                let span = item.span;
                let Some(mut fields) = self.mapping("participants", item, &["actor", "role"])
                else {
                    continue;
                };
                match self.reference("actor", fields.remove("actor")) {
                    Some(actor) => out.push(Participant {
                        actor,
                        role: self.string("role", fields.remove("role")),
                    }),
                    None => self.error(
                        "missing-key",
                        span,
                        "a participant needs an `actor`",
                        Some("write `{actor: steve-witkoff, role: \"US envoy\"}`".into()),
                    ),
                }
            } else if let Some(actor) = self.reference("participants", Some(item)) {
                out.push(Participant { actor, role: None });
            }
        }
        out
    }

    fn build(
        &mut self,
        mut f: BTreeMap<&str, Node>,
        body: Text,
        extra: BTreeMap<String, serde_json::Value>,
    ) -> Entity {
        let info = self.info;
        let title_node = f.remove("title");
        let title_span = title_node.as_ref().map_or(info.head, |n| n.span);
        let title = self
            .string("title", title_node)
            .filter(|t| !t.trim().is_empty());
        if title.is_none() && !info.title_optional {
            self.error(
                "missing-title",
                title_span,
                "missing `title`",
                Some(format!(
                    "every {} needs a title, e.g. `title: \"…\"` in the front matter",
                    info.kind.name()
                )),
            );
        }
        let body = match f.remove("body") {
            Some(node) => self.text("body", Some(node)).unwrap_or_default(),
            None => body,
        };
        let data = self.kind_data(&mut f);
        let key_facts = self.facts(f.remove("key_facts"));
        let changes = self.changes(f.remove("changes"), &key_facts);
        Entity {
            id: info.id.clone(),
            kind: info.kind,
            slug: info.slug.to_owned(),
            file: info.file.to_path_buf(),
            title: title.unwrap_or_else(|| info.slug.to_owned()),
            title_span,
            summary: self.string("summary", f.remove("summary")),
            aliases: self.aliases(f.remove("aliases")),
            tags: self.tags(f.remove("tags")),
            sources: self.refs("sources", f.remove("sources")),
            key_facts,
            questions: self.questions(f.remove("reader_questions")),
            updated: self.date("updated", f.remove("updated")),
            changes,
            moved_from: self.moved_from(f.remove("moved_from")),
            draft: self.bool("draft", f.remove("draft")),
            weight: self.int("weight", f.remove("weight")),
            image: self.image(f.remove("image")),
            body,
            data,
            extra,
            lang: Default::default(),
        }
    }

    /// `image:` — a path alone, or `{src, alt, credit, licence, caption, decorative}`.
    fn image(&mut self, node: Option<Node>) -> Option<ImageSpec> {
        let node = node.filter(|n| n.value != Value::Null)?;
        let span = node.span;
        if let Value::Str(_) = node.value {
            let src = self.string("image", Some(node))?;
            return Some(ImageSpec {
                src,
                span,
                src_span: span,
                ..Default::default()
            });
        }
        let keys = ["src", "alt", "credit", "licence", "caption", "decorative"];
        let mut f = self.mapping("image", node, &keys)?;
        let src_node = f.remove("src");
        let src_span = src_node.as_ref().map_or(span, |n| n.span);
        let Some(src) = self.string("src", src_node) else {
            self.error(
                "missing-key",
                span,
                "an `image` needs a `src`",
                Some("write `image: {src: portrait.jpg, alt: \"…\", credit: \"…\"}`".into()),
            );
            return None;
        };
        Some(ImageSpec {
            src,
            alt: self.string("alt", f.remove("alt")),
            credit: self.string("credit", f.remove("credit")),
            licence: self.string("licence", f.remove("licence")),
            caption: self.string("caption", f.remove("caption")),
            decorative: self.bool("decorative", f.remove("decorative")),
            span,
            src_span,
        })
    }

    fn kind_data(&mut self, f: &mut BTreeMap<&str, Node>) -> KindData {
        match self.info.kind {
            Kind::Actor => KindData::Actor(self.actor(f)),
            Kind::Meeting => KindData::Meeting(self.meeting(f)),
            Kind::Proposal => KindData::Proposal(self.proposal(f)),
            Kind::Source => KindData::Source(self.source(f)),
            Kind::Page => KindData::Page,
        }
    }

    fn actor(&mut self, f: &mut BTreeMap<&str, Node>) -> Actor {
        let types = [
            ("person", ActorType::Person),
            ("country", ActorType::Country),
            ("organisation", ActorType::Organisation),
            ("organization", ActorType::Organisation),
            ("group", ActorType::Group),
        ];
        Actor {
            actor_type: self.choice("type", f.remove("type"), &types),
            role: self.string("role", f.remove("role")),
            country: self.string("country", f.remove("country")),
            affiliation: self.reference("affiliation", f.remove("affiliation")),
            members: self.refs("members", f.remove("members")),
            born: self.date("born", f.remove("born")),
            founded: self.date("founded", f.remove("founded")),
        }
    }

    fn meeting(&mut self, f: &mut BTreeMap<&str, Node>) -> Meeting {
        let date_node = f.remove("date");
        if date_node.is_none() {
            self.error(
                "missing-date",
                self.info.head,
                "a meeting needs a `date`",
                Some("add `date: 2026-01-06`, as precise as the sources are (`2025-04`, `~2025`), or `date: tbd`".into()),
            );
        }
        let formats = [
            ("in-person", MeetingFormat::InPerson),
            ("hybrid", MeetingFormat::Hybrid),
            ("video", MeetingFormat::Video),
            ("call", MeetingFormat::Call),
        ];
        let statuses = [
            ("scheduled", MeetingStatus::Scheduled),
            ("held", MeetingStatus::Held),
            ("cancelled", MeetingStatus::Cancelled),
            ("postponed", MeetingStatus::Postponed),
        ];
        let date = self.date_or_tbd("date", date_node, true).flatten();
        let end_node = f.remove("end_date");
        let end_span = end_node.as_ref().map(|n| n.span);
        let end_date = self.date("end_date", end_node);
        if let (Some(start), Some(end), Some(span)) = (date, end_date, end_span)
            && end.last() < start.first
        {
            self.diags.push(
                Diagnostic::warning(
                    "end-before-date",
                    self.info.file,
                    format!(
                        "`end_date` {} is before `date` {}",
                        end.long(),
                        start.long()
                    ),
                )
                .at(span)
                .hint("swap the two dates, or fix the one that is mistyped"),
            );
        }
        Meeting {
            date,
            end_date,
            location: self.string("location", f.remove("location")),
            format: self.choice("format", f.remove("format"), &formats),
            host: self.reference("host", f.remove("host")),
            participants: self.participants(f.remove("participants")),
            proposals: self.refs("proposals", f.remove("proposals")),
            outcome: self.text("outcome", f.remove("outcome")),
            status: self.choice("status", f.remove("status"), &statuses),
        }
    }

    fn proposal(&mut self, f: &mut BTreeMap<&str, Node>) -> Proposal {
        let statuses = [
            ("draft", ProposalStatus::Draft),
            ("proposed", ProposalStatus::Proposed),
            ("under-negotiation", ProposalStatus::UnderNegotiation),
            ("agreed", ProposalStatus::Agreed),
            ("signed", ProposalStatus::Signed),
            ("rejected", ProposalStatus::Rejected),
            ("stalled", ProposalStatus::Stalled),
        ];
        let components = self.list(
            "components",
            f.remove("components"),
            "[\"A ceasefire line\"]",
        );
        Proposal {
            status: self.choice("status", f.remove("status"), &statuses),
            proposed_by: self.refs("proposed_by", f.remove("proposed_by")),
            supporters: self.refs("supporters", f.remove("supporters")),
            opponents: self.refs("opponents", f.remove("opponents")),
            date: self.date("date", f.remove("date")),
            components: components
                .into_iter()
                .filter_map(|n| self.text("components", Some(n)))
                .collect(),
        }
    }

    fn source(&mut self, f: &mut BTreeMap<&str, Node>) -> Source {
        let types = [
            ("article", SourceType::Article),
            ("statement", SourceType::Statement),
            ("document", SourceType::Document),
            ("interview", SourceType::Interview),
            ("social", SourceType::Social),
        ];
        let mut url_spans = Vec::new();
        let url = self.web_address("url", f.remove("url"), &mut url_spans);
        let archive_url = self.web_address("archive_url", f.remove("archive_url"), &mut url_spans);
        Source {
            publisher: self.string("publisher", f.remove("publisher")),
            url,
            date: self.date("date", f.remove("date")),
            author: self.string("author", f.remove("author")),
            source_type: self.choice("type", f.remove("type"), &types),
            archive_url,
            accessed: self.date("accessed", f.remove("accessed")),
            quote: self.string("quote", f.remove("quote")),
            url_spans,
        }
    }

    /// A source's `url` or `archive_url`: only http(s) addresses are kept.
    fn web_address(
        &mut self,
        key: &str,
        node: Option<Node>,
        spans: &mut Vec<(String, Span)>,
    ) -> Option<String> {
        let span = node.as_ref()?.span;
        let url = self.string(key, node)?;
        if !is_safe_url(&url) {
            self.diags.push(
                Diagnostic::warning(
                    "unsafe-url",
                    self.info.file,
                    format!("`{key}` must be an http(s) address, found `{url}`; it is left out"),
                )
                .at(span)
                .hint("write the full address, starting with https://"),
            );
            return None;
        }
        spans.push((url.clone(), span));
        Some(url)
    }
}

/// Only web addresses may become a source link: never `javascript:` or `data:`.
pub fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The segments of a URL path written from the site root (`/a/b/`), or
/// `None` when it is not one: it must start with `/`, and no segment may be
/// empty inside, `.` or `..`, or hold characters a file name cannot.
pub fn url_path_segments(path: &str) -> Option<Vec<String>> {
    let inner = path.strip_prefix('/')?;
    let inner = inner.strip_suffix("index.html").unwrap_or(inner);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    if inner.is_empty() {
        return None;
    }
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars().all(|c| c.is_alphanumeric() || "-_.~".contains(c))
    };
    let segments: Vec<String> = inner.split('/').map(str::to_owned).collect();
    segments.iter().all(|s| ok(s)).then_some(segments)
}

/// A YAML tree as JSON, for values handed to templates untyped (`extra`).
pub fn node_to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => J::from(*f),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(node_to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .filter_map(|(k, v)| {
                    Some((
                        k.as_str()
                            .map(str::to_owned)
                            .or_else(|| Some(format!("{:?}", k.value)))?,
                        node_to_json(v),
                    ))
                })
                .collect(),
        ),
    }
}

fn capitalize_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
