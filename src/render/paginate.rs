//! RENDER: the pages that list many entities — a kind's list, the reader
//! questions, a tag — split into numbered pages of `paginate_by` entries,
//! as Zola and Hugo do: `/actors/`, then `/actors/page/2/`, …
//!
//! On a large site this keeps each page readable and small (the questions
//! of 100,000 entities made one 100 MB page), and lets `serve` render again
//! only the pages whose entries an edit reached ([`changed_pages`]).

use std::collections::{BTreeSet, HashSet};
use std::ops::Range;

use serde::Serialize;

use super::links::{Linker, SitePath};
use super::site_pages::Job;
use super::site_pages::feed_date;
use super::views::SiteData;
use crate::content::model::{Date, EntityIdx, Kind};

/// A page listing entities, whatever page of it is meant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Listing {
    /// `/actors/`, `/meetings/`, …
    Kind(Kind),
    /// `/questions/`: the entities with reader questions.
    Questions,
    /// `/tags/<slug>/`.
    Tag(String),
}

impl Listing {
    /// The job rendering page `number` (from 1) of this listing.
    pub fn job(&self, number: usize) -> Job {
        match self {
            Listing::Kind(k) => Job::List(*k, number),
            Listing::Questions => Job::Questions(number),
            Listing::Tag(t) => Job::Tag(t.clone(), number),
        }
    }

    /// The listing as a [`Key`](super::site::Key) names it.
    pub fn key(&self, sym: impl Fn(&str) -> super::site::Sym) -> super::site::ListingKey {
        use super::site::ListingKey;
        match self {
            Listing::Kind(k) => ListingKey::Kind(*k),
            Listing::Questions => ListingKey::Questions,
            Listing::Tag(t) => ListingKey::Tag(sym(t)),
        }
    }

    /// Where page `number` lives: the first page at the listing's own
    /// path, the others under `page/<n>/`, as in Zola and Hugo.
    pub fn path(&self, number: usize) -> SitePath {
        let n = number.to_string();
        let mut segments: Vec<&str> = match self {
            Listing::Kind(k) => vec![k.dir()],
            Listing::Questions => vec!["questions"],
            Listing::Tag(t) => vec!["tags", t],
        };
        if number > 1 {
            segments.extend(["page", &n]);
        }
        SitePath::of(&segments)
    }
}

impl Job {
    /// The listing a job renders a page of, with the page's number.
    pub fn listing(&self) -> Option<(Listing, usize)> {
        match self {
            Job::List(k, n) => Some((Listing::Kind(*k), *n)),
            Job::Questions(n) => Some((Listing::Questions, *n)),
            Job::Tag(t, n) => Some((Listing::Tag(t.clone()), *n)),
            _ => None,
        }
    }
}

/// A listing's entries in order, and what every page of it shows or says
/// of the whole listing: worked out once per render pass (every page needs
/// them), and kept by `serve` to find the pages an edit moves entries across.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub members: Vec<EntityIdx>,
    /// See [`totals`].
    pub totals: [usize; 2],
    /// The newest date of an entry: every page's `lastmod` in the sitemap,
    /// since entries move between pages.
    pub newest: Option<Date>,
}

impl Listed {
    pub fn of(data: &SiteData<'_>, listing: &Listing) -> Self {
        let members = members(data, listing);
        let totals = totals(data, listing, &members);
        let newest = members
            .iter()
            .filter_map(|&i| feed_date(&data.entities[i]))
            .max();
        Listed {
            members,
            totals,
            newest,
        }
    }
}

/// The entries of a listing, in the order its pages show them: meetings
/// and sources newest first, other kinds by `weight` then as readers look
/// them up (see [`sort_name`]); the
/// pages with questions and a tag's pages in site order.
fn members(data: &SiteData<'_>, listing: &Listing) -> Vec<EntityIdx> {
    let e = data.entities;
    match listing {
        Listing::Kind(kind) => {
            let mut members: Vec<EntityIdx> =
                (0..e.len()).filter(|&i| e.kind(i) == *kind).collect();
            match kind {
                Kind::Meeting | Kind::Source => members.sort_by(|&a, &b| {
                    e[b].date()
                        .cmp(&e[a].date())
                        .then(e[a].title.cmp(&e[b].title))
                }),
                _ => members
                    .sort_by_cached_key(|&i| (e[i].weight.unwrap_or(i64::MAX), sort_name(&e[i]))),
            }
            members
        }
        Listing::Questions => (0..e.len())
            .filter(|&i| !e[i].questions.is_empty())
            .collect(),
        Listing::Tag(slug) => data.tags.members(slug).to_vec(),
    }
}

/// The key a list sorts a page under, as a reader looks for it: a person
/// by surname (the last word of the title) then the whole name, anything
/// else by its title; case is ignored.
fn sort_name(e: &crate::content::model::Entity) -> String {
    use crate::content::model::{ActorType, KindData};
    let person = matches!(&e.data, KindData::Actor(a) if a.actor_type == Some(ActorType::Person));
    name_key(&e.title, person)
}

fn name_key(title: &str, person: bool) -> String {
    let title = title.to_lowercase();
    match title.split_whitespace().last() {
        Some(surname) if person => format!("{surname} {title}"),
        _ => title,
    }
}

/// What every page of a listing shows of the listing as a whole, besides
/// how many entries it has: the answered and open counts of `/questions/`
/// (zeros for the other listings).
fn totals(data: &SiteData<'_>, listing: &Listing, members: &[EntityIdx]) -> [usize; 2] {
    if *listing != Listing::Questions {
        return [0, 0];
    }
    let answers = members
        .iter()
        .flat_map(|&i| data.entities[i].questions.iter().map(|q| &q.answer));
    let answered = answers.clone().filter(|a| a.is_some()).count();
    [answered, answers.count() - answered]
}

/// How many pages `total` entries take with `per_page` on each (0: all on
/// one). An empty listing still has its first page.
pub fn page_count(total: usize, per_page: usize) -> usize {
    if per_page == 0 {
        1
    } else {
        total.div_ceil(per_page).max(1)
    }
}

/// The entries on page `number` (from 1) of `total`.
pub fn page_range(total: usize, per_page: usize, number: usize) -> Range<usize> {
    if per_page == 0 {
        return 0..total;
    }
    let start = number.saturating_sub(1).saturating_mul(per_page).min(total);
    start..(start + per_page).min(total)
}

/// The pages of a listing that can show something different now that its
/// entries went from `old` to `new`: every page whose slice of entries
/// differs, and the pages holding an entry in `touched` (whose title or
/// summary may have changed in place); every page when the number of
/// entries changed, since each page shows it. Pages past the new last
/// page are not included: they are gone.
pub fn changed_pages(
    old: &[EntityIdx],
    new: &[EntityIdx],
    touched: &HashSet<EntityIdx>,
    per_page: usize,
) -> BTreeSet<usize> {
    let count = page_count(new.len(), per_page);
    if old.len() != new.len() {
        return (1..=count).collect();
    }
    (1..=count)
        .filter(|&n| {
            let fresh = &new[page_range(new.len(), per_page, n)];
            let before = old.get(page_range(old.len(), per_page, n));
            before != Some(fresh) || fresh.iter().any(|i| touched.contains(i))
        })
        .collect()
}

/// Where a page sits among the pages of its listing; the templates'
/// `paginator` (the same names as Zola's).
#[derive(Debug, Clone, Serialize)]
pub struct Paginator {
    /// This page's number, from 1.
    pub current_index: usize,
    /// How many pages the listing has.
    pub number_pagers: usize,
    /// Entries per page; 0 when the listing is not split.
    pub paginate_by: usize,
    /// Entries over all the pages.
    pub total_items: usize,
    pub first: String,
    pub last: String,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Paginator {
    pub fn new(
        listing: &Listing,
        number: usize,
        total: usize,
        per_page: usize,
        linker: &Linker,
    ) -> Self {
        Paginator::at(number, total, per_page, |n| linker.href(&listing.path(n)))
    }

    /// The paginator of a list of anything whose page `n` is at `href(n)`.
    pub fn at(
        number: usize,
        total: usize,
        per_page: usize,
        href: impl Fn(usize) -> String,
    ) -> Self {
        let count = page_count(total, per_page);
        Paginator {
            current_index: number,
            number_pagers: count,
            paginate_by: per_page,
            total_items: total,
            first: href(1),
            last: href(count),
            previous: (number > 1).then(|| href(number - 1)),
            next: (number < count).then(|| href(number + 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_sort_by_surname_and_the_rest_by_name() {
        let mut names = [
            ("Volodymyr Zelensky", true),
            ("Andrii Sybiha", true),
            ("Coalition of the Willing", false),
            ("Jared Kushner", true),
            ("Charles Kushner", true),
        ];
        names.sort_by_key(|&(t, p)| name_key(t, p));
        let order: Vec<&str> = names.iter().map(|n| n.0).collect();
        assert_eq!(
            order,
            [
                "Coalition of the Willing",
                "Charles Kushner",
                "Jared Kushner",
                "Andrii Sybiha",
                "Volodymyr Zelensky"
            ]
        );
    }

    #[test]
    fn pages_split_the_entries_in_order() {
        assert_eq!(page_count(0, 3), 1);
        assert_eq!(page_count(3, 3), 1);
        assert_eq!(page_count(7, 3), 3);
        assert_eq!(page_count(7, 0), 1);
        assert_eq!(page_range(7, 3, 1), 0..3);
        assert_eq!(page_range(7, 3, 3), 6..7);
        assert_eq!(page_range(7, 0, 1), 0..7);
        assert_eq!(page_range(7, 3, 9), 7..7);
    }

    #[test]
    fn later_pages_live_under_page_n() {
        let l = Listing::Tag("energy".into());
        assert_eq!(
            l.path(1).output_file().to_string_lossy(),
            "tags/energy/index.html"
        );
        assert_eq!(
            l.path(3).output_file().to_string_lossy(),
            "tags/energy/page/3/index.html"
        );
    }

    #[test]
    fn only_pages_whose_entries_moved_or_changed_are_rendered_again() {
        let none = HashSet::new();
        let old = [0, 1, 2, 3, 4, 5, 6];
        // Nothing moved, nothing touched.
        assert!(changed_pages(&old, &old, &none, 3).is_empty());
        // Entry 4 changed in place: its page only.
        assert_eq!(
            changed_pages(&old, &old, &HashSet::from([4]), 3),
            BTreeSet::from([2])
        );
        // Entry 1 moved to the end: every page from its old place on.
        let moved = [0, 2, 3, 4, 5, 6, 1];
        assert_eq!(
            changed_pages(&old, &moved, &none, 3),
            BTreeSet::from([1, 2, 3])
        );
        // The last entry left: every page shows the new count; the last
        // page is gone.
        assert_eq!(
            changed_pages(&old, &old[..6], &none, 3),
            BTreeSet::from([1, 2])
        );
    }
}
