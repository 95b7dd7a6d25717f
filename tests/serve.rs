//! `explainer serve` over real HTTP: start it on a free port against a
//! temporary copy of a fixture site, edit files, and watch what it serves.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a change may take to show before a test gives up. Generous:
/// this is a correctness test, not a benchmark.
const PATIENCE: Duration = Duration::from_secs(10);

struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start() -> Server {
    start_site(&common::fixture("build/basic"))
}

/// `serve` on a copy of the site at `from`.
fn start_site(from: &Path) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    common::copy_tree(from, &root);
    let port = free_port();
    let child = spawn_serve(&root, port, Stdio::null());
    let server = Server {
        child,
        port,
        _dir: dir,
        root,
    };
    wait_for(&server, "/", |status, _| status == 200);
    server
}

/// `explainer serve` on the site at `root`, its terminal lines to `stdout`.
fn spawn_serve(root: &Path, port: u16, stdout: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_explainer"))
        .args(["serve", "--root", root.to_str().unwrap()])
        .args(["--port", &port.to_string()])
        .env("NO_COLOR", "1")
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

struct Response {
    status: u16,
    headers: String,
    body: String,
}

/// A plain HTTP/1.1 GET with the given Host header.
fn request(port: u16, path: &str, host: &str) -> Option<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some(Response {
        status,
        headers: head.to_owned(),
        body: body.to_owned(),
    })
}

fn get(server: &Server, path: &str) -> Response {
    request(server.port, path, &format!("127.0.0.1:{}", server.port)).expect("the server answers")
}

/// Polls `path` until `ok` holds, or fails after PATIENCE.
fn wait_for(server: &Server, path: &str, ok: impl Fn(u16, &str) -> bool) -> Response {
    let started = Instant::now();
    loop {
        if let Some(r) = request(server.port, path, &format!("127.0.0.1:{}", server.port)) {
            if ok(r.status, &r.body) {
                return r;
            }
            if started.elapsed() > PATIENCE {
                panic!(
                    "{path}: gave up waiting; last answer {}:\n{}",
                    r.status, r.body
                );
            }
        } else if started.elapsed() > PATIENCE {
            panic!("{path}: the server did not answer");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, f(text)).unwrap();
}

#[test]
fn serves_the_site_and_shows_a_body_edit() {
    let server = start();
    let page = get(&server, "/meetings/london-talks/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Follow-up to the summit."));
    assert!(
        page.body.contains("/__explainer/live"),
        "the reload script is injected"
    );
    assert!(
        page.headers
            .to_ascii_lowercase()
            .contains("content-type: text/html")
    );
    assert!(
        !page
            .headers
            .to_ascii_lowercase()
            .contains("access-control-allow-origin")
    );
    edit(&server.root, "content/meetings/london-talks.md", |t| {
        t.replace("Follow-up to the summit.", "Talks moved to Geneva.")
    });
    wait_for(&server, "/meetings/london-talks/", |_, body| {
        body.contains("Talks moved to Geneva.")
    });
}

#[test]
fn broken_front_matter_shows_an_overlay_until_fixed() {
    let server = start();
    let original =
        std::fs::read_to_string(server.root.join("content/meetings/london-talks.md")).unwrap();
    edit(&server.root, "content/meetings/london-talks.md", |t| {
        t.replacen("title: \"London talks\"", "title: [\"London talks\"", 1)
    });
    let page = wait_for(&server, "/actors/ada-lovelace/", |_, body| {
        body.contains("explainer-overlay")
    });
    assert!(
        page.body.contains("content/meetings/london-talks.md:"),
        "overlay names file and line: {}",
        page.body
    );
    assert_eq!(page.status, 200, "other pages still serve");
    let broken = get(&server, "/meetings/london-talks/");
    assert_eq!(
        broken.status, 200,
        "the last good version of the broken page is served"
    );
    assert!(broken.body.contains("London talks"));
    std::fs::write(
        server.root.join("content/meetings/london-talks.md"),
        original,
    )
    .unwrap();
    wait_for(&server, "/actors/ada-lovelace/", |_, body| {
        !body.contains("explainer-overlay")
    });
}

#[test]
fn a_new_meeting_shows_on_its_participants_page_and_goes_when_deleted() {
    let server = start();
    let rel = "content/meetings/geneva-round.md";
    std::fs::write(server.root.join(rel), "---\ntitle: \"Geneva round\"\nsummary: \"s\"\ndate: 2026-02-01\nparticipants: [ada-lovelace]\n---\nText.\n").unwrap();
    wait_for(&server, "/actors/ada-lovelace/", |_, body| {
        body.contains("meetings/geneva-round/index.html")
    });
    assert_eq!(get(&server, "/meetings/geneva-round/").status, 200);
    std::fs::remove_file(server.root.join(rel)).unwrap();
    wait_for(&server, "/actors/ada-lovelace/", |_, body| {
        !body.contains("geneva-round")
    });
    assert_eq!(get(&server, "/meetings/geneva-round/").status, 404);
}

#[test]
fn a_renamed_page_answers_404_at_its_old_url() {
    let server = start();
    let from = server.root.join("content/pages/about.md");
    std::fs::rename(&from, server.root.join("content/pages/about-us.md")).unwrap();
    wait_for(&server, "/pages/about-us/", |status, _| status == 200);
    assert_eq!(get(&server, "/pages/about/").status, 404);
}

#[test]
fn traversal_is_refused_and_foreign_hosts_are_forbidden() {
    let server = start();
    for path in [
        "/../site.yaml",
        "/%2e%2e/site.yaml",
        "/actors/%2e%2e/%2e%2e/site.yaml",
        "/actors%2f..%2f..%2fsite.yaml",
        "//etc/passwd",
        "/..%5csite.yaml",
    ] {
        let status = get(&server, path).status;
        assert!(status == 400 || status == 404, "{path} answered {status}");
    }
    let foreign = request(server.port, "/", "evil.example").unwrap();
    assert_eq!(foreign.status, 403);
    let localhost = request(server.port, "/", &format!("localhost:{}", server.port)).unwrap();
    assert_eq!(localhost.status, 200);
}

#[test]
fn open_tabs_get_a_reload_event_after_a_change() {
    let server = start();
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "GET /__explainer/live HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        server.port
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    std::thread::sleep(Duration::from_millis(200));
    edit(&server.root, "content/actors/ada-lovelace.md", |t| {
        t + "\nOne more line.\n"
    });
    let started = Instant::now();
    loop {
        line.clear();
        reader
            .read_line(&mut line)
            .expect("an event before the timeout");
        if line.starts_with("data: reload") {
            break;
        }
        assert!(started.elapsed() < PATIENCE, "no reload event");
    }
}

#[test]
fn foreign_origins_cannot_open_the_reload_channel() {
    let server = start();
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(stream, "GET /__explainer/live HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n", server.port).unwrap();
    let mut head = String::new();
    BufReader::new(stream).read_line(&mut head).unwrap();
    assert!(head.starts_with("HTTP/1.1 403"), "{head}");
}

#[test]
fn only_get_and_head_are_served() {
    let server = start();
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        server.port
    )
    .unwrap();
    let mut head = String::new();
    BufReader::new(stream).read_line(&mut head).unwrap();
    assert!(head.starts_with("HTTP/1.1 405"), "{head}");
}

#[test]
fn a_port_in_use_is_a_clear_error_with_exit_2() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = Command::new(env!("CARGO_BIN_EXE_explainer"))
        .args([
            "serve",
            "--root",
            common::fixture("build/basic").to_str().unwrap(),
            "--port",
            &port.to_string(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(&format!("cannot listen on 127.0.0.1:{port}"))
    );
}

#[test]
fn editor_save_styles_never_serve_a_temp_file_or_a_half_written_page() {
    let server = start();
    let dir = server.root.join("content/actors");
    // JetBrains: write a ___jb_tmp___ copy, move the original to ___jb_old___, rename.
    std::fs::write(
        dir.join("ada-lovelace.md___jb_tmp___"),
        std::fs::read_to_string(dir.join("ada-lovelace.md")).unwrap() + "\nJetBrains save.\n",
    )
    .unwrap();
    std::fs::rename(
        dir.join("ada-lovelace.md"),
        dir.join("ada-lovelace.md___jb_old___"),
    )
    .unwrap();
    std::fs::rename(
        dir.join("ada-lovelace.md___jb_tmp___"),
        dir.join("ada-lovelace.md"),
    )
    .unwrap();
    std::fs::remove_file(dir.join("ada-lovelace.md___jb_old___")).unwrap();
    wait_for(&server, "/actors/ada-lovelace/", |_, body| {
        body.contains("JetBrains save.")
    });
    // vim: rename away, write anew, plus swap and probe files.
    std::fs::write(dir.join(".ada-lovelace.md.swp"), "swap").unwrap();
    std::fs::write(dir.join("4913"), "").unwrap();
    std::fs::remove_file(dir.join("4913")).unwrap();
    std::fs::rename(dir.join("ada-lovelace.md"), dir.join("ada-lovelace.md~")).unwrap();
    std::fs::write(
        dir.join("ada-lovelace.md"),
        std::fs::read_to_string(dir.join("ada-lovelace.md~")).unwrap() + "\nVim save.\n",
    )
    .unwrap();
    std::fs::remove_file(dir.join("ada-lovelace.md~")).unwrap();
    wait_for(&server, "/actors/ada-lovelace/", |_, body| {
        body.contains("Vim save.")
    });
    // emacs lock file; truncate then write.
    std::fs::write(dir.join(".#ada-lovelace.md"), "user@host").unwrap();
    let full = std::fs::read_to_string(dir.join("ada-lovelace.md")).unwrap() + "\nTruncate save.\n";
    std::fs::write(dir.join("ada-lovelace.md"), "").unwrap();
    std::fs::write(dir.join("ada-lovelace.md"), full).unwrap();
    let page = wait_for(&server, "/actors/ada-lovelace/", |_, body| {
        body.contains("Truncate save.") && !body.contains("explainer-overlay")
    });
    assert!(page.body.contains("Ada Lovelace"));
    // GNU sed -i: a temporary without an extension, renamed over the file.
    std::fs::write(
        dir.join("sedAb12Cd"),
        std::fs::read_to_string(dir.join("ada-lovelace.md")).unwrap() + "\nSed save.\n",
    )
    .unwrap();
    std::fs::rename(dir.join("sedAb12Cd"), dir.join("ada-lovelace.md")).unwrap();
    wait_for(&server, "/actors/ada-lovelace/", |_, body| {
        body.contains("Sed save.")
    });
    for temp in [
        "/actors/sedAb12Cd/",
        "/actors/ada-lovelace.md___jb_tmp___/",
        "/actors/4913/",
        "/actors/.ada-lovelace.md/",
    ] {
        assert_eq!(get(&server, temp).status, 404, "{temp}");
    }
}

#[test]
fn a_burst_of_saves_ends_with_the_last_version() {
    let server = start();
    let path = server.root.join("content/meetings/london-talks.md");
    let original = std::fs::read_to_string(&path).unwrap();
    for n in 0..30 {
        std::fs::write(&path, format!("{original}\nSave number {n}.\n")).unwrap();
        std::thread::sleep(Duration::from_millis(33));
    }
    wait_for(&server, "/meetings/london-talks/", |_, body| {
        body.contains("Save number 29.")
    });
}

#[test]
fn a_changes_entry_and_a_date_edited_while_serving_show_on_the_page_the_changes_list_and_the_timeline()
 {
    let server = start();
    let changes = get(&server, "/changes/");
    assert!(changes.body.contains("The attendance was 35, not 27."));
    edit(&server.root, "content/meetings/paris-summit.md", |t| {
        t.replace(
            "text: \"The attendance was 35, not 27.\"",
            "text: \"The attendance was 35, not 25.\"",
        )
    });
    wait_for(&server, "/meetings/paris-summit/", |_, body| {
        body.contains("The attendance was 35, not 25.")
    });
    wait_for(&server, "/changes/", |_, body| {
        body.contains("The attendance was 35, not 25.")
    });
    wait_for(&server, "/", |_, body| {
        body.contains("The attendance was 35, not 25.")
    });
    edit(&server.root, "content/meetings/london-talks.md", |t| {
        t.replace("date: 2026-01-20", "date: ~2026-02")
    });
    wait_for(&server, "/meetings/london-talks/", |_, body| {
        body.contains("<time datetime=\"2026-02\">c. February 2026</time>")
    });
    wait_for(&server, "/timeline/", |_, body| {
        body.contains("<h2 id=\"m-2026-02\">February 2026</h2>")
            && body.contains("<time datetime=\"2026-02\">c. February 2026</time>")
    });
}

#[test]
fn a_second_language_follows_new_translations_and_edits_to_either_file() {
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites/lang-two");
    let server = start_site(&site);
    let macron = "/uk/actors/emmanuel-macron/";
    wait_for(&server, macron, |s, b| {
        s == 200 && b.contains("untranslated")
    });
    // A new translation file: the fallback becomes the translation, and
    // the original gains its alternate.
    std::fs::write(
        server.root.join("content/actors/emmanuel-macron.uk.md"),
        "---\ntitle: \"Емманюель Макрон\"\n---\nМакрон.\n",
    )
    .unwrap();
    wait_for(&server, macron, |_, b| {
        b.contains("Емманюель Макрон") && !b.contains("untranslated")
    });
    wait_for(&server, "/actors/emmanuel-macron/", |_, b| {
        b.contains("hreflang=\"uk\"")
    });
    // An edit to an original reaches its translation's page.
    edit(&server.root, "content/meetings/paris-summit.md", |t| {
        t.replace("2026-01-06", "2026-01-08")
    });
    wait_for(&server, "/uk/meetings/paris-summit/", |_, b| {
        b.contains("2026-01-08")
    });
    // An edit to a translation.
    edit(&server.root, "content/meetings/paris-summit.uk.md", |t| {
        t.replace("Паризький саміт", "Саміт у Парижі")
    });
    wait_for(&server, "/uk/meetings/paris-summit/", |_, b| {
        b.contains("Саміт у Парижі")
    });
}

/// `serve` answers before it has rendered every page, and says when the
/// first render is done: the two lines count the same pages.
#[test]
fn serve_says_when_every_page_is_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    common::copy_tree(&common::fixture("build/basic"), &root);
    let mut child = spawn_serve(&root, free_port(), Stdio::piped());
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = || rx.recv_timeout(PATIENCE).unwrap_or_default();
    let serving = next();
    let rendered = next();
    let count = |line: &str, after: &str| -> String {
        let rest = line.split(after).nth(1).unwrap_or_default();
        rest.split(' ').next().unwrap_or_default().to_owned()
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(serving.starts_with("Serving "), "{serving}");
    assert!(rendered.starts_with("Rendered all "), "{rendered}");
    assert_eq!(
        count(&serving, "Serving "),
        count(&rendered, "Rendered all ")
    );
    assert!(
        count(&serving, "Serving ").parse::<usize>().unwrap() > 10,
        "{serving}"
    );
}
