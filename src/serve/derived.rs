//! SERVE: everything the pipeline computes from the entities — resolved
//! refs, relations, rendered Markdown, tags — built once, then patched
//! after each edit that keeps every page in place.
//!
//! A patch re-resolves only the edited entities (an edit that keeps every
//! id cannot change where another ref points), moves only their backlinks
//! ([`resolve::patch`]), renders again only the Markdown that can show
//! them, and returns [`Changes`]: what moved, from which
//! [`super::affected`] chooses the pages to render again and
//! [`super::checks`] the pages to check again.

use std::collections::{BTreeMap, BTreeSet};

use super::affected::figure_reach;
use crate::cmd::CompileOptions;
use crate::config::Config;
use crate::content::model::{Date, Entity, EntityIdx, Kind, KindData};
use crate::diag::Diagnostic;
use crate::render::links::tag_slug;
use crate::render::markdown::Autolinker;
use crate::render::site_pages::feed_date;
use crate::render::{self, Prepared, Tables, views, visuals};
use crate::resolve::{self, Index, Relations, patch::Patch};

/// Everything computed from the entities, kept to be patched.
pub struct Derived {
    /// The entities of this build (drafts left out unless `--drafts`),
    /// refs resolved.
    pub entities: Vec<Entity>,
    pub index: Index,
    pub relations: Relations,
    /// Each entity's typed-ref problems, without "did you mean" hints.
    pub resolve_diags: Vec<Vec<Diagnostic>>,
    pub tables: Tables,
    pub prepared: Vec<Prepared>,
    pub home_prepared: Option<Prepared>,
    pub tag_counts: BTreeMap<String, usize>,
    pub tag_members: BTreeMap<String, Vec<EntityIdx>>,
}

/// One edited entity: its place, and its parsed text before and after
/// (refs not resolved, as `content::parse_file` gives them).
pub struct Edit {
    pub i: EntityIdx,
    pub old: Entity,
    pub new: Entity,
}

/// What a patch changed.
#[derive(Debug, Default)]
pub struct Changes {
    pub edited: BTreeSet<EntityIdx>,
    /// Entities whose face ([`Face`]) changed: pages listing or linking
    /// them show it.
    pub faces: BTreeSet<EntityIdx>,
    /// Entities whose rendered Markdown changed.
    pub prepared: BTreeSet<EntityIdx>,
    /// Entities whose backlinks changed.
    pub relations: BTreeSet<EntityIdx>,
    /// Slugs of the tags whose pages list a changed face.
    pub listed_on: BTreeSet<String>,
    /// Slugs of the tags whose members changed.
    pub recounted: BTreeSet<String>,
    /// The home page's text or rendered Markdown changed.
    pub home: bool,
    /// Something `/questions/` shows changed.
    pub questions: bool,
    /// A date the sitemap shows, which pages have questions, or the set of
    /// tags changed.
    pub sitemap: bool,
    /// The face of a page with a feed date changed: the site feed lists
    /// only such pages.
    pub feed: bool,
    /// A meeting's or proposal's front matter changed: the timeline export.
    pub timeline_export: bool,
    /// What figures read of an entity changed ([`visuals::Inputs`]).
    pub figures: bool,
    /// Pages whose figures can show an entity whose figure inputs changed,
    /// before or after the edit ([`figure_reach`]).
    pub figure_pages: BTreeSet<EntityIdx>,
    /// A title or alias changed: "did you mean" hints can change.
    pub names: bool,
    /// An actor's title, alias or type changed: lint finds actors by name.
    pub actor_names: bool,
}

impl Derived {
    pub fn empty(config: &Config) -> Self {
        Derived {
            entities: Vec::new(),
            index: Index::default(),
            relations: Vec::new(),
            resolve_diags: Vec::new(),
            tables: Tables::new(&[], config),
            prepared: Vec::new(),
            home_prepared: None,
            tag_counts: BTreeMap::new(),
            tag_members: BTreeMap::new(),
        }
    }

    /// Resolves and renders the Markdown of every entity.
    pub fn build(
        all: &[Entity],
        home: Option<&Entity>,
        unparsed: &[(String, String)],
        config: &Config,
        options: &CompileOptions,
    ) -> Self {
        let (mut entities, drafts): (Vec<Entity>, Vec<Entity>) = all
            .iter()
            .cloned()
            .partition(|e| options.drafts || !e.draft);
        let index = Index::new(&entities, &drafts).with_unparsed(unparsed);
        let tables = Tables::new(&entities, config);
        let resolve_diags: Vec<Vec<Diagnostic>> = entities
            .iter_mut()
            .map(|e| {
                let mut diags = Vec::new();
                resolve::resolve_refs(e, &index, &tables.kinds, &mut diags);
                diags
            })
            .collect();
        let mut relations = resolve::relations(&entities);
        let md_site = tables.markdown(&entities, &index);
        let every: Vec<EntityIdx> = (0..entities.len()).collect();
        let prepared = render::prepare_many(&md_site, &every, config.pretty_links);
        let home_prepared = home.map(|h| render::prepare_home(&md_site, h, config.pretty_links));
        render::add_mentions(&mut relations, &prepared);
        let tag_members = render::tag_members(&entities);
        let tag_counts = render::tag_counts(&tag_members);
        Derived {
            entities,
            index,
            relations,
            resolve_diags,
            tables,
            prepared,
            home_prepared,
            tag_counts,
            tag_members,
        }
    }

    /// Patches everything after entities changed in place (and the home
    /// page, when `home_edited`); returns what changed.
    pub fn patch(
        &mut self,
        edits: &[Edit],
        home: Option<&Entity>,
        home_edited: bool,
        config: &Config,
    ) -> Changes {
        let mut changes = Changes::of(edits, config);
        let names = autolinked_names(edits, config);
        // Before the relations move: mentions are still the old Markdown's.
        let again = self.to_prepare_again(&changes, &names);
        let figure_edits: Vec<EntityIdx> = edits
            .iter()
            .filter(|e| visuals::Inputs::of(&e.old) != visuals::Inputs::of(&e.new))
            .map(|e| e.i)
            .collect();
        changes.figures = !figure_edits.is_empty();
        changes.figure_pages = figure_reach(&self.entities, &self.relations, &figure_edits);

        // Taken out while it is patched, to be read and patched at once.
        let mut relations = std::mem::take(&mut self.relations);
        let mut patch = Patch::new(&mut relations);
        self.replace(edits, &mut patch);
        if !names.is_empty() {
            self.tables.autolinker = Autolinker::new(&self.entities, config.autolink);
        }
        self.prepare_again(&again, config, &mut patch, &mut changes);
        if home_edited || self.home_shows(home, &names, &changes.faces) {
            changes.home = true;
            let md_site = self.tables.markdown(&self.entities, &self.index);
            self.home_prepared =
                home.map(|h| render::prepare_home(&md_site, h, config.pretty_links));
        }
        changes.relations = patch.changed();
        self.relations = relations;

        for e in edits.iter().filter(|e| e.old.tags != e.new.tags) {
            retag(&mut self.tag_members, &mut self.tag_counts, e);
        }
        changes
            .figure_pages
            .extend(figure_reach(&self.entities, &self.relations, &figure_edits));
        changes
    }

    /// Puts the edited entities in place, refs resolved, and moves their
    /// backlinks.
    fn replace(&mut self, edits: &[Edit], patch: &mut Patch<'_>) {
        for e in edits {
            patch.unlink(&self.entities[e.i], e.i);
        }
        for e in edits {
            let mut fresh = e.new.clone();
            let mut diags = Vec::new();
            resolve::resolve_refs(&mut fresh, &self.index, &self.tables.kinds, &mut diags);
            self.entities[e.i] = fresh;
            self.resolve_diags[e.i] = diags;
        }
        for e in edits {
            patch.link(&self.entities, e.i);
        }
        if edits.iter().any(moves_meeting) {
            patch.reorder_meetings(&self.entities);
        }
    }

    /// Renders the Markdown of `again` anew; keeps and records what changed,
    /// with the mentions it finds.
    fn prepare_again(
        &mut self,
        again: &[EntityIdx],
        config: &Config,
        patch: &mut Patch<'_>,
        changes: &mut Changes,
    ) {
        let md_site = self.tables.markdown(&self.entities, &self.index);
        let fresh = render::prepare_many(&md_site, again, config.pretty_links);
        for (&i, p) in again.iter().zip(fresh) {
            let old = &self.prepared[i];
            if *old != p {
                // Answers render alike on every page but for their links'
                // depth: if the entity page's changed, `/questions/`'s did.
                changes.questions |= old.answers != p.answers;
                patch.mentions(i, &old.links_to, &p.links_to);
                changes.prepared.insert(i);
                self.prepared[i] = p;
            }
        }
    }

    /// Whether the home page's Markdown can render differently: it links a
    /// changed face, or holds a renamed actor's name.
    fn home_shows(
        &self,
        home: Option<&Entity>,
        names: &[String],
        faces: &BTreeSet<EntityIdx>,
    ) -> bool {
        let links_face = self
            .home_prepared
            .as_ref()
            .is_some_and(|h| h.links_to.iter().any(|t| faces.contains(t)));
        links_face || home.is_some_and(|h| mentions_any(&h.body.source, names))
    }

    /// Entities whose Markdown can render differently after the edits: the
    /// edited ones, those whose text links a changed face, and — when an
    /// actor's name changed and autolinking is on — those whose body holds
    /// the old or new name.
    fn to_prepare_again(&self, changes: &Changes, names: &[String]) -> Vec<EntityIdx> {
        let mut again: BTreeSet<EntityIdx> = changes.edited.clone();
        for &x in &changes.faces {
            again.extend(&self.relations[x].mentioned_by);
        }
        if !names.is_empty() {
            again.extend(
                (0..self.entities.len())
                    .filter(|&i| mentions_any(&self.entities[i].body.source, names)),
            );
        }
        again.into_iter().collect()
    }
}

impl Changes {
    /// Entities whose own page content changed: their text, their rendered
    /// Markdown or their backlinks. Their pages and their lines of
    /// `data/entities.json` are made again.
    pub fn own_pages(&self) -> BTreeSet<EntityIdx> {
        self.edited
            .iter()
            .chain(&self.prepared)
            .chain(&self.relations)
            .copied()
            .collect()
    }

    /// What the edits change, as far as the entities alone tell.
    fn of(edits: &[Edit], config: &Config) -> Self {
        let mut c = Changes::default();
        for Edit { i, old, new } in edits {
            c.edited.insert(*i);
            let slugs = |e: &Entity| e.tags.iter().map(|t| tag_slug(t)).collect::<Vec<_>>();
            let face_changed = Face::of(old) != Face::of(new);
            let has_questions = !old.questions.is_empty() || !new.questions.is_empty();
            if face_changed {
                c.faces.insert(*i);
                c.feed |= feed_date(old).is_some() || feed_date(new).is_some();
                c.listed_on.extend(slugs(old).into_iter().chain(slugs(new)));
            }
            if old.tags != new.tags {
                c.recounted.extend(slugs(old).into_iter().chain(slugs(new)));
            }
            c.questions |= old.questions != new.questions || (face_changed && has_questions);
            c.sitemap |= feed_date(old) != feed_date(new)
                || old.tags != new.tags
                || old.questions.is_empty() != new.questions.is_empty();
            c.timeline_export |=
                matches!(new.kind, Kind::Meeting | Kind::Proposal) && !same_front_matter(old, new);
            let renamed = old.title != new.title || old.aliases != new.aliases;
            c.names |= renamed;
            c.actor_names |= new.kind == Kind::Actor
                && (renamed || actor_type(old) != actor_type(new))
                && config.autolink;
        }
        c
    }
}

/// The old and new names of actors renamed while autolinking is on: the
/// Markdown of any page whose body holds one of them can change.
fn autolinked_names(edits: &[Edit], config: &Config) -> Vec<String> {
    let mut names = Vec::new();
    for Edit { old, new, .. } in edits {
        if config.autolink
            && new.kind == Kind::Actor
            && (old.title != new.title || old.aliases != new.aliases)
        {
            names.extend([old.title.clone(), new.title.clone()]);
            names.extend(old.aliases.iter().chain(&new.aliases).cloned());
        }
    }
    names
}

fn mentions_any(text: &str, names: &[String]) -> bool {
    names
        .iter()
        .any(|n| !n.is_empty() && text.contains(n.as_str()))
}

/// Whether an edit moves a meeting in date order (previous and next).
fn moves_meeting(e: &Edit) -> bool {
    let key = |x: &Entity| (x.date(), x.title.clone());
    e.new.kind == Kind::Meeting && key(&e.old) != key(&e.new)
}

fn actor_type(e: &Entity) -> Option<String> {
    match &e.data {
        KindData::Actor(a) => a.actor_type.map(|t| views::enum_name(&t)),
        _ => None,
    }
}

/// Moves entity `e.i` between the member lists of its old and new tags.
fn retag(
    members: &mut BTreeMap<String, Vec<EntityIdx>>,
    counts: &mut BTreeMap<String, usize>,
    e: &Edit,
) {
    let slugs = |x: &Entity| x.tags.iter().map(|t| tag_slug(t)).collect::<BTreeSet<_>>();
    let (old, new) = (slugs(&e.old), slugs(&e.new));
    for slug in old.difference(&new) {
        if let Some(list) = members.get_mut(slug) {
            list.retain(|x| *x != e.i);
            if list.is_empty() {
                members.remove(slug);
            }
        }
    }
    for slug in new.difference(&old) {
        let list = members.entry(slug.clone()).or_default();
        let at = list.partition_point(|x| *x < e.i);
        list.insert(at, e.i);
    }
    for slug in old.symmetric_difference(&new) {
        match members.get(slug) {
            Some(list) => counts.insert(slug.clone(), list.len()),
            None => counts.remove(slug),
        };
    }
}

/// Whether an edit left everything but the Markdown body as it was.
fn same_front_matter(old: &Entity, new: &Entity) -> bool {
    let strip = |e: &Entity| Entity {
        body: Default::default(),
        ..e.clone()
    };
    strip(old) == strip(new)
}

/// What other pages show of an entity: when this changes, the pages that
/// list or link it must be rendered again. The types are for the
/// structured data (JSON-LD) of pages naming it.
#[derive(PartialEq)]
pub struct Face<'a> {
    title: &'a str,
    summary: Option<&'a str>,
    date: Option<Date>,
    updated: Option<Date>,
    status: Option<String>,
    tags: &'a [String],
    aliases: &'a [String],
    weight: Option<i64>,
    /// A source's publisher, address and type; an actor's type.
    kind_data: (Option<&'a str>, Option<&'a str>, Option<String>),
}

impl<'a> Face<'a> {
    pub fn of(e: &'a Entity) -> Self {
        let kind_data = match &e.data {
            KindData::Source(s) => (
                s.publisher.as_deref(),
                s.url.as_deref(),
                s.source_type.map(|t| views::enum_name(&t)),
            ),
            _ => (None, None, actor_type(e)),
        };
        Face {
            title: &e.title,
            summary: e.summary.as_deref(),
            date: e.date(),
            updated: e.updated,
            status: views::status_of(e),
            tags: &e.tags,
            aliases: &e.aliases,
            weight: e.weight,
            kind_data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_file;
    use std::path::Path;

    fn entity(text: &str) -> Entity {
        parse_file(Path::new("content/actors/ada.md"), text)
            .0
            .unwrap()
    }

    #[test]
    fn retagging_keeps_members_in_entity_order_and_drops_empty_tags() {
        let old = entity("---\ntitle: Ada\ntags: [energy]\n---\n");
        let new = entity("---\ntitle: Ada\ntags: [Summits]\n---\n");
        let mut members = BTreeMap::from([
            ("energy".to_owned(), vec![1]),
            ("summits".to_owned(), vec![0, 2]),
        ]);
        let mut counts = render::tag_counts(&members);
        retag(&mut members, &mut counts, &Edit { i: 1, old, new });
        assert_eq!(
            members,
            BTreeMap::from([("summits".to_owned(), vec![0, 1, 2])])
        );
        assert_eq!(counts, render::tag_counts(&members));
    }

    #[test]
    fn a_body_edit_changes_no_face_and_no_figure() {
        let old = entity("---\ntitle: Ada\n---\nOne.");
        let new = entity("---\ntitle: Ada\n---\nTwo.");
        let c = Changes::of(&[Edit { i: 0, old, new }], &Config::default());
        assert!(c.faces.is_empty() && !c.sitemap && !c.names && !c.questions);
    }
}
