//! RESOLVE: patch the relations table after entities changed in place, so
//! `serve` need not rebuild it for the whole site on every save.
//!
//! Input: the relations as a full build made them, and the entities an
//! edit changed (each before and after). Output: the same table a full
//! build of the edited site gives, and the entities whose backlinks
//! changed. An edit that keeps every id cannot change what any other ref
//! points at, so only the edited entities' own entries move: they are
//! taken out of the backlinks their old refs reached and put back, at the
//! place a full build gives them, into those their new refs reach.
//! Mentions found in Markdown are patched the same way for the entities
//! whose Markdown was rendered again.

use std::collections::{BTreeMap, BTreeSet};

use super::{Backlinks, Relations, meetings_in_order, targets};
use crate::content::model::{Entity, EntityIdx, KindData};

/// The relations table being patched, with the backlinks of each entity
/// as they were before its first change, to tell what really changed.
pub struct Patch<'a> {
    rel: &'a mut Relations,
    before: BTreeMap<EntityIdx, Backlinks>,
}

impl<'a> Patch<'a> {
    pub fn new(rel: &'a mut Relations) -> Self {
        Patch {
            rel,
            before: BTreeMap::new(),
        }
    }

    /// Entity `t`'s backlinks, to change: the first time, a copy of them
    /// is kept.
    fn at(&mut self, t: EntityIdx) -> &mut Backlinks {
        self.before.entry(t).or_insert_with(|| self.rel[t].clone());
        &mut self.rel[t]
    }

    /// Takes out every entry entity `i` (as `e` held it, refs resolved)
    /// put in others' backlinks through its typed refs and citations.
    pub fn unlink(&mut self, e: &Entity, i: EntityIdx) {
        for t in declared_targets(e) {
            let b = self.at(t);
            b.attended.retain(|(m, _)| *m != i);
            b.cited_by_facts.retain(|(p, _)| *p != i);
            for list in [
                &mut b.cited_by_pages,
                &mut b.hosted,
                &mut b.proposed,
                &mut b.supports,
                &mut b.opposes,
                &mut b.member_of,
                &mut b.affiliates,
                &mut b.discussed_in,
            ] {
                list.retain(|x| *x != i);
            }
        }
    }

    /// Puts entity `i`'s entries back, from its current refs, where a full
    /// build puts them: lists in entity order, except meetings, which are
    /// in date order (then title, then entity order).
    pub fn link(&mut self, entities: &[Entity], i: EntityIdx) {
        let e = &entities[i];
        let by_date = |j: &EntityIdx| (entities[*j].date(), &entities[*j].title, *j);
        for s in targets(&e.sources) {
            insert_ordered(&mut self.at(s).cited_by_pages, i, |j| *j);
        }
        let mut facts: BTreeMap<EntityIdx, Vec<(EntityIdx, String)>> = BTreeMap::new();
        for f in &e.key_facts {
            for s in targets(&f.sources) {
                facts.entry(s).or_default().push((i, f.label.clone()));
            }
        }
        for (s, entries) in facts {
            let list = &mut self.at(s).cited_by_facts;
            let at = list.partition_point(|(p, _)| *p < i);
            list.splice(at..at, entries);
        }
        match &e.data {
            KindData::Actor(a) => {
                if let Some(t) = a.affiliation.as_ref().and_then(|r| r.target) {
                    insert_ordered(&mut self.at(t).affiliates, i, |j| *j);
                }
                for t in targets(&a.members) {
                    insert_ordered(&mut self.at(t).member_of, i, |j| *j);
                }
            }
            KindData::Meeting(m) => {
                if let Some(t) = m.host.as_ref().and_then(|r| r.target) {
                    insert_ordered(&mut self.at(t).hosted, i, by_date);
                }
                for p in &m.participants {
                    let Some(t) = p.actor.target else { continue };
                    let list = &mut self.at(t).attended;
                    // The first listing of an actor gives its role.
                    if !list.iter().any(|(x, _)| *x == i) {
                        let at = list.partition_point(|(x, _)| by_date(x) < by_date(&i));
                        list.insert(at, (i, p.role.clone()));
                    }
                }
                for t in targets(&m.proposals) {
                    insert_ordered(&mut self.at(t).discussed_in, i, by_date);
                }
            }
            KindData::Proposal(p) => {
                for (refs, pick) in [
                    (&p.proposed_by, Pick::Proposed),
                    (&p.supporters, Pick::Supports),
                    (&p.opponents, Pick::Opposes),
                ] {
                    for t in targets(refs) {
                        insert_ordered(pick.list(self.at(t)), i, |j| *j);
                    }
                }
            }
            KindData::Source(_) | KindData::Page => {}
        }
    }

    /// Links every meeting to the one before and after it again, after a
    /// meeting's date or title changed.
    pub fn reorder_meetings(&mut self, entities: &[Entity]) {
        let order = meetings_in_order(entities);
        for (n, &m) in order.iter().enumerate() {
            let previous = n.checked_sub(1).map(|p| order[p]);
            let next = order.get(n + 1).copied();
            let b = &self.rel[m];
            if b.previous_meeting != previous || b.next_meeting != next {
                let b = self.at(m);
                b.previous_meeting = previous;
                b.next_meeting = next;
            }
        }
    }

    /// Records that the text of `from` now links to `to` instead of `old`.
    pub fn mentions(&mut self, from: EntityIdx, old: &[EntityIdx], new: &[EntityIdx]) {
        let (old, new): (BTreeSet<_>, BTreeSet<_>) =
            (old.iter().copied().collect(), new.iter().copied().collect());
        for &t in old.difference(&new).filter(|t| **t != from) {
            self.at(t).mentioned_by.retain(|x| *x != from);
        }
        for &t in new.difference(&old).filter(|t| **t != from) {
            insert_ordered(&mut self.at(t).mentioned_by, from, |j| *j);
        }
    }

    /// The entities whose backlinks differ from before the patch.
    pub fn changed(self) -> BTreeSet<EntityIdx> {
        let rel = self.rel;
        self.before
            .into_iter()
            .filter(|(t, old)| rel[*t] != *old)
            .map(|(t, _)| t)
            .collect()
    }
}

/// Which of a proposal's stance lists a ref fills.
#[derive(Clone, Copy)]
enum Pick {
    Proposed,
    Supports,
    Opposes,
}

impl Pick {
    fn list(self, b: &mut Backlinks) -> &mut Vec<EntityIdx> {
        match self {
            Pick::Proposed => &mut b.proposed,
            Pick::Supports => &mut b.supports,
            Pick::Opposes => &mut b.opposes,
        }
    }
}

/// Inserts `i` into a list ordered by `key`, once.
fn insert_ordered<K: Ord>(list: &mut Vec<EntityIdx>, i: EntityIdx, key: impl Fn(&EntityIdx) -> K) {
    if list.contains(&i) {
        return;
    }
    let at = list.partition_point(|x| key(x) < key(&i));
    list.insert(at, i);
}

/// Every entity entity `e`'s typed refs and citations point at, once.
pub fn declared_targets(e: &Entity) -> BTreeSet<EntityIdx> {
    let mut out: BTreeSet<EntityIdx> = targets(&e.sources).collect();
    out.extend(e.key_facts.iter().flat_map(|f| targets(&f.sources)));
    out.extend(typed_targets(e));
    out
}

/// The entities entity `e`'s typed refs (not its citations) point at.
pub fn typed_targets(e: &Entity) -> Vec<EntityIdx> {
    match &e.data {
        KindData::Actor(a) => a
            .affiliation
            .iter()
            .chain(&a.members)
            .filter_map(|r| r.target)
            .collect(),
        KindData::Meeting(m) => m
            .host
            .iter()
            .chain(m.participants.iter().map(|p| &p.actor))
            .chain(&m.proposals)
            .filter_map(|r| r.target)
            .collect(),
        KindData::Proposal(p) => p
            .proposed_by
            .iter()
            .chain(&p.supporters)
            .chain(&p.opponents)
            .filter_map(|r| r.target)
            .collect(),
        KindData::Source(_) | KindData::Page => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_file;
    use crate::resolve::{Index, relations, resolve};
    use std::path::Path;

    fn site(files: &[(&str, &str)]) -> Vec<Entity> {
        files
            .iter()
            .filter_map(|(path, text)| parse_file(Path::new(path), text).0)
            .collect()
    }

    fn resolved(mut entities: Vec<Entity>) -> (Vec<Entity>, Relations) {
        let index = Index::new(&entities, &[]);
        let rel = resolve(&mut entities, &index, &mut Vec::new());
        (entities, rel)
    }

    const ADA: (&str, &str) = ("content/actors/ada.md", "---\ntitle: Ada\n---\n");
    const BOB: (&str, &str) = ("content/actors/bob.md", "---\ntitle: Bob\n---\n");

    fn meeting(slug: &'static str, date: &str, who: &str) -> (String, String) {
        (
            format!("content/meetings/{slug}.md"),
            format!(
                "---\ntitle: {slug}\ndate: {date}\nhost: {who}\nparticipants: [{who}, ada]\n---\n"
            ),
        )
    }

    #[test]
    fn a_moved_meeting_is_unlinked_and_linked_where_a_full_build_puts_it() {
        let files = [
            meeting("m1", "2025-01-01", "bob"),
            meeting("m2", "2025-02-01", "bob"),
            meeting("m3", "2025-03-01", "ada"),
        ];
        let mut all: Vec<(&str, &str)> = vec![ADA, BOB];
        all.extend(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        let (mut entities, mut rel) = resolved(site(&all));
        // m1 moves after m3 and is now hosted by Ada.
        let moved = meeting("m1", "2025-04-01", "ada");
        let mut edited = site(&[(moved.0.as_str(), moved.1.as_str())]).remove(0);
        let index = Index::new(&entities, &[]);
        let mut diags = Vec::new();
        let kinds: Vec<_> = entities
            .iter()
            .map(|e| (e.id.clone(), e.kind, e.slug.clone()))
            .collect();
        crate::resolve::resolve_refs(&mut edited, &index, &kinds, &mut diags);
        let i = entities.iter().position(|e| e.id == edited.id).unwrap();
        let mut patch = Patch::new(&mut rel);
        patch.unlink(&entities[i], i);
        entities[i] = edited;
        patch.link(&entities, i);
        patch.reorder_meetings(&entities);
        let changed = patch.changed();
        assert_eq!(rel, relations(&entities));
        assert!(changed.contains(&0) && changed.contains(&1), "{changed:?}");
    }

    #[test]
    fn mentions_stay_in_entity_order() {
        let (_, mut rel) = resolved(site(&[ADA, BOB]));
        let mut patch = Patch::new(&mut rel);
        patch.mentions(1, &[], &[0]);
        patch.mentions(0, &[], &[0]);
        assert_eq!(patch.changed(), BTreeSet::from([0]));
        assert_eq!(rel[0].mentioned_by, vec![1]);
    }
}
