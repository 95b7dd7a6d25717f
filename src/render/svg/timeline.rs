//! RENDER: the timeline as an inline SVG figure — on `/timeline/` every
//! meeting and dated proposal, on an actor's page its meetings and
//! proposals, on a proposal's page its own date and the meetings that
//! discussed it.
//!
//! The layout is vertical, so it reads on a phone: dates on the left of a
//! vertical axis, one mark per event on the axis (a circle for a meeting, a
//! diamond for a proposal, coloured by status; hollow when it has not
//! happened yet), and the linked title to the right. Events are stacked in
//! date order with a gap that grows with the days between them (up to a
//! cap), a heading at each new month, and a break in the axis when months
//! pass without an event — so the spacing shows time without letting a
//! quiet year push everything off screen.

use std::fmt::Write as _;

use super::{chars_that_fit, esc, num, open, status_words, text_lines, wrap};
use crate::content::model::{EntityIdx, Kind, Precision, When};
use crate::i18n::Catalog;
use crate::render::dates;
use crate::render::links::Linker;
use crate::render::views::{SiteData, status_of};

/// Width of the drawing, in user units; it scales to the column width.
const WIDTH: f32 = 420.0;
/// Right edge of the date column.
const DATE_RIGHT: f32 = 70.0;
const AXIS_X: f32 = 84.0;
/// Left edge of the labels.
const LABEL_X: f32 = 102.0;
const TITLE_FONT: f32 = 16.0;
const TITLE_LINE: f32 = 20.0;
const TITLE_LINES: usize = 3;
const META_FONT: f32 = 13.0;
const META_LINE: f32 = 19.0;
const ROW_GAP: f32 = 14.0;
const MONTH_HEIGHT: f32 = 34.0;
/// Extra space per day between two events, up to `GAP_DAYS_CAP` days.
const SPACE_PER_DAY: f32 = 2.5;
const GAP_DAYS_CAP: i64 = 12;
/// A longer gap than this breaks the axis instead of stretching it.
const BREAK_AFTER_DAYS: i64 = 60;
const BREAK_HEIGHT: f32 = 40.0;
const MARGIN: f32 = 8.0;
/// The site timeline draws the newest events up to this many (the list
/// beside it has them all); an entity's timeline up to `ENTITY_MAX_EVENTS`.
pub const SITE_MAX_EVENTS: usize = 150;
pub const ENTITY_MAX_EVENTS: usize = 40;

/// One mark on the timeline.
struct Event {
    /// As precise as written: a month's event sits at its first day.
    date: When,
    kind: Kind,
    title: String,
    status: Option<String>,
    /// `None` for the page's own entity, which is not linked.
    href: Option<String>,
}

impl Event {
    fn of(data: &SiteData<'_>, linker: &Linker, i: EntityIdx, current: bool) -> Option<Self> {
        let e = &data.entities[i];
        Some(Event {
            date: e.when()?,
            kind: e.kind,
            title: e.title.clone(),
            status: status_of(e),
            href: (!current).then(|| linker.href(&data.paths[i])),
        })
    }

    /// "Meeting · held", above the title.
    fn meta(&self, t: &Catalog) -> String {
        let kind = if self.href.is_none() {
            t.text(&format!("this_{}", self.kind.name())).to_owned()
        } else {
            let name = t.kind_name(self.kind);
            let mut c = name.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        };
        match &self.status {
            Some(s) => format!("{kind} · {}", status_words(t, s)),
            None => kind,
        }
    }

    /// The link's accessible name (its `<title>`, also a tooltip): the
    /// whole title with the date, where the drawing may cut the title short.
    fn label(&self, t: &Catalog) -> String {
        let date = dates::when(&t.dates, &self.date);
        let mut label = format!("{date}: {} ({}", self.title, t.kind_name(self.kind));
        if let Some(s) = &self.status {
            let _ = write!(label, ", {}", status_words(t, s));
        }
        label.push(')');
        label
    }
}

/// The site timeline: every meeting and dated proposal (the newest
/// `SITE_MAX_EVENTS`); `None` when nothing is dated.
pub fn site(data: &SiteData<'_>, linker: &Linker) -> Option<String> {
    let e = data.entities;
    let dated: Vec<EntityIdx> = (0..e.len())
        .filter(|&i| matches!(e.kind(i), Kind::Meeting | Kind::Proposal) && e[i].date().is_some())
        .collect();
    let events = in_order(data, linker, dated, None, SITE_MAX_EVENTS);
    let t = &data.config.strings;
    let title = t.fill("timeline_of", &[("title", &data.config.title)]);
    figure(t, &events, "timeline-figure", &title)
}

/// An actor's meetings and proposals, or a proposal's own date and the
/// meetings that discussed it; `None` for other kinds or when none is dated.
pub fn for_entity(data: &SiteData<'_>, i: EntityIdx, linker: &Linker) -> Option<String> {
    let e = &data.entities[i];
    let b = &data.relations[i];
    let members: Vec<EntityIdx> = match e.kind {
        Kind::Actor => b
            .attended
            .iter()
            .map(|(m, _)| *m)
            .chain(b.hosted.iter().copied())
            .chain(b.proposed.iter().copied())
            .chain(b.supports.iter().copied())
            .chain(b.opposes.iter().copied())
            .collect(),
        Kind::Proposal => std::iter::once(i)
            .chain(b.discussed_in.iter().copied())
            .collect(),
        _ => return None,
    };
    let events = in_order(data, linker, members, Some(i), ENTITY_MAX_EVENTS);
    let t = &data.config.strings;
    let title = t.fill("timeline_of", &[("title", &e.title)]);
    figure(t, &events, "entity-timeline", &title)
}

/// The dated ones of `members`, without duplicates, oldest first, keeping
/// the newest `max`.
fn in_order(
    data: &SiteData<'_>,
    linker: &Linker,
    mut members: Vec<EntityIdx>,
    current: Option<EntityIdx>,
    max: usize,
) -> Vec<Event> {
    let e = data.entities;
    members.sort_by(|&a, &b| (e[a].date(), &e[a].title, a).cmp(&(e[b].date(), &e[b].title, b)));
    members.dedup();
    let events: Vec<Event> = members
        .into_iter()
        .filter_map(|m| Event::of(data, linker, m, Some(m) == current))
        .collect();
    let skip = events.len().saturating_sub(max);
    events.into_iter().skip(skip).collect()
}

fn figure(t: &Catalog, events: &[Event], id: &str, title: &str) -> Option<String> {
    let (first, last) = (events.first()?, events.last()?);
    let meetings = events.iter().filter(|e| e.kind == Kind::Meeting).count();
    let proposals = events.len() - meetings;
    let (from, to) = (
        dates::when(&t.dates, &first.date),
        dates::when(&t.dates, &last.date),
    );
    let span = if first.date == last.date {
        t.fill("span_on", &[("date", &from)])
    } else {
        t.fill("span_from_to", &[("from", &from), ("to", &to)])
    };
    let desc = t.fill(
        "timeline_desc",
        &[
            ("meetings", &t.plural("meetings_count", meetings)),
            ("proposals", &t.plural("dated_proposals_count", proposals)),
            ("span", &span),
        ],
    );
    Some(render(t, events, id, title, &desc))
}

/// Lays out and draws the events (already in date order).
fn render(t: &Catalog, events: &[Event], id: &str, title: &str, desc: &str) -> String {
    let title_chars = chars_that_fit(WIDTH - LABEL_X - MARGIN, TITLE_FONT);
    let mut marks = String::new();
    let mut axis = String::new();
    let mut y = MARGIN;
    let mut segment_start = y;
    let mut previous: Option<When> = None;
    for event in events {
        let new_month = previous.is_none_or(|p| heading_of(&p) != heading_of(&event.date));
        if let Some(p) = previous {
            // From the end of the previous event's period: a year known
            // only as "c. 2025" is not twelve months before January 2026.
            let gap = (event.date.first.days_since_epoch() - p.last().days_since_epoch()).max(0);
            if gap > BREAK_AFTER_DAYS {
                axis_line(&mut axis, segment_start, y - ROW_GAP);
                axis_break(t, &mut marks, y - ROW_GAP, gap);
                y += BREAK_HEIGHT - ROW_GAP;
                segment_start = y;
            } else if !new_month {
                y += gap.min(GAP_DAYS_CAP) as f32 * SPACE_PER_DAY;
            }
        }
        if new_month {
            month_heading(t, &mut marks, y, &event.date);
            y += MONTH_HEIGHT;
        }
        let lines = wrap(&event.title, title_chars, TITLE_LINES);
        let row = META_LINE + lines.len() as f32 * TITLE_LINE;
        if previous != Some(event.date) {
            let _ = write!(
                marks,
                "<text class=\"tl-date\" x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"{}\">{}</text>",
                num(DATE_RIGHT),
                num(y + 14.0),
                num(META_FONT),
                esc(&dates::short(&t.dates, &event.date))
            );
        }
        draw_event(t, &mut marks, event, y, row, &lines);
        y += row + ROW_GAP;
        previous = Some(event.date);
    }
    axis_line(&mut axis, segment_start, y - ROW_GAP);
    let height = y - ROW_GAP + MARGIN;
    let mut out = String::with_capacity(axis.len() + marks.len() + 512);
    open(&mut out, "viz-timeline", id, WIDTH, height, title, desc);
    out.push_str(&axis);
    out.push_str(&marks);
    out.push_str("</svg>");
    out
}

fn axis_line(out: &mut String, from: f32, to: f32) {
    if to > from {
        let _ = write!(
            out,
            "<line class=\"tl-axis\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>",
            num(from),
            num(to),
            x = num(AXIS_X)
        );
    }
}

/// A zigzag across the axis and "8 months later" for a long gap.
fn axis_break(t: &Catalog, out: &mut String, y: f32, days: i64) {
    let months = (days as f32 / 30.4).round().max(2.0) as usize;
    let later = t.plural("months_later", months);
    let later = esc(&later);
    let mid = y + BREAK_HEIGHT / 2.0;
    let _ = write!(
        out,
        "<path class=\"tl-break\" d=\"M{x} {} l-6 5 l12 6 l-12 6 l6 5\"/><text class=\"tl-gap\" x=\"{}\" y=\"{}\" font-size=\"{}\">{later}</text>",
        num(y + 3.0),
        num(LABEL_X),
        num(mid + 5.0),
        num(META_FONT),
        x = num(AXIS_X),
    );
}

/// The heading an event goes under: its month, or its year when only the
/// year is known (a year's event is not January's).
fn heading_of(date: &When) -> (i32, Option<u8>) {
    let month = (date.precision != Precision::Year).then_some(date.first.month);
    (date.first.year, month)
}

fn month_heading(t: &Catalog, out: &mut String, y: f32, date: &When) {
    let label = match date.precision {
        Precision::Year => date.first.year.to_string(),
        _ => dates::month_year(&t.dates, &date.first),
    };
    let _ = write!(
        out,
        "<line class=\"tl-tick\" x1=\"{}\" y1=\"{ty}\" x2=\"{}\" y2=\"{ty}\"/><text class=\"tl-month\" x=\"{}\" y=\"{}\" font-size=\"14\">{}</text>",
        num(AXIS_X - 6.0),
        num(AXIS_X + 6.0),
        num(LABEL_X),
        num(y + 20.0),
        esc(&label),
        ty = num(y + 15.0),
    );
}

fn draw_event(t: &Catalog, out: &mut String, event: &Event, y: f32, row: f32, lines: &[String]) {
    let status = event
        .status
        .as_deref()
        .map(|s| format!(" status-{s}"))
        .unwrap_or_default();
    let kind = event.kind.name();
    match &event.href {
        Some(href) => {
            let _ = write!(
                out,
                "<a class=\"tl-event\" href=\"{}\"><title>{}</title>",
                esc(href),
                esc(&event.label(t))
            );
        }
        None => out.push_str("<g class=\"tl-event tl-current\">"),
    }
    let _ = write!(
        out,
        "<rect class=\"tl-hit\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\"/>",
        num(AXIS_X - 12.0),
        num(y - 2.0),
        num(WIDTH - AXIS_X + 8.0 - MARGIN),
        num(row + 4.0)
    );
    let (cx, cy) = (AXIS_X, y + 9.0);
    if event.kind == Kind::Proposal {
        let _ = write!(
            out,
            "<path class=\"tl-mark tl-{kind}{status}\" d=\"M{} {} l8 8 l-8 8 l-8 -8 z\"/>",
            num(cx),
            num(cy - 8.0)
        );
    } else {
        let _ = write!(
            out,
            "<circle class=\"tl-mark tl-{kind}{status}\" cx=\"{}\" cy=\"{}\" r=\"7\"/>",
            num(cx),
            num(cy)
        );
    }
    let _ = write!(
        out,
        "<text class=\"tl-meta\" x=\"{}\" y=\"{}\" font-size=\"{}\">{}</text>",
        num(LABEL_X),
        num(y + 14.0),
        num(META_FONT),
        esc(&event.meta(t))
    );
    let _ = write!(out, "<g font-size=\"{}\">", num(TITLE_FONT));
    text_lines(
        out,
        "tl-title",
        LABEL_X,
        y + META_LINE + 15.0,
        TITLE_LINE,
        lines,
        false,
    );
    out.push_str("</g>");
    out.push_str(if event.href.is_some() { "</a>" } else { "</g>" });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(date: &str, title: &str, href: Option<&str>) -> Event {
        Event {
            date: When::parse(date).unwrap(),
            kind: Kind::Meeting,
            title: title.into(),
            status: Some("held".into()),
            href: href.map(str::to_owned),
        }
    }

    #[test]
    fn each_linked_event_is_one_link_and_the_current_one_is_not_linked() {
        let svg = render(
            &Catalog::english(),
            &[
                event("2026-01-03", "Kyiv talks", Some("../k/index.html")),
                event("2026-01-06", "Paris summit", None),
            ],
            "t",
            "Timeline",
            "Two events",
        );
        assert_eq!(svg.matches("<a ").count(), 1);
        assert!(svg.contains("href=\"../k/index.html\""));
        assert!(svg.contains("This meeting · held"));
        assert!(svg.contains("<title id=\"t-title\">Timeline</title>"));
    }

    #[test]
    fn a_long_gap_breaks_the_axis() {
        let svg = render(
            &Catalog::english(),
            &[
                event("2025-04-01", "Élysée talks", Some("a")),
                event("2026-01-06", "Paris summit", Some("b")),
            ],
            "t",
            "Timeline",
            "",
        );
        assert!(svg.contains("9 months later"), "{svg}");
        assert_eq!(svg.matches("class=\"tl-axis\"").count(), 2);
    }

    #[test]
    fn partial_dates_go_under_their_month_or_year_and_say_so() {
        let svg = render(
            &Catalog::english(),
            &[
                event("2025", "A year's talks", Some("a")),
                event("~2025-04", "Palace talks", Some("b")),
                event("2025-04-06", "Named day", Some("c")),
            ],
            "t",
            "Timeline",
            "",
        );
        assert!(svg.contains(">2025</text>"), "{svg}");
        assert!(!svg.contains("January 2025"), "{svg}");
        assert!(svg.contains(">April 2025</text>"), "{svg}");
        assert!(svg.contains(">c. Apr</text>"), "{svg}");
        assert!(svg.contains(">6 Apr</text>"), "{svg}");
        assert!(!svg.contains("1 Apr"), "{svg}");
        assert!(!svg.contains("months later"), "{svg}");
    }
}
