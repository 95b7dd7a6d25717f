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
        let loaded = content::load_parsed(root);
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
        content.assemble(pool);
        content.check_translations(root, None);
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
        self.check_translations(root, None);
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
            let parsed = content::read_one(root, &found);
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
        let mut walk_diags = Diagnostics::default();
        let found = content::discover(root, &mut walk_diags);
        self.walk_diags = walk_diags;
        let present: HashMap<&Path, &content::Found> =
            found.iter().map(|f| (f.rel.as_path(), f)).collect();
        let mut pool: HashMap<PathBuf, Entity> = std::mem::take(&mut self.entities)
            .into_iter()
            .chain(std::mem::take(&mut self.held))
            .chain(self.home.take())
            .map(|e| (e.file.clone(), e))
            .collect();
        let reread = |rel: &Path| changed.iter().any(|c| rel.starts_with(c) || rel == c);
        self.files
            .retain(|rel, _| present.contains_key(rel.as_path()));
        self.front
            .retain(|rel, _| present.contains_key(rel.as_path()));
        self.translations
            .retain(|rel, _| present.contains_key(rel.as_path()));
        pool.retain(|rel, _| present.contains_key(rel.as_path()) && !reread(rel));
        let mut read = Vec::new();
        for f in &found {
            if reread(&f.rel) || !self.files.contains_key(&f.rel) {
                read.push(f.rel.clone());
                pool.remove(&f.rel);
                let parsed = content::read_one(root, f);
                if let Some(e) = self.keep(parsed) {
                    pool.insert(f.rel.clone(), e);
                }
            }
        }
        self.index_translations();
        for rel in &read {
            if let Some(mut e) = pool.remove(rel) {
                self.dress(&mut e);
                pool.insert(rel.clone(), e);
            }
        }
        self.assemble(pool.into_values().collect());
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

    /// Sorts a pool of entities into the build's entities, the home page,
    /// drafts left out and second definitions of an id.
    fn assemble(&mut self, mut pool: Vec<Entity>) {
        pool.sort_by(|a, b| a.id.cmp(&b.id).then(a.file.cmp(&b.file)));
        self.duplicate_diags.clear();
        let mut last_id: Option<(String, PathBuf)> = None;
        for e in pool {
            if e.id == HOME_ID {
                self.home = Some(e);
                continue;
            }
            if let Some((id, first)) = &last_id
                && *id == e.id
            {
                self.duplicate_diags.push(content::duplicate_id(&e, first));
                self.held.push(e);
                continue;
            }
            last_id = Some((e.id.clone(), e.file.clone()));
            if e.draft && !self.drafts {
                self.held.push(e);
            } else {
                self.entities.push(e);
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
