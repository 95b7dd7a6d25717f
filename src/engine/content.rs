//! ENGINE, LOAD: the content files of the site, kept between runs.
//!
//! Every content file's parse result lives here, by path. A change re-reads
//! only the files it names (or, when a path is new, gone or a folder, walks
//! `content/` again to find which files came and went) and re-assembles the
//! entity list by moving entities, never by copying them: on a site of
//! 10,000 pages that is the difference between a millisecond and a second.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content::git_dates::{self, GitDates};
use crate::content::model::Entity;
use crate::content::translation::Translation;
use crate::content::{self, HOME_ID, Parsed};

mod dress;
mod rewalk;
mod translations;
use crate::diag::{Diagnostic, Diagnostics};
use translations::language_codes;

/// What reading one content file gave, besides its entity.
#[derive(Debug, Default)]
struct FileState {
    /// `(id, slug)` when the file is content of a kind but failed to parse.
    unparsed: Option<(String, String)>,
    diagnostics: Vec<Diagnostic>,
    /// The text, kept only when diagnostics point into it.
    text: Option<String>,
}

/// The parsed content of the site.
#[derive(Default)]
pub struct Content {
    files: BTreeMap<PathBuf, FileState>,
    /// Each file's [`Parsed::front_hash`], looked up for every entity.
    front: HashMap<PathBuf, u64>,
    /// Entities of this build, in id order.
    pub entities: Vec<Entity>,
    /// Drafts (left out of this build) and second definitions of an id.
    held: Vec<Entity>,
    pub home: Option<Entity>,
    /// Warnings of the walk itself (files outside any kind, symlinks).
    walk_diags: Diagnostics,
    /// Errors for ids defined twice.
    duplicate_diags: Vec<Diagnostic>,
    drafts: bool,
    /// With `git_dates: true`, each file's last commit day, read once per
    /// load: every file read later takes its day from here.
    git_dates: Option<GitDates>,
    /// Translation files (`x.uk.md`), by path.
    translations: BTreeMap<PathBuf, Translation>,
    /// Each translation's problems against its original, by path.
    translation_diags: BTreeMap<PathBuf, Vec<Diagnostic>>,
    /// The codes of `languages:` (or of `language`), the first the site's.
    languages: Vec<String>,
    /// The language of this view when it is not the first: its entities
    /// carry their translation's texts (`dress`).
    view: Option<String>,
    /// The translation files of each original, by its id.
    translated: dress::ByOriginal,
}

/// What [`Content::apply`] changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub enum Applied {
    /// Nothing.
    #[default]
    Nothing,
    /// Entities changed in place, at these indices; every index still
    /// names the same id.
    InPlace(Vec<usize>),
    /// Files came, went or changed id: indices moved. With the files read
    /// again.
    Reordered(Vec<PathBuf>),
}

impl Content {
    /// Reads the whole `content/` folder (and, with `git_dates` on, the
    /// git history once; its problems go to `config_diags`).
    pub fn load(
        root: &Path,
        config: &Config,
        drafts: bool,
        config_diags: &mut Diagnostics,
    ) -> Self {
        Content::load_with(root, config, drafts, config_diags, None)
    }

    /// [`Content::load`], parsing only the files whose bytes are not as
    /// `parses` keeps them, when given.
    pub fn load_with(
        root: &Path,
        config: &Config,
        drafts: bool,
        config_diags: &mut Diagnostics,
        parses: Option<&mut super::parses::Parses>,
    ) -> Self {
        let mut content = Content {
            drafts,
            git_dates: git_dates::for_site(root, config, config_diags),
            languages: language_codes(config),
            view: config
                .view
                .current()
                .filter(|_| !config.view.is_first())
                .map(|l| l.code.clone()),
            ..Content::default()
        };
        let mut trace = super::Trace::start();
        let loaded = match parses {
            Some(parses) => parses.load_parsed(root),
            None => content::load_parsed(root),
        };
        trace.lap(" read, parse");
        content.walk_diags = loaded.walk_diags;
        let mut pool = Vec::new();
        for parsed in loaded.parsed {
            if let Some(e) = content.keep(parsed) {
                pool.push(e);
            }
        }
        content.index_translations();
        for e in &mut pool {
            content.dress(e);
        }
        content.assemble(in_id_order(pool));
        trace.lap(" assemble");
        content.check_translations(root, None);
        trace.lap(" translations");
        content
    }

    /// Takes in the files at `changed` (relative to the root; files or
    /// folders, present or gone).
    pub fn apply(&mut self, root: &Path, changed: &[PathBuf]) -> Applied {
        if changed.is_empty() {
            return Applied::Nothing;
        }
        let changed = &self.with_originals(root, changed);
        if let Some(in_place) = self.try_in_place(root, changed) {
            self.check_translations(root, Some(changed));
            return Applied::InPlace(in_place);
        }
        let read = self.reload(root, changed);
        let mut clock = super::Trace::start();
        self.check_translations(root, None);
        clock.lap("   translations");
        Applied::Reordered(read)
    }

    /// Edits to files that keep their id, draft state and validity: the
    /// entities are replaced where they stand.
    fn try_in_place(&mut self, root: &Path, changed: &[PathBuf]) -> Option<Vec<usize>> {
        let mut fresh = Vec::new();
        for rel in changed {
            let state = self.files.get(rel)?;
            if state.unparsed.is_some() || !root.join(rel).is_file() {
                return None;
            }
            let found = self.found(rel)?;
            let parsed = content::read_one(root, &found, &|_, _| None);
            if parsed.translation.is_some() && self.translations.contains_key(rel) {
                // A translation moves no entity: kept at once.
                self.keep(parsed);
                continue;
            }
            let e = parsed.entity.as_ref()?;
            if parsed
                .diagnostics
                .iter()
                .any(|d| d.severity == crate::diag::Severity::Error)
            {
                return None;
            }
            let at = self.entities.iter().position(|x| x.file == *rel);
            match at {
                Some(i) if self.entities[i].id == e.id && (!e.draft || self.drafts) => {
                    fresh.push((i, parsed))
                }
                None if e.id == HOME_ID => fresh.push((usize::MAX, parsed)),
                _ => return None,
            }
        }
        self.index_translations();
        let mut indices = Vec::new();
        for (i, parsed) in fresh {
            let entity = self.keep(parsed).map(|mut e| {
                self.dress(&mut e);
                e
            });
            match entity {
                Some(e) if i == usize::MAX => self.home = Some(e),
                Some(e) => {
                    self.entities[i] = e;
                    indices.push(i);
                }
                None => {}
            }
        }
        Some(indices)
    }

    /// Reads the changed files again, walking `content/` to find the ones
    /// that came and went, and re-assembles the entity list.
    fn reload(&mut self, root: &Path, changed: &[PathBuf]) -> Vec<PathBuf> {
        let mut clock = super::Trace::start();
        let found = match self.found_without_walk(root, changed) {
            Some(found) => found,
            None => {
                let mut walk_diags = Diagnostics::default();
                let found = content::discover(root, &mut walk_diags);
                self.walk_diags = walk_diags;
                found
            }
        };
        clock.lap("   walk");
        let present: HashMap<&Path, &content::Found> =
            found.iter().map(|f| (f.rel.as_path(), f)).collect();
        let reread = |rel: &Path| changed.iter().any(|c| rel.starts_with(c) || rel == c);
        let stays = |e: &Entity| present.contains_key(e.file.as_path()) && !reread(&e.file);
        // The entities stay in id order, and only the few read again are
        // sorted in: moving 10,000 entities through a map and sorting them
        // again cost more than the rest of a file's coming or going.
        let mut kept: Vec<Entity> = std::mem::take(&mut self.entities);
        kept.retain(|e| stays(e));
        let mut others: Vec<Entity> = std::mem::take(&mut self.held);
        others.extend(self.home.take());
        others.retain(|e| stays(e));
        clock.lap("   pool");
        self.files
            .retain(|rel, _| present.contains_key(rel.as_path()));
        self.front
            .retain(|rel, _| present.contains_key(rel.as_path()));
        self.translations
            .retain(|rel, _| present.contains_key(rel.as_path()));
        clock.lap("   retain");
        let mut read = Vec::new();
        let mut fresh = Vec::new();
        for f in &found {
            if reread(&f.rel) || !self.files.contains_key(&f.rel) {
                read.push(f.rel.clone());
                let parsed = content::read_one(root, f, &|_, _| None);
                if let Some(e) = self.keep(parsed) {
                    fresh.push(e);
                }
            }
        }
        clock.lap("   read");
        self.index_translations();
        for e in &mut fresh {
            self.dress(e);
        }
        others.extend(fresh);
        self.assemble(merge_in_id_order(kept, in_id_order(others)));
        clock.lap("   assemble");
        read
    }

    /// Records a parsed file's state; returns its entity, dated from git
    /// when it has no `updated` and `git_dates` is on.
    fn keep(&mut self, mut parsed: Parsed) -> Option<Entity> {
        if let (Some(dates), Some(e)) = (&self.git_dates, &mut parsed.entity)
            && let Some(day) = dates.fill(e)
        {
            // The day is part of the front matter as resolved.
            parsed.front_hash ^= xxhash_rust::xxh3::xxh3_64(day.to_string().as_bytes());
        }
        if let Some(t) = parsed.translation.take() {
            self.front.insert(parsed.rel.clone(), parsed.front_hash);
            self.files.insert(parsed.rel.clone(), FileState::default());
            self.translations.insert(parsed.rel, t);
            return None;
        }
        let unparsed = match (&parsed.entity, parsed.kind) {
            (None, Some(kind)) => Some((format!("{}/{}", kind.dir(), parsed.slug), parsed.slug)),
            _ => None,
        };
        self.front.insert(parsed.rel.clone(), parsed.front_hash);
        self.files.insert(
            parsed.rel,
            FileState {
                unparsed,
                diagnostics: parsed.diagnostics,
                text: parsed.text,
            },
        );
        parsed.entity
    }

    /// How `content::read_one` sees a known file again.
    fn found(&self, rel: &Path) -> Option<content::Found> {
        let mut walk = Diagnostics::default();
        content::classify_path(rel, &mut walk)
    }

    /// Sorts entities in id order ([`in_id_order`]) into the build's
    /// entities, the home page, drafts left out and second definitions of
    /// an id.
    fn assemble(&mut self, mut sorted: Vec<Entity>) {
        self.duplicate_diags.clear();
        let drafts = self.drafts;
        let mut duplicates = Vec::new();
        let mut last_id: Option<(String, PathBuf)> = None;
        // What leaves the list is taken out where it stands; the rest is
        // not moved (usually nothing leaves).
        let out: Vec<Entity> = sorted
            .extract_if(.., |e| {
                if e.id == HOME_ID {
                    return true;
                }
                if let Some((id, first)) = &last_id
                    && *id == e.id
                {
                    duplicates.push(content::duplicate_id(e, first));
                    return true;
                }
                last_id = Some((e.id.clone(), e.file.clone()));
                e.draft && !drafts
            })
            .collect();
        self.duplicate_diags = duplicates;
        self.entities = sorted;
        for e in out {
            if e.id == HOME_ID {
                self.home = Some(e);
            } else {
                self.held.push(e);
            }
        }
    }

    /// The hash of a file's front matter as written.
    pub fn front_hash(&self, rel: &Path) -> u64 {
        self.front.get(rel).copied().unwrap_or(0)
    }

    /// Drafts left out of this build.
    pub fn drafts(&self) -> Vec<&Entity> {
        self.held
            .iter()
            .filter(|e| e.draft && !self.drafts)
            .collect()
    }

    /// `(id, slug)` of every file that failed to parse.
    pub fn unparsed(&self) -> Vec<(String, String)> {
        self.files
            .values()
            .filter_map(|f| f.unparsed.clone())
            .collect()
    }

    /// Whether the site has, or had, content under `rel`.
    pub fn has_under(&self, rel: &Path) -> bool {
        self.files.keys().any(|f| f.starts_with(rel))
    }

    /// Every problem of loading: per file, the walk's and duplicate ids.
    pub fn diagnostics(&self, root: &Path) -> Diagnostics {
        let mut all = Diagnostics::default();
        all.extend(self.walk_diags.items().iter().cloned());
        for (rel, state) in &self.files {
            if state.diagnostics.is_empty() {
                continue;
            }
            if let Some(text) = &state.text {
                all.add_source(rel, text);
            }
            all.extend(state.diagnostics.iter().cloned());
        }
        self.translation_diagnostics(&mut all);
        for d in &self.duplicate_diags {
            if let Ok(text) = std::fs::read_to_string(root.join(&d.file)) {
                all.add_source(&d.file, &text);
            }
        }
        all.extend(self.duplicate_diags.iter().cloned());
        all
    }
}

/// `pool` sorted by id (then file). Sorts positions and moves each entity
/// once: an entity is about 800 bytes, and sorting 10,000 of them in place
/// moved them some fourteen times over.
fn in_id_order(pool: Vec<Entity>) -> Vec<Entity> {
    let mut order: Vec<usize> = (0..pool.len()).collect();
    order.sort_by(|&a, &b| id_order(&pool[a], &pool[b]));
    let mut slots: Vec<Option<Entity>> = pool.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Two lists in id order ([`in_id_order`]) as one. A few entities are
/// put into place in `a`, which then moves nothing but its tail.
fn merge_in_id_order(mut a: Vec<Entity>, b: Vec<Entity>) -> Vec<Entity> {
    if b.len() <= 8 {
        for e in b {
            let at = a.partition_point(|x| id_order(x, &e) != std::cmp::Ordering::Greater);
            a.insert(at, e);
        }
        return a;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => id_order(x, y) != std::cmp::Ordering::Greater,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        out.extend(if take_a { a.next() } else { b.next() });
    }
}

fn id_order(a: &Entity, b: &Entity) -> std::cmp::Ordering {
    a.id.cmp(&b.id).then(a.file.cmp(&b.file))
}
