//! LOAD: YAML text to a tree of nodes that remember where they were written.
//!
//! serde_yaml gives values without positions, so a wrong `host:` could only be
//! reported at the top of the file. This builds its own small tree from
//! yaml-rust2's marked events: every node carries its byte span in the file,
//! duplicate keys are caught at the second one, and aliases are expanded under
//! a budget so an alias bomb is an error rather than an out-of-memory.
//!
//! The parser is driven one event at a time (yaml-rust2's `Parser::load`
//! recurses once per nesting level, so 100,000 nested `- ` would overflow
//! the stack before any limit of ours could run), and the nesting limit is
//! enforced here, on every node, aliases included. Text that YAML would
//! misread or that no reader can see is dealt with before it reaches a page:
//! a NUL byte (yaml-rust2 takes it for the end of the text) is an error,
//! other control characters are removed from values with a warning.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use crate::diag::{Span, is_unprintable};

/// Nodes an alias may expand to in one document before we call it a bomb.
const ALIAS_NODE_BUDGET: usize = 100_000;
/// Bytes of text aliases may expand to in one document: a few long strings
/// repeated by reference blow up as surely as many small nodes do (a 108 KB
/// file once expanded to 1.8 GB). One MiB is far more than front matter
/// written by hand repeats.
const ALIAS_BYTE_BUDGET: usize = 1 << 20;
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

/// A parsed document and what was wrong with it that did not stop it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub root: Node,
    /// Control characters removed from values, one per value.
    pub warnings: Vec<YamlError>,
}

/// Parses `yaml` (which starts at byte `base` of `file_text`) into one node.
/// An empty document is an empty mapping. Warnings are dropped: see
/// [`parse_with_warnings`].
pub fn parse(file_text: &str, base: usize, yaml: &str) -> Result<Node, YamlError> {
    parse_with_warnings(file_text, base, yaml).map(|parsed| parsed.root)
}

/// Parses `yaml` as [`parse`] does, and also returns the warnings.
pub fn parse_with_warnings(file_text: &str, base: usize, yaml: &str) -> Result<Parsed, YamlError> {
    if let Some(at) = yaml.find('\0') {
        return Err(nul_error(base + at));
    }
    let positions = Positions::new(yaml, base);
    let mut builder = Builder::new(&positions, file_text);
    let mut parser = Parser::new_from_str(yaml);
    loop {
        let (event, marker) = parser
            .next_token()
            .map_err(|e| scan_error(file_text, &positions, &e))?;
        // Only the first document is read, as `Parser::load(_, false)` did.
        let last = matches!(event, Event::DocumentEnd | Event::StreamEnd);
        builder.on_event(event, marker);
        if let Some(error) = builder.error.take() {
            return Err(error);
        }
        if last {
            break;
        }
    }
    let root = builder.root.unwrap_or(Node {
        value: Value::Map(Vec::new()),
        span: Span::new(base, base),
        text_start: None,
    });
    Ok(Parsed {
        root,
        warnings: builder.warnings,
    })
}

fn nul_error(at: usize) -> YamlError {
    YamlError {
        message: "NUL byte in YAML".into(),
        span: Span::new(at, at + 1),
        hint: Some("everything after it would be lost; delete the character (the file may have been saved as UTF-16 or mangled by a tool)".into()),
    }
}

/// A scanner error as a diagnostic; a quoted string that never closes is
/// named as such, at its opening quote.
fn scan_error(file_text: &str, positions: &Positions, e: &ScanError) -> YamlError {
    let at = positions.byte(e.marker());
    if is_quote_error(e.info()) && !quote_closes_on_its_line(file_text, at) {
        let line = crate::diag::line_col(file_text, at).line;
        return YamlError {
            message: format!("unclosed quote: the string opened on line {line} does not end on that line"),
            span: Span::new(at, at + 1),
            hint: Some("end the string with the quote mark it starts with; inside `\"…\"` write a quote as `\\\"`, inside `'…'` as `''`; a string that goes on for several lines must indent them".into()),
        };
    }
    YamlError {
        message: format!("malformed YAML: {}", e.info()),
        span: Span::new(at, at + 1),
        hint: Some("check indentation, and quote values that contain `: ` or start with `[`, `{`, `*`, `&`, `!`, `|`, `>`, `%` or `@`".into()),
    }
}

/// yaml-rust2's messages for a quoted scalar the scanner ran off the end of.
fn is_quote_error(info: &str) -> bool {
    info.contains("quoted scalar, found unexpected")
        || info.contains("invalid indentation in quoted scalar")
}

/// Whether the quoted string opening at byte `open` of `text` has its
/// closing quote on the same line (`\"` escapes in double quotes, `''` in
/// single). A closing quote further down is most often the opening quote
/// of the next value.
fn quote_closes_on_its_line(text: &str, open: usize) -> bool {
    let Some(rest) = text.get(open..) else {
        return false;
    };
    let rest = rest.lines().next().unwrap_or("");
    let mut chars = rest.chars();
    let Some(quote @ ('"' | '\'')) = chars.next() else {
        return true;
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            c if c == quote => {
                if quote == '\'' && chars.clone().next() == Some('\'') {
                    chars.next();
                } else {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
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

    /// The byte just past the YAML text in the file.
    fn end(&self) -> usize {
        self.base + self.len
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

/// An anchored node, with what an alias to it costs.
struct Anchored {
    node: Node,
    /// Nodes in it, for [`ALIAS_NODE_BUDGET`].
    nodes: usize,
    /// Bytes of text in it, for [`ALIAS_BYTE_BUDGET`].
    bytes: usize,
    /// Levels of nesting in it: an alias must not nest deeper than
    /// [`MAX_DEPTH`] where it is used, or trees built from aliases of
    /// aliases could grow as deep as the budget.
    depth: usize,
}

struct Builder<'a> {
    positions: &'a Positions,
    file_text: &'a str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    root: Option<Node>,
    error: Option<YamlError>,
    warnings: Vec<YamlError>,
    expanded_nodes: usize,
    expanded_bytes: usize,
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
            warnings: Vec::new(),
            expanded_nodes: 0,
            expanded_bytes: 0,
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

    fn scalar(&mut self, text: String, style: TScalarStyle, at: usize) -> Node {
        let raw_len = self.raw_scalar_len(&text, style, at);
        let span = Span::new(at, at + raw_len);
        let text = self.printable(text, at);
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

    /// The scalar without control characters, with a warning when some were
    /// removed: no reader can see them, and most make a feed invalid XML.
    fn printable(&mut self, text: String, at: usize) -> String {
        let Some(first) = text.chars().find(|&c| is_unprintable(c)) else {
            return text;
        };
        let written = self
            .file_text
            .get(at..self.positions.end())
            .and_then(|rest| rest.find(first))
            .map_or(at, |i| at + i);
        let count = text.chars().filter(|&c| is_unprintable(c)).count();
        self.warnings.push(YamlError {
            message: format!(
                "control character U+{:04X} in a value{}; removed",
                u32::from(first),
                if count > 1 {
                    format!(" (and {} more)", count - 1)
                } else {
                    String::new()
                }
            ),
            span: Span::new(written, written + first.len_utf8()),
            hint: Some("control characters are invisible and not allowed in feeds; delete them (an editor may show them as `^K` or a box)".into()),
        });
        text.chars().filter(|&c| !is_unprintable(c)).collect()
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
            let (nodes, bytes, depth) = measure(&node);
            let anchored = Anchored {
                node: node.clone(),
                nodes,
                bytes,
                depth,
            };
            self.anchors.insert(anchor, anchored);
        }
        self.push_node(node);
    }

    fn alias(&mut self, id: usize, at: usize) {
        let span = Span::new(at, at + 1);
        let Some(anchored) = self.anchors.get(&id) else {
            self.fail("alias to an unknown anchor".into(), span, None);
            return;
        };
        let (nodes, bytes, depth) = (anchored.nodes, anchored.bytes, anchored.depth);
        self.expanded_nodes += nodes;
        self.expanded_bytes += bytes;
        let hint = || Some("front matter does not need YAML aliases; write the values out".into());
        if self.expanded_nodes > ALIAS_NODE_BUDGET {
            self.fail("aliases expand to too many values".into(), span, hint());
            return;
        }
        if self.expanded_bytes > ALIAS_BYTE_BUDGET {
            let mib = ALIAS_BYTE_BUDGET >> 20;
            let message = format!("aliases expand to more than {mib} MiB of text");
            self.fail(message, span, hint());
            return;
        }
        if self.stack.len() + depth > MAX_DEPTH {
            self.too_deep(at);
            return;
        }
        let node = self.anchors[&id].node.clone();
        self.push_node(Node { span, ..node });
    }

    fn open(&mut self, frame: Frame, at: usize) {
        if self.stack.len() >= MAX_DEPTH {
            self.too_deep(at);
            return;
        }
        self.stack.push(frame);
    }

    fn too_deep(&mut self, at: usize) {
        self.fail(
            format!("YAML nested more than {MAX_DEPTH} levels deep"),
            Span::new(at, at + 1),
            Some(
                "front matter is a few levels deep at most; check for a runaway `- ` or `[`".into(),
            ),
        );
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

/// Nodes, bytes of text (a byte per node at least, so empty values count)
/// and levels of nesting of a node. Recursion is bounded by [`MAX_DEPTH`].
fn measure(node: &Node) -> (usize, usize, usize) {
    let children: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
        Value::Str(s) => return (1, s.len().max(1), 0),
        _ => return (1, 1, 0),
    };
    children
        .into_iter()
        .map(measure)
        .fold((1, 1, 1), |(n, b, d), (cn, cb, cd)| {
            (n + cn, b + cb, d.max(cd + 1))
        })
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
    fn a_hundred_thousand_levels_of_block_nesting_are_refused_not_overflowed() {
        let text = format!("a:\n{}x\n", "- ".repeat(100_000));
        let err = parse_str(&text).unwrap_err();
        assert!(
            err.message.contains("nested more than 128"),
            "{}",
            err.message
        );
        let deep_map: String = (0..1_000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        assert!(parse_str(&deep_map).unwrap_err().message.contains("nested"));
    }

    #[test]
    fn aliases_cannot_nest_deeper_than_the_limit() {
        let mut text = String::from("a0: &a0 [x]\n");
        for i in 1..200 {
            text.push_str(&format!("a{i}: &a{i} [*a{}]\n", i - 1));
        }
        let err = parse_str(&text).unwrap_err();
        assert!(err.message.contains("nested more than"), "{}", err.message);
    }

    #[test]
    fn aliases_of_long_strings_are_budgeted_in_bytes() {
        let long = "x".repeat(10_000);
        let refs = vec!["*a"; 200].join(", ");
        let text = format!("a: &a \"{long}\"\nb: [{refs}]\n");
        let err = parse_str(&text).unwrap_err();
        assert!(err.message.contains("MiB of text"), "{}", err.message);
        assert_eq!(&text[err.span.start..err.span.end], "*");
        let few = format!("a: &a \"{long}\"\nb: [*a, *a, *a]\n");
        assert!(parse_str(&few).is_ok());
    }

    #[test]
    fn a_nul_byte_is_an_error_at_its_position() {
        let text = "title: a\0b\nsummary: s\n";
        let err = parse_str(text).unwrap_err();
        assert_eq!(err.span.start, text.find('\0').unwrap());
        assert!(err.message.contains("NUL"));
    }

    #[test]
    fn control_characters_are_removed_from_values_with_a_warning() {
        let text = "title: \"a\u{b}b\u{1b}[31m\"\nsummary: \"\\e\"\n";
        let parsed = parse_with_warnings(text, 0, text).unwrap();
        let Value::Map(entries) = parsed.root.value else {
            panic!("not a map")
        };
        assert_eq!(entries[0].1.as_str(), Some("ab[31m"));
        assert_eq!(entries[1].1.as_str(), Some(""));
        assert_eq!(parsed.warnings.len(), 2);
        assert_eq!(parsed.warnings[0].span.start, text.find('\u{b}').unwrap());
        assert!(
            parsed.warnings[0]
                .message
                .contains("U+000B in a value (and 1 more)")
        );
    }

    #[test]
    fn an_unclosed_quote_is_named_at_the_line_it_opens() {
        for text in [
            "title: \"abc\nsummary: x\n",
            "title: \"abc\nsummary: \"x\"\n",
            "a:\n  title: 'abc\n  summary: x\n",
        ] {
            let err = parse_str(text).unwrap_err();
            assert!(
                err.message
                    .starts_with("unclosed quote: the string opened on line")
                    && err.message.ends_with("does not end on that line"),
                "{}",
                err.message
            );
            assert!(matches!(&text[err.span.start..err.span.end], "\"" | "'"));
        }
    }

    #[test]
    fn only_the_first_document_is_read() {
        let node = parse_str("a: 1\n---\nb: [\n").unwrap();
        assert!(matches!(node.value, Value::Map(ref e) if e.len() == 1));
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
