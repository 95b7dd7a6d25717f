//! RESOLVE: turn every typed ref into an entity index, and build every
//! relation so it can be shown from both ends.
//!
//! Input: the parsed entities. Output: the same entities with `Ref::target`
//! filled in, a [`Relations`] table (backlinks per entity), and diagnostics
//! for refs to nothing, ambiguous slugs and refs of the wrong kind. Refs
//! inside Markdown are resolved during rendering against the same [`Index`].

pub mod facts;
pub mod index;
pub mod lint;
pub mod warnings;

use std::path::Path;

use crate::content::model::*;
use crate::diag::Diagnostic;
pub use index::{Index, Lookup};

/// Everything that points at one entity, grouped by relation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backlinks {
    /// Meetings this actor took part in, with its role there.
    pub attended: Vec<(EntityIdx, Option<String>)>,
    pub hosted: Vec<EntityIdx>,
    pub proposed: Vec<EntityIdx>,
    pub supports: Vec<EntityIdx>,
    pub opposes: Vec<EntityIdx>,
    /// Groups that list this actor in `members`.
    pub member_of: Vec<EntityIdx>,
    /// Actors whose `affiliation` is this one.
    pub affiliates: Vec<EntityIdx>,
    /// Meetings that discussed this proposal.
    pub discussed_in: Vec<EntityIdx>,
    /// Facts citing this source: the page and the fact label.
    pub cited_by_facts: Vec<(EntityIdx, String)>,
    /// Pages listing this source in `sources`.
    pub cited_by_pages: Vec<EntityIdx>,
    /// Pages whose text links here (`[[ref]]` or an autolink).
    pub mentioned_by: Vec<EntityIdx>,
    pub previous_meeting: Option<EntityIdx>,
    pub next_meeting: Option<EntityIdx>,
}

impl Backlinks {
    /// Entities that point here through a relation or a mention (not a
    /// citation), each as often as it is listed.
    pub fn related(&self) -> impl Iterator<Item = EntityIdx> + '_ {
        self.typed().chain(self.mentioned_by.iter().copied())
    }

    /// Entities that point here through a typed ref (not a citation or a
    /// mention): what relation maps, timelines and stance matrices read.
    pub fn typed(&self) -> impl Iterator<Item = EntityIdx> + '_ {
        self.attended
            .iter()
            .map(|(m, _)| *m)
            .chain(self.hosted.iter().copied())
            .chain(self.proposed.iter().copied())
            .chain(self.supports.iter().copied())
            .chain(self.opposes.iter().copied())
            .chain(self.member_of.iter().copied())
            .chain(self.affiliates.iter().copied())
            .chain(self.discussed_in.iter().copied())
    }

    /// Every entity a page shows through its backlinks: relations,
    /// mentions, citations and the previous and next meeting.
    pub fn shown(&self) -> impl Iterator<Item = EntityIdx> + '_ {
        self.related()
            .chain(self.cited_by_facts.iter().map(|(p, _)| *p))
            .chain(self.cited_by_pages.iter().copied())
            .chain(self.previous_meeting)
            .chain(self.next_meeting)
    }
}

/// Backlinks of every entity, by entity index.
pub type Relations = Vec<Backlinks>;

/// Resolves every typed ref in place and returns the relations.
pub fn resolve(entities: &mut [Entity], index: &Index, diags: &mut Vec<Diagnostic>) -> Relations {
    let snapshot: Vec<(String, Kind, String)> = entities
        .iter()
        .map(|e| (e.id.clone(), e.kind, e.slug.clone()))
        .collect();
    let resolver = Resolver {
        index,
        kinds: &snapshot,
        print: Default::default(),
    };
    for e in entities.iter_mut() {
        resolve_entity(e, &resolver, diags);
    }
    add_hints(entities, index, diags);
    relations(entities)
}

/// Resolves one entity's typed refs (again) against the index, without
/// "did you mean" hints: `serve` resolves only the entities an edit
/// changed, since an edit that keeps every id cannot change where any
/// other ref points. `kinds` is every entity's id, kind and slug.
///
/// Returns a print of where the refs point, by id: equal prints mean the
/// refs point at the same pages, whatever their indices.
pub fn resolve_refs(
    e: &mut Entity,
    index: &Index,
    kinds: &[(String, Kind, String)],
    diags: &mut Vec<Diagnostic>,
) -> u64 {
    let resolver = Resolver {
        index,
        kinds,
        print: Default::default(),
    };
    resolve_entity(e, &resolver, diags);
    resolver.print.get()
}

struct Resolver<'a> {
    index: &'a Index,
    kinds: &'a [(String, Kind, String)],
    /// A running hash of every ref and the id it resolved to.
    print: std::cell::Cell<u64>,
}

impl Resolver<'_> {
    /// Resolves one typed ref, checking the kind the key expects.
    fn typed(&self, key: &str, r: &mut Ref, file: &Path, diags: &mut Vec<Diagnostic>) {
        let expected = index::expected_kinds(key);
        // A ref may be resolved again after an edit: forget the old target.
        r.target = None;
        let lookup = self.index.lookup(&r.raw);
        self.print.set(mix(
            self.print.get(),
            &lookup_print(&r.raw, &lookup, self.kinds),
        ));
        match lookup {
            Lookup::Found(i) => {
                let (id, kind, _) = &self.kinds[i];
                if expected.is_empty() || expected.contains(kind) {
                    r.target = Some(i);
                } else {
                    let want = expected
                        .iter()
                        .map(|k| k.with_article())
                        .collect::<Vec<_>>()
                        .join(" or ");
                    diags.push(
                        Diagnostic::error(
                            "wrong-kind",
                            file,
                            format!(
                                "`{key}` must name {want}, but `{}` is {}",
                                r.raw,
                                kind.with_article()
                            ),
                        )
                        .at(r.span)
                        .hint(format!(
                            "`{id}` is {}; point `{key}` at a page under content/{}/",
                            kind.with_article(),
                            expected[0].dir()
                        )),
                    );
                }
            }
            Lookup::Unparsed => {}
            other => diags.push(ref_error(&r.raw, r.span, file, &other, self.kinds)),
        }
    }
}

/// A print of one lookup: the ref as written and, by id, what it found.
pub fn lookup_print(raw: &str, lookup: &Lookup, kinds: &[(String, Kind, String)]) -> u64 {
    let found = match lookup {
        Lookup::Found(i) => kinds[*i].0.as_str(),
        Lookup::Ambiguous(_) => "\u{1}ambiguous",
        Lookup::Draft => "\u{1}draft",
        Lookup::Unparsed => "\u{1}unparsed",
        Lookup::NotFound => "\u{1}none",
    };
    // The print of `raw`, a NUL and `found`, without making that string:
    // every Markdown link of the site is printed after a file comes or goes.
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(raw.as_bytes());
    hasher.update(&[0]);
    hasher.update(found.as_bytes());
    hasher.digest()
}

/// Folds `value` into a running print, order-sensitively.
pub fn mix(print: u64, value: &u64) -> u64 {
    print.rotate_left(5) ^ value.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The error for a ref that did not resolve to exactly one entity. Hints for
/// typos are added afterwards by [`add_hints`].
pub fn ref_error(
    raw: &str,
    span: crate::diag::Span,
    file: &Path,
    lookup: &Lookup,
    kinds: &[(String, Kind, String)],
) -> Diagnostic {
    match lookup {
        Lookup::Ambiguous(candidates) => {
            let ids: Vec<String> = candidates
                .iter()
                .map(|&i| format!("`{}`", kinds[i].0))
                .collect();
            Diagnostic::error(
                "ambiguous-ref",
                file,
                format!("`{raw}` is ambiguous: it could be {}", ids.join(" or ")),
            )
            .at(span)
            .hint(format!(
                "write the full id, e.g. `[[{}]]`",
                kinds[candidates[0]].0
            ))
        }
        Lookup::Draft => Diagnostic::error(
            "ref-to-draft",
            file,
            format!("`{raw}` is a draft and is not part of this build"),
        )
        .at(span)
        .hint("publish it (remove `draft: true`) or build with --drafts"),
        _ => Diagnostic::error(
            "ref-not-found",
            file,
            format!("`{raw}` does not match any page"),
        )
        .at(span),
    }
}

/// Adds "did you mean" to every ref-not-found error, now that titles and
/// aliases can be compared.
pub fn add_hints(entities: &[Entity], index: &Index, diags: &mut [Diagnostic]) {
    for d in diags
        .iter_mut()
        .filter(|d| d.code == "ref-not-found" && d.hints.is_empty())
    {
        let raw = d.message.split('`').nth(1).unwrap_or("").to_owned();
        match index.suggest(&raw, entities) {
            Some(id) => d.hints.push(format!("did you mean '{id}'?")),
            None => d.hints.push(
                "refs are a page's slug (`steve-witkoff`) or id (`actors/steve-witkoff`)".into(),
            ),
        }
    }
}

fn resolve_entity(e: &mut Entity, r: &Resolver<'_>, diags: &mut Vec<Diagnostic>) {
    let file = e.file.clone();
    for s in &mut e.sources {
        r.typed("sources", s, &file, diags);
    }
    for f in &mut e.key_facts {
        for s in &mut f.sources {
            r.typed("sources", s, &file, diags);
        }
    }
    match &mut e.data {
        KindData::Actor(a) => {
            if let Some(x) = &mut a.affiliation {
                r.typed("affiliation", x, &file, diags);
            }
            a.members
                .iter_mut()
                .for_each(|x| r.typed("members", x, &file, diags));
        }
        KindData::Meeting(m) => {
            if let Some(x) = &mut m.host {
                r.typed("host", x, &file, diags);
            }
            m.participants
                .iter_mut()
                .for_each(|p| r.typed("participants", &mut p.actor, &file, diags));
            m.proposals
                .iter_mut()
                .for_each(|x| r.typed("proposals", x, &file, diags));
        }
        KindData::Proposal(p) => {
            p.proposed_by
                .iter_mut()
                .for_each(|x| r.typed("proposed_by", x, &file, diags));
            p.supporters
                .iter_mut()
                .for_each(|x| r.typed("supporters", x, &file, diags));
            p.opponents
                .iter_mut()
                .for_each(|x| r.typed("opponents", x, &file, diags));
        }
        KindData::Source(_) | KindData::Page => {}
    }
}

fn targets(refs: &[Ref]) -> impl Iterator<Item = EntityIdx> + '_ {
    refs.iter().filter_map(|r| r.target)
}

/// Builds every backlink from the resolved typed refs.
pub fn relations(entities: &[Entity]) -> Relations {
    let mut rel: Relations = vec![Backlinks::default(); entities.len()];
    for (i, e) in entities.iter().enumerate() {
        for s in targets(&e.sources) {
            push_unique(&mut rel[s].cited_by_pages, i);
        }
        for f in &e.key_facts {
            for s in targets(&f.sources) {
                rel[s].cited_by_facts.push((i, f.label.clone()));
            }
        }
        match &e.data {
            KindData::Actor(a) => {
                if let Some(t) = a.affiliation.as_ref().and_then(|r| r.target) {
                    push_unique(&mut rel[t].affiliates, i);
                }
                targets(&a.members).for_each(|t| push_unique(&mut rel[t].member_of, i));
            }
            KindData::Meeting(m) => {
                if let Some(t) = m.host.as_ref().and_then(|r| r.target) {
                    push_unique(&mut rel[t].hosted, i);
                }
                for p in &m.participants {
                    if let Some(t) = p.actor.target
                        && !rel[t].attended.iter().any(|(m, _)| *m == i)
                    {
                        rel[t].attended.push((i, p.role.clone()));
                    }
                }
                targets(&m.proposals).for_each(|t| push_unique(&mut rel[t].discussed_in, i));
            }
            KindData::Proposal(p) => {
                targets(&p.proposed_by).for_each(|t| push_unique(&mut rel[t].proposed, i));
                targets(&p.supporters).for_each(|t| push_unique(&mut rel[t].supports, i));
                targets(&p.opponents).for_each(|t| push_unique(&mut rel[t].opposes, i));
            }
            KindData::Source(_) | KindData::Page => {}
        }
    }
    link_meetings_in_order(entities, &mut rel);
    sort_by_date(entities, &mut rel);
    rel
}

fn push_unique(list: &mut Vec<EntityIdx>, i: EntityIdx) {
    if !list.contains(&i) {
        list.push(i);
    }
}

/// Meetings in date order (then title), for previous/next and the timeline.
pub fn meetings_in_order(entities: &[Entity]) -> Vec<EntityIdx> {
    meetings_ordered(entities.len(), |i| &entities[i])
}

/// [`meetings_in_order`] over entities reached through `at`, so that pages
/// can read them through their tracked view.
pub fn meetings_ordered<'a>(count: usize, at: impl Fn(EntityIdx) -> &'a Entity) -> Vec<EntityIdx> {
    let mut meetings: Vec<EntityIdx> = (0..count)
        .filter(|&i| at(i).kind == Kind::Meeting)
        .collect();
    meetings.sort_by(|&a, &b| (at(a).date(), &at(a).title).cmp(&(at(b).date(), &at(b).title)));
    meetings
}

fn link_meetings_in_order(entities: &[Entity], rel: &mut Relations) {
    let order = meetings_in_order(entities);
    for pair in order.windows(2) {
        rel[pair[0]].next_meeting = Some(pair[1]);
        rel[pair[1]].previous_meeting = Some(pair[0]);
    }
}

/// Lists of meetings read best in date order; the rest stay in page order.
fn sort_by_date(entities: &[Entity], rel: &mut Relations) {
    let order = |a: &EntityIdx, b: &EntityIdx| {
        let (a, b) = (&entities[*a], &entities[*b]);
        (a.date(), &a.title).cmp(&(b.date(), &b.title))
    };
    for b in rel.iter_mut() {
        b.attended.sort_by(|(x, _), (y, _)| order(x, y));
        b.hosted.sort_by(order);
        b.discussed_in.sort_by(order);
    }
}

/// Records that `from`'s text links to `to`. Called after Markdown rendering,
/// which is where `[[refs]]` and autolinks are found.
pub fn add_mention(rel: &mut Relations, from: EntityIdx, to: EntityIdx) {
    if from != to {
        push_unique(&mut rel[to].mentioned_by, from);
    }
}
