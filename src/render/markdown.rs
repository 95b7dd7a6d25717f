//! RENDER: Markdown to HTML, resolving `[[refs]]` and autolinking actor names
//! on the way. Input: a [`Text`] and the site's lookup tables; output: HTML,
//! the entities the text links to, and diagnostics for refs that do not
//! resolve (with file positions from pulldown-cmark's offsets).

use std::collections::HashSet;
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::content::model::{Entity, EntityIdx, ImageSpec, Kind, Text};
use crate::diag::{Diagnostic, Span};
use crate::render::images;
use crate::render::links::Linker;
use crate::render::shortcodes;
use crate::resolve::{self, Index, Lookup};

/// Shortest actor name that autolinking will look for; shorter ones match
/// too much ordinary text.
const MIN_AUTOLINK_NAME: usize = 3;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
}

/// Finds actor names in text, for autolinking. Built once per build.
pub struct Autolinker {
    matcher: Option<AhoCorasick>,
    targets: Vec<EntityIdx>,
}

impl Autolinker {
    /// Every actor title and alias, longest match first.
    pub fn new(entities: &[Entity], enabled: bool) -> Self {
        let mut names = Vec::new();
        let mut targets = Vec::new();
        let actors = entities
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == Kind::Actor);
        for (i, e) in actors.filter(|_| enabled) {
            for name in std::iter::once(&e.title).chain(&e.aliases) {
                if name.chars().count() >= MIN_AUTOLINK_NAME {
                    names.push(name.clone());
                    targets.push(i);
                }
            }
        }
        let matcher = if names.is_empty() {
            None
        } else {
            // A DFA takes quadratic time to build from one long name (95 s
            // for a 20 KB title); the contiguous NFA builds in linear time.
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(&names)
                .ok()
        };
        Autolinker { matcher, targets }
    }
}

/// What rendering one piece of Markdown needs to know about the site.
pub struct Site<'a> {
    pub entities: &'a [Entity],
    pub index: &'a Index,
    pub kinds: &'a [(String, Kind, String)],
    pub autolinker: &'a Autolinker,
    /// Page path of every entity, by index.
    pub paths: &'a [crate::render::links::SitePath],
    /// How pictures are processed and where the site is.
    pub images: &'a crate::render::images::ImageConfig,
    /// The shortcode templates, for calls in page bodies.
    pub shortcodes: &'a shortcodes::Shortcodes,
}

/// The result of rendering one text.
#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub links_to: Vec<EntityIdx>,
}

/// Per-page rendering state: where links are relative to, which page this
/// is, and which actors were already autolinked on it.
pub struct PageRender<'a> {
    pub site: &'a Site<'a>,
    pub linker: &'a Linker,
    pub file: &'a Path,
    pub this: Option<EntityIdx>,
    pub autolinked: HashSet<EntityIdx>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every ref looked up, as written: what the rendering depends on of
    /// the index, for the engine to check after files come and go.
    pub looked_up: std::cell::RefCell<Vec<String>>,
    /// Pictures shown by this page's Markdown and front matter.
    pub pictures: Vec<std::sync::Arc<images::Processed>>,
    /// Names of the shortcodes the body calls: a change to one of their
    /// templates renders the body again.
    pub shortcodes: Vec<String>,
}

impl<'a> PageRender<'a> {
    /// A renderer for the Markdown of the page `this` (none for the home
    /// page), from `file`, with links made relative by `linker`.
    pub fn new(
        site: &'a Site<'a>,
        linker: &'a Linker,
        file: &'a Path,
        this: Option<EntityIdx>,
    ) -> Self {
        PageRender {
            site,
            linker,
            file,
            this,
            autolinked: HashSet::new(),
            diagnostics: Vec::new(),
            looked_up: Default::default(),
            pictures: Vec::new(),
            shortcodes: Vec::new(),
        }
    }

    /// The front matter's `image:`, processed: shown at the top of the
    /// page, so loaded at once.
    pub fn lead_image(&mut self, spec: &ImageSpec) -> Option<images::FigureView> {
        let ask = images::Ask {
            src: &spec.src,
            alt: spec.alt.as_deref(),
            credit: spec.credit.as_deref(),
            licence: spec.licence.as_deref(),
            caption: spec.caption.as_deref(),
            decorative: spec.decorative,
            above_fold: true,
            markdown: false,
        };
        self.picture(&ask, spec.span)
    }

    /// Checks and processes one picture of this page.
    pub fn picture(&mut self, ask: &images::Ask<'_>, span: Span) -> Option<images::FigureView> {
        let (view, processed) = images::use_image(
            ask,
            self.file,
            span,
            self.linker,
            self.site.images,
            &mut self.diagnostics,
        )?;
        self.pictures.push(processed);
        Some(view)
    }

    /// `![alt](path "caption")`: a local file becomes a processed picture
    /// (a figure when it stands alone in its paragraph). Returns the index
    /// after the image, or `None` to leave the image as written.
    fn markdown_image<'e>(
        &mut self,
        events: &[(Event<'e>, std::ops::Range<usize>)],
        start: usize,
        span: Span,
        out: &mut Vec<Event<'e>>,
    ) -> Option<usize> {
        let (
            Event::Start(Tag::Image {
                dest_url, title, ..
            }),
            _,
        ) = &events[start]
        else {
            return None;
        };
        if is_remote(dest_url) {
            return None;
        }
        let end = (start + 1..events.len())
            .find(|&j| matches!(events[j].0, Event::End(TagEnd::Image)))?;
        let alt: String = events[start + 1..end]
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let ask = images::Ask {
            src: dest_url,
            alt: Some(&alt),
            caption: Some(title.as_ref()).filter(|t| !t.is_empty()),
            markdown: true,
            ..Default::default()
        };
        let Some(view) = self.picture(&ask, span) else {
            // Reported; the image stays as written, pointing nowhere useful.
            return None;
        };
        let alone = matches!(out.last(), Some(Event::Start(Tag::Paragraph)))
            && matches!(
                events.get(end + 1),
                Some((Event::End(TagEnd::Paragraph), _))
            );
        if alone {
            out.pop();
            out.push(Event::Html(view.html.into()));
            return Some(end + 2);
        }
        out.push(Event::InlineHtml(view.picture.into()));
        Some(end + 1)
    }

    /// Renders a page body: block Markdown, headings get ids, and the first
    /// mention of each actor becomes a link.
    pub fn body(&mut self, text: &Text) -> Rendered {
        self.render(text, TextKind::Body)
    }

    /// Renders a fact value, answer or component: no autolinking, and a
    /// lone paragraph loses its `<p>` so it sits inside a table cell.
    pub fn inline(&mut self, text: &Text) -> Rendered {
        self.render(text, TextKind::Inline)
    }

    /// Renders block Markdown without autolinking (answers, outcomes).
    pub fn block(&mut self, text: &Text) -> Rendered {
        self.render(text, TextKind::Value)
    }

    fn render(&mut self, text: &Text, kind: TextKind) -> Rendered {
        let autolink = kind == TextKind::Body;
        // Shortcodes are for page bodies; elsewhere their text stays text.
        let expansion = if kind == TextKind::Body {
            self.expand(text)
        } else {
            None
        };
        let unexpanded = expansion
            .as_ref()
            .map_or(text.source.as_str(), |e| e.text.as_str());
        let escaped = TablePipes::escape(unexpanded);
        let source = escaped.as_ref().map_or(unexpanded, |e| e.text.as_str());
        let events: Vec<(Event<'_>, std::ops::Range<usize>)> = Parser::new_ext(source, options())
            .into_offset_iter()
            .collect();
        let file_span = |range: &std::ops::Range<usize>| {
            let mut local = match &escaped {
                Some(e) => Span::new(e.original(range.start), e.original(range.end)),
                None => Span::new(range.start, range.end),
            };
            if let Some(e) = &expansion {
                local = Span::new(e.original(local.start), e.original(local.end));
            }
            text.file_span(local)
        };
        let mut links_to = Vec::new();
        let explicit = self.explicit_targets(&events);
        let mut out_events: Vec<Event<'_>> = Vec::with_capacity(events.len());
        let mut state = State::default();
        let mut heading_ids = HeadingIds::default();
        let mut i = 0;
        while i < events.len() {
            let (event, range) = &events[i];
            match event {
                Event::Start(Tag::Link {
                    link_type: LinkType::WikiLink { has_pothole },
                    dest_url,
                    ..
                }) => {
                    let span = file_span(range);
                    i = self.wikilink(
                        &events,
                        i,
                        dest_url,
                        *has_pothole,
                        span,
                        &mut out_events,
                        &mut links_to,
                    );
                    continue;
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    state.link_depth += 1;
                    let span = file_span(range);
                    let dest = self.safe_url(dest_url, span);
                    out_events.push(Event::Start(Tag::Link {
                        link_type: *link_type,
                        dest_url: dest,
                        title: title.clone(),
                        id: id.clone(),
                    }));
                }
                Event::Start(Tag::Image { .. })
                    if let Some(next) =
                        self.markdown_image(&events, i, file_span(range), &mut out_events) =>
                {
                    i = next;
                    continue;
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest_url = self.safe_url(dest_url, file_span(range));
                    out_events.push(Event::Start(Tag::Image {
                        link_type: *link_type,
                        dest_url,
                        title: title.clone(),
                        id: id.clone(),
                    }));
                }
                Event::End(TagEnd::Link) => {
                    state.link_depth = state.link_depth.saturating_sub(1);
                    out_events.push(event.clone());
                }
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) => {
                    state.in_heading = true;
                    let id = id
                        .clone()
                        .or_else(|| Some(heading_ids.next(&events[i + 1..]).into()));
                    out_events.push(Event::Start(Tag::Heading {
                        level: *level,
                        id,
                        classes: classes.clone(),
                        attrs: attrs.clone(),
                    }));
                }
                Event::End(TagEnd::Heading(_)) => {
                    state.in_heading = false;
                    out_events.push(event.clone());
                }
                Event::Start(Tag::CodeBlock(_)) => {
                    state.in_code = true;
                    out_events.push(event.clone());
                }
                Event::End(TagEnd::CodeBlock) => {
                    state.in_code = false;
                    out_events.push(event.clone());
                }
                Event::Text(t) if autolink && state.may_autolink() => {
                    self.autolink(t, &explicit, &mut out_events, &mut links_to);
                }
                // Raw HTML is for trusted bodies; in front matter values it is text.
                Event::Html(raw) | Event::InlineHtml(raw) if kind != TextKind::Body => {
                    out_events.push(Event::Text(raw.clone()));
                }
                other => out_events.push(other.clone()),
            }
            i += 1;
        }
        let mut html = String::with_capacity(text.source.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, out_events.into_iter());
        if kind == TextKind::Inline {
            html = strip_single_paragraph(html);
        }
        if let Some(e) = &expansion {
            let shortcodes = self.site.shortcodes;
            html = e.finish(html, shortcodes, &mut BodyHost { page: self, text });
        }
        Rendered { html, links_to }
    }

    /// The body with its shortcode calls checked and replaced by
    /// placeholders; `None` when it calls none.
    fn expand(&mut self, text: &Text) -> Option<shortcodes::expand::Expansion> {
        let shortcodes = self.site.shortcodes;
        let expansion = shortcodes::expand::Expansion::new(
            &text.source,
            shortcodes,
            &mut BodyHost { page: self, text },
        )?;
        self.shortcodes.extend(expansion.names().map(str::to_owned));
        Some(expansion)
    }

    /// Entities linked with `[[refs]]` in this text: autolinking skips them,
    /// since the writer already linked them where they wanted.
    fn explicit_targets(
        &self,
        events: &[(Event<'_>, std::ops::Range<usize>)],
    ) -> HashSet<EntityIdx> {
        events
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Start(Tag::Link {
                    link_type: LinkType::WikiLink { .. },
                    dest_url,
                    ..
                }) => match self.lookup(dest_url.trim_end_matches('\\')) {
                    Lookup::Found(i) => Some(i),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// Looks `raw` up in the index, noting that it was.
    fn lookup(&self, raw: &str) -> Lookup {
        if let Ok(mut seen) = self.looked_up.try_borrow_mut() {
            seen.push(raw.to_owned());
        }
        self.site.index.lookup(raw)
    }

    /// Replaces a `[[ref]]` with a link (or its plain text when it does not
    /// resolve, after reporting it). Returns the index after its end.
    #[allow(clippy::too_many_arguments)]
    fn wikilink<'e>(
        &mut self,
        events: &[(Event<'e>, std::ops::Range<usize>)],
        start: usize,
        dest: &str,
        has_pothole: bool,
        span: Span,
        out: &mut Vec<Event<'e>>,
        links_to: &mut Vec<EntityIdx>,
    ) -> usize {
        let end = (start + 1..events.len())
            .find(|&j| matches!(events[j].0, Event::End(TagEnd::Link)))
            .unwrap_or(events.len());
        let inner = || events[start + 1..end].iter().map(|(e, _)| e.clone());
        // In a table row the pipe is written `\\|` (as in Obsidian), which
        // leaves a backslash at the end of the target.
        let dest = dest.trim_end_matches('\\');
        match self.lookup(dest) {
            Lookup::Found(target) => {
                let href = self.linker.href(&self.site.paths[target]);
                out.push(Event::Start(Tag::Link {
                    link_type: LinkType::Inline,
                    dest_url: href.into(),
                    title: CowStr::Borrowed(""),
                    id: CowStr::Borrowed(""),
                }));
                if has_pothole {
                    out.extend(inner());
                } else {
                    out.push(Event::Text(self.site.entities[target].title.clone().into()));
                }
                out.push(Event::End(TagEnd::Link));
                links_to.push(target);
            }
            lookup => {
                if lookup != Lookup::Unparsed {
                    self.diagnostics.push(resolve::ref_error(
                        dest,
                        span,
                        self.file,
                        &lookup,
                        self.site.kinds,
                    ));
                }
                if has_pothole {
                    out.extend(inner());
                } else {
                    out.push(Event::Text(dest.to_owned().into()));
                }
            }
        }
        end + 1
    }

    /// Splits a text event around the first mention of each actor not yet
    /// linked on this page.
    fn autolink<'e>(
        &mut self,
        text: &CowStr<'e>,
        explicit: &HashSet<EntityIdx>,
        out: &mut Vec<Event<'e>>,
        links_to: &mut Vec<EntityIdx>,
    ) {
        let Some(matcher) = &self.site.autolinker.matcher else {
            out.push(Event::Text(text.clone()));
            return;
        };
        let mut last = 0;
        for m in matcher.find_iter(text.as_ref()) {
            let target = self.site.autolinker.targets[m.pattern().as_usize()];
            let fresh = Some(target) != self.this
                && !explicit.contains(&target)
                && !self.autolinked.contains(&target);
            if !fresh || !at_word_boundary(text, m.start(), m.end()) {
                continue;
            }
            self.autolinked.insert(target);
            if m.start() > last {
                out.push(Event::Text(text[last..m.start()].to_owned().into()));
            }
            let href = self.linker.href(&self.site.paths[target]);
            out.push(Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url: href.into(),
                title: CowStr::Borrowed(""),
                id: CowStr::Borrowed(""),
            }));
            out.push(Event::Text(text[m.start()..m.end()].to_owned().into()));
            out.push(Event::End(TagEnd::Link));
            links_to.push(target);
            last = m.end();
        }
        if last == 0 {
            out.push(Event::Text(text.clone()));
        } else if last < text.len() {
            out.push(Event::Text(text[last..].to_owned().into()));
        }
    }

    /// Refuses `javascript:`, `vbscript:` and `data:` link targets.
    fn safe_url<'e>(&mut self, url: &CowStr<'e>, span: Span) -> CowStr<'e> {
        if is_script_url(url) {
            self.diagnostics.push(
                Diagnostic::warning(
                    "unsafe-url",
                    self.file,
                    format!("link to a script URL `{}` was removed", truncate(url, 40)),
                )
                .at(span)
                .hint("link to an http(s) address or to a page with [[slug]]"),
            );
            return CowStr::Borrowed("#");
        }
        url.clone()
    }
}

/// A page body as shortcodes see it: positions in the body's text, and
/// pictures through the page's image pipeline.
struct BodyHost<'p, 'a> {
    page: &'p mut PageRender<'a>,
    text: &'p Text,
}

impl shortcodes::expand::Host for BodyHost<'_, '_> {
    fn picture(&mut self, ask: &images::Ask<'_>, span: Span) -> Option<images::FigureView> {
        self.page.picture(ask, self.text.file_span(span))
    }

    fn report(&mut self, problem: shortcodes::builtin::Misuse) {
        self.page.diagnostics.push(
            Diagnostic::error(problem.code, self.page.file, problem.message)
                .at(self.text.file_span(problem.span))
                .hint(problem.hint),
        );
    }

    fn date_words(&self) -> &crate::i18n::DateWords {
        self.page.site.shortcodes.date_words()
    }
}

/// Where a piece of Markdown comes from, which decides what it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextKind {
    /// A page body: block Markdown, autolinking, raw HTML allowed.
    Body,
    /// A fact value or component: inline, and raw HTML shown as text.
    Inline,
    /// An answer or outcome: block Markdown, raw HTML shown as text.
    Value,
}

#[derive(Default)]
struct State {
    link_depth: usize,
    in_heading: bool,
    in_code: bool,
}

impl State {
    fn may_autolink(&self) -> bool {
        self.link_depth == 0 && !self.in_heading && !self.in_code
    }
}

/// Heading ids from heading text, unique within one text.
#[derive(Default)]
struct HeadingIds {
    used: HashSet<String>,
}

impl HeadingIds {
    fn next(&mut self, following: &[(Event<'_>, std::ops::Range<usize>)]) -> String {
        let mut text = String::new();
        for (e, _) in following {
            match e {
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                Event::End(TagEnd::Heading(_)) => break,
                _ => {}
            }
        }
        let base = crate::render::links::tag_slug(&text);
        let mut id = base.clone();
        let mut n = 1;
        while !self.used.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        id
    }
}

/// `[[slug|text]]` inside a table row: the pipe would split the cell, so it
/// is escaped before parsing, remembering where, to keep positions exact.
struct TablePipes {
    text: String,
    /// Offsets (in `text`) of the inserted backslashes.
    inserted: Vec<usize>,
}

impl TablePipes {
    fn escape(source: &str) -> Option<TablePipes> {
        if !source.contains("[[") || !source.contains('|') {
            return None;
        }
        let mut text = String::with_capacity(source.len() + 16);
        let mut inserted = Vec::new();
        for line in source.split_inclusive('\n') {
            if !line.trim_start().starts_with('|') {
                text.push_str(line);
                continue;
            }
            let mut depth = 0;
            let mut prev = '\0';
            for (i, c) in line.char_indices() {
                if line[i..].starts_with("[[") {
                    depth += 1;
                } else if line[i..].starts_with("]]") && depth > 0 {
                    depth -= 1;
                }
                if c == '|' && depth > 0 && prev != '\\' {
                    inserted.push(text.len());
                    text.push('\\');
                }
                text.push(c);
                prev = c;
            }
        }
        (!inserted.is_empty()).then_some(TablePipes { text, inserted })
    }

    /// The offset in the original text of an offset in the escaped one.
    fn original(&self, offset: usize) -> usize {
        offset - self.inserted.partition_point(|&at| at < offset)
    }
}

/// An image on another site: left as written, not processed.
fn is_remote(url: &str) -> bool {
    url.contains("://") || url.starts_with("//") || is_script_url(url)
}

/// Whether a URL would run script when clicked.
pub fn is_script_url(url: &str) -> bool {
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let lower = squeezed.to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|p| lower.starts_with(p))
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// A name only counts as a mention when it stands as a word of its own:
/// not "Ukraine" inside "RBC-Ukraine" or "Ukrainian".
fn at_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let joins = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(joins) && !after.is_some_and(joins)
}

fn strip_single_paragraph(html: String) -> String {
    let trimmed = html.trim_end();
    if let Some(inner) = trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
        && !inner.contains("<p>")
    {
        return inner.to_owned();
    }
    html
}

/// A heading level's number, for the table of contents.
pub fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_pipes_inside_refs_are_escaped_with_positions_kept() {
        let src = "text [[a|b]]\n| a | [[x|y]] |\n";
        let escaped = TablePipes::escape(src).unwrap();
        assert_eq!(escaped.text, "text [[a|b]]\n| a | [[x\\|y]] |\n");
        let after = escaped.text.find("y]]").unwrap();
        assert_eq!(escaped.original(after), src.find("y]]").unwrap());
        assert!(TablePipes::escape("| a | b |\n").is_none());
    }

    #[test]
    fn script_urls_are_recognised_through_case_and_spaces() {
        assert!(is_script_url("javascript:alert(1)"));
        assert!(is_script_url(" JaVa\tScRiPt:alert(1)"));
        assert!(is_script_url("data:text/html,x"));
        assert!(!is_script_url("https://example.org/javascript:"));
    }
}
