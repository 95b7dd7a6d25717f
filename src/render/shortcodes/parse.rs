//! RENDER: finding shortcode calls in a page body. Input: Markdown source;
//! output: every call outside code spans and code blocks, with the byte
//! span of the call and of each argument, and diagnostics for calls that
//! are written wrong (what is wrong, where, and how to write it).
//!
//! The grammar is Zola's: `{{ name(key="text", n=3, flag=true) }}` for a
//! call, `{% name(args) %}` … `{% end %}` for a call with a body.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::diag::Span;

/// A value passed to a shortcode, as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Value {
    /// The name of the value's type, as a writer would say it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Text(_) => "text",
            Value::Int(_) => "a whole number",
            Value::Float(_) => "a number",
            Value::Bool(_) => "true or false",
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(s) => serde_json::Value::from(s.as_str()),
            Value::Int(n) => serde_json::Value::from(*n),
            Value::Float(f) => serde_json::Value::from(*f),
            Value::Bool(b) => serde_json::Value::from(*b),
        }
    }
}

/// One `key=value` of a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: String,
    pub value: Value,
    /// From the key to the end of the value, in the source.
    pub span: Span,
}

/// Which of the three forms a call has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `{{ name(…) }}`
    Inline,
    /// `{% name(…) %}`: a body follows, up to `{% end %}`.
    Open,
    /// `{% end %}`
    End,
}

/// A call as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub form: Form,
    pub name: String,
    pub args: Vec<Arg>,
    /// The whole call, `{{` to `}}`, in the source.
    pub span: Span,
    /// The name alone.
    pub name_span: Span,
}

/// A call written so wrong that it cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub hint: String,
    pub span: Span,
}

/// Every call in `source` outside code, in order, and the calls that
/// could not be read.
pub fn calls(source: &str) -> (Vec<Call>, Vec<SyntaxError>) {
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    if !source.contains("{{") && !source.contains("{%") {
        return (calls, errors);
    }
    let code = code_ranges(source);
    let mut at = 0;
    while let Some(found) = next_opening(source, at) {
        if let Some(r) = code.iter().find(|r| r.contains(&found)) {
            at = r.end;
            continue;
        }
        match read_call(source, found) {
            Read::Call(call) => {
                at = call.span.end;
                calls.push(call);
            }
            Read::Error(e) => {
                at = e.span.end.max(found + 2);
                errors.push(e);
            }
            Read::NotACall => at = found + 2,
        }
    }
    (calls, errors)
}

/// Byte ranges of code spans and code blocks: text there is never a call.
fn code_ranges(source: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let options = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES;
    let mut block_start = None;
    for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
        match event {
            Event::Code(_) => ranges.push(range),
            Event::Start(Tag::CodeBlock(_)) => block_start = Some(range),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(start) = block_start.take() {
                    ranges.push(start.start..range.end.max(start.end));
                }
            }
            _ => {}
        }
    }
    ranges
}

fn next_opening(source: &str, from: usize) -> Option<usize> {
    let rest = source.get(from..)?;
    let a = rest.find("{{");
    let b = rest.find("{%");
    let first = match (a, b) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(from + first)
}

enum Read {
    Call(Call),
    Error(SyntaxError),
    /// `{{` or `{%` not followed by a name and `(`: ordinary text.
    NotACall,
}

/// A cursor over the source, from one `{{` or `{%`.
struct Cursor<'a> {
    src: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn skip_space(&mut self) {
        let rest = &self.src[self.at..];
        self.at += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.src[self.at..].starts_with(s) {
            self.at += s.len();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<(String, Span)> {
        let rest = &self.src[self.at..];
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                !(c == '_' || c.is_ascii_alphanumeric()) || (i == 0 && c.is_ascii_digit())
            })
            .map_or(rest.len(), |(i, _)| i);
        if len == 0 {
            return None;
        }
        let span = Span::new(self.at, self.at + len);
        self.at += len;
        Some((rest[..len].to_owned(), span))
    }

    fn peek(&self) -> Option<char> {
        self.src[self.at..].chars().next()
    }
}

fn read_call(src: &str, start: usize) -> Read {
    let body = src[start..].starts_with("{%");
    let close = if body { "%}" } else { "}}" };
    let mut c = Cursor { src, at: start + 2 };
    c.skip_space();
    let Some((name, name_span)) = c.ident() else {
        return Read::NotACall;
    };
    c.skip_space();
    if body && name == "end" {
        c.skip_space();
        if !c.eat(close) {
            return Read::Error(unclosed(start, c.at, close));
        }
        return Read::Call(Call {
            form: Form::End,
            name,
            args: Vec::new(),
            span: Span::new(start, c.at),
            name_span,
        });
    }
    if !c.eat("(") {
        return Read::NotACall;
    }
    let args = match read_args(&mut c) {
        Ok(args) => args,
        Err(e) => return Read::Error(e),
    };
    c.skip_space();
    if !c.eat(close) {
        return Read::Error(unclosed(start, c.at, close));
    }
    Read::Call(Call {
        form: if body { Form::Open } else { Form::Inline },
        name,
        args,
        span: Span::new(start, c.at),
        name_span,
    })
}

fn unclosed(start: usize, at: usize, close: &str) -> SyntaxError {
    SyntaxError {
        message: format!("shortcode call is not closed with `{close}`"),
        hint: format!("end the call with `) {close}`, as in {{{{ youtube(id=\"…\") }}}}"),
        span: Span::new(start, at.max(start + 2)),
    }
}

/// `key=value, …` up to and including the `)`.
fn read_args(c: &mut Cursor<'_>) -> Result<Vec<Arg>, SyntaxError> {
    let mut args = Vec::new();
    loop {
        c.skip_space();
        if c.eat(")") {
            return Ok(args);
        }
        if !args.is_empty() {
            if !c.eat(",") {
                return Err(expected(c, "`,` between arguments or `)` after the last"));
            }
            c.skip_space();
            if c.eat(")") {
                return Ok(args);
            }
        }
        let from = c.at;
        let Some((name, _)) = c.ident() else {
            return Err(expected(c, "an argument name, as in `id=\"…\"`"));
        };
        c.skip_space();
        if !c.eat("=") {
            return Err(expected(c, &format!("`=` and a value after `{name}`")));
        }
        c.skip_space();
        let value = read_value(c)?;
        args.push(Arg {
            name,
            value,
            span: Span::new(from, c.at),
        });
    }
}

fn expected(c: &Cursor<'_>, what: &str) -> SyntaxError {
    let found = c
        .peek()
        .map_or("the end of the text".to_owned(), |ch| format!("`{ch}`"));
    let end = c.at + c.peek().map_or(0, char::len_utf8);
    SyntaxError {
        message: format!("expected {what} in shortcode call, found {found}"),
        hint: "arguments are written name=\"text\", name=3 or name=true, separated by commas"
            .into(),
        span: Span::new(c.at, end.max(c.at + 1)),
    }
}

fn read_value(c: &mut Cursor<'_>) -> Result<Value, SyntaxError> {
    match c.peek() {
        Some(q @ ('"' | '\'')) => read_string(c, q),
        Some(ch) if ch == '-' || ch.is_ascii_digit() => read_number(c),
        _ => {
            let at = c.at;
            match c.ident().map(|(w, _)| w) {
                Some(w) if w == "true" => Ok(Value::Bool(true)),
                Some(w) if w == "false" => Ok(Value::Bool(false)),
                Some(w) => Err(SyntaxError {
                    message: format!("`{w}` is not a value"),
                    hint: format!("put text in quotes: \"{w}\""),
                    span: Span::new(at, c.at),
                }),
                None => Err(expected(c, "a value")),
            }
        }
    }
}

fn read_string(c: &mut Cursor<'_>, quote: char) -> Result<Value, SyntaxError> {
    let start = c.at;
    c.at += 1;
    let mut out = String::new();
    let mut chars = c.src[c.at..].char_indices();
    while let Some((i, ch)) = chars.next() {
        match ch {
            '\\' => match chars.next() {
                Some((_, e)) => out.push(e),
                None => break,
            },
            ch if ch == quote => {
                c.at += i + 1;
                return Ok(Value::Text(out));
            }
            ch => out.push(ch),
        }
    }
    Err(SyntaxError {
        message: "text in a shortcode call is missing its closing quote".into(),
        hint: format!("close it with {quote}"),
        span: Span::new(start, start + 1),
    })
}

fn read_number(c: &mut Cursor<'_>) -> Result<Value, SyntaxError> {
    let start = c.at;
    let rest = &c.src[start..];
    let len = rest
        .char_indices()
        .find(|&(i, ch)| !(ch.is_ascii_digit() || ch == '.' || (i == 0 && ch == '-')))
        .map_or(rest.len(), |(i, _)| i);
    c.at += len;
    let text = &rest[..len];
    let bad = || SyntaxError {
        message: format!("`{text}` is not a number"),
        hint: "write a number as 400 or 1.5, or put text in quotes".into(),
        span: Span::new(start, start + len.max(1)),
    };
    if text.contains('.') {
        text.parse().map(Value::Float).map_err(|_| bad())
    } else {
        text.parse().map(Value::Int).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_read_with_typed_arguments() {
        let (calls, errors) =
            calls("a {{ youtube(id=\"x y\", start=30, wide=true, ratio=1.5) }} b");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(calls.len(), 1);
        let c = &calls[0];
        assert_eq!((c.name.as_str(), c.form), ("youtube", Form::Inline));
        let values: Vec<&Value> = c.args.iter().map(|a| &a.value).collect();
        assert_eq!(
            values,
            [
                &Value::Text("x y".into()),
                &Value::Int(30),
                &Value::Bool(true),
                &Value::Float(1.5)
            ]
        );
        assert_eq!(c.span, Span::new(2, 57));
    }

    #[test]
    fn text_in_code_is_never_a_call() {
        let src = "`{{ youtube(id=\"a\") }}`\n\n```\n{% callout(kind=\"note\") %}\n```\n\n    {{ x() }}\n";
        assert_eq!(calls(src).0, []);
    }

    #[test]
    fn body_calls_and_their_end_are_read() {
        let (calls, _) = calls("{% callout(kind='note') %}\nText\n{% end %}\n");
        let forms: Vec<Form> = calls.iter().map(|c| c.form).collect();
        assert_eq!(forms, [Form::Open, Form::End]);
    }

    #[test]
    fn braces_without_a_call_are_text() {
        assert_eq!(calls("{{ not a call }} and {% also not %}").0, []);
    }

    #[test]
    fn a_missing_quote_is_reported_where_the_text_starts() {
        let (_, errors) = calls("{{ youtube(id=\"abc) }}");
        assert_eq!(errors[0].span, Span::new(14, 15));
    }
}
