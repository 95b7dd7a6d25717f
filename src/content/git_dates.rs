//! LOAD: `git_dates: true` in `site.yaml` — the day each content file was
//! last committed, read from the site's git history in one walk, to stand
//! in for a page's `updated` when the file gives none.
//!
//! One walk, newest commit first, comparing each commit's `content/` tree
//! with its parents' and descending only into folders that changed, until
//! every file of `HEAD` has its date: no `git` subprocess, no lookup per
//! file. A commit touched a file when the file differs from the file in
//! every parent (a merge that took a file from one side did not touch it).
//! The date is the author's day, in the author's time zone: when the
//! writer made the change, which a rebase or cherry-pick keeps.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::revision::walk::{CommitTimeOrder, Sorting};

use super::model::{Date, Entity, When};
use crate::config::{CONFIG_FILE, Config};
use crate::diag::{Diagnostic, Diagnostics, Span};

/// Commits and trees kept decoded while walking: a tree is looked at once
/// as a commit's and again as its child's parent tree.
const OBJECT_CACHE_BYTES: usize = 8 * 1024 * 1024;

/// The last commit day of every committed content file, by path relative
/// to the site root (`content/actors/ada.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitDates {
    by_file: HashMap<PathBuf, Date>,
}

impl GitDates {
    /// The day `file` (relative to the site root) was last committed.
    pub fn of(&self, file: &Path) -> Option<Date> {
        self.by_file.get(file).copied()
    }

    /// Gives `entity` its file's commit day as `updated`, unless the file
    /// writes one. Returns the day given, if any.
    pub fn fill(&self, entity: &mut Entity) -> Option<Date> {
        if entity.updated.is_some() {
            return None;
        }
        let day = self.of(&entity.file)?;
        entity.updated = Some(When::day(day));
        Some(day)
    }
}

/// The dates for the site at `root` when its configuration asks for them.
/// Outside a git repository, one warning; a repository that cannot be
/// read, an error; both at `git_dates` in `site.yaml`.
pub fn for_site(root: &Path, config: &Config, diags: &mut Diagnostics) -> Option<GitDates> {
    let at = config.git_dates?;
    let problem = match read(root) {
        Ok(Read::Dates(dates)) => return Some(dates),
        Ok(Read::Shallow(dates)) => (shallow(at), Some(dates)),
        Ok(Read::NoRepository) => (no_repository(at), None),
        Err(e) => (unreadable(&e, at), None),
    };
    if let Ok(text) = std::fs::read_to_string(root.join(CONFIG_FILE)) {
        diags.add_source(Path::new(CONFIG_FILE), &text);
    }
    diags.push(problem.0);
    problem.1
}

fn no_repository(at: Span) -> Diagnostic {
    Diagnostic::warning(
        "git-dates-no-repository",
        CONFIG_FILE,
        "`git_dates` is on, but the site is not in a git repository: pages \
         without `updated` have no date",
    )
    .at(at)
    .hint("commit the site to git (`git init`, `git add .`, `git commit`), or remove `git_dates`")
}

fn shallow(at: Span) -> Diagnostic {
    Diagnostic::warning(
        "git-dates-shallow",
        CONFIG_FILE,
        "`git_dates` is on, but the repository is a shallow clone: a file not \
         changed in the history it has gets the date of its oldest commit",
    )
    .at(at)
    .hint("fetch the whole history: `git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout")
}

fn unreadable(e: &Unreadable, at: Span) -> Diagnostic {
    Diagnostic::error(
        "git-unreadable",
        CONFIG_FILE,
        format!(
            "`git_dates` is on, but the git repository at {} cannot be read: {}",
            e.git.display(),
            e.why
        ),
    )
    .at(at)
    .hint("see what git says with `git status` and `git fsck`; or set `git_dates: false` to date pages by `updated` only")
}

/// What reading the history found.
#[derive(Debug)]
pub enum Read {
    Dates(GitDates),
    /// The dates of a shallow clone: its oldest commits stand for all the
    /// history it lacks.
    Shallow(GitDates),
    NoRepository,
}

/// A repository that is there but cannot be read.
#[derive(Debug)]
pub struct Unreadable {
    /// The `.git` folder or file found.
    pub git: PathBuf,
    pub why: String,
}

/// Reads the commit day of every content file of the site at `root`.
pub fn read(root: &Path) -> Result<Read, Unreadable> {
    let Some(git) = find_git(root) else {
        return Ok(Read::NoRepository);
    };
    let fail = |why: String| Unreadable {
        git: git.clone(),
        why,
    };
    let mut repo = gix::open(git.parent().unwrap_or(root)).map_err(|e| fail(e.to_string()))?;
    repo.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
    let workdir = repo
        .workdir()
        .ok_or_else(|| fail("it has no working folder".into()))?;
    let site =
        site_prefix(root, workdir).ok_or_else(|| fail("the site is not inside it".into()))?;
    let by_file = walk(&repo, &site).map_err(|e| fail(e.to_string()))?;
    let dates = GitDates { by_file };
    match repo.is_shallow() {
        Ok(true) => Ok(Read::Shallow(dates)),
        _ => Ok(Read::Dates(dates)),
    }
}

/// The nearest `.git` (a folder, or a file pointing to one in a linked
/// work tree) at `root` or above it.
fn find_git(root: &Path) -> Option<PathBuf> {
    let root = root.canonicalize().ok()?;
    root.ancestors()
        .map(|dir| dir.join(".git"))
        .find(|git| git.symlink_metadata().is_ok())
}

/// Where the site's `content/` folder is in the repository, as the path
/// components of a tree (`["site", "content"]`).
fn site_prefix(root: &Path, workdir: &Path) -> Option<Vec<Vec<u8>>> {
    let root = root.canonicalize().ok()?;
    let workdir = workdir.canonicalize().ok()?;
    let inside = root.strip_prefix(&workdir).ok()?;
    let mut parts: Vec<Vec<u8>> = inside
        .components()
        .map(|c| c.as_os_str().as_encoded_bytes().to_vec())
        .collect();
    parts.push(b"content".to_vec());
    Some(parts)
}

/// The one walk: newest commit first, until every file of `HEAD` under
/// `content/` has the date of the last commit that touched it.
fn walk(repo: &gix::Repository, site: &[Vec<u8>]) -> Result<HashMap<PathBuf, Date>, gix::Error> {
    let head = repo.head()?;
    if head.is_unborn() {
        return Ok(HashMap::new());
    }
    let head = repo.head_id()?.detach();
    let prefix = site.join(&b'/');
    let mut wanted = HashSet::new();
    if let Some(tree) = subtree(repo, head, site)? {
        let mut path = prefix.clone();
        changed_files(repo, tree, &[], &mut path, &mut |p| {
            wanted.insert(p.to_vec());
        })?;
    }
    let mut dates = HashMap::new();
    let commits = repo
        .rev_walk([head])
        .sorting(Sorting::ByCommitTime(CommitTimeOrder::NewestFirst))
        .all()?;
    for info in commits {
        if dates.len() == wanted.len() {
            break;
        }
        let info = info?;
        let Some(tree) = subtree(repo, info.id, site)? else {
            continue;
        };
        let parents = info
            .parent_ids()
            .map(|p| subtree(repo, p.detach(), site))
            .collect::<Result<Vec<_>, _>>()?;
        if parents.contains(&Some(tree)) {
            continue;
        }
        let day = author_day(&info.object()?)?;
        let mut path = prefix.clone();
        changed_files(repo, tree, &parents, &mut path, &mut |p| {
            if wanted.contains(p) && !dates.contains_key(p) {
                dates.insert(p.to_vec(), day);
            }
        })?;
    }
    Ok(dates
        .into_iter()
        .filter_map(|(path, day)| Some((site_relative(&path, site)?, day)))
        .collect())
}

/// A repository path (`site/content/a.md`) relative to the site root
/// (`content/a.md`).
fn site_relative(path: &[u8], site: &[Vec<u8>]) -> Option<PathBuf> {
    let text = std::str::from_utf8(path).ok()?;
    let skip = site.len() - 1;
    Some(text.split('/').skip(skip).collect())
}

/// The tree at `path` in commit `commit`'s tree, if there is one.
fn subtree(
    repo: &gix::Repository,
    commit: ObjectId,
    path: &[Vec<u8>],
) -> Result<Option<ObjectId>, gix::Error> {
    let mut tree = repo.find_commit(commit)?.tree_id()?.detach();
    for name in path {
        let found = repo
            .find_tree(tree)?
            .decode()?
            .entries
            .iter()
            .find(|e| e.mode.is_tree() && e.filename == name.as_slice())
            .map(|e| e.oid.to_owned());
        match found {
            Some(id) => tree = id,
            None => return Ok(None),
        }
    }
    Ok(Some(tree))
}

/// Calls `found` with the path of every file in `tree` that differs from
/// the same path in each of `parents` (the parents' trees at the same
/// place, `None` where they have none). Folders equal to a parent's are
/// not opened.
fn changed_files(
    repo: &gix::Repository,
    tree: ObjectId,
    parents: &[Option<ObjectId>],
    path: &mut Vec<u8>,
    found: &mut dyn FnMut(&[u8]),
) -> Result<(), gix::Error> {
    let current = repo.find_tree(tree)?;
    let parent_trees = parents
        .iter()
        .map(|p| p.map(|id| repo.find_tree(id)).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    let mut before = Vec::with_capacity(parent_trees.len());
    for t in &parent_trees {
        before.push(match t {
            Some(t) => Some(t.decode()?.entries),
            None => None,
        });
    }
    // Entries are in git's order in every tree: one pass over each, side
    // by side, finds a name's entry in each parent (no lookup per name).
    let mut cursors = vec![0; before.len()];
    for entry in current.decode()?.entries {
        let mut same = false;
        let mut parent_subtrees = Vec::with_capacity(before.len());
        for (list, at) in before.iter().zip(cursors.iter_mut()) {
            let list = list.as_deref().unwrap_or_default();
            while list.get(*at).is_some_and(|e| *e < entry) {
                *at += 1;
            }
            let old = list.get(*at).filter(|e| (*e).cmp(&entry).is_eq());
            same |= old.is_some_and(|e| e.oid == entry.oid);
            parent_subtrees.push(old.map(|e| e.oid.to_owned()));
        }
        if same {
            continue;
        }
        let len = path.len();
        path.push(b'/');
        path.extend_from_slice(entry.filename);
        if entry.mode.is_tree() {
            changed_files(repo, entry.oid.to_owned(), &parent_subtrees, path, found)?;
        } else if entry.mode.is_blob_or_symlink() {
            found(path);
        }
        path.truncate(len);
    }
    Ok(())
}

/// The day a commit was authored, in the author's time zone.
fn author_day(commit: &gix::Commit<'_>) -> Result<Date, gix::Error> {
    let time = commit.author()?.time()?;
    let local = time.seconds + i64::from(time.offset);
    Ok(Date::from_days_since_epoch(local.div_euclid(86_400)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_paths_become_site_paths() {
        let site = vec![b"site".to_vec(), b"content".to_vec()];
        assert_eq!(
            site_relative(b"site/content/actors/ada.md", &site),
            Some(PathBuf::from("content/actors/ada.md"))
        );
        let top = vec![b"content".to_vec()];
        assert_eq!(
            site_relative(b"content/ada.md", &top),
            Some(PathBuf::from("content/ada.md"))
        );
    }
}
