//! RENDER: the drawing of relation maps as fluid SVG — boxes placed in
//! columns whose left edge and width are percentages of the figure's
//! width, and whose heights, text and line ends are in CSS pixels.
//!
//! Why fluid rather than a scaled `viewBox`: a scaled drawing that is
//! readable on a 390 px phone has labels three times too big at 1280 px,
//! and one that uses a laptop's width has 7 px labels on a phone. Here the
//! figure takes the whole column at any width while every label keeps the
//! size the stylesheet gives it (`.mp-title`, `.mp-meta`). Labels are
//! wrapped at build time for the narrowest column a phone gives
//! ([`NARROW_PX`]), so they fit their box at every wider width too, and
//! they are centred in it. Lines run only in the gaps between columns,
//! from a box's edge, so no line crosses a label.

use std::fmt::Write as _;

use super::{esc, num, open_fluid, wrap};
use crate::content::model::{EntityIdx, Kind};
use crate::render::graph::Rel;

/// Width of the page's text column on a 390 px phone, in CSS px: labels are
/// wrapped to fit their box at this width.
pub const NARROW_PX: f32 = 350.0;
/// Inner padding of a box, in px.
const PAD: f32 = 6.0;
/// Font size and line height of a box's title (bold) and of its small
/// line above (role, date, status), in px; the stylesheet sets the same.
const TITLE_FONT: f32 = 13.0;
const TITLE_LINE: f32 = 16.0;
const TITLE_LINES: usize = 4;
const META_FONT: f32 = 12.0;
const META_LINE: f32 = 15.0;
/// Average advance of a character of the figures' sans-serif, in ems:
/// that of DejaVu Sans Bold over English titles (mostly lower case), the
/// widest font `system-ui` falls back to among common ones. The browser test
/// `tests/browser/figures.mjs` fails if a label outgrows its box.
const AVG_CHAR_EM: f32 = 0.62;
/// Vertical space between two boxes of a column, in px.
const GAP: f32 = 8.0;
/// Height of a group heading ("Ukraine", "Meetings") in a column, in px.
const HEADING: f32 = 24.0;

/// A column: where its boxes start and how wide they are, in percent.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub x: f32,
    pub width: f32,
}

impl Column {
    fn right(self) -> f32 {
        self.x + self.width
    }
    fn centre(self) -> f32 {
        self.x + self.width / 2.0
    }
}

/// One box on a map.
pub struct Node {
    pub idx: EntityIdx,
    pub kind: Kind,
    pub title: String,
    /// The small line above the title: a role, a date, a status.
    pub meta: Option<String>,
    /// `None` for the page's own entity, which is not a link.
    pub href: Option<String>,
}

impl Node {
    /// The link's tooltip: the whole title, which the box may wrap or cut.
    fn tooltip(&self) -> String {
        match &self.meta {
            Some(m) => format!("{} ({m})", self.title),
            None => self.title.clone(),
        }
    }
}

/// A box as laid out: its column, top and height in px, and its lines.
#[derive(Debug, Clone)]
pub struct Placed {
    pub column: Column,
    pub y: f32,
    pub height: f32,
    meta: Vec<String>,
    lines: Vec<String>,
}

impl Placed {
    pub fn mid(&self) -> f32 {
        self.y + self.height / 2.0
    }
    pub fn bottom(&self) -> f32 {
        self.y + self.height
    }
}

/// Wraps a node's text for `column` and gives its box a height.
pub fn place(node: &Node, column: Column, y: f32) -> Placed {
    let inner = NARROW_PX * column.width / 100.0 - 2.0 * PAD;
    let lines = wrap(&node.title, fits(inner, TITLE_FONT), TITLE_LINES);
    let meta = node
        .meta
        .as_deref()
        .map(|m| wrap(m, fits(inner, META_FONT), 2))
        .unwrap_or_default();
    let height = 2.0 * PAD + meta.len() as f32 * META_LINE + lines.len() as f32 * TITLE_LINE;
    Placed {
        column,
        y,
        height,
        meta,
        lines,
    }
}

/// How many characters at `font` px fit in `width` px.
fn fits(width: f32, font: f32) -> usize {
    ((width / (font * AVG_CHAR_EM)).floor() as usize).max(4)
}

/// Something stacked in a column: a group heading or a node (by index).
pub enum Item<'a> {
    Heading(&'a str),
    Node(usize),
}

/// Stacks `items` in `column` from `top`: fills `places` for the nodes,
/// writes the headings, returns the bottom of the stack.
pub fn stack(
    out: &mut String,
    nodes: &[Node],
    places: &mut [Option<Placed>],
    column: Column,
    top: f32,
    items: &[Item<'_>],
) -> f32 {
    let mut y = top;
    for item in items {
        match item {
            Item::Heading(text) => {
                let _ = write!(
                    out,
                    "<text class=\"mp-group\" x=\"{}%\" y=\"{}\">{}</text>",
                    num(column.x),
                    num(y + HEADING - 8.0),
                    esc(text)
                );
                y += HEADING;
            }
            Item::Node(n) => {
                let placed = place(&nodes[*n], column, y);
                y = placed.bottom() + GAP;
                places[*n] = Some(placed);
            }
        }
    }
    y - GAP
}

/// Opens a fluid relation map of `height` px.
pub fn open(out: &mut String, id: &str, height: f32, title: &str, desc: &str) {
    open_fluid(out, "viz-map", id, height, title, desc);
}

/// A straight line in a gap, from (`x1`%, `y1`) to (`x2`%, `y2`), drawn as
/// the relation `rel` (or as the neutral spine when `rel` is `None`).
pub fn line(out: &mut String, x1: f32, y1: f32, x2: f32, y2: f32, rel: Option<Rel>) {
    let class = rel.map_or("spine", Rel::name);
    let _ = write!(
        out,
        "<line class=\"mp-edge mp-{class}\" x1=\"{}%\" y1=\"{}\" x2=\"{}%\" y2=\"{}\"/>",
        num(x1),
        num(y1),
        num(x2),
        num(y2)
    );
}

/// Where a line meets a box: its right edge when the line leaves towards
/// the right, else its left edge.
pub fn edge_x(place: &Placed, towards_right: bool) -> f32 {
    if towards_right {
        place.column.right()
    } else {
        place.column.x
    }
}

/// Draws a node's box, link and centred text.
pub fn node(out: &mut String, node: &Node, place: &Placed) {
    let kind = node.kind.name();
    match &node.href {
        Some(href) => {
            let _ = write!(
                out,
                "<a class=\"mp-node mp-{kind}\" href=\"{}\"><title>{}</title>",
                esc(href),
                esc(&node.tooltip())
            );
        }
        None => {
            let _ = write!(out, "<g class=\"mp-node mp-{kind} mp-current\">");
        }
    }
    let _ = write!(
        out,
        "<rect x=\"{}%\" y=\"{}\" width=\"{}%\" height=\"{}\" rx=\"6\"/>",
        num(place.column.x),
        num(place.y),
        num(place.column.width),
        num(place.height)
    );
    let x = place.column.centre();
    // Baselines sit about 0.8 of the font size below a line's top.
    let mut y = place.y + PAD;
    for line in &place.meta {
        centred(out, "mp-meta", x, y + META_FONT * 0.85, line);
        y += META_LINE;
    }
    for line in &place.lines {
        centred(out, "mp-title", x, y + TITLE_FONT * 0.85, line);
        y += TITLE_LINE;
    }
    out.push_str(if node.href.is_some() { "</a>" } else { "</g>" });
}

fn centred(out: &mut String, class: &str, x: f32, y: f32, text: &str) {
    let _ = write!(
        out,
        "<text class=\"{class}\" x=\"{}%\" y=\"{}\">{}</text>",
        num(x),
        num(y),
        esc(text)
    );
}
