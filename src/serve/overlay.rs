//! SERVE: the error overlay every page shows while the build has errors —
//! each error, then each warning the heading counts, with its file, line,
//! the offending source line, message and hints, HTML-escaped. A button (or
//! Escape) dismisses it until the next reload.

use std::fmt::Write as _;

use crate::diag::{Diagnostics, Located, Severity};
use crate::render::views::escape;

/// Most diagnostics listed; the rest are counted. Every served page carries
/// the overlay, and a site can have thousands of warnings.
const MAX_LISTED: usize = 50;
/// Longest source line shown, in characters; the rest is cut.
const MAX_SHOWN_LINE: usize = 160;

/// The overlay's HTML, or `None` when there is no error to show.
pub fn overlay(diagnostics: &Diagnostics) -> Option<String> {
    if !diagnostics.has_errors() {
        return None;
    }
    let sorted = diagnostics.sorted();
    let of = |severity| {
        sorted
            .iter()
            .filter(move |l| l.diagnostic.severity == severity)
    };
    let listed: Vec<&Located<'_>> = of(Severity::Error).chain(of(Severity::Warning)).collect();
    let mut items = String::new();
    for located in listed.iter().take(MAX_LISTED) {
        item(&mut items, located, diagnostics);
    }
    let more = match listed.len().saturating_sub(MAX_LISTED) {
        0 => String::new(),
        n => format!("<p>… and {n} more; <code>explainer check</code> lists them all.</p>"),
    };
    Some(format!(
        "<div id=\"explainer-overlay\" role=\"alert\" style=\"{STYLE}\">{CLOSE}<h2 style=\"margin:0 2.5rem .5rem 0;font-size:1.1rem\">{}: the last good version is shown</h2><ol style=\"margin:0;padding-left:1.2rem\">{items}</ol>{more}{ESCAPE_SCRIPT}</div>",
        escape(&diagnostics.summary())
    ))
}

/// One diagnostic as a list item: severity, location, message, source
/// line, hints.
fn item(out: &mut String, located: &Located<'_>, diagnostics: &Diagnostics) {
    let d = located.diagnostic;
    let (label, colour) = match d.severity {
        Severity::Error => ("error", "#ff8787"),
        Severity::Warning => ("warning", "#ffd43b"),
    };
    let _ = write!(
        out,
        "<li class=\"explainer-{label}\" style=\"margin-bottom:.6rem\"><strong style=\"color:{colour}\">{label}</strong> <code>{}</code><p style=\"margin:.2rem 0\">{}</p>{}",
        escape(&located.location()),
        escape(&d.message),
        source_line(located, diagnostics).unwrap_or_default(),
    );
    for hint in &d.hints {
        let _ = write!(
            out,
            "<p class=\"hint\" style=\"margin:.2rem 0;opacity:.85\">hint: {}</p>",
            escape(hint)
        );
    }
    out.push_str("</li>");
}

/// The line a diagnostic points into, numbered, with a caret under its
/// column: `None` when it has no position or its file's text is unknown.
fn source_line(located: &Located<'_>, diagnostics: &Diagnostics) -> Option<String> {
    let at = located.start?;
    let text = diagnostics.source(&located.diagnostic.file)?;
    let line = text.split('\n').nth(at.line.checked_sub(1)?)?;
    let line = line.trim_end_matches('\r').trim_start_matches('\u{feff}');
    let shown: String = line.chars().take(MAX_SHOWN_LINE).collect();
    let cut = if shown.len() < line.len() { "…" } else { "" };
    let number = at.line.to_string();
    let pad = " ".repeat(number.len());
    let caret = if at.column <= MAX_SHOWN_LINE {
        format!("\n{pad} | {}^", " ".repeat(at.column - 1))
    } else {
        String::new()
    };
    Some(format!(
        "<pre class=\"explainer-source\" style=\"margin:.2rem 0;padding:.3rem .5rem;background:#1a0505;overflow:auto\">{number} | {}{cut}{caret}</pre>",
        escape(&shown.replace('\t', " "))
    ))
}

/// The dismiss button: a real `<button>`, so it takes focus and answers
/// Enter and Space.
const CLOSE: &str = "<button type=\"button\" aria-label=\"Dismiss the error overlay (Escape)\" title=\"Dismiss (Escape)\" onclick=\"this.parentNode.remove()\" style=\"position:absolute;top:.6rem;right:.8rem;font:inherit;font-size:1.2rem;line-height:1;padding:.2rem .55rem;background:transparent;color:#fff;border:1px solid #fff;border-radius:4px;cursor:pointer\">×</button>";

/// Escape dismisses the overlay from anywhere on the page.
const ESCAPE_SCRIPT: &str = "<script>document.addEventListener('keydown',function(e){var o=document.getElementById('explainer-overlay');if(e.key==='Escape'&&o){o.remove()}});</script>";

const STYLE: &str = "position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;z-index:2147483647;\
background:#2b0a0a;color:#fff;font:14px/1.45 system-ui,sans-serif;padding:1rem 1.25rem;border-top:4px solid #e03131";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostic, Span};

    #[test]
    fn the_overlay_escapes_every_message() {
        let mut d = Diagnostics::default();
        d.push(
            Diagnostic::error("x", "content/a.md", "<script>alert(1)</script>")
                .hint("\"><img onerror=x>"),
        );
        let html = overlay(&d).unwrap();
        // The one script is the overlay's own Escape handler.
        assert_eq!(html.matches("<script").count(), 1);
        assert!(!html.contains("<script>alert") && !html.contains("<img"));
        assert!(html.contains("&lt;script&gt;") && html.contains("content/a.md"));
    }

    #[test]
    fn no_errors_no_overlay() {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::warning("x", "a.md", "just a warning"));
        assert!(overlay(&d).is_none());
    }

    fn html(diagnostics: &Diagnostics) -> scraper::Html {
        scraper::Html::parse_fragment(&overlay(diagnostics).unwrap())
    }

    fn select<'a>(html: &'a scraper::Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
        html.select(&scraper::Selector::parse(css).unwrap())
            .collect()
    }

    fn text(element: &scraper::ElementRef<'_>) -> String {
        element.text().collect()
    }

    #[test]
    fn the_overlay_lists_the_warnings_it_counts_after_the_errors() {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::warning("w", "content/a.md", "first warning"));
        d.push(Diagnostic::error("e", "content/b.md", "the error"));
        d.push(Diagnostic::warning("w", "content/c.md", "second warning"));
        let html = html(&d);
        let items: Vec<String> = select(&html, "li").iter().map(text).collect();
        assert_eq!(items.len(), 3, "{items:?}");
        assert!(items[0].starts_with("error") && items[0].contains("the error"));
        assert!(items[1].starts_with("warning") && items[1].contains("first warning"));
        assert!(items[2].contains("second warning"));
        assert_eq!(select(&html, "li.explainer-warning").len(), 2);
        assert!(text(&select(&html, "h2")[0]).starts_with("1 error, 2 warnings"));
    }

    #[test]
    fn the_overlay_shows_the_offending_source_line_with_a_caret() {
        let mut d = Diagnostics::default();
        let source = "---\ntitle: [\"London <talks>\"\n---\n";
        d.add_source(std::path::Path::new("content/a.md"), source);
        d.push(Diagnostic::error("yaml", "content/a.md", "unclosed list").at(Span::new(11, 12)));
        let html = html(&d);
        let pre = text(&select(&html, "li pre.explainer-source")[0]);
        assert_eq!(pre, "2 | title: [\"London <talks>\"\n  |        ^");
        assert!(text(&select(&html, "li code")[0]).contains("content/a.md:2:8"));
        assert!(!overlay(&d).unwrap().contains("<talks>"), "escaped");
    }

    #[test]
    fn a_diagnostic_without_a_position_shows_no_source_line() {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::error("e", "site.yaml", "no position"));
        assert!(select(&html(&d), "pre").is_empty());
    }

    #[test]
    fn the_overlay_can_be_dismissed_with_a_button_or_escape() {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::error("e", "a.md", "x"));
        let html = html(&d);
        let buttons = select(
            &html,
            "#explainer-overlay > button[type=button][aria-label]",
        );
        assert_eq!(buttons.len(), 1);
        let onclick = buttons[0].value().attr("onclick").unwrap();
        assert!(onclick.contains("remove()"));
        let script = text(&select(&html, "#explainer-overlay script")[0]);
        assert!(script.contains("'Escape'") && script.contains("explainer-overlay"));
    }

    #[test]
    fn a_long_list_is_cut_and_the_rest_counted() {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::error("e", "a.md", "the error"));
        for n in 0..MAX_LISTED + 10 {
            d.push(Diagnostic::warning("w", format!("w{n:03}.md"), "w"));
        }
        let html = html(&d);
        assert_eq!(select(&html, "li").len(), MAX_LISTED);
        assert!(text(&select(&html, "li")[0]).contains("the error"));
        assert!(overlay(&d).unwrap().contains("and 11 more"));
    }
}
