//! `explainer serve` under the load a browser, a flood or a hostile client
//! puts on it (issue 21): the real binary on a free loopback port, driven
//! over raw TCP so every byte on the wire is the test's choice.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a change or an answer may take before a test gives up.
const PATIENCE: Duration = Duration::from_secs(10);
/// The server closes a connection with no request in progress after 5 s
/// (IDLE_TIMEOUT in src/serve/http/server.rs); this leaves a margin.
const IDLE_CLOSE_BY: Duration = Duration::from_secs(8);

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

impl Server {
    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("the server accepts");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream.set_write_timeout(Some(PATIENCE)).unwrap();
        stream
    }

    /// Kilobytes of memory the server holds (VmRSS), on Linux.
    fn memory_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
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
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    common::copy_tree(&common::fixture("build/basic"), &root);
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_explainer"))
        .args(["serve", "--root", root.to_str().unwrap()])
        .args(["--port", &port.to_string()])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        port,
        _dir: dir,
        root,
    };
    wait_for(&server, "/", |status, _| status == 200);
    server
}

struct Response {
    status: u16,
    body: String,
}

/// Reads one response with a `Content-Length` body, leaving the
/// connection open for the next request.
fn read_response(reader: &mut impl BufRead) -> Option<Response> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let status = line.split(' ').nth(1)?.parse().ok()?;
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Response {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// One GET on a fresh connection.
fn get(server: &Server, path: &str) -> Option<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).ok()?;
    stream.set_read_timeout(Some(PATIENCE)).ok()?;
    let host = server.host();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    read_response(&mut BufReader::new(stream))
}

fn wait_for(server: &Server, path: &str, ok: impl Fn(u16, &str) -> bool) -> Response {
    let started = Instant::now();
    loop {
        if let Some(r) = get(server, path)
            && ok(r.status, &r.body)
        {
            return r;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "{path}: gave up waiting for the expected answer"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn append(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    let old = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, old + text).unwrap();
}

/// Opens a live-reload stream and reads until the server has registered it.
fn open_stream(server: &Server, pathname: &str) -> BufReader<TcpStream> {
    let mut stream = server.connect();
    write!(
        stream,
        "GET /__explainer/live?path={pathname} HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.host()
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while !line.starts_with("retry:") {
        line.clear();
        let read = reader.read_line(&mut line).expect("the stream opens");
        assert!(read > 0, "the stream ended before it began");
    }
    reader
}

fn sees_reload(stream: &mut BufReader<TcpStream>) -> bool {
    let mut line = String::new();
    loop {
        line.clear();
        match stream.read_line(&mut line) {
            Ok(0) | Err(_) => return false,
            Ok(_) if line.starts_with("data: reload") => return true,
            Ok(_) => {}
        }
    }
}

/// A browser's connection, kept alive between requests.
struct KeptAlive {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    host: String,
}

impl KeptAlive {
    fn open(server: &Server) -> Self {
        let stream = server.connect();
        KeptAlive {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
            host: server.host(),
        }
    }

    fn get(&mut self, path: &str) -> Option<u16> {
        let host = &self.host;
        write!(self.writer, "GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").ok()?;
        read_response(&mut self.reader).map(|r| r.status)
    }
}

#[test]
fn six_keep_alive_connections_and_a_hundred_reload_streams_are_all_served() {
    let server = start();
    let pages = [
        "/",
        "/actors/ada-lovelace/",
        "/meetings/london-talks/",
        "/actors/",
        "/files/note.txt",
    ];
    // What a browser does: six connections, kept open between requests…
    let mut browser: Vec<KeptAlive> = (0..6).map(|_| KeptAlive::open(&server)).collect();
    for (n, connection) in browser.iter_mut().enumerate() {
        assert_eq!(connection.get(pages[n % pages.len()]), Some(200));
    }
    // …while a hundred tabs hold a live-reload stream each…
    let mut streams: Vec<_> = (0..100)
        .map(|n| open_stream(&server, if n % 2 == 0 { "%2F" } else { "%2Factors%2F" }))
        .collect();
    // …and the six connections go on asking, all at once.
    std::thread::scope(|scope| {
        let asking: Vec<_> = browser
            .iter_mut()
            .map(|connection| {
                scope.spawn(|| {
                    pages
                        .repeat(4)
                        .iter()
                        .map(|p| connection.get(p))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for connection in asking {
            assert!(connection.join().unwrap().iter().all(|s| *s == Some(200)));
        }
    });
    append(
        &server.root,
        "content/actors/ada-lovelace.md",
        "\nOne more line.\n",
    );
    let reloaded = streams
        .iter_mut()
        .map(sees_reload)
        .filter(|got| *got)
        .count();
    assert_eq!(reloaded, 100, "streams that got the reload");
}

/// Raises this process's open-files limit as far as allowed; returns it.
fn raise_open_files_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
    }
    limit.rlim_cur
}

/// How many idle connections the flood opens: 10,000, or as many as this
/// process may open, keeping some files for the test itself.
fn flood_size() -> usize {
    let limit = usize::try_from(raise_open_files_limit()).unwrap_or(usize::MAX);
    10_000.min(limit.saturating_sub(200))
}

#[test]
fn ten_thousand_idle_connections_then_a_request_is_answered() {
    let server = start();
    let wanted = flood_size();
    assert!(wanted >= 1_000, "open-files limit too low for this test");
    let started = Instant::now();
    let idle: Vec<TcpStream> = (0..wanted)
        .take_while(|_| started.elapsed() < PATIENCE)
        .filter_map(|_| {
            TcpStream::connect_timeout(
                &([127, 0, 0, 1], server.port).into(),
                Duration::from_secs(2),
            )
            .ok()
        })
        .collect();
    assert!(
        idle.len() * 10 >= wanted * 9,
        "only {} of {wanted} connections opened",
        idle.len()
    );
    let page = get(&server, "/actors/ada-lovelace/").expect("an answer despite the flood");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Ada Lovelace"));
    assert!(started.elapsed() < PATIENCE, "took {:?}", started.elapsed());
    drop(idle);
    assert_eq!(get(&server, "/").map(|r| r.status), Some(200));
}

#[test]
fn a_300_mb_header_is_refused_without_the_server_growing() {
    let server = start();
    let before = server.memory_kb();
    let stream = server.connect();
    let mut writer = stream.try_clone().unwrap();
    let host = server.host();
    let sender = std::thread::spawn(move || {
        let chunk = vec![b'a'; 1 << 20];
        let mut sent = 0;
        if write!(writer, "GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: ").is_err() {
            return sent;
        }
        while sent < 300 << 20 && writer.write_all(&chunk).is_ok() {
            sent += chunk.len();
        }
        sent
    });
    let mut status_line = String::new();
    let _ = BufReader::new(stream).read_line(&mut status_line);
    let sent = sender.join().unwrap();
    assert!(
        status_line.starts_with("HTTP/1.1 431") || status_line.starts_with("HTTP/1.1 400"),
        "answer: {status_line:?}"
    );
    assert!(sent < 300 << 20, "the server read all {sent} bytes");
    if let (Some(before), Some(after)) = (before, server.memory_kb()) {
        assert!(
            after < before + 20_000,
            "memory grew from {before} kB to {after} kB"
        );
    }
    assert_eq!(get(&server, "/").map(|r| r.status), Some(200));
}

/// Reads until the server closes the connection; false if it is still
/// open after `limit`.
fn closed_within(
    stream: &mut TcpStream,
    limit: Duration,
    mut tick: impl FnMut(&mut TcpStream),
) -> bool {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(250)))
        .unwrap();
    let mut buffer = [0; 1024];
    while started.elapsed() < limit {
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => tick(stream),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => tick(stream),
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn a_slowloris_request_and_an_idle_connection_are_timed_out() {
    let server = start();
    let mut idle = server.connect();
    let mut slow = server.connect();
    write!(slow, "GET / HTTP/1.1\r\nHost: {}\r\n", server.host()).unwrap();
    let started = Instant::now();
    // A header line every 250 ms, never the blank line that ends the head.
    let trickle = |s: &mut TcpStream| {
        let _ = s.write_all(b"X-Slow: a\r\n");
    };
    assert!(
        closed_within(&mut slow, IDLE_CLOSE_BY, trickle),
        "slowloris still connected"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "closed too early"
    );
    assert!(
        closed_within(&mut idle, IDLE_CLOSE_BY, |_| ()),
        "idle connection still open"
    );
    assert_eq!(get(&server, "/").map(|r| r.status), Some(200));
}

#[test]
fn head_requests_get_the_length_and_no_body() {
    let server = start();
    let mut stream = server.connect();
    write!(
        stream,
        "HEAD / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.host()
    )
    .unwrap();
    let mut raw = String::new();
    let _ = stream.read_to_string(&mut raw);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.to_ascii_lowercase().contains("content-length: "));
    assert_eq!(body, "");
}

#[test]
fn edits_show_after_the_content_folder_is_deleted_and_recreated() {
    let server = start();
    let content = server.root.join("content");
    let copy = server.root.join("content-copy");
    common::copy_tree(&content, &copy);
    std::fs::remove_dir_all(&content).unwrap();
    wait_for(&server, "/actors/ada-lovelace/", |status, _| status == 404);
    std::fs::rename(&copy, &content).unwrap();
    wait_for(&server, "/actors/ada-lovelace/", |status, _| status == 200);
    append(
        &server.root,
        "content/actors/ada-lovelace.md",
        "\nWritten after the folder came back.\n",
    );
    wait_for(&server, "/actors/ada-lovelace/", |_, body| {
        body.contains("Written after the folder came back.")
    });
}

#[test]
fn a_static_folder_created_after_start_is_served_and_watched() {
    let server = start();
    std::fs::remove_dir_all(server.root.join("static")).unwrap();
    wait_for(&server, "/files/note.txt", |status, _| status == 404);
    std::fs::create_dir_all(server.root.join("static/img")).unwrap();
    std::fs::write(server.root.join("static/img/a.txt"), "first").unwrap();
    wait_for(&server, "/img/a.txt", |_, body| body == "first");
    std::fs::write(server.root.join("static/img/a.txt"), "second").unwrap();
    wait_for(&server, "/img/a.txt", |_, body| body == "second");
}

#[test]
fn an_edited_stylesheet_is_served_under_its_new_name_and_pages_link_it() {
    let server = start();
    let page = wait_for(&server, "/actors/index.html", |status, _| status == 200);
    let old = common::stylesheet_href(&page.body).unwrap();
    let old = old.trim_start_matches("../").to_owned();
    wait_for(&server, &format!("/{old}"), |status, _| status == 200);
    std::fs::write(
        server.root.join("static/style.css"),
        "body { color: #555 }\n",
    )
    .unwrap();
    let page = wait_for(&server, "/actors/index.html", |_, body| {
        common::stylesheet_href(body).is_some_and(|href| !href.ends_with(&old))
    });
    let new = common::stylesheet_href(&page.body).unwrap();
    let new = new.trim_start_matches("../");
    assert!(new.starts_with("style.") && new.ends_with(".css"), "{new}");
    wait_for(&server, &format!("/{new}"), |status, body| {
        status == 200 && body == "body { color: #555 }\n"
    });
    wait_for(&server, &format!("/{old}"), |status, _| status == 404);
}
