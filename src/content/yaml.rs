//! LOAD: YAML text to a tree of nodes that remember where they were written.
//!
//! serde_yaml gives values without positions, so a wrong `host:` could only be
//! reported at the top of the file. This builds its own small tree from
//! yaml-rust2's marked events: every node carries its byte span in the file,
//! duplicate keys are caught at the second one, and aliases are expanded under
//! a budget so an alias bomb is an error rather than an out-of-memory.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::diag::Span;

/// Nodes an alias may expand to in one document before we call it a bomb.
const ALIAS_NODE_BUDGET: usize = 100_000;
/// Nesting deeper than this is not front matter anyone wrote by hand.
const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A YAML value and where it stands in its file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// For a scalar written on one line without escapes: the byte offset in
    /// the file where its text starts, so an offset inside the string maps
    /// exactly to the file (for `[[refs]]` inside fact values).
    pub text_start: Option<usize>,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the value's type, for "expected a list, found …".
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "a number",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The node as text, when it is a scalar (a number or date written bare
    /// is still text to us).
    pub fn scalar_text(&self, source: &str) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => source
                .get(self.span.start..self.span.end)
                .map(|s| s.trim().to_owned()),
            _ => None,
        }
    }
}

/// A YAML problem, at a byte offset in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub span: Span,
    pub hint: Option<String>,
}

/// Parses `yaml` (which starts at byte `base` of `file_text`) into one node.
/// An empty document is an empty mapping.
pub fn parse(file_text: &str, base: usize, yaml: &str) -> Result<Node, YamlError> {
    let positions = Positions::new(yaml, base);
    let mut builder = Builder::new(&positions, file_text);
    let mut parser = Parser::new_from_str(yaml);
    if let Err(e) = parser.load(&mut builder, false) {
        let at = positions.byte(e.marker());
        return Err(YamlError {
            message: format!("malformed YAML: {}", e.info()),
            span: Span::new(at, at + 1),
            hint: Some("check indentation, and quote values that contain `: ` or start with `[`, `{`, `*`, `&`, `!`, `|`, `>`, `%` or `@`".into()),
        });
    }
    if let Some(error) = builder.error {
        return Err(error);
    }
    Ok(builder.root.unwrap_or(Node {
        value: Value::Map(Vec::new()),
        span: Span::new(base, base),
        text_start: None,
    }))
}

/// Maps yaml-rust2's character indexes to byte offsets in the file.
struct Positions {
    base: usize,
    /// Byte offset of every char; empty when the text is ASCII.
    char_bytes: Vec<usize>,
    len: usize,
}

impl Positions {
    fn new(yaml: &str, base: usize) -> Self {
        let char_bytes = if yaml.is_ascii() {
            Vec::new()
        } else {
            yaml.char_indices().map(|(i, _)| i).collect()
        };
        Positions {
            base,
            char_bytes,
            len: yaml.len(),
        }
    }

    fn byte(&self, marker: &Marker) -> usize {
        let index = marker.index();
        let local = if self.char_bytes.is_empty() {
            index.min(self.len)
        } else {
            self.char_bytes.get(index).copied().unwrap_or(self.len)
        };
        self.base + local
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        start: usize,
        anchor: usize,
    },
}

struct Builder<'a> {
    positions: &'a Positions,
    file_text: &'a str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    error: Option<YamlError>,
    expanded: usize,
    last_end: usize,
}

impl<'a> Builder<'a> {
    fn new(positions: &'a Positions, file_text: &'a str) -> Self {
        Builder {
            positions,
            file_text,
            stack: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            error: None,
            expanded: 0,
            last_end: positions.base,
        }
    }

    fn fail(&mut self, message: String, span: Span, hint: Option<String>) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                message,
                span,
                hint,
            });
        }
    }

    fn scalar(&self, text: String, style: TScalarStyle, at: usize) -> Node {
        let raw_len = self.raw_scalar_len(&text, style, at);
        let span = Span::new(at, at + raw_len);
        let text_start = self.exact_text_start(&text, style, at);
        let value = if style == TScalarStyle::Plain {
            plain_value(text)
        } else {
            Value::Str(text)
        };
        Node {
            value,
            span,
            text_start,
        }
    }

    /// How many bytes the scalar takes in the source, for the caret.
    fn raw_scalar_len(&self, text: &str, style: TScalarStyle, at: usize) -> usize {
        let rest = self.file_text.get(at..).unwrap_or("");
        let line_len = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let wanted = match style {
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => text.len() + 2,
            TScalarStyle::Plain => text.len(),
            _ => 1,
        };
        wanted.clamp(1, line_len.max(1))
    }

    fn exact_text_start(&self, text: &str, style: TScalarStyle, at: usize) -> Option<usize> {
        let start = match style {
            TScalarStyle::Plain => at,
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => at + 1,
            _ => return None,
        };
        let written = self.file_text.get(start..start + text.len())?;
        (written == text).then_some(start)
    }

    fn push_node(&mut self, node: Node) {
        self.last_end = self.last_end.max(node.span.end);
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    fn finish_map(&mut self, entries: Vec<(Node, Node)>, start: usize, anchor: usize) {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for (key, _) in &entries {
            let Some(name) = key.scalar_text(self.file_text) else {
                continue;
            };
            if let Some(first) = seen.get(&name) {
                let line = crate::diag::line_col(self.file_text, first.start).line;
                self.fail(
                    format!("duplicate key `{name}`"),
                    key.span,
                    Some(format!(
                        "`{name}` is already set on line {line}; keep one of them"
                    )),
                );
            } else {
                seen.insert(name, key.span);
            }
        }
        // Block mappings report their start after the first key; the key
        // itself is where a reader looks.
        let start = entries
            .first()
            .map_or(start, |(k, _)| k.span.start.min(start));
        let node = Node {
            value: Value::Map(entries),
            span: Span::new(start, self.last_end),
            text_start: None,
        };
        self.close(node, anchor);
    }

    fn close(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.push_node(node);
    }

    fn alias(&mut self, id: usize, at: usize) {
        let Some(node) = self.anchors.get(&id).cloned() else {
            self.fail(
                "alias to an unknown anchor".into(),
                Span::new(at, at + 1),
                None,
            );
            return;
        };
        self.expanded += count_nodes(&node);
        if self.expanded > ALIAS_NODE_BUDGET {
            self.fail(
                "aliases expand to too many values".into(),
                Span::new(at, at + 1),
                Some("front matter does not need YAML aliases; write the values out".into()),
            );
            return;
        }
        self.push_node(Node {
            span: Span::new(at, at + 1),
            ..node
        });
    }

    fn open(&mut self, frame: Frame, at: usize) {
        if self.stack.len() >= MAX_DEPTH {
            self.fail(
                format!("YAML nested more than {MAX_DEPTH} levels deep"),
                Span::new(at, at + 1),
                None,
            );
            return;
        }
        self.stack.push(frame);
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, marker: Marker) {
        if self.error.is_some() {
            return;
        }
        let at = self.positions.byte(&marker);
        match event {
            Event::Scalar(text, style, anchor, _) => {
                let node = self.scalar(text, style, at);
                self.close(node, anchor);
            }
            Event::SequenceStart(anchor, _) => self.open(
                Frame::Seq {
                    items: Vec::new(),
                    start: at,
                    anchor,
                },
                at,
            ),
            Event::MappingStart(anchor, _) => self.open(
                Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    start: at,
                    anchor,
                },
                at,
            ),
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    items,
                    start,
                    anchor,
                }) = self.stack.pop()
                {
                    let node = Node {
                        value: Value::Seq(items),
                        span: Span::new(start, self.last_end),
                        text_start: None,
                    };
                    self.close(node, anchor);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    entries,
                    start,
                    anchor,
                    ..
                }) = self.stack.pop()
                {
                    self.finish_map(entries, start, anchor);
                }
            }
            Event::Alias(id) => self.alias(id, at),
            _ => {}
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count_nodes(k) + count_nodes(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// YAML 1.2 core schema for plain scalars.
fn plain_value(text: String) -> Value {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::Int(i);
    }
    // Rust also parses "inf" and "NaN"; YAML spells those `.inf`, so only
    // digits with an exponent count as floats here.
    let has_digit = text.bytes().any(|b| b.is_ascii_digit());
    let only_exponent_letters = text
        .bytes()
        .all(|b| !b.is_ascii_alphabetic() || b == b'e' || b == b'E');
    if has_digit
        && only_exponent_letters
        && let Ok(f) = text.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::Str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<Node, YamlError> {
        parse(s, 0, s)
    }

    #[test]
    fn nodes_know_their_byte_spans() {
        let text = "title: \"Зе\"\nhost: kyiv\n";
        let node = parse_str(text).unwrap();
        let Value::Map(entries) = node.value else {
            panic!("not a map")
        };
        let host = &entries[1].1;
        assert_eq!(&text[host.span.start..host.span.end], "kyiv");
        assert_eq!(entries[0].1.text_start, Some(text.find('З').unwrap()));
    }

    #[test]
    fn duplicate_key_is_an_error_at_the_second() {
        let text = "title: a\nsummary: b\ntitle: c\n";
        let err = parse_str(text).unwrap_err();
        assert_eq!(err.span.start, text.rfind("title").unwrap());
        assert!(err.message.contains("duplicate key `title`"));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for name in "bcdefghij".chars() {
            text.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = name;
        }
        let err = parse_str(&text).unwrap_err();
        assert!(err.message.contains("too many"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("a: {}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_str(&text).is_err());
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        assert_eq!(plain_value("5".into()), Value::Int(5));
        assert_eq!(
            plain_value("2026-01-06".into()),
            Value::Str("2026-01-06".into())
        );
        assert_eq!(plain_value("true".into()), Value::Bool(true));
        assert_eq!(plain_value("1.5".into()), Value::Float(1.5));
    }
}
