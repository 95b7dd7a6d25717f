//! WRITE: Ctrl-C (or SIGTERM) during a build removes its temporary folder.
//!
//! Without this, an interrupted build left `.public.explainer-tmp-<pid>`
//! beside the output until the next build. The handler (the `ctrlc` crate,
//! on a thread of its own) waits until the writer is between two batches,
//! removes the live temporary folder and the lock file, and ends the process
//! with 130, as a shell reports a Ctrl-C. That handler is the one place
//! outside `main` that ends the process: a signal has no caller to return to.

use std::fs;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, Once, PoisonError};

/// Exit code of a process ended by Ctrl-C (128 + SIGINT), as shells report it.
const INTERRUPTED: i32 = 130;

/// What an interrupt must clean up: the folder being written and the lock.
pub struct Live {
    tmp: PathBuf,
    lock: PathBuf,
}

/// Held by the writer while it writes a batch or swaps, so the handler never
/// removes a folder that is being written into (which would recreate parts
/// of it); held by the handler until the process ends.
static LIVE: Mutex<Option<Live>> = Mutex::new(None);
static INSTALL: Once = Once::new();

fn live() -> MutexGuard<'static, Option<Live>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Registers the build's temporary folder and lock file for removal on an
/// interrupt, installing the handler the first time.
pub fn watch(tmp: PathBuf, lock: PathBuf) {
    INSTALL.call_once(|| {
        // Fails only if another handler is installed; then that one decides.
        let _ = ctrlc::set_handler(on_interrupt);
    });
    *live() = Some(Live { tmp, lock });
}

/// The build finished or failed and cleaned up after itself.
pub fn unwatch() {
    *live() = None;
}

/// Keeps the handler waiting while the caller writes into the folder.
pub fn hold() -> MutexGuard<'static, Option<Live>> {
    live()
}

fn on_interrupt() {
    let live = live();
    if let Some(live) = live.as_ref() {
        let _ = fs::remove_dir_all(&live.tmp);
        let _ = fs::remove_file(&live.lock);
    }
    std::process::exit(INTERRUPTED);
}
