//! RENDER: the files that list the site for other programs — the Atom
//! feeds, the sitemap, robots.txt and the search index — and the 404 page,
//! whose links are absolute because it is served at any depth.

use serde::Serialize;
use tera::Context;

use super::page::insert_frame;
use super::{Job, Pages};
use crate::content::model::{Entity, EntityIdx};
use crate::diag::Diagnostic;
use crate::render::OutFile;
use crate::render::context::SiteView;
use crate::render::links::{Linker, SitePath};
use crate::render::site::{Key, sym};
use crate::render::{changes, jsonld, languages, report, search_index};

impl Pages<'_> {
    /// The 404 page is served at any URL depth, so its links are absolute
    /// paths under `base_url` rather than relative.
    pub(super) fn not_found(&self) -> Result<OutFile, Diagnostic> {
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
            .map(|to| report::href(to, &frame.page_title, &frame.permalink));
        frame.jsonld = jsonld::for_job(self.data, &Job::NotFound, &frame);
        let mut ctx = Context::new();
        ctx.insert("site", &frame.site);
        insert_frame(&mut ctx, &frame);
        let html = self.render_template("404.html", &ctx)?;
        Ok(OutFile {
            backing: None,
            path: "404.html".into(),
            bytes: html.into_bytes(),
        })
    }

    pub(super) fn file(&self, template: &str, ctx: Context) -> Result<OutFile, Diagnostic> {
        let text = self.render_template(template, &ctx)?;
        Ok(OutFile {
            backing: None,
            path: template.into(),
            bytes: text.into_bytes(),
        })
    }

    /// Entries for the Atom feed: the newest meetings and updated pages.
    pub(super) fn feed_context(&self) -> Context {
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
    pub(super) fn changes_feed(&self) -> Result<OutFile, Diagnostic> {
        let data = self.data;
        let mut order = changes::site_order(data);
        order.truncate(data.config.feed_limit);
        let entries = changes::feed_entries(data, &order);
        let mut ctx = self.absolute_context();
        let updated = entries
            .first()
            .map(|x| x.updated.clone())
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
        ctx.insert("feed_url", &format!("{}{}", data.base, changes::FEED_FILE));
        let title = data
            .config
            .strings
            .fill("changes_feed_title", &[("site", &data.config.title)]);
        ctx.insert("feed_title", &title);
        ctx.insert("feed_home", &changes::path(1).absolute(&data.base));
        ctx.insert("updated", &updated);
        ctx.insert("entries", &entries);
        let text = self.render_template("atom.xml", &ctx)?;
        Ok(OutFile {
            backing: None,
            path: changes::FEED_FILE.into(),
            bytes: text.into_bytes(),
        })
    }

    pub(super) fn sitemap_context(&self) -> Context {
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
            let alternates = languages::alternates(self.data, &job, &path);
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

    pub(in crate::render) fn absolute_context(&self) -> Context {
        let config = self.data.config;
        let mut ctx = Context::new();
        ctx.insert("site", &SiteView::of(config));
        ctx.insert("base", &self.data.base);
        ctx.insert("feed_url", &format!("{}atom.xml", self.data.base));
        ctx.insert("sitemap_url", &format!("{}sitemap.xml", self.data.base));
        ctx
    }

    /// `search-index.js`: see [`crate::render::search_index`].
    pub(super) fn search_index(&self) -> OutFile {
        search_index::file(self.data)
    }
}

/// The date an entity appears under in feeds and the sitemap.
pub fn feed_date(e: &Entity) -> Option<crate::content::model::Date> {
    match (e.updated.map(|u| u.first), e.date()) {
        (Some(u), Some(d)) => Some(u.max(d)),
        (u, d) => u.or(d),
    }
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
    alternates: Vec<languages::Alternate>,
}
