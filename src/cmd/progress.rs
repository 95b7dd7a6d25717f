//! A progress line on stderr for builds that take a while: which stage is
//! running, a bar over the four stages, and the time so far.
//!
//! Hand-written rather than `indicatif`: the pipeline reports stages, not
//! per-page ticks (rendering is one parallel call), so all we draw is one
//! line, redrawn a few times a second by a thread — about sixty lines, no
//! dependency tree. Nothing is drawn when stderr is not a terminal (CI logs,
//! pipes, tests), with `--quiet`, or when the build ends within
//! [`SHOW_AFTER`]: a quick build prints its summary and nothing else.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Stage, say};

/// Builds shorter than this never show the line: it would only flicker.
const SHOW_AFTER: Duration = Duration::from_millis(1000);
/// How often the line is redrawn once shown.
const TICK: Duration = Duration::from_millis(100);
/// Width of the bar, in cells.
const BAR_WIDTH: usize = 20;
const SPINNER: [char; 4] = ['|', '/', '-', '\\'];

/// The running progress line; [`Progress::finish`] clears it.
pub struct Progress {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    stage: AtomicUsize,
    done: Mutex<bool>,
    wake: Condvar,
}

impl Progress {
    /// Starts the line if `wanted` and stderr is a terminal. `since` is when
    /// the command started, so a second line (after diagnostics were
    /// printed) picks up the same clock.
    pub fn start(wanted: bool, color: bool, since: Instant) -> Progress {
        let shared = Arc::new(Shared {
            stage: AtomicUsize::new(0),
            done: Mutex::new(false),
            wake: Condvar::new(),
        });
        let thread = (wanted && std::io::stderr().is_terminal()).then(|| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || draw_until_done(&shared, color, since))
        });
        Progress { shared, thread }
    }

    /// Records that `stage` has begun.
    pub fn stage(&self, stage: Stage) {
        let index = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
        self.shared.stage.store(index, Ordering::Relaxed);
    }

    /// Stops drawing and clears the line, so what is printed next starts
    /// on a clean line.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Ok(mut done) = self.shared.done.lock() {
            *done = true;
        }
        self.shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}

fn draw_until_done(shared: &Shared, color: bool, since: Instant) {
    let mut wait = SHOW_AFTER.saturating_sub(since.elapsed());
    let mut drawn = false;
    let mut frame = 0;
    loop {
        let Ok(done) = shared.done.lock() else { return };
        let Ok((done, _)) = shared.wake.wait_timeout_while(done, wait, |d| !*d) else {
            return;
        };
        if *done {
            break;
        }
        drop(done);
        let stage = shared.stage.load(Ordering::Relaxed);
        say::err(&format!(
            "\r\x1b[2K{}",
            line(stage, frame, since.elapsed(), color)
        ));
        drawn = true;
        frame += 1;
        wait = TICK;
    }
    if drawn {
        say::err("\r\x1b[2K");
    }
}

/// `/ [##########----------] 3/4 render  1.4 s`
fn line(stage: usize, frame: usize, elapsed: Duration, color: bool) -> String {
    let total = Stage::ALL.len();
    let filled = BAR_WIDTH * stage / total + BAR_WIDTH / total / 2;
    let bar = format!("{}{}", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled));
    let spinner = SPINNER[frame % SPINNER.len()];
    let (on, off) = if color {
        ("\x1b[36m", "\x1b[0m")
    } else {
        ("", "")
    };
    format!(
        "{on}{spinner}{off} [{bar}] {}/{total} {:<8} {:.1} s",
        stage + 1,
        Stage::ALL[stage.min(total - 1)].name(),
        elapsed.as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_the_stage_and_fills_the_bar_by_stage() {
        let first = line(0, 0, Duration::from_millis(1200), false);
        assert_eq!(first, "| [##------------------] 1/4 load     1.2 s");
        let third = line(2, 1, Duration::from_millis(3000), false);
        assert_eq!(third, "/ [############--------] 3/4 render   3.0 s");
    }

    #[test]
    fn nothing_is_drawn_off_a_terminal() {
        // Test runs capture stderr, so it is not a terminal: no thread.
        let progress = Progress::start(true, false, Instant::now());
        assert!(progress.thread.is_none() || std::io::stderr().is_terminal());
        progress.finish();
    }
}
