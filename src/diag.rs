//! Diagnostics: the one type every stage uses to report a content problem.
//!
//! Stages never stop at the first problem; they push [`Diagnostic`]s into a
//! [`Diagnostics`] list, and the CLI prints them all at the end, sorted by file
//! and position, with the source line and a caret under the span. Line and
//! column are computed here and nowhere else, from byte offsets.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How bad a diagnostic is: errors fail the build, warnings do not (unless
/// `--deny-warnings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A byte range into a file's text, as read from disk.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Default,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// Moves a span measured inside a fragment (front matter, a fact value) to
    /// the file it came from.
    pub fn offset(self, by: usize) -> Self {
        Span::new(self.start + by, self.end + by)
    }
}

/// One problem in the content, a template or the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable machine-readable name (`ref-not-found`), for editors and CI.
    pub code: &'static str,
    /// Path relative to the site root, as the writer knows it.
    pub file: PathBuf,
    pub span: Option<Span>,
    pub message: String,
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: file.into(),
            span: None,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub fn warning(
        code: &'static str,
        file: impl Into<PathBuf>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, message)
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

/// A 1-based line and a 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Turns a byte offset into a line and column. A BOM is not a column; `\r\n`
/// counts as one line break. Offsets past the end clamp to the end.
pub fn line_col(text: &str, offset: usize) -> LineCol {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column_text = before[line_start..].trim_start_matches('\u{feff}');
    LineCol {
        line,
        column: column_text.chars().count() + 1,
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The text of the line holding `offset`, without its line break.
#[cfg(test)]
fn line_text(text: &str, offset: usize) -> &str {
    LineIndex::new(text).line_text(offset).0
}

/// Where every line of one text starts, so that each of many diagnostics
/// finds its line and column without counting from the top of the file: a
/// file with 100,000 warnings once took 46 s to report.
struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the first byte of each line.
    starts: Vec<usize>,
    /// Whether each line is ASCII, where a column is a byte count.
    ascii: Vec<bool>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let ends = starts.iter().skip(1).copied().chain([text.len()]);
        let ascii = starts
            .iter()
            .zip(ends)
            .map(|(&start, end)| text.as_bytes()[start..end].is_ascii())
            .collect();
        LineIndex {
            text,
            starts,
            ascii,
        }
    }

    /// The 0-based line holding `offset` and `offset` itself, clamped to
    /// the text and to a character boundary.
    fn find(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        (line, offset)
    }

    fn line_col(&self, offset: usize) -> LineCol {
        let (line, offset) = self.find(offset);
        let start = self.starts[line];
        let column = if self.ascii[line] {
            offset - start
        } else {
            let before = &self.text[start..offset];
            before.trim_start_matches('\u{feff}').chars().count()
        };
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }

    /// The line holding `offset`, without its line break or a BOM, and the
    /// offset's byte position in it.
    fn line_text(&self, offset: usize) -> (&'a str, usize) {
        let (line, offset) = self.find(offset);
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |&s| s - 1);
        let full = &self.text[start..end.max(start)];
        let shown = full.trim_end_matches('\r');
        let trimmed = shown.trim_start_matches('\u{feff}');
        let skipped = shown.len() - trimmed.len();
        (
            trimmed,
            (offset - start).saturating_sub(skipped).min(trimmed.len()),
        )
    }
}

/// Characters no reader can see and that terminals or XML parsers act on:
/// control characters other than tab and line breaks, and the two
/// noncharacters XML forbids. Content has them removed (with a warning);
/// diagnostics show them as visible symbols.
pub fn is_unprintable(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// `text` safe to print to a terminal: every control character but a line
/// break or tab becomes one visible symbol (ESC is `␛`), so content cannot
/// send escape sequences through a message and carets stay aligned.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c != '\n' && c != '\t' && (c.is_control() || is_unprintable(c));
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            c if !unsafe_char(c) => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            _ => '\u{fffd}',
        })
        .collect()
}

/// Every diagnostic of a run, with the texts needed to show source lines.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    sources: BTreeMap<PathBuf, String>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    /// Remembers a file's text so its diagnostics can show line, column and
    /// the source line. Call it for every file a diagnostic may point into.
    pub fn add_source(&mut self, file: &Path, text: &str) {
        self.sources.insert(file.to_path_buf(), text.to_owned());
    }

    pub fn merge(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
        self.sources.extend(other.sources);
    }

    /// Every diagnostic, in the order they were found.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// The errors alone, with their sources, for a short report.
    pub fn errors_only(&self) -> Diagnostics {
        Diagnostics {
            items: self
                .items
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .cloned()
                .collect(),
            sources: self.sources.clone(),
        }
    }

    /// The text registered for `file`, if any.
    pub fn source(&self, file: &Path) -> Option<&str> {
        self.sources.get(file).map(String::as_str)
    }

    /// Drops the diagnostics `keep` rejects (a re-parsed file's old ones).
    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.items.retain(keep);
    }

    pub fn errors(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Turns every warning into an error, for `--deny-warnings`.
    pub fn deny_warnings(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }

    /// The diagnostics in report order: by file, then position, then message,
    /// so the same site always reports in the same order.
    pub fn sorted(&self) -> Vec<Located<'_>> {
        let mut indexes: BTreeMap<&Path, LineIndex<'_>> = BTreeMap::new();
        let mut located: Vec<Located<'_>> = self
            .items
            .iter()
            .map(|d| self.locate(d, &mut indexes))
            .collect();
        located.sort_by(|a, b| {
            (
                &a.diagnostic.file,
                a.start,
                &a.diagnostic.message,
                a.diagnostic.code,
            )
                .cmp(&(
                    &b.diagnostic.file,
                    b.start,
                    &b.diagnostic.message,
                    b.diagnostic.code,
                ))
        });
        located.dedup_by(|a, b| a.diagnostic == b.diagnostic);
        located
    }

    fn locate<'a>(
        &'a self,
        diagnostic: &'a Diagnostic,
        indexes: &mut BTreeMap<&'a Path, LineIndex<'a>>,
    ) -> Located<'a> {
        let text = self.sources.get(&diagnostic.file);
        let (start, end, line) = match (text, diagnostic.span) {
            (Some(text), Some(span)) => {
                let index = indexes
                    .entry(diagnostic.file.as_path())
                    .or_insert_with(|| LineIndex::new(text));
                (
                    Some(index.line_col(span.start)),
                    Some(index.line_col(span.end)),
                    Some(index.line_text(span.start)),
                )
            }
            _ => (None, None, None),
        };
        Located {
            diagnostic,
            start,
            end,
            line,
        }
    }

    /// The human report: every diagnostic, then a count line.
    pub fn render_human(&self, color: bool) -> String {
        let mut out = String::new();
        for located in self.sorted() {
            located.render(&mut out, color);
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// `3 errors, 2 warnings`.
    pub fn summary(&self) -> String {
        format!(
            "{}, {}",
            plural(self.errors(), "error", "errors"),
            plural(self.warnings(), "warning", "warnings")
        )
    }

    /// One JSON object per diagnostic, in report order.
    pub fn render_json(&self) -> String {
        let list: Vec<JsonDiagnostic<'_>> =
            self.sorted().iter().map(JsonDiagnostic::from).collect();
        serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into())
    }
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A diagnostic with its position resolved against its file's text.
pub struct Located<'a> {
    pub diagnostic: &'a Diagnostic,
    pub start: Option<LineCol>,
    pub end: Option<LineCol>,
    /// The source line and the span's byte position in it.
    line: Option<(&'a str, usize)>,
}

impl Located<'_> {
    /// `path:line:col` or just `path` when the problem has no position.
    pub fn location(&self) -> String {
        let file = self.diagnostic.file.display().to_string();
        let file = terminal_safe(&file);
        match self.start {
            Some(at) => format!("{file}:{}:{}", at.line, at.column),
            None => file.to_string(),
        }
    }

    fn render(&self, out: &mut String, color: bool) {
        let d = self.diagnostic;
        let (label, paint) = match d.severity {
            Severity::Error => ("error", "\x1b[1;31m"),
            Severity::Warning => ("warning", "\x1b[1;33m"),
        };
        let (on, off) = if color { (paint, "\x1b[0m") } else { ("", "") };
        let message = terminal_safe(&d.message);
        let _ = writeln!(out, "{on}{label}{off}: {message} [{}]", d.code);
        let _ = writeln!(out, "  --> {}", self.location());
        if let (Some((line, at)), Some(start)) = (self.line, self.start) {
            let width = match self.end {
                Some(end) if end.line == start.line && end.column > start.column => {
                    end.column - start.column
                }
                _ => 1,
            };
            let number = start.line.to_string();
            let pad = " ".repeat(number.len());
            let (shown, column) = window(line, at);
            let width = width.min(MAX_SHOWN_LINE);
            let shown = shown.replace('\t', " ");
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{number} | {}", terminal_safe(&shown));
            let caret_pad = " ".repeat(column - 1);
            let _ = writeln!(out, "{pad} | {caret_pad}{on}{}{off}", "^".repeat(width));
        }
        for hint in &d.hints {
            let _ = writeln!(out, "  = hint: {}", terminal_safe(hint));
        }
        out.push('\n');
    }
}

/// Longest source line shown under a diagnostic, in characters.
const MAX_SHOWN_LINE: usize = 120;

/// A long line cut to a window around byte `at`; returns the window and the
/// 1-based column of `at` within it. Only the characters near `at` are
/// looked at, so many diagnostics on one huge line stay cheap.
fn window(line: &str, at: usize) -> (String, usize) {
    let at = floor_char_boundary(line, at.min(line.len()));
    let before: Vec<char> = line[..at].chars().rev().take(MAX_SHOWN_LINE + 1).collect();
    let after: Vec<char> = line[at..].chars().take(MAX_SHOWN_LINE + 1).collect();
    if before.len() + after.len() <= MAX_SHOWN_LINE {
        return (line.to_owned(), before.len() + 1);
    }
    let keep_before = before
        .len()
        .min((MAX_SHOWN_LINE / 2).max(MAX_SHOWN_LINE.saturating_sub(after.len())));
    let keep_after = after.len().min(MAX_SHOWN_LINE - keep_before);
    let cut_before = keep_before < before.len();
    let mut shown = String::new();
    if cut_before {
        shown.push('…');
    }
    shown.extend(before[..keep_before].iter().rev());
    shown.extend(&after[..keep_after]);
    if keep_after < after.len() {
        shown.push('…');
    }
    (shown, keep_before + 1 + usize::from(cut_before))
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    end: Option<LineCol>,
    severity: Severity,
    code: &'a str,
    message: &'a str,
    hints: &'a [String],
}

impl<'a> From<&Located<'a>> for JsonDiagnostic<'a> {
    fn from(located: &Located<'a>) -> Self {
        let d = located.diagnostic;
        JsonDiagnostic {
            file: d.file.to_string_lossy().replace('\\', "/"),
            line: located.start.map(|at| at.line),
            column: located.start.map(|at| at.column),
            end: located.end,
            severity: d.severity,
            code: d.code,
            message: &d.message,
            hints: &d.hints,
        }
    }
}

/// Edit distance, for "did you mean" hints.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The candidate closest to `wanted`, if it is close enough to be a typo.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (levenshtein(wanted, c), c))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let text = "ab\ncé d\n";
        assert_eq!(line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(line_col(text, 3), LineCol { line: 2, column: 1 });
        assert_eq!(line_col(text, 7), LineCol { line: 2, column: 4 });
    }

    #[test]
    fn crlf_and_bom_do_not_shift_positions() {
        let text = "\u{feff}a: 1\r\nbc: 2\r\n";
        assert_eq!(line_col(text, 3), LineCol { line: 1, column: 1 });
        let b = text.find("bc").unwrap_or(0);
        assert_eq!(line_col(text, b + 1), LineCol { line: 2, column: 2 });
        assert_eq!(line_text(text, b), "bc: 2");
    }

    #[test]
    fn the_line_index_agrees_with_counting_from_the_top() {
        let text = "\u{feff}a: é\r\n\nxyz\nЗе л\n";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                index.line_col(offset),
                line_col(text, offset),
                "at {offset}"
            );
        }
    }

    #[test]
    fn a_hundred_thousand_diagnostics_in_one_file_render_in_linear_time() {
        let text = "key: value\n".repeat(100_000) + &"x".repeat(1_000_000);
        let mut diags = Diagnostics::default();
        diags.add_source(Path::new("a.md"), &text);
        for i in 0..100_000 {
            let at = i * 11;
            diags.push(Diagnostic::warning("w", "a.md", "m").at(Span::new(at, at + 3)));
        }
        let long_line = 1_100_000;
        for i in 0..10_000 {
            let at = long_line + i * 100;
            diags.push(Diagnostic::warning("w", "a.md", "m").at(Span::new(at, at + 1)));
        }
        let started = std::time::Instant::now();
        let out = diags.render_human(false);
        assert!(out.contains("a.md:100000:1"));
        assert!(out.contains("a.md:100001:999901"));
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }

    #[test]
    fn escape_sequences_from_content_are_shown_not_sent_to_the_terminal() {
        let text = "title: \"\u{1b}[2J\u{7}x\"\n";
        let mut diags = Diagnostics::default();
        diags.add_source(Path::new("a\u{1b}.md"), text);
        diags.push(
            Diagnostic::error("e", "a\u{1b}.md", "bad \u{1b}]0;pwned\u{7}")
                .at(Span::new(8, 9))
                .hint("\u{9b}31m"),
        );
        let out = diags.render_human(false);
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{9b}'));
        assert!(out.contains("bad ␛]0;pwned␇"), "{out}");
        assert!(out.contains("1 | title: \"␛[2J␇x\""), "{out}");
        assert!(out.contains("  |         ^"), "{out}");
    }

    #[test]
    fn a_long_line_is_cut_to_a_window_around_the_caret() {
        let line = "a".repeat(300) + "X" + &"b".repeat(300);
        let (shown, column) = window(&line, 300);
        assert_eq!(shown.chars().nth(column - 1), Some('X'));
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert!(shown.chars().count() <= MAX_SHOWN_LINE + 2);
        let (short, column) = window("abc", 2);
        assert_eq!((short.as_str(), column), ("abc", 3));
        let (end, column) = window(&line, line.len());
        assert_eq!(end.chars().count() + 1, column);
    }

    #[test]
    fn closest_suggests_typos_only() {
        let ids = ["steve-witkoff", "marco-rubio"];
        assert_eq!(closest("steve-witkof", ids), Some("steve-witkoff"));
        assert_eq!(closest("zelensky", ids), None);
    }
}
