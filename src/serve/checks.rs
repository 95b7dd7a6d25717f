//! SERVE: the content diagnostics of the current state, kept per entity,
//! so an edit checks again only the pages it can change — the edited
//! ones, those whose Markdown or backlinks changed — and everything only
//! when something every page's checks read changed: a title or alias
//! ("did you mean" hints), an actor's name (lint finds actors in text),
//! or the newest date (lint's staleness check).

use std::collections::BTreeSet;

use super::derived::{Changes, Derived};
use crate::config::Config;
use crate::content::model::{EntityIdx, Kind};
use crate::diag::Diagnostic;
use crate::resolve::lint::Lint;
use crate::resolve::{self, warnings};

/// Each entity's diagnostics, as a full build finds them.
pub struct Checks {
    /// Typed-ref problems, with hints.
    resolve: Vec<Vec<Diagnostic>>,
    /// Broken refs in each entity's Markdown, with hints.
    markdown: Vec<Vec<Diagnostic>>,
    /// Broken refs in the home page's Markdown, with hints.
    home: Vec<Diagnostic>,
    /// Editorial warnings about each entity's own content.
    warnings: Vec<Vec<Diagnostic>>,
    lint: Vec<Vec<Diagnostic>>,
    linter: Lint,
    /// Entities the site menu links to.
    menu_linked: Vec<EntityIdx>,
}

impl Checks {
    pub fn new(d: &Derived, config: &Config) -> Self {
        let every: Vec<EntityIdx> = (0..d.entities.len()).collect();
        let linter = Lint::new(&d.entities, config);
        let menu: Vec<String> = config.menu.iter().map(|m| m.url.clone()).collect();
        Checks {
            resolve: every
                .iter()
                .map(|&i| hinted(d, &d.resolve_diags[i]))
                .collect(),
            markdown: every
                .iter()
                .map(|&i| hinted(d, &d.prepared[i].diagnostics))
                .collect(),
            home: home_hinted(d),
            warnings: every.iter().map(|&i| own_warnings(d, i)).collect(),
            lint: every
                .iter()
                .map(|&p| linter.page(&d.entities, &d.relations, p))
                .collect(),
            linter,
            menu_linked: warnings::linked_from_menu(&menu, &d.entities),
        }
    }

    /// Checks again what the patch `c` can have changed.
    pub fn update(&mut self, d: &Derived, config: &Config, c: &Changes) {
        let touched: BTreeSet<EntityIdx> = c.edited.union(&c.prepared).copied().collect();
        // A new title or alias can be the better "did you mean".
        let hint_again: Vec<EntityIdx> = if c.names {
            (0..d.entities.len())
                .filter(|&i| {
                    !d.resolve_diags[i].is_empty() || !d.prepared[i].diagnostics.is_empty()
                })
                .chain(touched.iter().copied())
                .collect()
        } else {
            touched.iter().copied().collect()
        };
        for i in hint_again {
            self.resolve[i] = hinted(d, &d.resolve_diags[i]);
            self.markdown[i] = hinted(d, &d.prepared[i].diagnostics);
        }
        if c.names || c.home {
            self.home = home_hinted(d);
        }
        for &i in &c.edited {
            self.warnings[i] = own_warnings(d, i);
        }
        self.relint(d, config, c, &touched);
    }

    /// Lints again the pages whose lint can have changed: those an edit
    /// touched or whose backlinks changed, and pages citing an edited
    /// source (staleness reads sources' dates); every page when what all
    /// of them read changed.
    fn relint(&mut self, d: &Derived, config: &Config, c: &Changes, touched: &BTreeSet<EntityIdx>) {
        let pages: Vec<EntityIdx> = if self.linter.is_current(&d.entities, c.actor_names) {
            let mut pages = touched.clone();
            pages.extend(&c.relations);
            for &s in c
                .edited
                .iter()
                .filter(|&&s| d.entities[s].kind == Kind::Source)
            {
                pages.extend(d.relations[s].cited_by_facts.iter().map(|(p, _)| *p));
            }
            pages.into_iter().collect()
        } else {
            self.linter = Lint::new(&d.entities, config);
            (0..d.entities.len()).collect()
        };
        for p in pages {
            self.lint[p] = self.linter.page(&d.entities, &d.relations, p);
        }
    }

    /// Typed-ref problems of every entity.
    pub fn resolve(&self) -> impl Iterator<Item = &Diagnostic> {
        self.resolve.iter().flatten()
    }

    /// Editorial warnings about every entity's own content.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.warnings.iter().flatten()
    }

    /// Broken refs in the Markdown of every entity and of the home page.
    pub fn markdown(&self) -> impl Iterator<Item = &Diagnostic> {
        self.markdown.iter().flatten().chain(&self.home)
    }

    /// Lint warnings of every page.
    pub fn lint(&self) -> impl Iterator<Item = &Diagnostic> {
        self.lint.iter().flatten()
    }

    /// Pages nothing links to. Read from the backlinks each time: a look
    /// at each entity, far cheaper than finding out which could change.
    pub fn orphans(&self, d: &Derived) -> Vec<Diagnostic> {
        let mut linked = self.menu_linked.clone();
        linked.extend(
            d.home_prepared
                .iter()
                .flat_map(|h| h.links_to.iter().copied()),
        );
        warnings::orphans(&d.entities, &d.relations, &linked)
    }
}

/// A copy of `raw` with "did you mean" added to refs to nothing.
fn hinted(d: &Derived, raw: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut diags = raw.to_vec();
    resolve::add_hints(&d.entities, &d.index, &mut diags);
    diags
}

fn home_hinted(d: &Derived) -> Vec<Diagnostic> {
    d.home_prepared
        .as_ref()
        .map(|h| hinted(d, &h.diagnostics))
        .unwrap_or_default()
}

fn own_warnings(d: &Derived, i: EntityIdx) -> Vec<Diagnostic> {
    warnings::content_warnings(std::slice::from_ref(&d.entities[i]))
}
