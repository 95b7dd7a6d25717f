//! SERVE: the error overlay every page shows while the build has errors —
//! each diagnostic with its file, line, message and hints, HTML-escaped.

use std::fmt::Write as _;

use crate::diag::{Diagnostics, Severity};
use crate::render::views::escape;

/// The overlay's HTML, or `None` when there is no error to show.
pub fn overlay(diagnostics: &Diagnostics) -> Option<String> {
    if !diagnostics.has_errors() {
        return None;
    }
    let mut items = String::new();
    for located in diagnostics
        .sorted()
        .iter()
        .filter(|l| l.diagnostic.severity == Severity::Error)
    {
        let d = located.diagnostic;
        let _ = write!(
            items,
            "<li><code>{}</code><p>{}</p>{}</li>",
            escape(&located.location()),
            escape(&d.message),
            d.hints
                .iter()
                .map(|h| format!("<p class=\"hint\">{}</p>", escape(h)))
                .collect::<String>()
        );
    }
    Some(format!(
        "<div id=\"explainer-overlay\" role=\"alert\" style=\"{STYLE}\"><h2 style=\"margin:0 0 .5rem;font-size:1.1rem\">{}: the last good version is shown</h2><ol style=\"margin:0;padding-left:1.2rem\">{items}</ol></div>",
        escape(&diagnostics.summary())
    ))
}

const STYLE: &str = "position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;z-index:2147483647;\
background:#2b0a0a;color:#fff;font:14px/1.45 system-ui,sans-serif;padding:1rem 1.25rem;border-top:4px solid #e03131";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostic;

    #[test]
    fn the_overlay_escapes_every_message() {
        let mut d = Diagnostics::default();
        d.push(
            Diagnostic::error("x", "content/a.md", "<script>alert(1)</script>")
                .hint("\"><img onerror=x>"),
        );
        let html = overlay(&d).unwrap();
        assert!(!html.contains("<script>") && !html.contains("<img"));
        assert!(html.contains("&lt;script&gt;") && html.contains("content/a.md"));
    }

    #[test]
    fn no_errors_no_overlay() {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::warning("x", "a.md", "just a warning"));
        assert!(overlay(&d).is_none());
    }
}
