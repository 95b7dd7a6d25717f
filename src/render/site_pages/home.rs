//! RENDER: what the pages that gather entities show — the home page's
//! text, sections and latest meetings, a kind's list, the timeline by month,
//! the question groups and the tags.

use serde::Serialize;

use super::Pages;
use crate::content::model::{EntityIdx, Kind, Precision};
use crate::render::context::{Item, QuestionGroup, TagLink, TimelineMonth};
use crate::render::links::{Linker, SitePath, tag_slug};
use crate::render::markdown;
use crate::render::paginate::page_range;
use crate::render::views::question_views;
use crate::render::{Prepared, dates};

/// Newest items in the feed and on the home page come first.
pub(super) const HOME_LATEST: usize = 6;

impl Pages<'_> {
    /// Page `number` of a kind's list, whose entries in order are `members`.
    pub(super) fn section(
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

    pub(super) fn sections_summary(&self, linker: &Linker) -> Vec<SectionView> {
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

    pub(super) fn home_view(&self) -> HomeView {
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

    pub(super) fn latest_meetings(&self, linker: &Linker, n: usize) -> Vec<Item> {
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
    pub(super) fn timeline(&self, linker: &Linker) -> Vec<TimelineMonth> {
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
                    dates::month_year(self.data.words(), &when.first),
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
    pub(super) fn question_groups(
        &self,
        on_page: &[EntityIdx],
        linker: &Linker,
    ) -> Vec<QuestionGroup> {
        let e = self.data.entities;
        on_page
            .iter()
            .map(|&i| {
                let answers = self.answers(i, linker);
                let prepared = Prepared {
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

    pub(super) fn tag_by_slug(&self, linker: &Linker, slug: &str) -> TagLink {
        let members = self.data.tags.members(slug);
        let first = members.first().map(|&i| &self.data.entities[i]);
        let name = first
            .and_then(|e| e.tags.iter().find(|t| tag_slug(t) == slug))
            .cloned()
            .unwrap_or_else(|| slug.to_owned());
        self.data.tag_link(linker, &name)
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
