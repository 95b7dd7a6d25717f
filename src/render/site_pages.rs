//! RENDER: every page of the site — home, kind lists, entity pages,
//! timeline, questions, tags, search, 404 — and the feed, sitemap, robots
//! and search index, each through its template.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::context::*;
use super::links::{Linker, SitePath, tag_slug};
use super::markdown;
use super::paginate::{Listed, Listing, Paginator, page_count, page_range};
use super::site::{Key, sym};
use super::templates::{Templates, template_error};
use super::views::{SiteData, question_views};
use super::{OutFile, RenderOptions};
use crate::content::model::{Entity, EntityIdx, Kind, Precision};
use crate::diag::Diagnostic;

/// One page or file to render.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Job {
    Home,
    /// A page (numbered from 1) of a kind's list.
    List(Kind, usize),
    Entity(EntityIdx),
    Timeline,
    /// A page of `/questions/`.
    Questions(usize),
    Tags,
    /// A page of one tag's list.
    Tag(String, usize),
    Search,
    NotFound,
    Atom,
    Sitemap,
    Robots,
    SearchIndex,
    /// `/map/`: the site-wide relation map.
    Map,
    /// `actors/<slug>/atom.xml`: one actor's or proposal's own feed.
    EntityFeed(EntityIdx),
    /// `data/entities.json` and `data/timeline.json`.
    DataEntities,
    DataTimeline,
    /// A page (numbered from 1) of `/changes/`: every page's changes log.
    Changes(usize),
    /// `changes/atom.xml`.
    ChangesFeed,
    /// A redirect page at an entity's old path: `(entity, which path)`.
    Redirect(EntityIdx, usize),
    /// `_redirects`, for Netlify and Cloudflare Pages.
    Redirects,
    /// One processed picture file: the picture and which of its files.
    Image(Arc<super::images::Processed>, usize),
    /// A share card: an entity's, or with `None` the site's.
    Card(Option<EntityIdx>),
    /// `embed/<kind>/<slug>/`: an entity's fact card for other sites.
    Embed(EntityIdx),
    /// `embed/<kind>/<slug>/oembed.json`.
    OEmbed(EntityIdx),
}

/// Everything needed to render any page.
pub struct Pages<'a> {
    pub data: &'a SiteData<'a>,
    pub home: Option<&'a Entity>,
    /// The home page's rendered Markdown.
    pub home_body: Option<String>,
    pub md_site: &'a markdown::Site<'a>,
    pub templates: &'a Templates,
    pub options: RenderOptions,
    /// Entity bodies to move into their pages, each taken once (a full
    /// build); `None` copies them from `data.prepared` (`serve`, which
    /// renders a page again after every edit).
    pub bodies: Option<&'a [std::sync::Mutex<String>]>,
    /// Each listing's entries in order, worked out once per pass: every
    /// page of a listing needs the whole order to find its slice.
    pub orders: &'a Orders,
    /// Pictures of the home page's text.
    pub home_pictures: &'a [Arc<super::images::Processed>],
}

/// Each listing's entries, as [`Pages::listed`] found them.
#[derive(Debug, Default)]
pub struct Orders(Mutex<HashMap<Listing, Arc<Listed>>>);

impl Orders {
    /// Sets a listing's entries, worked out beforehand.
    pub fn insert(&self, listing: Listing, listed: Listed) {
        if let Ok(mut orders) = self.0.lock() {
            orders.insert(listing, Arc::new(listed));
        }
    }
}

/// Whether a job's file grows with the whole site (a line or more for
/// every entity), as opposed to one page's neighbourhood.
fn lists_everything(job: &Job) -> bool {
    matches!(
        job,
        Job::Timeline | Job::Sitemap | Job::SearchIndex | Job::DataEntities | Job::DataTimeline
    )
}

/// Newest items in the feed and on the home page come first.
const HOME_LATEST: usize = 6;

impl Pages<'_> {
    /// Every job of the site, in a stable order.
    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs = vec![Job::Home];
        for kind in Kind::ALL {
            jobs.extend(self.pages_of(&Listing::Kind(kind)));
        }
        jobs.extend((0..self.data.entities.len()).map(Job::Entity));
        // A page not yet translated uses the original's feed and cards.
        let own: Vec<EntityIdx> = (0..self.data.entities.len())
            .filter(|&i| !super::languages::is_fallback(self.data, i))
            .collect();
        jobs.extend(
            own.iter()
                .copied()
                .filter(|&i| super::visuals::has_feed(self.data.entities.kind(i)))
                .map(Job::EntityFeed),
        );
        jobs.extend([Job::Timeline, Job::Map]);
        jobs.extend(self.pages_of(&Listing::Questions));
        jobs.extend([Job::Tags, Job::Search, Job::NotFound]);
        let changes = super::changes::site_order(self.data).len();
        jobs.extend((1..=page_count(changes, self.per_page())).map(Job::Changes));
        jobs.push(Job::ChangesFeed);
        let redirects = super::redirects::all(self.data);
        if !redirects.is_empty() {
            jobs.extend(redirects.into_iter().map(|(i, n)| Job::Redirect(i, n)));
            jobs.push(Job::Redirects);
        }
        for tag in self.data.tags.slugs() {
            jobs.extend(self.pages_of(&Listing::Tag(tag.clone())));
        }
        jobs.push(Job::Atom);
        // One sitemap and one robots.txt, at the root, list every language.
        if self.data.config.view.is_first() {
            jobs.extend([Job::Sitemap, Job::Robots]);
        }
        jobs.push(Job::SearchIndex);
        jobs.extend([Job::DataEntities, Job::DataTimeline]);
        jobs.push(Job::Card(None));
        jobs.extend(own.iter().map(|&i| Job::Card(Some(i))));
        for &i in &own {
            jobs.extend([Job::Embed(i), Job::OEmbed(i)]);
        }
        // Pages that list the site's pages (the sitemap) call this while
        // recording; they never list pictures, and must not read every
        // entity's Markdown to find them.
        if !self.data.reads.is_on() {
            jobs.extend(self.picture_jobs());
        }
        jobs
    }

    /// One job per processed picture file, each file once however many
    /// pages show it.
    fn picture_jobs(&self) -> Vec<Job> {
        let mut seen = HashSet::new();
        let pictures = self
            .data
            .prepared
            .iter()
            .flat_map(|p| &p.pictures)
            .chain(self.home_pictures);
        let mut jobs = Vec::new();
        for picture in pictures {
            if seen.insert(picture.key.clone()) {
                jobs.extend((0..picture.files().len()).map(|n| Job::Image(Arc::clone(picture), n)));
            }
        }
        jobs
    }

    /// Where a job's file goes, relative to the output root, for the
    /// files that are not pages; `None` for pages.
    pub fn file_path(&self, job: &Job) -> Option<std::path::PathBuf> {
        match job {
            Job::Image(picture, n) => picture.files().get(*n).map(|(out, _)| out.into()),
            Job::Card(of) => Some(super::share_card::path(self, *of)),
            Job::Embed(i) => Some(super::embeds::path(self, *i).output_file()),
            Job::OEmbed(i) => Some(
                super::embeds::path(self, *i)
                    .output_file()
                    .with_file_name(super::embeds::OEMBED_FILE),
            ),
            Job::ChangesFeed => Some(super::changes::FEED_FILE.into()),
            Job::Redirects => Some(super::redirects::FILE.into()),
            _ => None,
        }
    }

    /// Where any job's file goes, relative to the output root.
    pub fn output_path(&self, job: &Job) -> Option<std::path::PathBuf> {
        self.file_path(job)
            .or_else(|| self.path_of(job).map(|p| p.output_file()))
    }

    /// The jobs rendering every page of a listing.
    pub fn pages_of(&self, listing: &Listing) -> Vec<Job> {
        let total = self.listed(listing).members.len();
        (1..=page_count(total, self.data.config.paginate_by))
            .map(|n| listing.job(n))
            .collect()
    }

    /// Page `number` of a listing's entries: what a page of it reads.
    fn listed_page(&self, listing: &Listing, number: usize) -> Arc<Listed> {
        let key = listing.key(sym);
        self.data.reads.record(Key::ListingPage(key, number as u32));
        self.listed(listing)
    }

    /// A listing's entries ([`Listed`]), worked out once per pass.
    pub fn listed(&self, listing: &Listing) -> Arc<Listed> {
        if let Some(known) = self
            .orders
            .0
            .lock()
            .ok()
            .and_then(|o| o.get(listing).cloned())
        {
            return known;
        }
        let listed = Arc::new(Listed::of(self.data, listing));
        if let Ok(mut orders) = self.orders.0.lock() {
            orders.insert(listing.clone(), Arc::clone(&listed));
        }
        listed
    }

    /// Renders every job, handing each file to `emit` as soon as it is
    /// rendered, so a large site never holds its pages in memory (`emit`
    /// may block: that holds rendering back to the writer's pace). Returns
    /// the template errors, each reported once, in job order.
    ///
    /// Pages come in waves, for memory: entity pages and small pages
    /// (paginated lists among them) in parallel; then `data/entities.json`
    /// alone (its own serialisation is parallel; it is the largest file,
    /// about 4 KB per entity); then the other files that list every
    /// entity, in parallel. Run together, the site-wide files added their sizes on top
    /// of everything else at the end of a large build.
    pub fn render_streaming(&self, emit: &mut (dyn FnMut(Vec<OutFile>) + Send)) -> Vec<Diagnostic> {
        let sink = Mutex::new(emit);
        let jobs: Vec<(usize, Job)> = self.jobs().into_iter().enumerate().collect();
        let (site_wide, small): (Vec<_>, Vec<_>) =
            jobs.into_iter().partition(|(_, job)| lists_everything(job));
        let (exports, last): (Vec<_>, Vec<_>) = site_wide
            .into_iter()
            .partition(|(_, job)| *job == Job::DataEntities);
        let mut errors = Vec::new();
        for wave in [small, exports, last] {
            // A checkpoint: the writer catches up before the next wave, so
            // a wave's large files are out of memory before the next one's
            // are made.
            if let Ok(mut emit) = sink.lock() {
                emit(Vec::new());
            }
            errors.extend(
                wave.par_iter()
                    .filter_map(|(n, job)| match self.render_job(job) {
                        Ok(file) => {
                            if let Ok(mut emit) = sink.lock() {
                                emit(vec![file]);
                            }
                            None
                        }
                        Err(d) => Some((*n, d)),
                    })
                    .collect::<Vec<_>>(),
            );
        }
        errors.sort_by_key(|(n, _)| *n);
        let mut seen = HashSet::new();
        errors
            .into_iter()
            .map(|(_, d)| d)
            .filter(|d| seen.insert(d.message.clone()))
            .collect()
    }

    /// The page path of a job; `None` for files that are not pages.
    pub fn path_of(&self, job: &Job) -> Option<SitePath> {
        Some(match job {
            Job::Home => SitePath::home(),
            Job::List(..) | Job::Questions(_) | Job::Tag(..) => {
                let (listing, n) = job.listing()?;
                listing.path(n)
            }
            Job::Entity(i) => self.data.paths[*i].clone(),
            Job::Timeline => SitePath::of(&["timeline"]),
            Job::Map => SitePath::of(&["map"]),
            Job::Tags => SitePath::of(&["tags"]),
            Job::Search => SitePath::of(&["search"]),
            Job::Changes(n) => super::changes::path(*n),
            Job::Redirect(i, n) => {
                super::redirects::path(&self.data.entities[*i].moved_from[*n].segments)
            }
            _ => return None,
        })
    }

    /// Renders a template, recording that the output read it.
    pub fn render_template(&self, name: &str, ctx: &Context) -> Result<String, Diagnostic> {
        self.data.reads.record(Key::Template(sym(name)));
        self.data
            .assets
            .render(|| self.templates.tera.render(name, ctx))
            .map_err(|e| template_error(&e, &self.templates.origins, &self.templates.sources))
    }

    pub fn render_job(&self, job: &Job) -> Result<OutFile, Diagnostic> {
        match job {
            Job::NotFound => self.not_found(),
            Job::Atom => self.file("atom.xml", self.feed_context()),
            Job::Sitemap => self.file("sitemap.xml", self.sitemap_context()),
            Job::Robots => self.file("robots.txt", self.absolute_context()),
            Job::SearchIndex => Ok(self.search_index()),
            Job::EntityFeed(i) => super::entity_feeds::render(self, *i),
            Job::DataEntities => Ok(super::exports::entities(self.data)),
            Job::DataTimeline => Ok(super::exports::timeline(self.data)),
            Job::ChangesFeed => self.changes_feed(),
            Job::Redirect(i, n) => Ok(super::redirects::page(
                self.data,
                *i,
                *n,
                self.data.config.pretty_links,
            )),
            Job::Redirects => Ok(super::redirects::file(self.data)),
            Job::Image(picture, n) => self.picture_file(picture, *n),
            Job::Embed(i) => super::embeds::card(self, *i),
            Job::OEmbed(i) => Ok(super::embeds::oembed(self, *i)),
            Job::Card(of) => super::share_card::render(self, *of).map(|bytes| OutFile {
                path: super::share_card::path(self, *of),
                bytes,
            }),
            _ => self.page(job),
        }
    }

    /// One processed picture file, from the cache.
    fn picture_file(
        &self,
        picture: &super::images::Processed,
        n: usize,
    ) -> Result<OutFile, Diagnostic> {
        self.data
            .reads
            .record(super::site::image_key(&picture.source));
        let files = picture.files();
        let Some((out, cached)) = files.get(n) else {
            return Err(Diagnostic::error(
                "image-cache",
                "site.yaml",
                "a picture lost a file",
            ));
        };
        super::images::process::read_output(picture, cached, &self.data.config.images)
            .map(|bytes| OutFile {
                path: out.into(),
                bytes,
            })
            .map_err(|e| {
                Diagnostic::error(
                    "image-cache",
                    picture.source.display().to_string(),
                    format!("cannot read a processed picture: {e:?}"),
                )
            })
    }

    fn page(&self, job: &Job) -> Result<OutFile, Diagnostic> {
        let path = self.path_of(job).unwrap_or_else(SitePath::home);
        let linker = Linker::for_page(&path, self.data.config.pretty_links);
        let (template, title, description, mut ctx) = self.page_context(job, &linker);
        let mut frame = self.frame(&path, &linker, &title, &description);
        if let Job::Entity(i) = job {
            frame.og_image = super::share_card::og_image(
                &self.data.config.strings,
                super::languages::own_base(self.data, *i),
                Some(&path),
                &title,
            );
        }
        frame.languages = super::languages::for_page(self.data, job, &path, &linker);
        if let Some(links) = frame.languages.as_ref().filter(|l| l.fallback.is_some()) {
            // A fallback's canonical page is the original's.
            frame.permalink = links.x_default.clone();
        }
        frame.jsonld = super::jsonld::for_job(self.data, job, &frame);
        ctx.insert("site", &frame.site);
        insert_frame(&mut ctx, &frame);
        let html = self.render_template(&template, &ctx)?;
        Ok(OutFile {
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
                ctx.insert("oembed_href", &super::embeds::oembed_url(self, *i));
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
                    .then(|| super::stance::for_list(data, *kind, linker))
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
                ctx.insert("front", &super::front::front(data, linker));
                let changes = super::changes::site_order(data);
                let newest = &changes[..changes.len().min(HOME_LATEST)];
                ctx.insert(
                    "latest_changes",
                    &super::changes::entries(data, linker, newest),
                );
                (
                    String::from("index.html"),
                    data.config.title.clone(),
                    site_description,
                    ctx,
                )
            }
            Job::Timeline => {
                ctx.insert("months", &self.timeline(linker));
                ctx.insert("timeline_svg", &super::svg::timeline::site(data, linker));
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
                ctx.insert("map", &super::svg::map::site(data, linker));
                (
                    String::from("map.html"),
                    t.text("map_title").to_owned(),
                    t.fill("map_description", &[("site", site)]),
                    ctx,
                )
            }
            Job::Changes(n) => {
                let all = super::changes::site_order(data);
                let on_page = &all[page_range(all.len(), self.per_page(), *n)];
                ctx.insert("changes", &super::changes::entries(data, linker, on_page));
                let paginator = Paginator::at(*n, all.len(), self.per_page(), |p| {
                    linker.href(&super::changes::path(p))
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
                    ctx.insert("search_words", &super::search_index::words_json(t));
                    String::from("search.html")
                },
                t.text("search_title").to_owned(),
                t.fill("search_description", &[("site", site)]),
                ctx,
            ),
            _ => (String::from("404.html"), String::new(), String::new(), ctx),
        }
    }

    fn frame(&self, path: &SitePath, linker: &Linker, title: &str, description: &str) -> Frame {
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
                .map(|to| super::report::href(to, &page_title, &permalink)),
            site: SiteView {
                title: config.title.clone(),
                description: config.description.clone(),
                base_url: config.base_url.clone(),
                language: config.language.clone(),
                dir: config.dir(),
                extra: config.extra.clone(),
            },
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
            og_image: super::share_card::og_image(
                &config.strings,
                &self.data.base,
                None,
                &config.title,
            ),
        }
    }

    /// The link to a static file under its published name; a theme
    /// without the file gets the plain name, as before fingerprinting.
    pub(super) fn asset_href(&self, linker: &Linker, rel: &str) -> String {
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

    fn per_page(&self) -> usize {
        self.data.config.paginate_by
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

    /// Page `number` of a kind's list, whose entries in order are `members`.
    fn section(
        &self,
        kind: Kind,
        members: &[EntityIdx],
        number: usize,
        linker: &Linker,
    ) -> SectionView {
        let data = self.data;
        SectionView {
            kind: kind.name(),
            title: self.data.config.strings.kind_title(kind).to_owned(),
            href: linker.href(&SitePath::of(&[kind.dir()])),
            count: members.len(),
            items: members[page_range(members.len(), self.per_page(), number)]
                .iter()
                .map(|&i| data.item(linker, i, None))
                .collect(),
        }
    }

    fn sections_summary(&self, linker: &Linker) -> Vec<SectionView> {
        let data = self.data;
        Kind::ALL
            .iter()
            .filter(|&&k| k != Kind::Page)
            .map(|&k| SectionView {
                kind: k.name(),
                title: data.config.strings.kind_title(k).to_owned(),
                href: linker.href(&SitePath::of(&[k.dir()])),
                count: (0..data.entities.len())
                    .filter(|&i| data.entities.kind(i) == k)
                    .count(),
                items: Vec::new(),
            })
            .collect()
    }

    fn home_view(&self) -> HomeView {
        let config = self.data.config;
        let Some(home) = self.home else {
            return HomeView {
                title: config.title.clone(),
                summary: Some(config.description.clone()).filter(|s| !s.is_empty()),
                body: String::new(),
            };
        };
        let body = self.home_body.clone().unwrap_or_default();
        let title = if home.title == home.slug {
            config.title.clone()
        } else {
            home.title.clone()
        };
        HomeView {
            title,
            summary: home.summary.clone(),
            body,
        }
    }

    fn latest_meetings(&self, linker: &Linker, n: usize) -> Vec<Item> {
        let e = self.data.entities;
        let mut order: Vec<EntityIdx> = (0..e.len())
            .filter(|&i| e.kind(i) == Kind::Meeting)
            .collect();
        order.sort_by(|&a, &b| (e[a].date(), &e[a].title).cmp(&(e[b].date(), &e[b].title)));
        order
            .iter()
            .rev()
            .take(n)
            .map(|&i| self.data.item(linker, i, None))
            .collect()
    }

    /// Meetings and dated proposals by month, oldest first.
    fn timeline(&self, linker: &Linker) -> Vec<TimelineMonth> {
        let e = self.data.entities;
        let mut dated: Vec<EntityIdx> = (0..e.len())
            .filter(|&i| {
                matches!(e.kind(i), Kind::Meeting | Kind::Proposal) && e[i].date().is_some()
            })
            .collect();
        dated.sort_by(|&a, &b| (e[a].date(), &e[a].title).cmp(&(e[b].date(), &e[b].title)));
        let mut months: Vec<TimelineMonth> = Vec::new();
        let mut last_day: Option<i64> = None;
        for i in dated {
            let Some(when) = e[i].when() else { continue };
            // A quiet spell runs from the latest day the earlier events can
            // have fallen on: "c. 2025" may be December, so it is no gap
            // before January 2026.
            let strings = &self.data.config.strings;
            let gap_before = last_day
                .and_then(|last| quiet_spell(strings, when.first.days_since_epoch() - last));
            let ends = when.last().days_since_epoch();
            last_day = Some(last_day.map_or(ends, |last| last.max(ends)));
            // A date known to the year only goes under the year, not January.
            let (id, label) = match when.precision {
                Precision::Year => (when.iso(), when.first.year.to_string()),
                _ => (
                    format!("{:04}-{:02}", when.first.year, when.first.month),
                    super::dates::month_year(self.data.words(), &when.first),
                ),
            };
            if months.last().is_none_or(|m| m.id != id) {
                months.push(TimelineMonth {
                    label,
                    id,
                    items: Vec::new(),
                    gap_before,
                });
            }
            if let Some(m) = months.last_mut() {
                m.items.push(self.data.item(linker, i, None));
            }
        }
        months
    }

    /// The question groups of the entities `on_page`, answers rendered
    /// for this page: the pages of `/questions/` are not all at one depth,
    /// and each entity's answers are rendered for one page only.
    fn question_groups(&self, on_page: &[EntityIdx], linker: &Linker) -> Vec<QuestionGroup> {
        let e = self.data.entities;
        on_page
            .iter()
            .map(|&i| {
                let answers = self.answers(i, linker);
                let prepared = super::Prepared {
                    answers,
                    ..Default::default()
                };
                let mut questions = question_views(&e[i], &prepared);
                let page_href = linker.href(&self.data.paths[i]);
                for q in &mut questions {
                    q.id = format!("{}#{}", page_href, q.id);
                }
                QuestionGroup {
                    page: self.data.item(linker, i, None),
                    questions,
                }
            })
            .collect()
    }

    /// Entity `i`'s answers, rendered for the page `linker` is for.
    fn answers(&self, i: EntityIdx, linker: &Linker) -> Vec<Option<String>> {
        let e = &self.data.entities[i];
        if e.questions.iter().all(|q| q.answer.is_none()) {
            return vec![None; e.questions.len()];
        }
        // Rendered again here for this page's depth, from what the
        // entity's own rendering read: its Markdown stands for it.
        let _ = self.data.prepared.get(i);
        let mut page = markdown::PageRender::new(self.md_site, linker, &e.file, Some(i));
        e.questions
            .iter()
            .map(|q| q.answer.as_ref().map(|a| page.block(a).html))
            .collect()
    }

    fn tag_by_slug(&self, linker: &Linker, slug: &str) -> TagLink {
        let members = self.data.tags.members(slug);
        let first = members.first().map(|&i| &self.data.entities[i]);
        let name = first
            .and_then(|e| e.tags.iter().find(|t| tag_slug(t) == slug))
            .cloned()
            .unwrap_or_else(|| slug.to_owned());
        self.data.tag_link(linker, &name)
    }

    /// The 404 page is served at any URL depth, so its links are absolute
    /// paths under `base_url` rather than relative.
    fn not_found(&self) -> Result<OutFile, Diagnostic> {
        let base = self.data.config.base();
        let after_scheme = base
            .split_once("://")
            .map_or(base.as_str(), |(_, rest)| rest);
        let root = after_scheme
            .find('/')
            .map_or("/".to_owned(), |i| after_scheme[i..].to_owned());
        let linker = Linker {
            root,
            pretty: self.data.config.pretty_links,
        };
        let path = SitePath::of(&["404"]);
        let t = &self.data.config.strings;
        let mut frame = self.frame(
            &path,
            &linker,
            t.text("not_found"),
            t.text("not_found_description"),
        );
        frame.permalink = format!("{base}404.html");
        frame.report_error_href = self
            .data
            .config
            .report_error
            .as_deref()
            .map(|to| super::report::href(to, &frame.page_title, &frame.permalink));
        frame.jsonld = super::jsonld::for_job(self.data, &Job::NotFound, &frame);
        let mut ctx = Context::new();
        ctx.insert("site", &frame.site);
        insert_frame(&mut ctx, &frame);
        let html = self.render_template("404.html", &ctx)?;
        Ok(OutFile {
            path: "404.html".into(),
            bytes: html.into_bytes(),
        })
    }

    fn file(&self, template: &str, ctx: Context) -> Result<OutFile, Diagnostic> {
        let text = self.render_template(template, &ctx)?;
        Ok(OutFile {
            path: template.into(),
            bytes: text.into_bytes(),
        })
    }

    /// Entries for the Atom feed: the newest meetings and updated pages.
    fn feed_context(&self) -> Context {
        let e = self.data.entities;
        let mut order: Vec<EntityIdx> = (0..e.len())
            .filter(|&i| feed_date(&e[i]).is_some())
            .collect();
        order.sort_by(|&a, &b| {
            feed_date(&e[b])
                .cmp(&feed_date(&e[a]))
                .then(e[a].id.cmp(&e[b].id))
        });
        order.truncate(self.data.config.feed_limit);
        let entries: Vec<FeedEntry> = order
            .iter()
            .map(|&i| FeedEntry {
                title: e[i].title.clone(),
                url: self.data.paths[i].absolute(&self.data.base),
                kind: e[i].kind.name(),
                updated: feed_date(&e[i])
                    .map(|d| format!("{d}T00:00:00Z"))
                    .unwrap_or_default(),
                summary: e[i].summary.clone().unwrap_or_default(),
            })
            .collect();
        let mut ctx = self.absolute_context();
        let updated = entries
            .first()
            .map(|x| x.updated.clone())
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
        ctx.insert("updated", &updated);
        ctx.insert("entries", &entries);
        ctx.insert("feed_title", &self.data.config.title);
        ctx.insert("feed_home", &self.data.base);
        ctx
    }

    /// `changes/atom.xml`: the newest changes of the whole site.
    fn changes_feed(&self) -> Result<OutFile, Diagnostic> {
        let data = self.data;
        let mut order = super::changes::site_order(data);
        order.truncate(data.config.feed_limit);
        let entries = super::changes::feed_entries(data, &order);
        let mut ctx = self.absolute_context();
        let updated = entries
            .first()
            .map(|x| x.updated.clone())
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
        ctx.insert(
            "feed_url",
            &format!("{}{}", data.base, super::changes::FEED_FILE),
        );
        let title = data
            .config
            .strings
            .fill("changes_feed_title", &[("site", &data.config.title)]);
        ctx.insert("feed_title", &title);
        ctx.insert("feed_home", &super::changes::path(1).absolute(&data.base));
        ctx.insert("updated", &updated);
        ctx.insert("entries", &entries);
        let text = self.render_template("atom.xml", &ctx)?;
        Ok(OutFile {
            path: super::changes::FEED_FILE.into(),
            bytes: text.into_bytes(),
        })
    }

    fn sitemap_context(&self) -> Context {
        let mut urls: Vec<SitemapUrl> = Vec::new();
        for job in self.jobs() {
            // A redirect is not a page of its own to index.
            if matches!(job, Job::Redirect(..)) {
                continue;
            }
            let Some(path) = self.path_of(&job) else {
                continue;
            };
            let lastmod = self.lastmod(&job).map(|d| d.to_string());
            let alternates = super::languages::alternates(self.data, &job, &path);
            if alternates.is_empty() {
                urls.push(SitemapUrl {
                    loc: path.absolute(&self.data.base),
                    lastmod,
                    alternates,
                });
                continue;
            }
            // Every language's URL of the page, each listing them all.
            for alt in &alternates {
                urls.push(SitemapUrl {
                    loc: alt.href.clone(),
                    lastmod: lastmod.clone(),
                    alternates: alternates.clone(),
                });
            }
        }
        let mut ctx = self.absolute_context();
        ctx.insert("urls", &urls);
        ctx.insert("multilingual", &self.data.config.view.is_multilingual());
        ctx
    }

    /// When a page last changed: an entity's own date; for a page listing
    /// entities, the newest of theirs.
    fn lastmod(&self, job: &Job) -> Option<crate::content::model::Date> {
        let e = self.data.entities;
        let newest = |keep: &dyn Fn(&Entity) -> bool| {
            e.iter().filter(|x| keep(x)).filter_map(feed_date).max()
        };
        // Every page of a listing changes with any entry of it: entries
        // move between pages.
        if let Some((listing, _)) = job.listing() {
            let key = listing.key(sym);
            self.data.reads.record(Key::ListingNewest(key));
            return self.listed(&listing).newest;
        }
        match job {
            Job::Entity(i) => feed_date(&e[*i]),
            _ => newest(&|_| true),
        }
    }

    pub(super) fn absolute_context(&self) -> Context {
        let config = self.data.config;
        let mut ctx = Context::new();
        ctx.insert(
            "site",
            &SiteView {
                title: config.title.clone(),
                description: config.description.clone(),
                base_url: config.base_url.clone(),
                language: config.language.clone(),
                dir: config.dir(),
                extra: config.extra.clone(),
            },
        );
        ctx.insert("base", &self.data.base);
        ctx.insert("feed_url", &format!("{}atom.xml", self.data.base));
        ctx.insert("sitemap_url", &format!("{}sitemap.xml", self.data.base));
        ctx
    }

    /// `search-index.js`: see [`super::search_index`].
    fn search_index(&self) -> OutFile {
        super::search_index::file(self.data)
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

/// The date an entity appears under in feeds and the sitemap.
pub fn feed_date(e: &Entity) -> Option<crate::content::model::Date> {
    match (e.updated.map(|u| u.first), e.date()) {
        (Some(u), Some(d)) => Some(u.max(d)),
        (u, d) => u.or(d),
    }
}

fn insert_frame(ctx: &mut Context, frame: &Frame) {
    if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(frame) {
        for (k, v) in map {
            if k != "site" {
                ctx.insert(k, &v);
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    pub kind: &'static str,
    pub title: String,
    pub href: String,
    pub count: usize,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HomeView {
    pub title: String,
    pub summary: Option<String>,
    pub body: String,
}

/// One Atom entry, for the site feed and the per-entity feeds.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FeedEntry {
    pub(crate) title: String,
    pub(crate) url: String,
    pub(crate) kind: &'static str,
    pub(crate) updated: String,
    pub(crate) summary: String,
}

#[derive(Debug, Clone, Serialize)]
struct SitemapUrl {
    loc: String,
    lastmod: Option<String>,
    /// `xhtml:link` alternates, on a multilingual site.
    alternates: Vec<super::languages::Alternate>,
}

/// Days without an event beyond which the timeline marks a quiet spell.
const QUIET_DAYS: i64 = 60;

/// "5 months without a meeting or proposal", for a gap of `days` days
/// between two events of the timeline; none for a short gap.
fn quiet_spell(t: &crate::i18n::Catalog, days: i64) -> Option<String> {
    if days <= QUIET_DAYS {
        return None;
    }
    let months = usize::try_from((days + 15) / 30).unwrap_or(0);
    Some(if months >= 24 {
        t.plural("quiet_years", months / 12)
    } else {
        t.plural("quiet_months", months)
    })
}
