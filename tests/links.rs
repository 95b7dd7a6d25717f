//! `explainer check --links` against a server the test runs on 127.0.0.1:
//! a page that answers, one that moved for good, one that is gone, one
//! whose server never answers and one on a port nothing listens on. The
//! server counts the requests, so the tests see what was asked, how often,
//! and that the cache spares a second run the asking.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{copy_tree, explainer, fixture};

/// How long the never-answering page holds its connection at most: longer
/// than any timeout the tests give (it lets go as soon as the client does).
const HOLD: Duration = Duration::from_secs(30);

/// How long the other pages take to answer, so that requests overlap.
const DELAY: Duration = Duration::from_millis(200);
/// How long the unanswered request counts as open: less than the client's
/// one-second timeout, which starts before the request arrives.
const GIVING_UP: Duration = Duration::from_millis(800);

/// What the server saw: requests by path, and requests open at once.
#[derive(Default)]
struct Seen {
    hits: HashMap<String, usize>,
    open: usize,
    most_open: usize,
}

/// A tiny HTTP server: one thread per connection.
struct Server {
    port: u16,
    seen: Arc<Mutex<Seen>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port on loopback");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let shared = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                std::thread::spawn(move || answer(stream, &shared));
            }
        });
        Server { port, seen }
    }

    fn hits(&self, path: &str) -> usize {
        let seen = self.seen.lock().unwrap();
        seen.hits.get(path).copied().unwrap_or(0)
    }

    fn total(&self) -> usize {
        self.seen.lock().unwrap().hits.values().sum()
    }

    fn most_open(&self) -> usize {
        self.seen.lock().unwrap().most_open
    }
}

/// Reads one request and answers by its path.
fn answer(stream: TcpStream, seen: &Mutex<Seen>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_owned();
    // The rest of the head, up to the blank line.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    *seen.lock().unwrap().hits.entry(path.clone()).or_default() += 1;
    // A request is open from when it is read until its answer is written,
    // or, unanswered, until just before the client's one-second timeout:
    // the client asks the next address as soon as it has given up, before
    // this thread could see that it has.
    {
        let mut s = seen.lock().unwrap();
        s.open += 1;
        s.most_open = s.most_open.max(s.open);
    }
    if path == "/slow" {
        // Never answer; return once the client has given up.
        let _ = stream.set_read_timeout(Some(GIVING_UP));
        let _ = reader.read_line(&mut line);
        seen.lock().unwrap().open -= 1;
        let _ = stream.set_read_timeout(Some(HOLD));
        let _ = reader.read_line(&mut line);
        return;
    }
    std::thread::sleep(DELAY);
    seen.lock().unwrap().open -= 1;
    let response = match path.as_str() {
        "/ok" | "/new" => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
        "/moved" => {
            "HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        }
        _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    };
    let mut stream = stream;
    let _ = stream.write_all(response.as_bytes());
}

/// A port nothing listens on: bound, then let go.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The fixture site copied into a temporary folder, with the server's
/// port written into its addresses.
fn site(server: &Server) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("links/sources"), dir.path());
    let closed = closed_port().to_string();
    for entry in std::fs::read_dir(dir.path().join("content/sources")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text
            .replace("PORT", &server.port.to_string())
            .replace("CLOSED", &closed);
        std::fs::write(&path, text).unwrap();
    }
    dir
}

/// `explainer check --links` on `root` with a one-second timeout; stderr.
fn check_links(root: &Path) -> String {
    let out = explainer(
        root,
        &["check", "--links", "--link-timeout", "1", "--root", "."],
    );
    assert_eq!(out.status.code(), Some(0), "warnings only");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The printed diagnostics whose code is `dead-link` or `moved-link`, each
/// as its lines.
fn link_blocks(stderr: &str) -> Vec<String> {
    stderr
        .split("\n\n")
        .filter(|b| b.contains("[dead-link]") || b.contains("[moved-link]"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn dead_and_moved_links_are_warnings_at_the_address() {
    let server = Server::start();
    let dir = site(&server);
    let stderr = check_links(dir.path());
    let p = server.port;
    // Carets under the whole value: the address, and its quotes if any.
    let under = |value: &str| "^".repeat(value.len());
    let (gone, moved) = (
        format!("http://127.0.0.1:{p}/gone"),
        format!("http://127.0.0.1:{p}/moved"),
    );
    let (gone_c, quoted_gone_c, quoted_moved_c) =
        (under(&gone), under(&gone) + "^^", under(&moved) + "^^");
    let blocks = link_blocks(&stderr);
    let expected = [
        format!(
            "warning: dead link: `http://127.0.0.1:{p}/gone` answers 404 Not Found [dead-link]\n  --> content/sources/alive.md:6:14\n  |\n6 | archive_url: http://127.0.0.1:{p}/gone\n  |              {gone_c}\n  = hint: if the preserved copy is gone, look for another on web.archive.org or archive.today"
        ),
        format!(
            "warning: dead link: `http://127.0.0.1:{p}/gone` answers 404 Not Found [dead-link]\n  --> content/sources/gone.md:5:6\n  |\n5 | url: \"http://127.0.0.1:{p}/gone\"\n  |      {quoted_gone_c}\n  = hint: if the page is gone, write where it moved, or add `archive_url` with a preserved copy (web.archive.org, archive.today)"
        ),
        format!(
            "warning: moved link: `http://127.0.0.1:{p}/moved` has moved for good (301 Moved Permanently) [moved-link]\n  --> content/sources/moved.md:5:6\n  |\n5 | url: \"http://127.0.0.1:{p}/moved\"\n  |      {quoted_moved_c}\n  = hint: write the new address: http://127.0.0.1:{p}/new"
        ),
    ];
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(blocks.get(i), Some(want), "block {i} of:\n{stderr}");
    }
    let refused = blocks
        .iter()
        .find(|b| b.contains("content/sources/refused.md:5:6"))
        .unwrap_or_else(|| panic!("refused.md is reported:\n{stderr}"));
    assert!(
        refused.contains("cannot be reached: the connection was refused [dead-link]"),
        "{refused}"
    );
    let slow = blocks
        .iter()
        .find(|b| b.contains("content/sources/slow.md:5:6"))
        .unwrap_or_else(|| panic!("slow.md is reported:\n{stderr}"));
    assert!(
        slow.starts_with(&format!(
            "warning: dead link: `http://127.0.0.1:{p}/slow` did not answer within 1 s [dead-link]"
        )),
        "{slow}"
    );
    assert_eq!(blocks.len(), 5, "the live page is not reported:\n{stderr}");
    // One address written twice is asked once.
    assert_eq!(server.hits("/gone"), 1);
    assert_eq!(server.hits("/ok"), 1);
    // Four pages on one server: asked two at a time, never more.
    assert_eq!(server.most_open(), 2);
}

#[test]
fn a_second_check_asks_only_what_the_cache_does_not_keep() {
    let server = Server::start();
    let dir = site(&server);
    let first = link_blocks(&check_links(dir.path()));
    assert!(dir.path().join(".explainer-cache/links.json").is_file());
    let second = link_blocks(&check_links(dir.path()));
    assert_eq!(first, second, "the cache gives the same report");
    for path in ["/ok", "/gone", "/moved", "/new"] {
        assert_eq!(server.hits(path), 1, "{path} asked once in two runs");
    }
    // A page that did not answer may answer next time: asked again.
    assert_eq!(server.hits("/slow"), 2);
}

#[test]
fn answers_older_than_a_day_are_asked_again() {
    let server = Server::start();
    let dir = site(&server);
    check_links(dir.path());
    let cache = dir.path().join(".explainer-cache/links.json");
    let mut stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    let entry = stored["links"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .find(|e| e["verdict"] == "alive")
        .expect("the live page is kept");
    let checked = entry["checked"].as_u64().unwrap();
    entry["checked"] = (checked - 25 * 3600).into();
    std::fs::write(&cache, stored.to_string()).unwrap();
    check_links(dir.path());
    assert_eq!(server.hits("/ok"), 2, "the day-old answer was asked again");
    assert_eq!(server.hits("/gone"), 1, "the fresh ones were not");
}

#[test]
fn check_without_links_stays_offline() {
    let server = Server::start();
    let dir = site(&server);
    let out = explainer(dir.path(), &["check", "--root", "."]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(link_blocks(&stderr).is_empty(), "{stderr}");
    assert_eq!(server.total(), 0, "no request without --links");
    assert!(!dir.path().join(".explainer-cache/links.json").exists());
}

#[test]
fn a_link_timeout_needs_links_and_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let out = explainer(dir.path(), &["check", "--link-timeout", "3"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("required arguments were not provided") && stderr.contains("--links"),
        "{stderr}"
    );
    let out = explainer(dir.path(), &["check", "--links", "--link-timeout", "soon"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`soon` is not a number of seconds between 0 and 3600"),
        "{stderr}"
    );
}

#[test]
fn the_starter_gitignore_keeps_the_link_cache_out_of_git() {
    let dir = tempfile::tempdir().unwrap();
    let out = explainer(dir.path(), &["init", "site"]);
    assert!(out.status.success());
    let site = dir.path().join("site");
    let ignore = std::fs::read_to_string(site.join(".gitignore")).unwrap();
    let folder = explainer::links::CACHE_FILE.split('/').next().unwrap();
    assert!(
        ignore.lines().any(|l| l == format!("/{folder}/")),
        "{ignore}"
    );
}
