//! RENDER: one page through its template — the job's own context (an
//! entity, a page of a list, the home page, the timeline …) and the frame
//! every page shares: title, menu, navigation, permalink, languages.

use tera::Context;

use super::home::HOME_LATEST;
use super::{Job, Pages};
use crate::content::model::Kind;
use crate::diag::Diagnostic;
use crate::render::OutFile;
use crate::render::context::{Frame, Item, MenuLink, SiteView, TagLink};
use crate::render::links::{Linker, SitePath};
use crate::render::paginate::{Listing, Paginator, page_range};
use crate::render::site::Key;
use crate::render::{
    changes, embeds, front, jsonld, languages, report, search_index, share_card, stance, svg,
};

impl Pages<'_> {
    pub(super) fn page(&self, job: &Job) -> Result<OutFile, Diagnostic> {
        let path = self.path_of(job).unwrap_or_else(SitePath::home);
        let linker = Linker::for_page(&path, self.data.config.pretty_links);
        let (template, title, description, mut ctx) = self.page_context(job, &linker);
        let mut frame = self.frame(&path, &linker, &title, &description);
        if let Job::Entity(i) = job {
            frame.og_image = share_card::og_image(
                &self.data.config.strings,
                languages::own_base(self.data, *i),
                Some(&path),
                &title,
            );
        }
        frame.languages = languages::for_page(self.data, job, &path, &linker);
        if let Some(links) = frame.languages.as_ref().filter(|l| l.fallback.is_some()) {
            // A fallback's canonical page is the original's.
            frame.permalink = links.x_default.clone();
        }
        frame.jsonld = jsonld::for_job(self.data, job, &frame);
        ctx.insert("site", &frame.site);
        insert_frame(&mut ctx, &frame);
        let html = self.render_template(&template, &ctx)?;
        Ok(OutFile {
            backing: None,
            path: path.output_file(),
            bytes: html.into_bytes(),
        })
    }

    /// Template name, page title, description and the job's own context.
    fn page_context(&self, job: &Job, linker: &Linker) -> (String, String, String, Context) {
        let data = self.data;
        let t = &data.config.strings;
        let site = data.config.title.as_str();
        let site_description = data.config.description.clone();
        let mut ctx = Context::new();
        match job {
            Job::Entity(i) => {
                let mut page = data.page_view(*i, linker);
                if let Some(body) = self.bodies.and_then(|b| b.get(*i)) {
                    page.body = body
                        .lock()
                        .map(|mut b| std::mem::take(&mut *b))
                        .unwrap_or_default();
                }
                let description = page
                    .summary
                    .clone()
                    .unwrap_or_else(|| site_description.clone());
                let title = page.title.clone();
                ctx.insert("page", &page);
                let lead = data.prepared.get(*i).and_then(|p| p.lead.clone());
                ctx.insert("image", &lead);
                ctx.insert("oembed_href", &embeds::oembed_url(self, *i));
                // The page shows these pictures: it reads their files.
                data.prepared.pictures(*i);
                (
                    format!("{}.html", data.entities[*i].kind.name()),
                    title,
                    description,
                    ctx,
                )
            }
            Job::List(kind, n) => {
                let listing = Listing::Kind(*kind);
                let listed = self.listed_page(&listing, *n);
                let members = &listed.members;
                let section = self.section(*kind, members, *n, linker);
                let title = numbered(t, &section.title, *n);
                ctx.insert("section", &section);
                // The stance matrix is about the whole list: on its first page.
                let stances = (*n == 1)
                    .then(|| stance::for_list(data, *kind, linker))
                    .flatten();
                ctx.insert("stances", &stances);
                self.insert_paginator(&mut ctx, &listing, *n, members.len(), linker);
                (
                    String::from("list.html"),
                    title,
                    t.fill(
                        "list_description",
                        &[("kinds", &section.title), ("site", site)],
                    ),
                    ctx,
                )
            }
            Job::Home => {
                data.reads.record(Key::Home);
                ctx.insert("home", &self.home_view());
                ctx.insert("sections", &self.sections_summary(linker));
                ctx.insert("latest", &self.latest_meetings(linker, HOME_LATEST));
                ctx.insert("front", &front::front(data, linker));
                let changes = changes::site_order(data);
                let newest = &changes[..changes.len().min(HOME_LATEST)];
                ctx.insert("latest_changes", &changes::entries(data, linker, newest));
                (
                    String::from("index.html"),
                    data.config.title.clone(),
                    site_description,
                    ctx,
                )
            }
            Job::Timeline => {
                ctx.insert("months", &self.timeline(linker));
                ctx.insert("timeline_svg", &svg::timeline::site(data, linker));
                (
                    String::from("timeline.html"),
                    t.text("timeline_title").to_owned(),
                    t.fill("timeline_description", &[("site", site)]),
                    ctx,
                )
            }
            Job::Questions(n) => {
                let listing = Listing::Questions;
                let listed = self.listed_page(&listing, *n);
                let members = &listed.members;
                let on_page = &members[page_range(members.len(), self.per_page(), *n)];
                let [answered, open] = listed.totals;
                ctx.insert("open_count", &open);
                ctx.insert("answered_count", &answered);
                ctx.insert("groups", &self.question_groups(on_page, linker));
                self.insert_paginator(&mut ctx, &listing, *n, members.len(), linker);
                (
                    String::from("questions.html"),
                    numbered(t, t.text("questions_title"), *n),
                    t.text("questions_description").to_owned(),
                    ctx,
                )
            }
            Job::Tags => {
                let tags: Vec<TagLink> = data
                    .tags
                    .slugs()
                    .map(|t| self.tag_by_slug(linker, t))
                    .collect();
                ctx.insert("tags", &tags);
                (
                    String::from("tags.html"),
                    t.text("tags").to_owned(),
                    t.text("tags_description").to_owned(),
                    ctx,
                )
            }
            Job::Tag(slug, n) => {
                let listing = Listing::Tag(slug.clone());
                let listed = self.listed_page(&listing, *n);
                let members = &listed.members;
                let mut tag = self.tag_by_slug(linker, slug);
                // The tag's link is to its first page, wherever this one is.
                tag.href = linker.href(&listing.path(1));
                let items: Vec<Item> = members[page_range(members.len(), self.per_page(), *n)]
                    .iter()
                    .map(|&i| data.item(linker, i, None))
                    .collect();
                let title = numbered(t, &t.fill("tagged", &[("tag", &tag.name)]), *n);
                ctx.insert("tag", &tag);
                ctx.insert("items", &items);
                self.insert_paginator(&mut ctx, &listing, *n, members.len(), linker);
                (
                    String::from("tag.html"),
                    title,
                    t.fill("pages_about", &[("tag", &tag.name)]),
                    ctx,
                )
            }
            Job::Map => {
                ctx.insert("map", &svg::map::site(data, linker));
                (
                    String::from("map.html"),
                    t.text("map_title").to_owned(),
                    t.fill("map_description", &[("site", site)]),
                    ctx,
                )
            }
            Job::Changes(n) => {
                let all = changes::site_order(data);
                let on_page = &all[page_range(all.len(), self.per_page(), *n)];
                ctx.insert("changes", &changes::entries(data, linker, on_page));
                let paginator = Paginator::at(*n, all.len(), self.per_page(), |p| {
                    linker.href(&changes::path(p))
                });
                ctx.insert("paginator", &paginator);
                (
                    String::from("changes.html"),
                    numbered(t, t.text("changes_title"), *n),
                    t.fill("changes_description", &[("site", site)]),
                    ctx,
                )
            }
            Job::Search => (
                {
                    ctx.insert("search_words", &search_index::words_json(t));
                    String::from("search.html")
                },
                t.text("search_title").to_owned(),
                t.fill("search_description", &[("site", site)]),
                ctx,
            ),
            _ => (String::from("404.html"), String::new(), String::new(), ctx),
        }
    }

    pub(super) fn frame(
        &self,
        path: &SitePath,
        linker: &Linker,
        title: &str,
        description: &str,
    ) -> Frame {
        let config = self.data.config;
        let page_title = if title.is_empty() || title == config.title {
            config.title.clone()
        } else {
            format!("{title} · {}", config.title)
        };
        let permalink = path.absolute(&self.data.base);
        Frame {
            languages: None,
            report_error_href: config
                .report_error
                .as_deref()
                .map(|to| report::href(to, &page_title, &permalink)),
            site: SiteView::of(config),
            root: linker.root.clone(),
            menu: self.menu(path, linker),
            home_href: linker.href(&SitePath::home()),
            stylesheet: self.asset_href(linker, "style.css"),
            feed_href: linker.file("atom.xml"),
            search_href: linker.href(&SitePath::of(&["search"])),
            search_script: self.asset_href(linker, "search.js"),
            search_index: linker.file("search-index.js"),
            permalink,
            page_title,
            description: description.to_owned(),
            serving: self.options.serving,
            nav: nav_links(linker),
            jsonld: String::new(),
            og_image: share_card::og_image(&config.strings, &self.data.base, None, &config.title),
        }
    }

    /// The link to a static file under its published name; a theme
    /// without the file gets the plain name, as before fingerprinting.
    pub(in crate::render) fn asset_href(&self, linker: &Linker, rel: &str) -> String {
        let file = self.data.assets.get(rel).map_or(rel, |a| a.file.as_str());
        linker.file(file)
    }

    fn menu(&self, path: &SitePath, linker: &Linker) -> Vec<MenuLink> {
        let config = self.data.config;
        let section = path
            .output_file()
            .iter()
            .next()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let items: Vec<(String, String)> = if config.menu.is_empty() {
            let kinds = [Kind::Actor, Kind::Meeting, Kind::Proposal, Kind::Source];
            let mut items: Vec<(String, String)> = kinds
                .iter()
                .map(|k| {
                    (
                        config.strings.kind_title(*k).to_owned(),
                        format!("/{}/", k.dir()),
                    )
                })
                .collect();
            let t = &config.strings;
            items.push((t.text("menu_timeline").into(), "/timeline/".into()));
            items.push((t.text("menu_map").into(), "/map/".into()));
            items.push((t.text("menu_questions").into(), "/questions/".into()));
            items
        } else {
            config
                .menu
                .iter()
                .map(|m| (m.title.clone(), m.url.clone()))
                .collect()
        };
        items
            .into_iter()
            .map(|(title, url)| {
                let current = url.trim_matches('/') == section && !section.is_empty();
                MenuLink {
                    title,
                    href: linker.menu_url(&url),
                    current,
                }
            })
            .collect()
    }

    fn insert_paginator(
        &self,
        ctx: &mut Context,
        listing: &Listing,
        number: usize,
        total: usize,
        linker: &Linker,
    ) {
        let paginator = Paginator::new(listing, number, total, self.per_page(), linker);
        ctx.insert("paginator", &paginator);
    }
}

fn nav_links(linker: &Linker) -> std::collections::BTreeMap<&'static str, String> {
    let mut nav = std::collections::BTreeMap::new();
    nav.insert("home", linker.href(&SitePath::home()));
    for kind in Kind::ALL {
        nav.insert(kind.dir(), linker.href(&SitePath::of(&[kind.dir()])));
    }
    for page in ["timeline", "map", "questions", "tags", "search", "changes"] {
        nav.insert(page, linker.href(&SitePath::of(&[page])));
    }
    nav
}

/// A listing's title, with the page's number after the first page, so
/// that each page has a title of its own.
fn numbered(t: &crate::i18n::Catalog, title: &str, number: usize) -> String {
    if number > 1 {
        t.fill(
            "page_numbered",
            &[("title", title), ("number", &number.to_string())],
        )
    } else {
        title.to_owned()
    }
}

pub(super) fn insert_frame(ctx: &mut Context, frame: &Frame) {
    if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(frame) {
        for (k, v) in map {
            if k != "site" {
                ctx.insert(k, &v);
            }
        }
    }
}
