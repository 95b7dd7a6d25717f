//! SERVE: watching the site's folders and turning bursts of file events
//! into one batch of changes. A site folder deleted and re-created, or
//! created after the start, is watched again.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use notify::event::{CreateKind, ModifyKind};
use notify::{
    Config as NotifyConfig, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher,
};

/// How long the folder must be quiet before a batch is rebuilt. Short: a
/// save should show within tens of milliseconds; editors that write a
/// temporary file and rename it do both within this window.
pub const QUIET: Duration = Duration::from_millis(15);
/// How long a batch waits for more once every file written in it has been
/// closed and nothing else happened (an editor saving in place): the save
/// is complete, and only another file saved at the same moment would add
/// to it.
pub const CLOSED_QUIET: Duration = Duration::from_millis(2);
/// The longest a batch waits while events keep coming (a `git checkout`).
pub const MAX_BATCH: Duration = Duration::from_millis(400);
/// Interval of the polling watcher (`--poll`).
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// The site's folders, watched recursively. The root is watched on its own
/// too, so that one of these appearing — created after `serve` started, or
/// deleted and re-created (a `git checkout`, an `rsync`) — is watched again.
const SITE_FOLDERS: [&str; 4] = ["content", "templates", "themes", "static"];

type Events = Sender<notify::Result<notify::Event>>;

/// A running watcher; dropping it stops watching.
pub struct Handle {
    _backend: Arc<Mutex<Backend>>,
}

enum Backend {
    Native(RecommendedWatcher),
    Poll(PollWatcher),
}

/// Starts watching `root`'s site folders; events arrive on the returned channel.
pub fn start(
    root: &Path,
    poll: bool,
) -> notify::Result<(Handle, Receiver<notify::Result<notify::Event>>)> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (rearm_tx, rearm_rx) = std::sync::mpsc::channel();
    let forward = Forward {
        root: root.to_path_buf(),
        events: tx.clone(),
        rearm: rearm_tx,
    };
    let mut backend = if poll {
        let config = NotifyConfig::default()
            .with_poll_interval(POLL_INTERVAL)
            .with_compare_contents(true);
        Backend::Poll(PollWatcher::new(forward, config)?)
    } else {
        Backend::Native(notify::recommended_watcher(forward)?)
    };
    for dir in SITE_FOLDERS {
        let path = root.join(dir);
        if path.is_dir() {
            backend.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    backend.watch(root, RecursiveMode::NonRecursive)?;
    let backend = Arc::new(Mutex::new(backend));
    let weak = Arc::downgrade(&backend);
    std::thread::spawn(move || rearm_loop(&weak, &rearm_rx, &tx));
    Ok((Handle { _backend: backend }, rx))
}

impl Backend {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Backend::Native(w) => w.watch(path, mode),
            Backend::Poll(w) => w.watch(path, mode),
        }
    }
}

/// The watcher's event handler: passes every event on, and sends a site
/// folder that (re)appeared to be watched again. It cannot watch it itself:
/// it runs on the watcher's own thread, which a new watch waits for.
struct Forward {
    root: PathBuf,
    events: Events,
    rearm: Sender<PathBuf>,
}

impl notify::EventHandler for Forward {
    fn handle_event(&mut self, event: notify::Result<notify::Event>) {
        if let Some(e) = event.as_ref().ok().filter(|e| appears(&e.kind)) {
            for folder in e.paths.iter().filter(|p| self.is_site_folder(p)) {
                let _ = self.rearm.send(folder.clone());
            }
        }
        let _ = self.events.send(event);
    }
}

impl Forward {
    fn is_site_folder(&self, path: &Path) -> bool {
        path.parent() == Some(self.root.as_path())
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| SITE_FOLDERS.contains(&n))
    }
}

/// Whether an event can mean a path (re)appeared: created, or renamed to.
/// Not a change of metadata: re-arming walks the whole folder.
fn appears(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_)) | EventKind::Any
    )
}

/// Watches each site folder that (re)appears, then reports every file in
/// it as created: those written before the watch began would be missed
/// otherwise. Ends when the watcher is dropped.
fn rearm_loop(backend: &Weak<Mutex<Backend>>, folders: &Receiver<PathBuf>, events: &Events) {
    for folder in folders {
        let Some(backend) = backend.upgrade() else {
            return;
        };
        if !folder.is_dir() {
            continue;
        }
        let armed = backend
            .lock()
            .is_ok_and(|mut b| b.watch(&folder, RecursiveMode::Recursive).is_ok());
        drop(backend);
        if armed {
            announce(&folder, events);
        }
    }
}

fn announce(folder: &Path, events: &Events) {
    for entry in walkdir::WalkDir::new(folder).into_iter().flatten() {
        let event =
            notify::Event::new(EventKind::Create(CreateKind::Any)).add_path(entry.into_path());
        let _ = events.send(Ok(event));
    }
}

/// Waits up to `wait` for file events, then gathers the rest of the burst.
/// Returns the changed paths (absolute), or `None` when the watcher ended.
pub fn next_batch(
    rx: &Receiver<notify::Result<notify::Event>>,
    wait: Option<Duration>,
) -> Option<Vec<PathBuf>> {
    next_batch_from(rx, None, wait)
}

/// [`next_batch`], starting from `held`, an event already taken from `rx`
/// when there is one.
pub fn next_batch_from(
    rx: &Receiver<notify::Result<notify::Event>>,
    held: Option<notify::Result<notify::Event>>,
    wait: Option<Duration>,
) -> Option<Vec<PathBuf>> {
    let first = match (held, wait) {
        (Some(event), _) => event,
        (None, Some(timeout)) => match rx.recv_timeout(timeout) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => return Some(Vec::new()),
            Err(RecvTimeoutError::Disconnected) => return None,
        },
        (None, None) => rx.recv().ok()?,
    };
    let mut burst = Burst::default();
    burst.see(&first);
    let mut paths = event_paths(first);
    let started = Instant::now();
    while started.elapsed() < MAX_BATCH {
        match rx.recv_timeout(burst.quiet()) {
            Ok(event) => {
                burst.see(&event);
                paths.extend(event_paths(event));
            }
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    paths.sort();
    paths.dedup();
    Some(paths)
}

/// What a burst of events did so far: whether it is only files written in
/// place, each of them closed since (then it is over sooner).
#[derive(Default)]
struct Burst {
    /// Written and not closed yet.
    open: Vec<PathBuf>,
    closed: bool,
    /// Created, removed, renamed, changed metadata, or an error: an
    /// editor's save through a temporary file, a `git checkout`.
    other: bool,
}

impl Burst {
    fn see(&mut self, event: &notify::Result<notify::Event>) {
        use notify::event::{AccessKind, AccessMode};
        let Ok(event) = event else {
            self.other = true;
            return;
        };
        match event.kind {
            EventKind::Modify(ModifyKind::Data(_)) => {
                for path in &event.paths {
                    if !self.open.contains(path) {
                        self.open.push(path.clone());
                    }
                }
            }
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                self.open.retain(|p| !event.paths.contains(p));
                self.closed = true;
            }
            EventKind::Access(_) => {}
            _ => self.other = true,
        }
    }

    fn quiet(&self) -> Duration {
        if self.closed && self.open.is_empty() && !self.other {
            CLOSED_QUIET
        } else {
            QUIET
        }
    }
}

fn event_paths(event: notify::Result<notify::Event>) -> Vec<PathBuf> {
    match event {
        Ok(e) if !matches!(e.kind, notify::EventKind::Access(_)) => e.paths,
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, path: &str) -> notify::Result<notify::Event> {
        Ok(notify::Event::new(kind).add_path(PathBuf::from(path)))
    }

    /// A save in place is over once the file is closed; a save through a
    /// temporary file, or a write still open, waits the whole window.
    #[test]
    fn a_burst_of_closed_writes_in_place_ends_sooner() {
        use notify::event::{AccessKind, AccessMode, DataChange, RenameMode};
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let mut burst = Burst::default();
        burst.see(&event(write, "a.md"));
        assert_eq!(burst.quiet(), QUIET, "still open");
        burst.see(&event(close, "a.md"));
        assert_eq!(burst.quiet(), CLOSED_QUIET);
        burst.see(&event(write, "b.md"));
        assert_eq!(burst.quiet(), QUIET, "another file open");
        burst.see(&event(close, "b.md"));
        assert_eq!(burst.quiet(), CLOSED_QUIET);
        burst.see(&event(
            EventKind::Modify(ModifyKind::Name(RenameMode::Any)),
            "a.md",
        ));
        assert_eq!(burst.quiet(), QUIET, "a rename may be half of a save");
    }

    /// How long a test waits for an event before it fails.
    const PATIENCE: Duration = Duration::from_secs(5);

    /// Gathers batches until one holds `path`; false after PATIENCE.
    fn sees(rx: &Receiver<notify::Result<notify::Event>>, path: &Path) -> bool {
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            match next_batch(rx, Some(Duration::from_millis(100))) {
                Some(paths) if paths.iter().any(|p| p == path) => return true,
                Some(_) => {}
                None => return false,
            }
        }
        false
    }

    /// Lets the watcher settle, then forgets what it reported so far.
    fn drain(rx: &Receiver<notify::Result<notify::Event>>) {
        std::thread::sleep(POLL_INTERVAL * 2);
        while rx.try_recv().is_ok() {}
    }

    fn site() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        (dir, root)
    }

    fn folder_created_after_start_is_watched(poll: bool) {
        let (_dir, root) = site();
        let (_handle, rx) = start(&root, poll).unwrap();
        drain(&rx);
        std::fs::create_dir_all(root.join("content/actors")).unwrap();
        std::fs::write(root.join("content/actors/a.md"), "one").unwrap();
        assert!(sees(&rx, &root.join("content/actors/a.md")), "poll: {poll}");
        drain(&rx);
        std::fs::write(root.join("content/actors/a.md"), "two").unwrap();
        assert!(sees(&rx, &root.join("content/actors/a.md")), "poll: {poll}");
    }

    fn folder_deleted_and_recreated_is_watched_again(poll: bool) {
        let (_dir, root) = site();
        std::fs::create_dir_all(root.join("templates")).unwrap();
        let (_handle, rx) = start(&root, poll).unwrap();
        drain(&rx);
        std::fs::remove_dir_all(root.join("templates")).unwrap();
        assert!(sees(&rx, &root.join("templates")), "poll: {poll}");
        drain(&rx);
        std::fs::create_dir_all(root.join("templates")).unwrap();
        assert!(sees(&rx, &root.join("templates")), "poll: {poll}");
        drain(&rx);
        std::fs::write(root.join("templates/page.html"), "x").unwrap();
        assert!(sees(&rx, &root.join("templates/page.html")), "poll: {poll}");
    }

    #[test]
    fn a_folder_created_after_start_is_watched() {
        folder_created_after_start_is_watched(false);
    }

    #[test]
    fn a_folder_created_after_start_is_watched_when_polling() {
        folder_created_after_start_is_watched(true);
    }

    #[test]
    fn a_folder_deleted_and_recreated_is_watched_again() {
        folder_deleted_and_recreated_is_watched_again(false);
    }

    #[test]
    fn a_folder_deleted_and_recreated_is_watched_again_when_polling() {
        folder_deleted_and_recreated_is_watched_again(true);
    }

    #[test]
    fn files_written_before_the_new_folder_is_watched_are_reported() {
        let (_dir, root) = site();
        let (_handle, rx) = start(&root, false).unwrap();
        drain(&rx);
        // Written all at once, most likely before the watch is armed.
        std::fs::create_dir_all(root.join("static/img/deep")).unwrap();
        std::fs::write(root.join("static/img/deep/logo.png"), "png").unwrap();
        assert!(sees(&rx, &root.join("static/img/deep/logo.png")));
    }
}
