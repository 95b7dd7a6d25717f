//! RENDER: shortcodes around Markdown rendering. Before: every call in a
//! body is checked and replaced by a placeholder Markdown leaves alone (a
//! call with a body becomes two, on lines of their own, so what is between
//! them is Markdown like the rest of the page: refs, autolinks, footnotes).
//! After: each placeholder in the HTML is replaced by its template's
//! output. Positions in the rewritten text map back to the writer's file
//! through [`Expansion::original`].

use super::Shortcodes;
use super::builtin::{self, Misuse};
use super::parse::{self, Call, Form};
use crate::diag::{Span, closest};
use crate::render::images::{Ask, FigureView};

/// Placeholder delimiters: characters of Unicode's private use area, which
/// Markdown treats as text and no writer types.
const INLINE: char = '\u{E000}';
const OPEN: char = '\u{E002}';
const END: char = '\u{E003}';
const CLOSE: char = '\u{E001}';

/// What expanding needs from the page being rendered.
pub trait Host {
    /// Checks and processes a picture a shortcode names; `span` is in the
    /// body's own text.
    fn picture(&mut self, ask: &Ask<'_>, span: Span) -> Option<FigureView>;
    /// Reports a problem; `span` is in the body's own text.
    fn report(&mut self, problem: Misuse);
    /// The site language's words for dates (a `post`'s date).
    fn date_words(&self) -> &crate::i18n::DateWords;
}

/// One replaced stretch: `new_len` bytes at `new_at` of the rewritten text
/// stand for `old_len` bytes at `old_at` of the source.
#[derive(Debug, Clone, Copy)]
struct Edit {
    new_at: usize,
    new_len: usize,
    old_at: usize,
    old_len: usize,
}

/// A call kept for rendering, by its placeholder's number.
#[derive(Debug)]
struct Slot {
    call: Call,
    /// Whether it passed every check; a call that did not renders nothing
    /// (its body, if any, is kept as plain Markdown).
    valid: bool,
    /// For an `{% end %}`, the number of the call it closes (`None`: it
    /// closes nothing, and goes).
    closes: Option<usize>,
}

/// A body with its calls replaced by placeholders.
#[derive(Debug)]
pub struct Expansion {
    pub text: String,
    edits: Vec<Edit>,
    slots: Vec<Slot>,
}

impl Expansion {
    /// Checks every call in `source` (reporting to `host`) and replaces
    /// each with its placeholder; `None` when there is no call.
    pub fn new(source: &str, shortcodes: &Shortcodes, host: &mut dyn Host) -> Option<Self> {
        let (calls, errors) = parse::calls(source);
        for e in errors {
            host.report(Misuse {
                code: "shortcode-syntax",
                message: e.message,
                hint: e.hint,
                span: e.span,
            });
        }
        if calls.is_empty() {
            return None;
        }
        let slots = check_all(source, calls, shortcodes, host);
        Some(rewrite(source, slots))
    }

    /// The names of the shortcodes called.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.slots
            .iter()
            .filter(|s| s.closes.is_none())
            .map(|s| s.call.name.as_str())
    }

    /// The source offset of an offset in the rewritten text.
    pub fn original(&self, offset: usize) -> usize {
        let at = self.edits.partition_point(|e| e.new_at <= offset);
        let Some(e) = at.checked_sub(1).map(|i| self.edits[i]) else {
            return offset;
        };
        if offset < e.new_at + e.new_len {
            e.old_at
        } else {
            e.old_at + e.old_len + (offset - e.new_at - e.new_len)
        }
    }

    /// The rendered HTML with every placeholder replaced by its call's
    /// output.
    pub fn finish(&self, mut html: String, shortcodes: &Shortcodes, host: &mut dyn Host) -> String {
        for (n, slot) in self.slots.iter().enumerate() {
            if slot.call.form == Form::Inline {
                let out = self.output(n, None, shortcodes, host);
                let token = token(INLINE, n);
                html = replace_block_or_inline(&html, &token, &out);
            }
        }
        while let Some(end_at) = html.find(END) {
            let Some(n) = number_after(&html, end_at) else {
                break;
            };
            let end = expand_to_paragraph(&html, end_at, &token(END, n));
            let open_token = token(OPEN, n);
            let Some(open_at) = html[..end.start].find(&open_token) else {
                html.replace_range(end, "");
                continue;
            };
            let open = expand_to_paragraph(&html, open_at, &open_token);
            if !stays_in_its_blocks(&html[open.end..end.start]) {
                host.report(ends_elsewhere(&self.slots[n].call));
                html.replace_range(end, "");
                html.replace_range(open, "");
                continue;
            }
            let body = html[open.end..end.start].trim().to_owned();
            let out = self.output(n, Some(body), shortcodes, host);
            html.replace_range(open.start..end.end, &format!("{out}\n"));
        }
        html
    }

    /// The HTML of call `n`: its template's output, or nothing (the body
    /// as it is, for a call with one) when the call is wrong.
    fn output(
        &self,
        n: usize,
        body: Option<String>,
        shortcodes: &Shortcodes,
        host: &mut dyn Host,
    ) -> String {
        let slot = &self.slots[n];
        if !slot.valid {
            return body.unwrap_or_default();
        }
        let Some(ctx) = super::context::of(&slot.call, n + 1, body.as_deref(), host) else {
            return String::new();
        };
        match shortcodes.render(&slot.call.name, &ctx) {
            Ok(html) => html.trim().to_owned(),
            Err(message) => {
                host.report(Misuse {
                    code: "shortcode-template",
                    message: format!("shortcode `{}` failed: {message}", slot.call.name),
                    hint: format!(
                        "fix templates/shortcodes/{}.html; the values it gets are listed in docs/content-format.md",
                        slot.call.name
                    ),
                    span: slot.call.span,
                });
                String::new()
            }
        }
    }
}

/// The blocks a body can open and close: Markdown's lists and quotes.
const CONTAINERS: [&str; 4] = ["li", "ul", "ol", "blockquote"];

/// Whether `html` closes no list, item or quote it did not open (and
/// leaves none open): then the call's output around it nests properly.
fn stays_in_its_blocks(html: &str) -> bool {
    let mut depth = [0i32; CONTAINERS.len()];
    for (at, _) in html.match_indices('<') {
        let tag = &html[at + 1..];
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, tag),
        };
        let name_len = tag
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tag.len());
        let Some(i) = CONTAINERS.iter().position(|c| *c == &tag[..name_len]) else {
            continue;
        };
        depth[i] += if closing { -1 } else { 1 };
        if depth[i] < 0 {
            return false;
        }
    }
    depth.iter().all(|d| *d == 0)
}

fn token(kind: char, n: usize) -> String {
    format!("{kind}{n}{CLOSE}")
}

/// The number of the placeholder starting at `at`.
fn number_after(html: &str, at: usize) -> Option<usize> {
    let rest = &html[at + END.len_utf8()..];
    let digits = rest.find(CLOSE)?;
    rest[..digits].parse().ok()
}

/// The placeholder at `at`, with the `<p>` and `</p>` around it when it
/// stands alone in a paragraph.
fn expand_to_paragraph(html: &str, at: usize, token: &str) -> std::ops::Range<usize> {
    let end = at + token.len();
    if html[..at].ends_with("<p>") && html[end..].starts_with("</p>") {
        let after = end + "</p>".len();
        let after = after + usize::from(html[after..].starts_with('\n'));
        return at - "<p>".len()..after;
    }
    at..end
}

/// A call alone in its paragraph replaces the paragraph; one inside text
/// replaces itself.
fn replace_block_or_inline(html: &str, token: &str, out: &str) -> String {
    let block = format!("<p>{token}</p>");
    if html.contains(&block) {
        html.replacen(&block, out, 1)
    } else {
        html.replacen(token, out, 1)
    }
}

/// Checks every call: its name, its form, where it stands, its arguments,
/// and that bodies are closed.
fn check_all(
    source: &str,
    calls: Vec<Call>,
    shortcodes: &Shortcodes,
    host: &mut dyn Host,
) -> Vec<Slot> {
    let mut slots: Vec<Slot> = Vec::with_capacity(calls.len());
    let mut open: Vec<usize> = Vec::new();
    for call in calls {
        let n = slots.len();
        let (valid, closes) = match call.form {
            Form::End => match open.pop() {
                Some(o) => (slots[o].valid, Some(o)),
                None => {
                    host.report(stray_end(&call));
                    (false, None)
                }
            },
            _ => (check_one(source, &call, shortcodes, host), None),
        };
        if call.form == Form::Open {
            open.push(n);
        }
        slots.push(Slot {
            call,
            valid,
            closes,
        });
    }
    for o in open {
        host.report(unclosed_body(&slots[o].call));
        slots[o].valid = false;
        slots[o].call.form = Form::Inline;
    }
    slots
}

fn check_one(source: &str, call: &Call, shortcodes: &Shortcodes, host: &mut dyn Host) -> bool {
    if !shortcodes.has(&call.name) {
        host.report(unknown(call, shortcodes));
        return false;
    }
    let Some(spec) = builtin::spec(&call.name) else {
        // A site's own shortcode: any arguments, any form, anywhere.
        return true;
    };
    let mut problems = Vec::new();
    if spec.body != (call.form == Form::Open) {
        problems.push(wrong_form(call, spec.body));
    } else if !spec.body && !alone_on_its_lines(source, call.span) {
        problems.push(Misuse {
            code: "shortcode-placement",
            message: format!("shortcode `{}` must stand on a line of its own", call.name),
            hint: "put a blank line before and after it".into(),
            span: call.span,
        });
    }
    problems.extend(builtin::check(spec, call));
    let valid = problems.is_empty();
    for p in problems {
        host.report(p);
    }
    valid
}

/// Whether nothing but list markers, quote markers and spaces stands
/// before the call on its line, and nothing but spaces after it.
fn alone_on_its_lines(source: &str, span: Span) -> bool {
    let line_end = source[span.end..]
        .find('\n')
        .map_or(source.len(), |i| span.end + i);
    let head = line_head(source, span.start);
    Containers::of(head).rest.is_empty() && source[span.end..line_end].trim().is_empty()
}

/// The text of the line before `at`.
fn line_head(source: &str, at: usize) -> &str {
    let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    &source[line_start..at]
}

/// The blocks a line's text sits in, read from the markers that open it
/// (`> ` for a quote, `- `, `* `, `+ `, `1. `, `1) ` for a list item).
#[derive(Debug, PartialEq, Eq)]
struct Containers<'a> {
    /// What the next lines must start with to stay in the same blocks:
    /// quote markers as written, list markers as spaces of their width.
    continuation: String,
    /// Whether the head ends with a list marker: the call opens the item.
    opens_item: bool,
    /// The head after the markers (text before the call on its line).
    rest: &'a str,
}

impl<'a> Containers<'a> {
    fn of(head: &'a str) -> Self {
        let mut continuation = String::new();
        let mut opens_item = false;
        let mut rest = head;
        loop {
            let text = rest.trim_start_matches([' ', '\t']);
            if text.len() < rest.len() {
                continuation.push_str(&rest[..rest.len() - text.len()]);
                rest = text;
            }
            if let Some(after) = rest.strip_prefix('>') {
                continuation.push('>');
                rest = after;
                opens_item = false;
            } else if let Some(len) = list_marker_len(rest) {
                continuation.extend(std::iter::repeat_n(' ', len));
                rest = &rest[len..];
                opens_item = true;
            } else {
                break;
            }
        }
        Containers {
            continuation,
            opens_item: opens_item && rest.is_empty(),
            rest,
        }
    }

    /// Markdown that puts `token` in a paragraph of its own inside the
    /// same blocks as the call it replaces: blank lines around it that
    /// keep the quote markers and the list item's indentation, so the
    /// quote or item goes on after it. (A list item cannot begin with a
    /// blank line and go on, so a token that opens an item has none
    /// before it.) At the top level this is `\n\n{token}\n\n`.
    fn block(&self, token: &str) -> String {
        let c = self.continuation.trim_end_matches([' ', '\t']);
        let indent = &self.continuation;
        let before = if self.opens_item {
            String::new()
        } else {
            format!("\n{c}\n{indent}")
        };
        format!("{before}{token}\n{c}\n{indent}")
    }
}

/// The length of the list marker `text` starts with, with the space after
/// it: `- `, `* `, `+ `, or up to nine digits and `.` or `)` and a space.
fn list_marker_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let marker = match (digits, bytes.get(digits)) {
        (0, Some(b'-' | b'*' | b'+')) => 1,
        (1..=9, Some(b'.' | b')')) => digits + 1,
        _ => return None,
    };
    match bytes.get(marker) {
        Some(b' ' | b'\t') => Some(marker + 1),
        _ => None,
    }
}

fn unknown(call: &Call, shortcodes: &Shortcodes) -> Misuse {
    let hint = match closest(&call.name, shortcodes.names()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!(
            "the shortcodes are {}; add templates/shortcodes/{}.html to make your own",
            shortcodes.names().collect::<Vec<_>>().join(", "),
            call.name
        ),
    };
    Misuse {
        code: "shortcode-unknown",
        message: format!("unknown shortcode `{}`", call.name),
        hint,
        span: call.span,
    }
}

fn wrong_form(call: &Call, wants_body: bool) -> Misuse {
    let name = &call.name;
    let hint = if wants_body {
        format!("`{name}` wraps text: {{% {name}(…) %}} text {{% end %}}")
    } else {
        format!("`{name}` takes no text: {{{{ {name}(…) }}}}")
    };
    Misuse {
        code: "shortcode-form",
        message: if wants_body {
            format!("shortcode `{name}` needs a body")
        } else {
            format!("shortcode `{name}` has no body")
        },
        hint,
        span: call.span,
    }
}

fn stray_end(call: &Call) -> Misuse {
    Misuse {
        code: "shortcode-end",
        message: "`{% end %}` closes no shortcode".into(),
        hint: "remove it, or open a body with {% callout(kind=\"note\") %} above".into(),
        span: call.span,
    }
}

fn ends_elsewhere(call: &Call) -> Misuse {
    Misuse {
        code: "shortcode-end",
        message: format!(
            "shortcode `{}` ends outside the list item or quote it starts in",
            call.name
        ),
        hint:
            "write its {% end %} in the same list item or quote, with the same `>` or indentation"
                .into(),
        span: call.span,
    }
}

fn unclosed_body(call: &Call) -> Misuse {
    Misuse {
        code: "shortcode-end",
        message: format!("shortcode `{}` is never closed", call.name),
        hint: "end its text with {% end %} on a line of its own".into(),
        span: call.span,
    }
}

/// Whether a call is one of the built-in embeds, which stand on lines of
/// their own (checked in [`check_one`]) and render as blocks. A site's
/// own shortcodes may sit inside a sentence, and keep their place there.
fn stands_alone(call: &Call) -> bool {
    builtin::spec(&call.name).is_some_and(|spec| !spec.body)
}

/// The source with each call replaced by its placeholder: a call with a
/// body, its end and a built-in embed each become a paragraph of their
/// own, inside the list item or quote the call was written in.
fn rewrite(source: &str, slots: Vec<Slot>) -> Expansion {
    let mut text = String::with_capacity(source.len() + slots.len() * 8);
    let mut edits = Vec::with_capacity(slots.len());
    let mut copied = 0;
    for (n, slot) in slots.iter().enumerate() {
        let span = slot.call.span;
        text.push_str(&source[copied..span.start]);
        let containers = Containers::of(line_head(source, span.start));
        let placeholder = match slot.call.form {
            Form::Inline if slot.valid && stands_alone(&slot.call) => {
                containers.block(&token(INLINE, n))
            }
            Form::Inline => token(INLINE, n),
            Form::Open => containers.block(&token(OPEN, n)),
            Form::End => match slot.closes {
                Some(o) => containers.block(&token(END, o)),
                None => String::new(),
            },
        };
        edits.push(Edit {
            new_at: text.len(),
            new_len: placeholder.len(),
            old_at: span.start,
            old_len: span.end - span.start,
        });
        text.push_str(&placeholder);
        copied = span.end;
    }
    text.push_str(&source[copied..]);
    Expansion { text, edits, slots }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Vec<String>);

    impl Host for Collect {
        fn picture(&mut self, _: &Ask<'_>, _: Span) -> Option<FigureView> {
            None
        }
        fn report(&mut self, p: Misuse) {
            self.0.push(format!("{} @{}", p.message, p.span.start));
        }
        fn date_words(&self) -> &crate::i18n::DateWords {
            static ENGLISH: std::sync::OnceLock<std::sync::Arc<crate::i18n::Catalog>> =
                std::sync::OnceLock::new();
            &ENGLISH.get_or_init(crate::i18n::Catalog::english).dates
        }
    }

    #[test]
    fn offsets_after_a_call_map_back_to_the_source() {
        let src = "ab {{ x(a=1) }} cd";
        let e = rewrite(
            src,
            vec![Slot {
                call: parse::calls(src).0.remove(0),
                valid: true,
                closes: None,
            }],
        );
        let cd = e.text.find("cd").unwrap();
        assert_eq!(e.original(cd), src.find("cd").unwrap());
        assert_eq!(e.original(1), 1);
        assert_eq!(e.original(4), 3);
    }

    #[test]
    fn a_lines_markers_give_the_prefix_that_keeps_later_lines_in_its_blocks() {
        let of = |head| {
            let c = Containers::of(head);
            (c.continuation, c.opens_item, c.rest)
        };
        assert_eq!(of(""), ("".into(), false, ""));
        assert_eq!(of("- "), ("  ".into(), true, ""));
        assert_eq!(of("10. "), ("    ".into(), true, ""));
        assert_eq!(of("> "), ("> ".into(), false, ""));
        assert_eq!(of(">"), (">".into(), false, ""));
        assert_eq!(of("> 1) "), (">    ".into(), true, ""));
        assert_eq!(of("- > "), ("  > ".into(), false, ""));
        assert_eq!(of("  "), ("  ".into(), false, ""));
        assert_eq!(of("- Text "), ("  ".into(), false, "Text "));
        assert_eq!(of("-text "), ("".into(), false, "-text "));
        assert_eq!(of("2019 was "), ("".into(), false, "2019 was "));
    }

    #[test]
    fn a_block_placeholder_is_a_paragraph_inside_the_same_blocks() {
        let block = |head| Containers::of(head).block("T");
        assert_eq!(block(""), "\n\nT\n\n");
        assert_eq!(block("- "), "T\n\n  ");
        assert_eq!(block("  "), "\n\n  T\n\n  ");
        assert_eq!(block("> "), "\n>\n> T\n>\n> ");
        assert_eq!(block("> - "), "T\n>\n>   ");
    }

    /// `source` with its calls replaced, rendered by Markdown, with each
    /// placeholder shown as `[open 0]`, `[end 0]` or `[call 0]`.
    fn markdown_of(source: &str) -> String {
        let mut host = Collect(Vec::new());
        let expansion = Expansion::new(source, &Shortcodes::default(), &mut host).unwrap();
        assert_eq!(host.0, Vec::<String>::new());
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&expansion.text));
        for (n, _) in expansion.slots.iter().enumerate() {
            html = html
                .replace(&token(OPEN, n), &format!("[open {n}]"))
                .replace(&token(END, n), &format!("[end {n}]"))
                .replace(&token(INLINE, n), &format!("[call {n}]"));
        }
        html
    }

    #[test]
    fn a_body_call_opening_a_list_item_stays_in_it() {
        let src = "- One.\n- {% callout(kind=\"note\") %}\n  Two.\n  {% end %}\n- Three.\n";
        assert_eq!(
            markdown_of(src),
            "<ul>\n<li>\n<p>One.</p>\n</li>\n\
             <li>\n<p>[open 0]</p>\n<p>Two.</p>\n<p>[end 0]</p>\n</li>\n\
             <li>\n<p>Three.</p>\n</li>\n</ul>\n"
        );
    }

    #[test]
    fn a_body_call_after_text_in_a_list_item_stays_in_it() {
        let src = "1. One.\n   {% callout(kind=\"note\") %}\n   Two.\n   {% end %}\n2. Three.\n";
        assert_eq!(
            markdown_of(src),
            "<ol>\n<li>\n<p>One.</p>\n<p>[open 0]</p>\n<p>Two.</p>\n<p>[end 0]</p>\n</li>\n\
             <li>\n<p>Three.</p>\n</li>\n</ol>\n"
        );
    }

    #[test]
    fn calls_in_a_quote_stay_in_it() {
        let src = "> Said.\n>\n> {% callout(kind=\"note\") %}\n> Body.\n> {% end %}\n>\n\
                   > {{ figure(src=\"a.png\", alt=\"A\") }}\n> After.\n";
        assert_eq!(
            markdown_of(src),
            "<blockquote>\n<p>Said.</p>\n<p>[open 0]</p>\n<p>Body.</p>\n<p>[end 0]</p>\n\
             <p>[call 2]</p>\n<p>After.</p>\n</blockquote>\n"
        );
    }

    #[test]
    fn an_embed_opening_a_list_item_in_a_quote_stays_in_both() {
        let src = "> - {{ figure(src=\"a.png\", alt=\"A\") }}\n> - Two.\n\nOut.\n";
        assert_eq!(
            markdown_of(src),
            "<blockquote>\n<ul>\n<li>\n<p>[call 0]</p>\n</li>\n<li>\n<p>Two.</p>\n</li>\n</ul>\n\
             </blockquote>\n<p>Out.</p>\n"
        );
    }

    #[test]
    fn an_embed_right_under_text_gets_a_paragraph_of_its_own() {
        let src = "Text.\n{{ figure(src=\"a.png\", alt=\"A\") }}\nMore.\n";
        assert_eq!(
            markdown_of(src),
            "<p>Text.</p>\n<p>[call 0]</p>\n<p>More.</p>\n"
        );
    }

    #[test]
    fn only_lists_and_quotes_that_close_where_they_open_keep_a_body() {
        assert!(stays_in_its_blocks("<p>a</p><ul><li>b</li></ul>"));
        assert!(stays_in_its_blocks("<blockquote><p>a</p></blockquote>"));
        assert!(!stays_in_its_blocks("<p>a</p></li><li><p>b</p>"));
        assert!(!stays_in_its_blocks("<p>a</p></blockquote>"));
        assert!(!stays_in_its_blocks("<ul><li>a"));
        assert!(stays_in_its_blocks("<p>a <link> <lie></p>"));
    }

    #[test]
    fn unknown_names_and_stray_ends_are_reported() {
        let mut host = Collect(Vec::new());
        let shortcodes = Shortcodes::default();
        Expansion::new(
            "{{ youtub(id=\"a\") }}\n\n{% end %}\n",
            &shortcodes,
            &mut host,
        );
        assert_eq!(
            host.0,
            [
                "unknown shortcode `youtub` @0",
                "`{% end %}` closes no shortcode @22"
            ]
        );
    }
}
