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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
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
fn line_text(text: &str, offset: usize) -> &str {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    text[start..end]
        .trim_end_matches('\r')
        .trim_start_matches('\u{feff}')
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
        let mut located: Vec<Located<'_>> = self.items.iter().map(|d| self.locate(d)).collect();
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

    fn locate<'a>(&'a self, diagnostic: &'a Diagnostic) -> Located<'a> {
        let text = self.sources.get(&diagnostic.file);
        let (start, end, line) = match (text, diagnostic.span) {
            (Some(text), Some(span)) => (
                Some(line_col(text, span.start)),
                Some(line_col(text, span.end)),
                Some(line_text(text, span.start)),
            ),
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
    line: Option<&'a str>,
}

impl Located<'_> {
    /// `path:line:col` or just `path` when the problem has no position.
    pub fn location(&self) -> String {
        let file = self.diagnostic.file.display();
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
        let _ = writeln!(out, "{on}{label}{off}: {} [{}]", d.message, d.code);
        let _ = writeln!(out, "  --> {}", self.location());
        if let (Some(line), Some(start)) = (self.line, self.start) {
            let width = match self.end {
                Some(end) if end.line == start.line && end.column > start.column => {
                    end.column - start.column
                }
                _ => 1,
            };
            let number = start.line.to_string();
            let pad = " ".repeat(number.len());
            let (shown, column) = window(line, start.column);
            let width = width.min(MAX_SHOWN_LINE);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{number} | {}", shown.replace('\t', " "));
            let caret_pad = " ".repeat(column - 1);
            let _ = writeln!(out, "{pad} | {caret_pad}{on}{}{off}", "^".repeat(width));
        }
        for hint in &d.hints {
            let _ = writeln!(out, "  = hint: {hint}");
        }
        out.push('\n');
    }
}

/// Longest source line shown under a diagnostic, in characters.
const MAX_SHOWN_LINE: usize = 120;

/// A long line cut to a window around `column`; returns the window and the
/// column within it.
fn window(line: &str, column: usize) -> (String, usize) {
    let count = line.chars().count();
    if count <= MAX_SHOWN_LINE {
        return (line.to_owned(), column);
    }
    let start = column
        .saturating_sub(MAX_SHOWN_LINE / 2)
        .min(count - MAX_SHOWN_LINE);
    let shown: String = line.chars().skip(start).take(MAX_SHOWN_LINE).collect();
    let prefix = if start > 0 { "…" } else { "" };
    (
        format!("{prefix}{shown}…"),
        column - start + usize::from(start > 0),
    )
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
    fn closest_suggests_typos_only() {
        let ids = ["steve-witkoff", "marco-rubio"];
        assert_eq!(closest("steve-witkof", ids), Some("steve-witkoff"));
        assert_eq!(closest("zelensky", ids), None);
    }
}
