//! SERVE: pages being re-rendered — the engine marks output paths before it
//! renders them, a request for a marked path waits until a published
//! snapshot holds its new bytes, and the engine asks which marked paths a
//! request is waiting for, to render those first. No page is served stale.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// The longest a request waits for a page being re-rendered before it is
/// answered with what is there: longer than any incremental rebuild, short
/// enough that a stuck engine never hangs a tab.
pub const PENDING_WAIT: Duration = Duration::from_secs(10);

/// A marked path and the requests waiting for it.
#[derive(Default)]
struct Mark {
    waiters: usize,
    /// When the first of the current waiters began waiting.
    since: Option<Instant>,
}

/// The marked output paths; a notification each time marks are cleared.
#[derive(Default)]
pub struct Pending {
    marks: Mutex<BTreeMap<PathBuf, Mark>>,
    cleared: Notify,
}

impl Pending {
    pub fn mark(&self, paths: impl IntoIterator<Item = PathBuf>) {
        let Ok(mut marks) = self.marks.lock() else {
            return;
        };
        for path in paths {
            marks.entry(path).or_default();
        }
    }

    /// Clears the marks of the paths a new snapshot changed (added,
    /// changed or removed), then wakes the waiting requests.
    pub fn settle(&self, changed: &BTreeSet<PathBuf>) {
        if let Ok(mut marks) = self.marks.lock() {
            for path in changed {
                marks.remove(path);
            }
        }
        self.cleared.notify_waiters();
    }

    /// Clears the marks of `paths` (rendered again, whether or not their
    /// bytes changed), then wakes the waiting requests.
    pub fn unmark(&self, paths: &[PathBuf]) {
        if let Ok(mut marks) = self.marks.lock() {
            for path in paths {
                marks.remove(path);
            }
        }
        self.cleared.notify_waiters();
    }

    pub fn clear(&self) {
        self.mark_only(&[]);
    }

    /// Marks exactly `paths`, in one step: a request for one of them
    /// never finds it unmarked in between.
    pub fn mark_only(&self, paths: &[PathBuf]) {
        if let Ok(mut marks) = self.marks.lock() {
            let keep: std::collections::BTreeSet<&PathBuf> = paths.iter().collect();
            marks.retain(|path, _| keep.contains(path));
            for path in paths {
                marks.entry(path.clone()).or_default();
            }
        }
        self.cleared.notify_waiters();
    }

    /// Marked paths a request waits for, longest-waiting first.
    pub fn wanted(&self) -> Vec<PathBuf> {
        let Ok(marks) = self.marks.lock() else {
            return Vec::new();
        };
        let mut wanted: Vec<(Instant, &PathBuf)> = marks
            .iter()
            .filter_map(|(path, mark)| Some((mark.since?, path)))
            .collect();
        wanted.sort();
        wanted.into_iter().map(|(_, path)| path.clone()).collect()
    }

    fn any_marked(&self, paths: &[PathBuf]) -> bool {
        self.marks
            .lock()
            .is_ok_and(|marks| paths.iter().any(|p| marks.contains_key(p)))
    }

    /// Waits until none of `paths` is marked, or `limit` has passed.
    pub async fn wait(&self, paths: &[PathBuf], limit: Duration) {
        let Some(_waiting) = Waiting::register(self, paths) else {
            return;
        };
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            // Listen before looking, so a clear in between is not missed.
            let cleared = self.cleared.notified();
            if !self.any_marked(paths) {
                return;
            }
            if tokio::time::timeout_at(deadline, cleared).await.is_err() {
                return;
            }
        }
    }
}

/// A request's claim on the marked paths it waits for; dropping it (the
/// wait ended, or the client went away) withdraws the claim.
struct Waiting<'a> {
    pending: &'a Pending,
    paths: Vec<PathBuf>,
}

impl<'a> Waiting<'a> {
    /// `None` when none of `paths` is marked: nothing to wait for.
    fn register(pending: &'a Pending, paths: &[PathBuf]) -> Option<Self> {
        let mut marks = pending.marks.lock().ok()?;
        let now = Instant::now();
        let mut claimed = Vec::new();
        for path in paths {
            if let Some(mark) = marks.get_mut(path) {
                mark.waiters += 1;
                mark.since.get_or_insert(now);
                claimed.push(path.clone());
            }
        }
        drop(marks);
        if claimed.is_empty() {
            return None;
        }
        Some(Waiting {
            pending,
            paths: claimed,
        })
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let Ok(mut marks) = self.pending.marks.lock() else {
            return;
        };
        for path in &self.paths {
            if let Some(mark) = marks.get_mut(path) {
                mark.waiters = mark.waiters.saturating_sub(1);
                if mark.waiters == 0 {
                    mark.since = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn a_wait_gives_up_after_its_limit_and_withdraws_its_claim() {
        let pending = Pending::default();
        let page = PathBuf::from("index.html");
        pending.mark([page.clone()]);
        let started = Instant::now();
        runtime().block_on(pending.wait(std::slice::from_ref(&page), Duration::from_millis(50)));
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert!(pending.any_marked(&[page]), "still marked");
        assert!(pending.wanted().is_empty(), "nobody waits any more");
    }

    #[test]
    fn paths_not_marked_are_not_waited_for() {
        let pending = Pending::default();
        pending.mark([PathBuf::from("a.html")]);
        let started = Instant::now();
        runtime().block_on(pending.wait(&[PathBuf::from("b.html")], PENDING_WAIT));
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn wanted_lists_the_longest_waiting_first_and_each_path_once() {
        let pending = Pending::default();
        let [a, b, c] = ["a.html", "b.html", "c.html"].map(PathBuf::from);
        pending.mark([a.clone(), b.clone(), c.clone()]);
        let first = Waiting::register(&pending, std::slice::from_ref(&b));
        std::thread::sleep(Duration::from_millis(2));
        let second = Waiting::register(&pending, &[a.clone(), b.clone()]);
        assert_eq!(pending.wanted(), [b.clone(), a.clone()]);
        drop(first);
        assert_eq!(pending.wanted(), [b.clone(), a.clone()], "b still wanted");
        drop(second);
        assert!(pending.wanted().is_empty());
    }

    #[test]
    fn a_publish_that_removes_a_page_ends_its_wait() {
        let pending = Pending::default();
        let page = PathBuf::from("gone.html");
        pending.mark([page.clone()]);
        pending.settle(&BTreeSet::from([page.clone()]));
        assert!(!pending.any_marked(&[page]));
    }
}
