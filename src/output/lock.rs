//! WRITE: one build at a time into an output folder.
//!
//! Two builds into the same folder used to both exit 0 and leave it
//! half-written: the second one's clean-up deleted the first one's live
//! temporary folder. Now a build first takes an exclusive lock on a file
//! beside the output (`.public.explainer-lock`), which holds its PID for the
//! note a waiting build prints. The lock is the kernel's (`flock`), released
//! when its process ends however it ends, so the lock file of a build that
//! was killed is simply taken over by the next one.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::WriteError;

/// Held for as long as a build writes; dropping it removes the file and
/// releases the lock.
pub struct OutputLock {
    path: PathBuf,
    file: File,
}

impl OutputLock {
    /// Takes the lock at `path`, waiting (with a note on stderr naming the
    /// build that holds it) while another build holds it.
    pub fn acquire(path: &Path, out: &Path) -> Result<OutputLock, WriteError> {
        loop {
            let file = open(path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    note_waiting(path, out);
                    file.lock().map_err(|e| lock_error(path, e))?;
                }
                Err(TryLockError::Error(e)) => return Err(lock_error(path, e)),
            }
            // The build we waited for removed the file as it finished: the
            // lock we got is on a file nobody else will open. Start over.
            if still_at(&file, path) {
                write_pid(&file).map_err(|e| lock_error(path, e))?;
                return Ok(OutputLock {
                    path: path.to_path_buf(),
                    file,
                });
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked (the file is closed after this body),
        // so a build waiting on it sees the file gone and opens a new one.
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

fn open(path: &Path) -> Result<File, WriteError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| lock_error(path, e))
}

fn lock_error(path: &Path, error: io::Error) -> WriteError {
    WriteError::Io {
        path: path.to_path_buf(),
        error: io::Error::new(error.kind(), format!("cannot lock the output: {error}")),
    }
}

fn note_waiting(path: &Path, out: &Path) {
    let holder = fs::read_to_string(path)
        .ok()
        .and_then(|text| text.trim().parse::<u32>().ok())
        .map(|pid| format!(" (PID {pid})"))
        .unwrap_or_default();
    let _ = writeln!(
        io::stderr(),
        "waiting for another explainer build{holder} to finish writing {}…",
        out.display()
    );
}

fn write_pid(mut file: &File) -> io::Result<()> {
    file.set_len(0)?;
    writeln!(file, "{}", std::process::id())
}

#[cfg(unix)]
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(held), Ok(named)) => held.dev() == named.dev() && held.ino() == named.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_at(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".out.explainer-lock");
        let first = OutputLock::acquire(&path, dir.path()).unwrap();
        let pid = fs::read_to_string(&path).unwrap();
        assert_eq!(pid.trim(), std::process::id().to_string());
        let waiting = {
            let path = path.clone();
            let out = dir.path().to_path_buf();
            std::thread::spawn(move || OutputLock::acquire(&path, &out).map(|_| ()).is_ok())
        };
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(!waiting.is_finished(), "the second lock did not wait");
        drop(first);
        assert!(waiting.join().unwrap());
        assert!(!path.exists(), "the lock file is removed when released");
    }

    #[test]
    fn a_lock_file_left_by_a_dead_build_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".out.explainer-lock");
        fs::write(&path, "4194303\n").unwrap();
        let lock = OutputLock::acquire(&path, dir.path()).unwrap();
        assert_eq!(lock.path(), path);
    }
}
