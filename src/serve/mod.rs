//! SERVE: `explainer serve` — build in memory, serve over HTTP on loopback,
//! watch the site, rebuild only what a change touches, reload open tabs, and
//! show errors in the browser without stopping.
//!
//! The loop reads like this: wait for a burst of file events, classify each
//! path, apply the batch to the [`Engine`], publish the new output
//! to the HTTP threads, and — once the folder has been quiet a moment —
//! tell open tabs to reload, once per burst.

pub mod change;
pub mod http;
pub mod overlay;
pub mod watch;

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cli::{GlobalArgs, ServeArgs};
use crate::cmd::{CompileOptions, Failure, Outcome, use_color};
use crate::engine::{Change, Engine};

/// How long after the last rebuild of a burst open tabs are told to reload:
/// a burst of saves (30 a second) reloads them once, at its end.
const RELOAD_QUIET: Duration = Duration::from_millis(120);

pub fn run(args: &ServeArgs, global: &GlobalArgs) -> Result<Outcome, Failure> {
    let root = crate::output::absolute(&args.site.root);
    if !root.is_dir() {
        return Err(Failure(format!(
            "site folder {} does not exist",
            root.display()
        )));
    }
    let bind: IpAddr = args
        .bind
        .parse()
        .map_err(|_| Failure(format!("--bind {} is not an IP address", args.bind)))?;
    if !bind.is_loopback() {
        crate::cmd::say::err(&format!(
            "warning: serving on {bind}, which other machines can reach; the preview has no authentication\n"
        ));
    }
    let server = http::Listener::bind((bind, args.port).into()).map_err(|e| {
        Failure(format!(
            "cannot listen on {bind}:{}: {e} (is another server using the port? try --port)",
            args.port
        ))
    })?;
    let options = CompileOptions {
        drafts: args.site.drafts,
        base_url: Some(format!("http://{}:{}", host_for(bind), args.port)),
        serving: true,
        today: args.site.today,
    };
    // Watch before the first build, so no save is missed: one made during
    // the build is simply applied after it.
    let (_watcher, events) = watch::start(&root, args.poll)
        .map_err(|e| Failure(format!("cannot watch {}: {e}", root.display())))?;
    let started = Instant::now();
    // The server answers as soon as the site is derived: every page is
    // marked pending, so a request waits for its page, which is rendered
    // before the others (`render_pending`).
    let mut session = Engine::start(&root, options);
    let shared = Arc::new(http::Shared::new(&bind.to_string(), args.port));
    let color = use_color(global.color);
    print_diagnostics(&session, color, true);
    shared.mark_pending(session.pending());
    shared.mark_pending(session.waiting());
    publish(&mut session, &shared);
    let url = format!("http://{}:{}/", host_for(bind), args.port);
    let pages = session.html_pages();
    let http_shared = Arc::clone(&shared);
    std::thread::spawn(move || http::run(server, http_shared));
    if !global.quiet {
        crate::cmd::say::out(&format!(
            "Serving {pages} pages at {url} (ready in {:.2} s); press Ctrl+C to stop\n",
            started.elapsed().as_secs_f64()
        ));
    }
    if args.open {
        open_browser(&url);
    }
    // The pages are rendered by the watch loop, which takes saves first.
    watch_loop(&root, &mut session, &shared, &events, color, global.quiet);
    Ok(Outcome::Clean)
}

fn host_for(bind: IpAddr) -> String {
    match bind {
        IpAddr::V6(v6) if v6.is_loopback() => "[::1]".into(),
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

type Events = std::sync::mpsc::Receiver<notify::Result<notify::Event>>;

/// The watcher's events, one of which rendering may take early: pages are
/// rendered a chunk at a time, and a save stops the rendering at the end
/// of a chunk so that its pages come first (the rest stay pending).
struct Inbox<'a> {
    rx: &'a Events,
    held: Option<notify::Result<notify::Event>>,
}

impl Inbox<'_> {
    /// Whether an event other than a file being read has come.
    fn arrived(&mut self) -> bool {
        while self.held.is_none() {
            match self.rx.try_recv() {
                Ok(Ok(e)) if matches!(e.kind, notify::EventKind::Access(_)) => {}
                Ok(event) => self.held = Some(event),
                Err(_) => break,
            }
        }
        self.held.is_some()
    }

    fn next_batch(&mut self, wait: Option<Duration>) -> Option<Vec<PathBuf>> {
        watch::next_batch_from(self.rx, self.held.take(), wait)
    }
}

/// Renders the pages left from the start and rebuilds on every burst of
/// changes, until the watcher stops.
fn watch_loop(
    root: &Path,
    session: &mut Engine,
    shared: &http::Shared,
    events: &Events,
    color: bool,
    quiet: bool,
) {
    let mut inbox = Inbox {
        rx: events,
        held: None,
    };
    let mut reload_due: Option<Instant> = None;
    let mut last_change = Instant::now();
    // Until every page of the start is rendered.
    let mut starting = Some((Instant::now(), session.html_pages()));
    loop {
        if let Some((since, pages)) = starting.filter(|_| !session.has_pending()) {
            if std::env::var_os("EXPLAINER_TRACE").is_some() {
                let held: usize = session.blobs().values().map(|b| b.held()).sum();
                let len: usize = session.blobs().values().map(|b| b.len()).sum();
                eprintln!(
                    "  output: {} files, {len} bytes held as {held}",
                    session.blobs().len()
                );
            }
            if !quiet {
                crate::cmd::say::out(&format!(
                    "Rendered all {pages} pages in {:.2} s more\n",
                    since.elapsed().as_secs_f64()
                ));
            }
            starting = None;
        }
        if !session.has_pending() && !session.has_waiting() {
            shared.fold();
        }
        // Exports, feeds and the search index wait while edits come in
        // (they are marked pending, so a request for one waits, and is
        // rendered first); they are rendered once the folder is quiet.
        let wait = if session.has_pending() {
            Some(Duration::ZERO)
        } else if session.has_waiting() {
            Some(WAITING_POLL)
        } else {
            reload_due.map(|due| due.saturating_duration_since(Instant::now()))
        };
        let Some(paths) = inbox.next_batch(wait) else {
            return;
        };
        let changes = classify_all(root, session, &paths);
        if !changes.is_empty() {
            let started = Instant::now();
            let (outcome, pages_served) = rebuild(session, shared, &changes, &mut inbox);
            last_change = Instant::now();
            print_diagnostics(session, color, false);
            if !outcome.changed.is_empty() {
                reload_due = Some(Instant::now() + RELOAD_QUIET);
            }
            if !quiet {
                say_rebuilt(&outcome, started.elapsed(), pages_served);
            }
        } else if session.has_pending() {
            // Pages left by the start, or by a rebuild a save interrupted.
            // Template errors of single pages are known once they render.
            let errors = session.diagnostics().errors();
            render_pending(session, shared, Instant::now(), &mut inbox);
            if session.diagnostics().errors() != errors {
                print_diagnostics(session, color, false);
            }
        } else if session.has_waiting() {
            let asked = shared.wanted();
            let quiet_now = last_change.elapsed() >= EXPORTS_AFTER;
            if !asked.is_empty() || quiet_now {
                let done = session.finish_some(&asked, PAGE_CHUNK);
                publish(session, shared);
                shared.settled(&done.paths);
            }
        }
        if reload_due.is_some_and(|due| Instant::now() >= due) {
            shared.reload_all();
            reload_due = None;
        }
    }
}

/// The terminal line after a rebuild of the pages.
fn say_rebuilt(
    outcome: &crate::engine::Outcome,
    took: std::time::Duration,
    pages_served: std::time::Duration,
) {
    if outcome.changed.is_empty() {
        return;
    }
    let files = if outcome.changed.len() == 1 {
        "file"
    } else {
        "files"
    };
    let what = if outcome.full {
        "everything".to_owned()
    } else {
        format!("{} pages", outcome.rendered)
    };
    crate::cmd::say::out(&format!(
        "Rebuilt {what} in {:.0} ms, pages served after {:.0} ms ({} {files} changed)\n",
        took.as_secs_f64() * 1000.0,
        pages_served.as_secs_f64() * 1000.0,
        outcome.changed.len(),
    ));
}

/// How long the folder must be quiet before the exports, feeds and search
/// index are rendered again: a writer saving every few seconds never
/// waits for them.
const EXPORTS_AFTER: std::time::Duration = std::time::Duration::from_millis(400);

/// How often, while exports wait, the loop looks for requests waiting for
/// one of them.
const WAITING_POLL: std::time::Duration = std::time::Duration::from_millis(10);

/// How many pages are rendered between two looks at what readers are
/// waiting for: small enough that a page asked for mid-way is served
/// within a few tens of milliseconds, large enough to keep both cores busy.
const PAGE_CHUNK: usize = 48;

/// Applies a burst of changes: the pages a reader has open or is asking
/// for are rendered and served first, and no request is answered with a
/// page that is about to change (the HTTP side holds such requests until
/// the page is published). Returns what was done and when the first
/// pages were served.
fn rebuild(
    session: &mut Engine,
    shared: &http::Shared,
    changes: &[Change],
    inbox: &mut Inbox<'_>,
) -> (crate::engine::Outcome, std::time::Duration) {
    let started = Instant::now();
    let outcome = session.plan(changes);
    shared.mark_pending(session.pending());
    if !outcome.changed.is_empty() {
        // Outputs the change removed (a deleted page answers 404 at once)
        // and static files published anew go out before any page: the
        // pages about to change are marked, so no request sees them stale.
        publish(session, shared);
    }
    let (done, served) = render_pending(session, shared, started, inbox);
    let mut all = outcome;
    all.add(done);
    (all, served)
}

/// Renders the pages [`Engine::plan`] (or [`Engine::start`]) left
/// pending, in chunks, those a reader has open or is asking for first,
/// publishing as soon as they are done; then gathers the diagnostics and
/// publishes the rest. Stops after a chunk when a file event comes (the
/// pages not rendered stay pending, for the watch loop). Returns what was
/// rendered and when the first pages were served (counted from `started`).
fn render_pending(
    session: &mut Engine,
    shared: &http::Shared,
    started: Instant,
    inbox: &mut Inbox<'_>,
) -> (crate::engine::Outcome, std::time::Duration) {
    let mut outcome = crate::engine::Outcome::default();
    let mut served = None;
    // Rendered since the last publish: still marked pending.
    let mut unpublished: Vec<PathBuf> = Vec::new();
    loop {
        let wanted = shared.wanted();
        let open = shared.open_pages();
        // What a reader waits for (a page, or a feed or export left
        // waiting) is rendered alone and published at once, not in a chunk
        // with files nobody asked for (a listing page of a site-wide change
        // can take tens of milliseconds).
        let step = if session.waits_for(&wanted) {
            session.finish_some(&wanted, wanted.len())
        } else if session.has_pending() && !wanted.is_empty() {
            session.render_next(&wanted, wanted.len())
        } else if session.has_pending() {
            let first: Vec<PathBuf> = open.iter().map(PathBuf::from).collect();
            session.render_next(&first, PAGE_CHUNK.max(first.len()))
        } else {
            break;
        };
        let shows_open = step
            .paths
            .iter()
            .any(|p| open.iter().any(|o| p.as_os_str() == o.as_str()));
        unpublished.extend(step.paths.iter().cloned());
        outcome.add(crate::engine::Outcome {
            paths: Vec::new(),
            ..step
        });
        // Published for a reader waiting or looking at a page just
        // rendered; otherwise the files gather for one publish at the end
        // (each publish copies the files changed since the last fold).
        let interrupted = session.has_pending() && inbox.arrived();
        if !wanted.is_empty() || shows_open || (interrupted && !unpublished.is_empty()) {
            publish(session, shared);
            shared.settled(&unpublished);
            unpublished.clear();
            served.get_or_insert(started.elapsed());
        }
        if interrupted {
            return (outcome, served.unwrap_or_else(|| started.elapsed()));
        }
    }
    // The pages go out before the diagnostics are gathered (tens of
    // milliseconds over a large site); a second publish follows only when
    // the diagnostics change the overlay.
    let overlay = if unpublished.is_empty() {
        None
    } else {
        let overlay = publish(session, shared);
        shared.settled(&unpublished);
        served.get_or_insert(started.elapsed());
        Some(overlay)
    };
    let served = served.unwrap_or_else(|| started.elapsed());
    session.settle();
    if overlay != Some(overlay::overlay(session.diagnostics())) {
        publish(session, shared);
    }
    shared.pending_only(&session.waiting());
    (outcome, served)
}

fn classify_all(root: &Path, session: &Engine, paths: &[PathBuf]) -> Vec<Change> {
    let config = session.config();
    let mut changes: Vec<Change> = paths
        .iter()
        .filter_map(|p| p.strip_prefix(root).ok())
        .filter_map(|rel| {
            let is_folder = |r: &Path| root.join(r).is_dir() || session.has_content_under(r);
            change::classify(rel, &config.theme, &config.output_dir, is_folder)
        })
        .collect();
    changes.sort();
    changes.dedup();
    changes
}

/// Prints the diagnostics. The first build prints every one; later
/// rebuilds print only the errors (in full) and the count, so a site with
/// many warnings does not flood the terminal on every save.
fn print_diagnostics(session: &Engine, color: bool, first: bool) {
    let diagnostics = session.diagnostics();
    if first && !diagnostics.is_empty() {
        crate::cmd::say::err(&diagnostics.render_human(color));
    } else if diagnostics.has_errors() {
        crate::cmd::say::err(&diagnostics.errors_only().render_human(color));
        crate::cmd::say::err(&format!("({})\n", diagnostics.summary()));
    }
}

/// Hands the session's output and overlay to the HTTP threads; returns
/// the overlay.
fn publish(session: &mut Engine, shared: &http::Shared) -> Option<String> {
    let mut clock = crate::engine::Trace::start();
    let overlay = overlay::overlay(session.diagnostics());
    clock.lap("overlay");
    // Only what changed since the last publish is handed over: the new
    // snapshot shares the rest with the one before.
    let changed = session.take_changed();
    let files = shared
        .current()
        .files
        .with_changes(session.blobs(), &changed);
    let served = shared.publish(http::Snapshot {
        files,
        overlay,
        changed,
    });
    clock.lap("publish");
    served.overlay.clone()
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        crate::cmd::say::err(&format!("could not open a browser; visit {url}\n"));
    }
}
