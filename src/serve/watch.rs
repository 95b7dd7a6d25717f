//! SERVE: watching the site's folders and turning bursts of file events
//! into one batch of changes.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{Config as NotifyConfig, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};

/// How long the folder must be quiet before a batch is rebuilt. Short: a
/// save should show within tens of milliseconds; editors that write a
/// temporary file and rename it do both within this window.
pub const QUIET: Duration = Duration::from_millis(15);
/// The longest a batch waits while events keep coming (a `git checkout`).
pub const MAX_BATCH: Duration = Duration::from_millis(400);
/// Interval of the polling watcher (`--poll`).
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// A running watcher; dropping it stops watching.
pub enum Handle {
    Native(RecommendedWatcher),
    Poll(PollWatcher),
}

/// Starts watching `root`'s site folders; events arrive on the returned channel.
pub fn start(
    root: &Path,
    poll: bool,
) -> notify::Result<(Handle, Receiver<notify::Result<notify::Event>>)> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut handle = if poll {
        let config = NotifyConfig::default()
            .with_poll_interval(POLL_INTERVAL)
            .with_compare_contents(true);
        Handle::Poll(PollWatcher::new(tx, config)?)
    } else {
        Handle::Native(notify::recommended_watcher(tx)?)
    };
    for dir in ["content", "templates", "themes", "static"] {
        let path = root.join(dir);
        if path.is_dir() {
            handle.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    handle.watch(root, RecursiveMode::NonRecursive)?;
    Ok((handle, rx))
}

impl Handle {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Handle::Native(w) => w.watch(path, mode),
            Handle::Poll(w) => w.watch(path, mode),
        }
    }
}

/// Waits up to `wait` for file events, then gathers the rest of the burst.
/// Returns the changed paths (absolute), or `None` when the watcher ended.
pub fn next_batch(
    rx: &Receiver<notify::Result<notify::Event>>,
    wait: Option<Duration>,
) -> Option<Vec<PathBuf>> {
    let first = match wait {
        Some(timeout) => match rx.recv_timeout(timeout) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => return Some(Vec::new()),
            Err(RecvTimeoutError::Disconnected) => return None,
        },
        None => rx.recv().ok()?,
    };
    let mut paths = event_paths(first);
    let started = Instant::now();
    while started.elapsed() < MAX_BATCH {
        match rx.recv_timeout(QUIET) {
            Ok(event) => paths.extend(event_paths(event)),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    paths.sort();
    paths.dedup();
    Some(paths)
}

fn event_paths(event: notify::Result<notify::Event>) -> Vec<PathBuf> {
    match event {
        Ok(e) if !matches!(e.kind, notify::EventKind::Access(_)) => e.paths,
        _ => Vec::new(),
    }
}
