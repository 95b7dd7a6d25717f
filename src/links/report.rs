//! CHECK, ONLINE: verdicts on addresses → warnings at each place the
//! address is written, in words that say what to do.

use std::path::Path;

use reqwest::StatusCode;

use super::{Verdict, Written};
use crate::diag::{Diagnostic, Diagnostics};

/// One warning for each written address whose verdict is not
/// [`Verdict::Alive`], with the text of every file they point into.
/// `timeout` is the wait a [`Verdict::Timeout`] gave up after.
pub fn diagnostics<'a>(
    root: &Path,
    written: &[Written],
    timeout: std::time::Duration,
    verdict_of: impl Fn(&str) -> Option<&'a Verdict>,
) -> Diagnostics {
    let mut out = Diagnostics::default();
    for w in written {
        let Some(d) = verdict_of(&w.url).and_then(|v| warning(w, v, timeout)) else {
            continue;
        };
        if out.source(&w.file).is_none()
            && let Ok(text) = std::fs::read_to_string(root.join(&w.file))
        {
            out.add_source(&w.file, &text);
        }
        out.push(d);
    }
    out
}

/// The warning for one address, if its verdict calls for one.
fn warning(w: &Written, verdict: &Verdict, timeout: std::time::Duration) -> Option<Diagnostic> {
    let url = &w.url;
    let (code, message, hint) = match verdict {
        Verdict::Alive => return None,
        Verdict::Moved { status, to } => (
            "moved-link",
            format!(
                "moved link: `{url}` has moved for good ({})",
                status_text(*status)
            ),
            format!("write the new address: {to}"),
        ),
        Verdict::Dead { status } => (
            "dead-link",
            format!("dead link: `{url}` answers {}", status_text(*status)),
            dead_hint(w.key, *status >= 500),
        ),
        Verdict::Timeout => (
            "dead-link",
            format!(
                "dead link: `{url}` did not answer within {} s",
                timeout.as_secs_f64()
            ),
            "the server may be slow or down: check again later, or wait longer with \
             `--link-timeout SECONDS`"
                .to_owned(),
        ),
        Verdict::Unreachable { reason } => (
            "dead-link",
            format!("dead link: `{url}` cannot be reached: {reason}"),
            format!("check the address for typos; {}", dead_hint(w.key, false)),
        ),
    };
    Some(
        Diagnostic::warning(code, &w.file, message)
            .at(w.span)
            .hint(hint),
    )
}

/// What to do about an address that gives nothing: for the original, keep
/// a preserved copy; for the preserved copy, find another.
fn dead_hint(key: &str, may_pass: bool) -> String {
    let remedy = if key == "archive_url" {
        "if the preserved copy is gone, look for another on web.archive.org or archive.today"
    } else {
        "if the page is gone, write where it moved, or add `archive_url` with a preserved \
         copy (web.archive.org, archive.today)"
    };
    if may_pass {
        format!("a server error may pass: check again later; {remedy}")
    } else {
        remedy.to_owned()
    }
}

/// `404 Not Found`.
fn status_text(status: u16) -> String {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(r) => format!("{status} {r}"),
        None => status.to_string(),
    }
}
