//! WRITE: put the rendered files and static files into the output folder.
//!
//! Everything is written to a temporary folder and swapped in only when all
//! of it was written, so a failed build leaves the previous output as it
//! was ([`swap`] says how a crash mid-swap is recovered from). One build at
//! a time writes into a folder ([`lock`]), and Ctrl-C removes the temporary
//! folder ([`interrupt`]). The output folder carries a marker file; a folder
//! without it is someone's work and is refused.

mod interrupt;
mod lock;
mod patch;
pub mod strip;
mod swap;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::render::OutFile;
use crate::render::templates::DEFAULT_THEME;
use lock::OutputLock;
use swap::Place;

pub use patch::{Patch, listed_files};

/// Written into every output folder, so we only ever replace our own output.
pub const MARKER: &str = ".explainer-output";

/// Folders of the site that the build must never write into.
const PROTECTED: &[&str] = &["content", "templates", "themes", "static"];

/// Why the output could not be written.
#[derive(Debug)]
pub enum WriteError {
    /// The output folder is unsafe to replace; nothing was touched.
    Refused(String),
    Io {
        path: PathBuf,
        error: io::Error,
    },
    /// A file the site needs (under `static/`) could not be read.
    Read {
        path: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Refused(why) => f.write_str(why),
            WriteError::Io { path, error } => write!(f, "cannot write {}: {error}", path.display()),
            WriteError::Read { path, error } => write!(
                f,
                "cannot read {}: {error}; the site would be missing it",
                path.display()
            ),
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |error| WriteError::Io {
        path: path.to_path_buf(),
        error,
    }
}

fn read_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |error| WriteError::Read {
        path: path.to_path_buf(),
        error,
    }
}

/// Where static files come from, in copy order (later ones win).
#[derive(Debug, Clone)]
pub struct StaticSources {
    /// Copy the default theme's built-in static files first.
    pub builtin_theme: bool,
    pub dirs: Vec<PathBuf>,
    /// The folders of the site's other languages (`uk`): each is a whole
    /// site, with the static files its pages link beside them.
    pub folders: Vec<PathBuf>,
}

impl StaticSources {
    /// The static files of the site at `root` in `theme`, at the root and
    /// in the folder of every other language of `config`.
    pub fn of(root: &Path, config: &crate::config::Config) -> Self {
        let theme = &config.theme;
        StaticSources {
            builtin_theme: theme == "default",
            dirs: vec![
                root.join("themes").join(theme).join("static"),
                root.join("static"),
            ],
            folders: config
                .view
                .languages
                .iter()
                .skip(1)
                .map(|l| PathBuf::from(l.prefix.trim_end_matches('/')))
                .collect(),
        }
    }
}

/// Checks that `out` may be replaced by a build of the site at `root`.
/// Both are resolved through every symlink first, so a link cannot lead
/// the output into the site's own folders.
pub fn check_target(root: &Path, out: &Path, force: bool) -> Result<(), WriteError> {
    let root = absolute(root);
    let out = absolute(out);
    if out.parent().is_none() {
        return Err(WriteError::Refused(format!(
            "refusing to use {} as the output folder",
            out.display()
        )));
    }
    refuse_site_folders(&root, &out)?;
    refuse_non_folder(&out)?;
    let has_content = fs::read_dir(&out)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if !has_content || out.join(MARKER).exists() {
        return Ok(());
    }
    if !force {
        return Err(WriteError::Refused(format!(
            "{} is not empty and was not written by explainer; choose another --output, or pass --force to replace it",
            out.display()
        )));
    }
    refuse_precious(&out)
}

/// The site folder, anything holding it, and its own folders.
fn refuse_site_folders(root: &Path, out: &Path) -> Result<(), WriteError> {
    if out == root || root.starts_with(out) {
        return Err(WriteError::Refused(format!(
            "refusing to write output to {}: it is the site folder or contains it; use a subfolder such as `public`",
            out.display()
        )));
    }
    for name in PROTECTED {
        if out.starts_with(root.join(name)) || out.starts_with(absolute(&root.join(name))) {
            return Err(WriteError::Refused(format!(
                "refusing to write output into `{name}/`, which holds your own files; use `public`"
            )));
        }
    }
    Ok(())
}

/// An existing file (not a folder) is never replaced by the output.
fn refuse_non_folder(out: &Path) -> Result<(), WriteError> {
    match fs::symlink_metadata(out) {
        Ok(meta) if !meta.is_dir() => Err(WriteError::Refused(format!(
            "refusing to replace {}: it is a file, not a folder; choose another --output",
            out.display()
        ))),
        _ => Ok(()),
    }
}

/// Folders `--force` does not empty: the home folder, the working folder
/// and those holding it, and a git repository. (Our own output, with its
/// marker, never gets here.)
fn refuse_precious(out: &Path) -> Result<(), WriteError> {
    let home = std::env::var_os("HOME").map(|h| absolute(Path::new(&h)));
    let cwd = std::env::current_dir().map(|d| absolute(&d)).ok();
    let why = if home.as_deref() == Some(out) {
        "it is your home folder"
    } else if cwd.as_deref().is_some_and(|d| d.starts_with(out)) {
        "it is the working folder or holds it"
    } else if out.join(".git").exists() {
        "it holds a git repository (.git)"
    } else {
        return Ok(());
    };
    Err(WriteError::Refused(format!(
        "refusing to replace {}: {why}, and --force does not apply to it; choose another --output",
        out.display()
    )))
}

/// Makes a path absolute, lexically normal, and resolved through every
/// symlink in its longest existing part, so that a folder that does not
/// exist yet can still be compared, and `site/link/x` is known to be inside
/// `content/` when `link` points there.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut normal = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    resolve_existing(&normal)
}

/// Canonicalises the longest existing ancestor of `path` and appends the rest.
fn resolve_existing(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut existing = path;
    loop {
        if let Ok(real) = fs::canonicalize(existing) {
            return rest.iter().rev().fold(real, |p, name| p.join(name));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// The output being written: a temporary folder filled batch by batch as
/// pages are rendered, and swapped in by [`Writer::finish`]. Dropping a
/// writer that did not finish removes the temporary folder, so the previous
/// output stays as it was. Files whose bytes are the same as in the
/// previous output are hard-linked from it instead of written again.
pub struct Writer {
    out: PathBuf,
    place: Place,
    tmp: PathBuf,
    previous: Manifest,
    written: Mutex<Manifest>,
    dirs: Mutex<HashSet<PathBuf>>,
    finished: bool,
    /// Dropped after the temporary folder is removed (fields drop last).
    _lock: OutputLock,
}

impl Writer {
    /// Locks the output (waiting for another build writing it), recovers
    /// what an interrupted build left, and starts a temporary folder.
    pub fn begin(out: &Path) -> Result<Writer, WriteError> {
        let out = absolute(out);
        let parent = out
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        let lock = OutputLock::acquire(&parent.join(format!(".{name}.explainer-lock")), &out)?;
        let place = Place::for_output(&out, &parent, &name);
        swap::recover(&place, &out)?;
        let tmp = place.tmp(&out);
        fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
        interrupt::watch(tmp.clone(), lock.path().to_path_buf());
        let previous = Manifest::read(&out);
        Ok(Writer {
            out,
            place,
            tmp,
            previous,
            written: Mutex::new(Manifest::default()),
            dirs: Mutex::new(HashSet::new()),
            finished: false,
            _lock: lock,
        })
    }

    /// Writes (or links) one batch of files one after the other on the
    /// calling thread: for a writer thread running beside the renderer.
    /// Creating files from several threads at once made the kernel's inode
    /// allocation contend (system time 3.2 s → 7.2 s for the 10,000-entity
    /// benchmark site), while one thread keeps up with rendering.
    pub fn write_batch_serial(&self, files: &[OutFile]) -> Result<(), WriteError> {
        self.write_pending(&borrowed(files), Threads::One)
    }

    fn write_pending(&self, files: &[Pending<'_>], threads: Threads) -> Result<(), WriteError> {
        let _writing = interrupt::hold();
        self.make_dirs(files)?;
        let write_one = |(rel, bytes): &Pending<'_>| {
            let hash = (hash(bytes), bytes.len());
            if !self.reused(rel, bytes, hash) {
                write_file(&self.tmp, rel, bytes)?;
            }
            Ok(hash)
        };
        let hashes: Vec<(u64, usize)> = match threads {
            Threads::Pool => files.par_iter().map(write_one).collect::<Result<_, _>>()?,
            Threads::One => files.iter().map(write_one).collect::<Result<_, _>>()?,
        };
        let mut written = self
            .written
            .lock()
            .map_err(|_| WriteError::Refused("writer poisoned".into()))?;
        for ((rel, _), h) in files.iter().zip(hashes) {
            written.entries.insert(rel.clone(), h);
        }
        Ok(())
    }

    /// Hard-links the previous output's copy of a file when the manifest
    /// says it is unchanged and the file on disk still holds exactly those
    /// bytes: a hand-edited or truncated file, or a symlink planted in the
    /// output, is written anew instead of kept.
    fn reused(&self, rel: &Path, bytes: &[u8], hash: (u64, usize)) -> bool {
        if self.previous.entries.get(rel) != Some(&hash) {
            return false;
        }
        let old = self.out.join(rel);
        holds_exactly(&old, bytes) && fs::hard_link(&old, self.tmp.join(rel)).is_ok()
    }

    /// Creates the folders a batch needs, once each, parents first.
    fn make_dirs(&self, files: &[Pending<'_>]) -> Result<(), WriteError> {
        let mut made = self
            .dirs
            .lock()
            .map_err(|_| WriteError::Refused("writer poisoned".into()))?;
        let mut dirs: Vec<&Path> = files
            .iter()
            .filter_map(|(rel, _)| rel.parent())
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        dirs.sort();
        dirs.dedup();
        for dir in dirs {
            if made.contains(dir) {
                continue;
            }
            check_relative(dir)?;
            let path = self.tmp.join(dir);
            fs::create_dir_all(&path).map_err(io_err(&path))?;
            made.insert(dir.to_path_buf());
        }
        Ok(())
    }

    /// Adds the static files no rendered page replaced, writes the marker
    /// with every file's hash, and swaps the folder in.
    pub fn finish(mut self, statics: &StaticSources) -> Result<(), WriteError> {
        let rendered: HashSet<PathBuf> = self
            .written
            .lock()
            .map(|w| w.entries.keys().cloned().collect())
            .unwrap_or_default();
        let statics: Vec<Pending<'_>> = gather_statics(statics)?
            .into_iter()
            .filter(|(rel, _)| !rendered.contains(rel))
            .collect();
        self.write_pending(&statics, Threads::Pool)?;
        let manifest = self.written.lock().map(|w| w.render()).unwrap_or_default();
        write_file(&self.tmp, Path::new(MARKER), manifest.as_bytes())?;
        test_hook::pause_before_swap();
        let _swapping = interrupt::hold();
        swap::swap(&self.place, &self.tmp, &self.out)?;
        self.finished = true;
        Ok(())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if !self.finished {
            let _writing = interrupt::hold();
            let _ = fs::remove_dir_all(&self.tmp);
        }
        interrupt::unwatch();
    }
}

/// Whether `path` is a regular file, reached through no symlink, holding
/// exactly `bytes`.
fn holds_exactly(path: &Path, bytes: &[u8]) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return false;
    };
    meta.is_file()
        && meta.len() == bytes.len() as u64
        && fs::canonicalize(path).is_ok_and(|real| real == path)
        && fs::read(path).is_ok_and(|old| old == bytes)
}

/// A file to write: its path in the output and its bytes.
type Pending<'a> = (PathBuf, Cow<'a, [u8]>);

fn borrowed(files: &[OutFile]) -> Vec<Pending<'_>> {
    files
        .iter()
        .map(|f| (f.path.clone(), Cow::Borrowed(f.bytes.as_slice())))
        .collect()
}

/// Whether a batch is written on the rayon pool or on the calling thread.
#[derive(Clone, Copy)]
enum Threads {
    Pool,
    One,
}

/// Static files in precedence order — the built-in theme's, then the
/// static folders' — later ones replacing earlier ones of the same path,
/// each as published ([`crate::render::assets::publish`]: images without
/// metadata, stylesheets and scripts under hashed names), as `serve` has
/// them.
fn gather_statics(statics: &StaticSources) -> Result<Vec<Pending<'static>>, WriteError> {
    let mut all: BTreeMap<PathBuf, Cow<'static, [u8]>> = BTreeMap::new();
    if statics.builtin_theme {
        for (path, text) in DEFAULT_THEME {
            if let Some(rel) = path.strip_prefix("static/") {
                all.insert(PathBuf::from(rel), Cow::Borrowed(text.as_bytes()));
            }
        }
    }
    for dir in &statics.dirs {
        for (rel, bytes) in read_dir_files(dir)? {
            all.insert(rel, Cow::Owned(bytes));
        }
    }
    let published: Vec<Pending<'static>> = all.into_iter().map(published).collect();
    let mut copies = Vec::new();
    for folder in &statics.folders {
        copies.extend(
            published
                .iter()
                .map(|(rel, bytes)| (folder.join(rel), bytes.clone())),
        );
    }
    Ok(published.into_iter().chain(copies).collect())
}

/// One static file under its published name, with its published bytes.
fn published((rel, bytes): Pending<'static>) -> Pending<'static> {
    let key = rel.to_string_lossy().replace('\\', "/");
    let (file, published) = crate::render::assets::publish_file(&key, &bytes);
    let path = PathBuf::from(file);
    match published {
        Cow::Owned(stripped) => (path, Cow::Owned(stripped)),
        Cow::Borrowed(_) => (path, bytes),
    }
}

/// A file's fingerprint for the manifest: XXH3, stable across runs and
/// versions (unlike std's `DefaultHasher`) and about 20 times faster than
/// the SipHash it replaced, which was 3.7 % of a build's instructions.
fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The marker file's content: a note for people, then one line per file
/// with its hash and length, so the next build can tell what changed
/// without reading the old files.
#[derive(Default)]
struct Manifest {
    entries: HashMap<PathBuf, (u64, usize)>,
}

impl Manifest {
    fn read(out: &Path) -> Self {
        let Ok(text) = fs::read_to_string(out.join(MARKER)) else {
            return Manifest::default();
        };
        let entries = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|line| {
                let mut parts = line.splitn(3, ' ');
                let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
                let len = parts.next()?.parse().ok()?;
                Some((PathBuf::from(parts.next()?), (hash, len)))
            })
            .collect();
        Manifest { entries }
    }

    fn render(&self) -> String {
        let mut lines: Vec<String> = self
            .entries
            .iter()
            .map(|(p, (h, l))| format!("{h:016x} {l} {}", p.display()))
            .collect();
        lines.sort();
        format!(
            "# This folder is generated by explainer; it is replaced on every build.\n{}\n",
            lines.join("\n")
        )
    }
}

/// Writes one file under `root`, refusing any path that would leave it.
pub fn write_file(root: &Path, rel: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    check_relative(rel)?;
    let path = root.join(rel);
    if let Some(dir) = path.parent().filter(|d| !d.exists()) {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    fs::write(&path, bytes).map_err(io_err(&path))
}

/// Output paths come only from validated slugs; this is the last guard.
fn check_relative(rel: &Path) -> Result<(), WriteError> {
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(WriteError::Refused(format!(
            "refusing to write outside the output folder: {}",
            rel.display()
        )));
    }
    Ok(())
}

/// Reads a static folder's files, skipping dot files and symlinks out of
/// it. Anything it cannot read — a folder or file without permission, a
/// broken symlink, a FIFO or socket — is an error naming it: a site
/// silently missing a file is worse than no new site.
fn read_dir_files(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, WriteError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let canonical = fs::canonicalize(dir).map_err(read_err(dir))?;
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    let mut files = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            WriteError::Read {
                path,
                error: io::Error::from(e),
            }
        })?;
        let path = entry.path();
        if !static_file(path, entry.path_is_symlink(), &canonical)? {
            continue;
        }
        let Ok(rel) = path.strip_prefix(dir) else {
            continue;
        };
        files.push((rel.to_path_buf(), fs::read(path).map_err(read_err(path))?));
    }
    Ok(files)
}

/// Whether an entry of a static folder is a file to copy: folders and
/// symlinks leading out of the folder are not; what cannot be read is an
/// error.
fn static_file(path: &Path, is_symlink: bool, folder: &Path) -> Result<bool, WriteError> {
    if is_symlink {
        let target = fs::canonicalize(path).map_err(|e| WriteError::Read {
            path: path.to_path_buf(),
            error: io::Error::new(e.kind(), format!("a broken symlink ({e})")),
        })?;
        if !target.starts_with(folder) {
            return Ok(false);
        }
    }
    let meta = fs::metadata(path).map_err(read_err(path))?;
    if meta.is_dir() {
        return Ok(false);
    }
    if !meta.is_file() {
        return Err(WriteError::Read {
            path: path.to_path_buf(),
            error: io::Error::other("not a regular file (a FIFO, socket or device)"),
        });
    }
    Ok(true)
}

/// Hooks for the tests of crash recovery, locking and interrupts; only
/// debug builds read them, so a release binary ignores the variables.
mod test_hook {
    /// `EXPLAINER_TEST_CRASH_AFTER=first-rename` aborts the process right
    /// after the old output was moved aside, as a power cut would.
    pub fn crash_after(point: &str) {
        if cfg!(debug_assertions)
            && std::env::var("EXPLAINER_TEST_CRASH_AFTER").is_ok_and(|v| v == point)
        {
            std::process::abort();
        }
    }

    /// `EXPLAINER_TEST_PAUSE_BEFORE_SWAP_MS=2000` waits that long with the
    /// output locked and the temporary folder full, before swapping it in.
    pub fn pause_before_swap() {
        let ms = std::env::var("EXPLAINER_TEST_PAUSE_BEFORE_SWAP_MS")
            .ok()
            .and_then(|v| v.parse().ok());
        if let Some(ms) = ms.filter(|_| cfg!(debug_assertions)) {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_root_and_protected_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(check_target(root, root, false).is_err());
        assert!(check_target(root, &root.join("content"), false).is_err());
        assert!(check_target(root, &root.join("static/x"), false).is_err());
        assert!(check_target(&root.join("site"), root, false).is_err());
        assert!(check_target(root, &root.join("public"), false).is_ok());
    }

    #[test]
    fn refuses_a_foreign_non_empty_folder_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("thesis.docx"), b"mine").unwrap();
        assert!(check_target(dir.path(), &out, false).is_err());
        assert!(check_target(dir.path(), &out, true).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_cannot_lead_the_output_into_the_site_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        std::os::unix::fs::symlink(root.join("content"), dir.path().join("link")).unwrap();
        let through_link = dir.path().join("link/public");
        assert!(check_target(&root, &through_link, true).is_err());
        std::os::unix::fs::symlink(&root, dir.path().join("site-link")).unwrap();
        assert!(check_target(&root, &dir.path().join("site-link/templates/x"), true).is_err());
    }

    #[test]
    fn an_existing_file_is_never_replaced_by_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        fs::write(&file, "mine").unwrap();
        let site = dir.path().join("site");
        let refused = check_target(&site, &file, true).unwrap_err().to_string();
        assert!(refused.contains("it is a file, not a folder"), "{refused}");
    }

    #[test]
    fn force_does_not_empty_a_git_repository_without_the_marker() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        fs::create_dir_all(repo.join(".git")).unwrap();
        let refused = check_target(dir.path(), &repo, true)
            .unwrap_err()
            .to_string();
        assert!(refused.contains("git repository"), "{refused}");
        fs::write(repo.join(MARKER), "").unwrap();
        assert!(check_target(dir.path(), &repo, false).is_ok());
    }

    #[test]
    fn write_file_stays_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_file(dir.path(), Path::new("../x"), b"").is_err());
        assert!(write_file(dir.path(), Path::new("/etc/x"), b"").is_err());
        assert!(write_file(dir.path(), Path::new("a/b.html"), b"").is_ok());
    }

    #[test]
    fn only_a_file_holding_exactly_the_new_bytes_is_reused() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let file = root.join("index.html");
        fs::write(&file, "<p>same</p>").unwrap();
        assert!(holds_exactly(&file, b"<p>same</p>"));
        fs::write(&file, "<p>SAME</p>").unwrap();
        assert!(!holds_exactly(&file, b"<p>same</p>"), "edited, same length");
        fs::write(&file, "<p>sa").unwrap();
        assert!(!holds_exactly(&file, b"<p>same</p>"), "truncated");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_planted_in_the_output_is_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::write(root.join("elsewhere.html"), "<p>same</p>").unwrap();
        std::os::unix::fs::symlink(root.join("elsewhere.html"), root.join("index.html")).unwrap();
        assert!(!holds_exactly(&root.join("index.html"), b"<p>same</p>"));
        fs::create_dir_all(root.join("real")).unwrap();
        fs::write(root.join("real/index.html"), "<p>same</p>").unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("linked")).unwrap();
        assert!(!holds_exactly(
            &root.join("linked/index.html"),
            b"<p>same</p>"
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_broken_symlink_in_static_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::write(root.join("style.css"), "body{}").unwrap();
        std::os::unix::fs::symlink(root.join("gone.png"), root.join("logo.png")).unwrap();
        let error = read_dir_files(&root).unwrap_err().to_string();
        assert!(
            error.contains("logo.png") && error.contains("broken symlink"),
            "{error}"
        );
    }
}
