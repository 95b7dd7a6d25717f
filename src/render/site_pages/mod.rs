//! RENDER: every page of the site — home, kind lists, entity pages,
//! timeline, questions, tags, search, 404 — and the feed, sitemap, robots
//! and search index, each through its template.
//!
//! This file holds the job catalogue ([`Job`]), what every job renders from
//! ([`Pages`]), which jobs a site has, where their files go, and the dispatch
//! from a job to the code that renders it:
//!
//! - `page.rs`: a page's template context and the frame around it;
//! - `home.rs`: what the home, list, timeline, questions and tag pages show;
//! - `feeds.rs`: the Atom feeds, sitemap, robots, search index and 404 page;
//! - `stream.rs`: every job rendered in waves, each file handed on at once.

mod feeds;
mod home;
mod page;
mod stream;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tera::Context;

use super::links::SitePath;
use super::markdown;
use super::paginate::{Listed, Listing, page_count};
use super::site::{Key, sym};
use super::templates::{Templates, template_error};
use super::views::SiteData;
use super::{OutFile, RenderOptions};
use crate::content::model::{Entity, EntityIdx, Kind};
use crate::diag::Diagnostic;

pub(crate) use feeds::FeedEntry;
pub use feeds::feed_date;
pub use home::{HomeView, SectionView};

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
            Job::Card(of) => super::share_card::render(self, *of).map(|(bytes, backing)| OutFile {
                backing,
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
                // Read from the cache, unless it had to be processed again.
                backing: Some(cached.to_path_buf()).filter(|c| c.is_file()),
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

    fn per_page(&self) -> usize {
        self.data.config.paginate_by
    }
}
