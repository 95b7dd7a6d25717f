//! Benchmark: save-to-served latency of `explainer serve` on a large site.
//!
//! Starts the release binary's `serve` on a free port against a copy-free
//! site folder (it edits files in place and restores them at the end), then
//! for each kind of edit — a body edit, a title edit (every page showing the
//! title must change) and a template edit — saves a file and polls over HTTP
//! until the served page shows the change. Prints the median and p95 over
//! the runs of each kind, and the load average before and after: on a busy
//! machine the figures say as much about the machine as about `serve`.
//!
//! A title edit is timed on a meeting page showing the actor; once that
//! shows the new title, the actor's own page and a page of the actors list
//! must show it too (a rebuild is published whole), which is checked, not
//! timed.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example gen_site -- 10000 /tmp/site10k
//! cargo run --release --example serve_latency -- /tmp/site10k [runs] [kinds]
//! ```
//!
//! `kinds` picks the edits, as a comma-separated list of `body`, `title`,
//! `create`, `delete`, `rename` and `template` (all by default). At the end
//! it prints the server's peak and current resident memory.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Longest wait for one edit to show before the benchmark gives up.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Pause between edits so each one is its own burst.
const SETTLE: Duration = Duration::from_millis(300);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(root) = args.get(1).map(PathBuf::from) else {
        eprintln!("usage: serve_latency SITE_DIR [RUNS] [body,title,template]");
        std::process::exit(2);
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(20);
    // `EXPLAINER_BIN` names another build, to compare two versions.
    let binary = std::env::var_os("EXPLAINER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/explainer"));
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let started = Instant::now();
    let mut server = Server::start(&binary, &root, port);
    wait_until(port, "/", |body| !body.is_empty());
    let ready = started.elapsed();
    // Edits are timed once serve has rendered every page: an edit during
    // the first render is served in a chunk's time, not an edit's.
    let all = server
        .all_rendered
        .recv_timeout(Duration::from_secs(600))
        .ok();
    println!(
        "site: {} — serve ready after {:.2} s, every page rendered after {}; load average {}",
        root.display(),
        ready.as_secs_f64(),
        all.map_or("(not seen)".into(), |_| format!(
            "{:.2} s",
            started.elapsed().as_secs_f64()
        )),
        load_average()
    );

    let (meeting, actor) = pick_pages(&root);
    let kinds = args
        .get(3)
        .map_or("body,title,create,delete,rename,template", String::as_str);
    let wanted = |kind: &str| kinds.split(',').any(|k| k.trim() == kind);
    if wanted("body") {
        let body = measure(runs, |n| body_edit(&root, &meeting, port, n));
        report("body edit", &body);
    }
    if wanted("title") {
        let title = measure(runs, |n| title_edit(&root, &actor, &meeting, port, n));
        report("title edit", &title);
    }
    if wanted("create") {
        let create = measure(runs, |n| create_edit(&root, port, n));
        report("create file", &create);
    }
    if wanted("delete") {
        let delete = measure(runs, |n| delete_edit(&root, port, n));
        report("delete file", &delete);
    }
    if wanted("rename") {
        let rename = measure(runs, |n| rename_edit(&root, &meeting, port, n));
        report("rename file", &rename);
    }
    if wanted("template") {
        let mut every = Vec::new();
        let template = measure(runs, |n| {
            let (open, all) = template_edit(&root, &meeting, port, &server.rebuilt, n);
            every.push(all);
            open
        });
        report("template edit", &template);
        every.sort();
        report("  every page", &every);
    }
    let _ = std::fs::remove_file(root.join("templates/partials/sources.html"));
    println!("serve memory: {}", memory(server.child.id()));
    server.stop();
    println!("load average {}", load_average());
}

/// The server's peak and current resident memory, where the system tells
/// them (`VmHWM` and `VmRSS` of `/proc/PID/status`).
fn memory(pid: u32) -> String {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return "unknown".into();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .map_or("?".into(), |kb| format!("{} MiB", kb / 1024))
    };
    format!("peak {}, now {}", field("VmHWM:"), field("VmRSS:"))
}

/// The 1, 5 and 15 minute load averages, where the system tells them.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

struct Server {
    child: Child,
    /// Receives once serve says it has rendered every page.
    all_rendered: std::sync::mpsc::Receiver<()>,
    /// Receives when serve says it has rendered every page a burst of
    /// changes reached (its "Rebuilt …" line).
    rebuilt: std::sync::mpsc::Receiver<Instant>,
}

impl Server {
    /// `SERVE_LOG` names a file to take the server's terminal output
    /// (its "Rebuilt N pages in X ms" lines), to see where the time goes.
    fn start(binary: &Path, root: &Path, port: u16) -> Self {
        use std::io::BufRead;
        let root = root.to_string_lossy();
        let port = port.to_string();
        let mut log = std::env::var_os("SERVE_LOG").and_then(|p| std::fs::File::create(p).ok());
        let mut child = Command::new(binary)
            .args(["serve", "--root", &root, "--port", &port])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("explainer serve starts (build it with cargo build --release)");
        let stdout = child.stdout.take().expect("piped");
        let (tx, all_rendered) = std::sync::mpsc::channel();
        let (rebuilt_tx, rebuilt) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if line.starts_with("Rendered all") {
                    let _ = tx.send(());
                }
                if line.starts_with("Rebuilt") {
                    let _ = rebuilt_tx.send(Instant::now());
                }
                if let Some(file) = &mut log {
                    let _ = writeln!(file, "{line}");
                }
            }
        });
        Server {
            child,
            all_rendered,
            rebuilt,
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A meeting with an actor participant: the actor's title shows on it.
fn pick_pages(root: &Path) -> (PathBuf, PathBuf) {
    let meetings = root.join("content/meetings");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&meetings)
        .expect("content/meetings")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for meeting in files {
        let text = std::fs::read_to_string(&meeting).unwrap_or_default();
        let participant = text
            .lines()
            .skip_while(|l| !l.starts_with("participants:"))
            .nth(1)
            .map(str::trim);
        if let Some(slug) = participant
            .and_then(|l| l.strip_prefix("- "))
            .filter(|s| !s.contains(':'))
        {
            let actor = root
                .join("content/actors")
                .join(format!("{}.md", slug.trim()));
            if actor.is_file() {
                return (meeting, actor);
            }
        }
    }
    panic!(
        "no meeting with a plain actor participant in {}",
        meetings.display()
    );
}

fn url_of(file: &Path) -> String {
    let kind = file
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let slug = file
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("/{kind}/{slug}/")
}

fn body_edit(root: &Path, meeting: &Path, port: u16, n: usize) -> Duration {
    let _ = root;
    let original = std::fs::read_to_string(meeting).expect("meeting text");
    let marker = format!("Latency marker {n}.");
    let started = Instant::now();
    std::fs::write(meeting, format!("{original}\n{marker}\n")).expect("write");
    wait_until(port, &url_of(meeting), |body| body.contains(&marker));
    let took = started.elapsed();
    std::fs::write(meeting, original).expect("restore");
    took
}

fn title_edit(root: &Path, actor: &Path, meeting: &Path, port: u16, n: usize) -> Duration {
    let _ = root;
    let original = std::fs::read_to_string(actor).expect("actor text");
    let title_line = original
        .lines()
        .find(|l| l.starts_with("title:"))
        .expect("a title line")
        .to_owned();
    let new_title = format!("Renamed Actor {n}");
    let started = Instant::now();
    std::fs::write(
        actor,
        original.replacen(&title_line, &format!("title: \"{new_title}\""), 1),
    )
    .expect("write");
    wait_until(port, &url_of(meeting), |body| body.contains(&new_title));
    let took = started.elapsed();
    let body = get(port, &url_of(actor)).unwrap_or_default();
    assert!(
        body.contains(&new_title),
        "the actor's page does not show the new title while {} does",
        url_of(meeting)
    );
    assert!(
        list_shows(port, "/actors/", &new_title),
        "no page of /actors/ shows the new title while {} does",
        url_of(meeting)
    );
    std::fs::write(actor, original).expect("restore");
    wait_until(port, &url_of(meeting), |body| !body.contains(&new_title));
    took
}

/// A new actor file: timed until its page is served.
fn create_edit(root: &Path, port: u16, n: usize) -> Duration {
    let file = root.join(format!("content/actors/latency-new-{n}.md"));
    let started = Instant::now();
    std::fs::write(
        &file,
        format!("---\ntitle: \"Latency newcomer {n}\"\ntype: person\n---\nNew.\n"),
    )
    .expect("write");
    wait_until(port, &url_of(&file), |body| {
        body.starts_with("HTTP/1.1 200") && body.contains(&format!("Latency newcomer {n}"))
    });
    started.elapsed()
}

/// Deletes the file [`create_edit`] made: timed until its page is gone.
fn delete_edit(root: &Path, port: u16, n: usize) -> Duration {
    let file = root.join(format!("content/actors/latency-new-{n}.md"));
    if !file.is_file() {
        create_edit(root, port, n);
        std::thread::sleep(SETTLE);
    }
    let started = Instant::now();
    std::fs::remove_file(&file).expect("remove");
    wait_until(port, &url_of(&file), |body| {
        body.starts_with("HTTP/1.1 404")
    });
    started.elapsed()
}

/// Renames a meeting's file and back: timed until the new address serves.
fn rename_edit(root: &Path, meeting: &Path, port: u16, n: usize) -> Duration {
    let _ = root;
    let renamed = meeting.with_file_name(format!("latency-renamed-{n}.md"));
    let started = Instant::now();
    std::fs::rename(meeting, &renamed).expect("rename");
    wait_until(port, &url_of(&renamed), |body| {
        body.starts_with("HTTP/1.1 200")
    });
    let took = started.elapsed();
    std::fs::rename(&renamed, meeting).expect("rename back");
    wait_until(port, &url_of(meeting), |body| {
        body.starts_with("HTTP/1.1 200")
    });
    took
}

/// Edits a partial every page uses: timed until the meeting page shows
/// it, and until serve has rendered every page again (`rebuilt`).
fn template_edit(
    root: &Path,
    meeting: &Path,
    port: u16,
    rebuilt: &std::sync::mpsc::Receiver<Instant>,
    n: usize,
) -> (Duration, Duration) {
    let partial = root.join("templates/partials/sources.html");
    std::fs::create_dir_all(partial.parent().expect("parent")).expect("templates folder");
    let marker = format!("template-marker-{n}");
    while rebuilt.try_recv().is_ok() {}
    let started = Instant::now();
    std::fs::write(
        &partial,
        format!("<p class=\"{marker}\">{{{{ page.sources | length }}}} sources</p>\n"),
    )
    .expect("write");
    wait_until(port, &url_of(meeting), |body| body.contains(&marker));
    let open = started.elapsed();
    let all = rebuilt
        .recv_timeout(TIMEOUT)
        .expect("serve says when the pages are rendered again");
    (open, all.duration_since(started))
}

fn measure(runs: usize, mut one: impl FnMut(usize) -> Duration) -> Vec<Duration> {
    let mut times = Vec::with_capacity(runs);
    for n in 0..runs {
        std::thread::sleep(SETTLE);
        times.push(one(n));
    }
    times.sort();
    times
}

fn report(what: &str, sorted: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = sorted[sorted.len() / 2];
    let p95 = sorted[((sorted.len() as f64 * 0.95).ceil() as usize)
        .saturating_sub(1)
        .min(sorted.len() - 1)];
    println!(
        "{what:<14} median {:>7.1} ms   p95 {:>7.1} ms   min {:>7.1} ms   max {:>7.1} ms   ({} runs)",
        ms(median),
        ms(p95),
        ms(sorted[0]),
        ms(sorted[sorted.len() - 1]),
        sorted.len()
    );
}

/// Whether some page of a paginated list (`/actors/`, `/actors/page/2/`,
/// …) shows `text`.
fn list_shows(port: u16, list: &str, text: &str) -> bool {
    (1..)
        .map(|n| match n {
            1 => get(port, list),
            n => get(port, &format!("{list}page/{n}/")),
        })
        .take_while(|body| body.as_ref().is_some_and(|b| b.starts_with("HTTP/1.1 200")))
        .any(|body| body.is_some_and(|b| b.contains(text)))
}

/// Polls a page until `ok` holds for its body.
fn wait_until(port: u16, path: &str, ok: impl Fn(&str) -> bool) {
    let started = Instant::now();
    while started.elapsed() < TIMEOUT {
        if get(port, path).is_some_and(|body| ok(&body)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("{path}: the change did not show within {TIMEOUT:?}");
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    Some(String::from_utf8_lossy(&raw).into_owned())
}
