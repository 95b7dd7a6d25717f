//! RENDER: inline SVG figures drawn at build time — the timeline and the
//! relation maps — and the small text-layout helpers they share.
//!
//! The figures are plain SVG inside the page (no script, no separate file),
//! so their links are ordinary relative links that work from `file://`.
//! Colours come from the theme's stylesheet through class names, so light
//! and dark schemes apply to them too. There is no font metrics table: text
//! is wrapped with an average character width, generous enough for the
//! theme's sans-serif, so labels stay inside their boxes.

pub mod fluid;
pub mod map;
pub mod neighbourhood;
pub mod timeline;

use std::fmt::Write as _;

/// Average advance of a character of bold (600) text, in ems, for wrapping
/// labels: that of DejaVu Sans Bold, one of the widest fonts `system-ui`
/// falls back to, so labels fit in any of them.
const AVG_CHAR_EM: f32 = 0.68;

/// XML-escapes text for element content and attribute values, as it is
/// written (no intermediate string: a figure has hundreds of these).
pub fn esc(text: &str) -> Esc<'_> {
    Esc(text)
}

/// Text that displays XML-escaped; see [`esc`].
pub struct Esc<'a>(&'a str);

impl std::fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// A coordinate or length, with at most one decimal, so the output is the
/// same on every machine and short. Written without float formatting.
pub fn num(x: f32) -> Num {
    Num((x * 10.0).round() as i64)
}

/// A number in tenths that displays as `12` or `12.5`; see [`num`].
pub struct Num(i64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (sign, tenths) = if self.0 < 0 {
            ("-", -self.0)
        } else {
            ("", self.0)
        };
        match tenths % 10 {
            0 => write!(f, "{sign}{}", tenths / 10),
            d => write!(f, "{sign}{}.{d}", tenths / 10),
        }
    }
}

/// How many characters of text at `font_size` fit in `width` user units.
pub fn chars_that_fit(width: f32, font_size: f32) -> usize {
    ((width / (font_size * AVG_CHAR_EM)).floor() as usize).max(4)
}

/// Word-wraps `text` into at most `max_lines` lines of at most `width`
/// characters, breaking at spaces and after hyphens and dashes; what does
/// not fit ends the last line with "…". A piece longer than a line is cut.
pub fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut overflow = false;
    'words: for word in text.split_whitespace() {
        for (n, piece) in word.split_inclusive(['-', '–', '—', '/']).enumerate() {
            let piece: String = if piece.chars().count() > width {
                piece
                    .chars()
                    .take(width.saturating_sub(1))
                    .chain(['…'])
                    .collect()
            } else {
                piece.to_owned()
            };
            let space = n == 0 && !current.is_empty();
            let needed = current.chars().count() + usize::from(space) + piece.chars().count();
            if needed <= width {
                if space {
                    current.push(' ');
                }
                current.push_str(&piece);
                continue;
            }
            if lines.len() + 1 == max_lines {
                overflow = true;
                break 'words;
            }
            lines.push(std::mem::replace(&mut current, piece));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if overflow && let Some(last) = lines.last_mut() {
        let keep = width.saturating_sub(1);
        if last.chars().count() > keep {
            *last = last.chars().take(keep).collect::<String>();
        }
        *last = last.trim_end_matches([' ', '-', ',', ':']).to_owned();
        last.push('…');
    }
    lines
}

/// Writes `<text>` with one `<tspan>` per line, the first baseline at `y`.
pub fn text_lines(
    out: &mut String,
    class: &str,
    x: f32,
    y: f32,
    line_height: f32,
    lines: &[String],
    anchor_end: bool,
) {
    let anchor = if anchor_end {
        " text-anchor=\"end\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<text class=\"{class}\" x=\"{}\" y=\"{}\"{anchor}>",
        num(x),
        num(y)
    );
    for (n, line) in lines.iter().enumerate() {
        if n == 0 {
            let _ = write!(out, "{}", esc(line));
        } else {
            let _ = write!(
                out,
                "<tspan x=\"{}\" dy=\"{}\">{}</tspan>",
                num(x),
                num(line_height),
                esc(line)
            );
        }
    }
    out.push_str("</text>");
}

/// The opening `<svg>` tag of a figure, with its accessible name and
/// description as `<title>` and `<desc>` (ids made from `id`).
pub fn open(
    out: &mut String,
    class: &str,
    id: &str,
    width: f32,
    height: f32,
    title: &str,
    desc: &str,
) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"viz {class}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        esc(title),
        esc(desc),
        w = num(width),
        h = num(height),
    );
}

/// The opening `<svg>` tag of a fluid figure: as wide as its column, `height`
/// CSS px tall, drawn in CSS px with no scaling (see [`fluid`]).
pub fn open_fluid(out: &mut String, class: &str, id: &str, height: f32, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"viz viz-fluid {class}\" width=\"100%\" height=\"{h}\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        esc(title),
        esc(desc),
        h = num(height),
    );
}

/// "6 Jan 2026", "Apr 2025", "c. 2025" (Ukrainian "6 січ. 2026"): a date
/// as precise as the sources give it, never padded to a day, in the site's
/// words with the short month name, for a figure's small labels.
pub fn short_date(w: &crate::i18n::DateWords, when: &crate::content::model::When) -> String {
    use crate::content::model::Precision;
    use crate::i18n::fill;
    let d = &when.first;
    let month = w
        .months_short
        .get(usize::from(d.month.clamp(1, 12) - 1))
        .map_or("", String::as_str);
    let (day, year) = (d.day.to_string(), d.year.to_string());
    let text = match when.precision {
        Precision::Day => fill(&w.day, &[("day", &day), ("month", month), ("year", &year)]),
        Precision::Month => fill(&w.month, &[("month", month), ("year", &year)]),
        Precision::Year => fill(&w.year, &[("year", &year)]),
    };
    if when.approximate {
        fill(&w.circa, &[("date", &text)])
    } else {
        text
    }
}

/// A status as readers see it: `under-negotiation` → "under negotiation".
pub fn status_words(t: &crate::i18n::Catalog, status: &str) -> String {
    t.text(&format!("status_{status}")).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_titles_wrap_and_end_with_an_ellipsis() {
        let lines = wrap("Coalition of the Willing leaders' summit in Paris", 16, 2);
        assert_eq!(lines, ["Coalition of the", "Willing leaders…"]);
        assert_eq!(wrap("Short", 16, 2), ["Short"]);
        assert_eq!(wrap("Supercalifragilistic", 8, 2), ["Superca…"]);
        assert_eq!(
            wrap("Ceasefire-monitoring group", 12, 3),
            ["Ceasefire-", "monitoring", "group"]
        );
    }

    #[test]
    fn figure_dates_are_as_precise_as_written() {
        use crate::content::model::When;
        let en = &crate::i18n::Catalog::english().dates;
        let uk = &crate::i18n::load::builtin("uk").dates;
        let short = |w, s| short_date(w, &When::parse(s).unwrap());
        assert_eq!(short(en, "2026-01-06"), "6 Jan 2026");
        assert_eq!(short(en, "~2026-01-03"), "c. 3 Jan 2026");
        assert_eq!(short(en, "2025-04"), "Apr 2025");
        assert_eq!(short(en, "~2025"), "c. 2025");
        assert_eq!(short(uk, "2026-01-06"), "6 січ. 2026");
        assert_eq!(short(uk, "~2025"), "прибл. 2025");
    }

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(12.0).to_string(), "12");
        assert_eq!(num(12.345).to_string(), "12.3");
        assert_eq!(num(-0.04).to_string(), "0");
        assert_eq!(num(-2.5).to_string(), "-2.5");
        assert_eq!(esc("a<b & \"c\"").to_string(), "a&lt;b &amp; &quot;c&quot;");
    }
}
