//! SERVE: the HTTP side — answers from the in-memory output, injects the
//! live-reload script and the error overlay into HTML, and streams reload
//! events over server-sent events. This file holds what is served and to
//! whom; `http/server.rs` holds the connections.
//!
//! Why this stack: a browser must not be able to starve the preview (six
//! keep-alive connections, a stream per tab, and whatever a hostile page
//! opens), so connections are tasks on a small async runtime — hyper's
//! HTTP/1 on tokio — with a bound on each, not threads. Server-sent events
//! need nothing but a long response, where a websocket would need a
//! protocol crate. Safety is the point of most of this file: only GET and
//! HEAD, only loopback `Host`s (DNS rebinding), only same-origin
//! live-reload connections, no CORS header, and only files of the output
//! map — never the disk — so traversal and symlinks cannot reach anything
//! else.

mod files;
mod live;
mod pending;
mod server;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

pub use files::Files;
pub use pending::PENDING_WAIT;

pub use server::{Listener, run};

/// Where the live-reload event stream is served.
pub const LIVE_PATH: &str = "/__explainer/live";

/// What is being served right now: swapped whole after every rebuild.
#[derive(Default)]
pub struct Snapshot {
    pub files: Files,
    /// The error overlay, HTML-escaped, when the last build had errors.
    pub overlay: Option<String>,
    /// The paths whose bytes differ from the snapshot before (added,
    /// changed or removed): requests waiting for them are answered.
    pub changed: BTreeSet<PathBuf>,
}

/// State shared by the connections and the rebuild loop.
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    tabs: live::Tabs,
    pending: pending::Pending,
    /// How many times open tabs were told to reload.
    generation: AtomicU64,
    /// `host:port` values a request may name (loopback and the bound address).
    allowed_hosts: Vec<String>,
}

impl Shared {
    pub fn new(bind: &str, port: u16) -> Self {
        let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
            .iter()
            .map(|h| format!("{h}:{port}"))
            .collect();
        let bound = if bind.contains(':') && !bind.starts_with('[') {
            format!("[{bind}]:{port}")
        } else {
            format!("{bind}:{port}")
        };
        if !hosts.contains(&bound) {
            hosts.push(bound);
        }
        Shared {
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            tabs: live::Tabs::default(),
            pending: pending::Pending::default(),
            generation: AtomicU64::new(0),
            allowed_hosts: hosts,
        }
    }

    /// Serves `snapshot` from now on; returns it, as it is shared. Paths
    /// marked pending whose bytes this snapshot changes are pending no
    /// more, and the requests waiting for them are answered.
    pub fn publish(&self, snapshot: Snapshot) -> Arc<Snapshot> {
        let snapshot = Arc::new(snapshot);
        let old = match self.snapshot.write() {
            Ok(mut slot) => std::mem::replace(&mut *slot, Arc::clone(&snapshot)),
            Err(_) => return snapshot,
        };
        drop(old);
        self.pending.settle(&snapshot.changed);
        snapshot
    }

    /// Serves the same files from one new base ([`Files::folded`]), when
    /// some changed since the base was made. Only the loop that publishes
    /// calls it, so nothing is published in between.
    pub fn fold(&self) {
        let now = self.current();
        if now.files.has_recent() {
            self.publish(Snapshot {
                files: now.files.folded(),
                overlay: now.overlay.clone(),
                changed: BTreeSet::new(),
            });
        }
    }

    /// What is served now.
    pub fn current(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .map(|s| Arc::clone(&s))
            .unwrap_or_default()
    }

    /// Tells every open tab to reload; forgets tabs that went away.
    /// Returns how many tabs were told.
    pub fn reload_all(&self) -> usize {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.tabs.reload_all()
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Output paths (`actors/x/index.html`) of the pages open in a tab with
    /// live reload, most recently opened first: what to render first.
    pub fn open_pages(&self) -> Vec<String> {
        self.tabs.pages()
    }

    /// Marks output paths as being re-rendered: until a [`Shared::publish`]
    /// changes them (or [`Shared::clear_pending`]), a request for one waits,
    /// up to [`PENDING_WAIT`], instead of getting the stale page.
    pub fn mark_pending(&self, paths: impl IntoIterator<Item = PathBuf>) {
        self.pending.mark(paths);
    }

    /// Ends the waits for `paths`: they were rendered again and what was
    /// published last is their current version.
    pub fn settled(&self, paths: &[PathBuf]) {
        self.pending.unmark(paths);
    }

    /// Ends every wait: the rebuild is over, whatever it changed.
    pub fn clear_pending(&self) {
        self.pending.clear();
    }

    /// Ends every wait but those for `paths`, which are marked pending:
    /// they are still to be rendered (the exports and feeds left for a
    /// quiet moment).
    pub fn pending_only(&self, paths: &[PathBuf]) {
        self.pending.mark_only(paths);
    }

    /// Pending paths a request is waiting for right now, longest-waiting
    /// first: render these before the rest.
    pub fn wanted(&self) -> Vec<PathBuf> {
        self.pending.wanted()
    }

    fn host_allowed(&self, host: Option<&str>) -> bool {
        host.is_some_and(|h| self.allowed_hosts.iter().any(|a| a.eq_ignore_ascii_case(h)))
    }

    /// Live-reload connections must come from a page of this server.
    fn origin_allowed(&self, origin: Option<&str>) -> bool {
        match origin {
            None => true,
            Some(o) => self
                .allowed_hosts
                .iter()
                .any(|h| o.eq_ignore_ascii_case(&format!("http://{h}"))),
        }
    }
}

/// A response, before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub location: Option<String>,
}

impl Reply {
    fn text(status: u16, text: &str) -> Self {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: text.as_bytes().to_vec(),
            location: None,
        }
    }
}

/// Maps a request target to a file of the snapshot; `generation` (how many
/// reloads were sent so far) goes into the live-reload script of HTML.
pub fn route(url: &str, snapshot: &Snapshot, generation: u64) -> Reply {
    let Some(rel) = safe_path(path_of(url)) else {
        return Reply::text(400, "bad request path\n");
    };
    let file = output_path(&rel);
    if let Some(bytes) = snapshot.files.get(Path::new(&file)) {
        return file_reply(200, &file, &bytes.bytes(), snapshot, generation);
    }
    if !rel.is_empty()
        && !rel.ends_with('/')
        && snapshot
            .files
            .contains_key(Path::new(&format!("{rel}/index.html")))
    {
        let mut reply = Reply::text(301, "moved\n");
        reply.location = Some(format!("/{rel}/"));
        return reply;
    }
    match snapshot.files.get(Path::new("404.html")) {
        Some(bytes) => file_reply(404, "404.html", &bytes.bytes(), snapshot, generation),
        None => Reply::text(404, "not found\n"),
    }
}

/// A request target without its query and fragment.
fn path_of(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or("")
}

/// The output file a decoded request path names: a folder's `index.html`,
/// or the file itself.
fn output_path(rel: &str) -> String {
    if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_owned()
    }
}

/// The output files that could answer `url` — the file it names, or the
/// folder index it would be redirected to: what a request waits for while
/// they are being re-rendered.
fn targets(url: &str) -> Vec<PathBuf> {
    let Some(rel) = safe_path(path_of(url)) else {
        return Vec::new();
    };
    let mut targets = vec![PathBuf::from(output_path(&rel))];
    if !rel.is_empty() && !rel.ends_with('/') {
        targets.push(PathBuf::from(format!("{rel}/index.html")));
    }
    targets
}

/// The page a live-reload stream was opened from, as an output path: the
/// stream's `path` parameter carries the tab's `location.pathname`.
fn page_of_stream(target: &str) -> Option<String> {
    let (_, query) = target.split_once('?')?;
    let value = query.split('&').find_map(|p| p.strip_prefix("path="))?;
    let pathname = percent_decode(value)?;
    Some(output_path(&safe_path(&pathname)?))
}

/// Decodes and checks a URL path: `None` for anything that could leave the
/// output — `..` (also percent-encoded), encoded slashes or backslashes,
/// NUL, absolute or scheme-relative targets.
pub fn safe_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    if rest.starts_with('/') || path.contains('\\') {
        return None;
    }
    let lower = rest.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return None;
    }
    let decoded = percent_decode(rest)?;
    let segments: Vec<&str> = decoded.split('/').collect();
    let bad = |s: &&str| *s == ".." || *s == "." || s.contains('\0') || s.contains('\\');
    if segments.iter().any(bad) || decoded.contains("//") {
        return None;
    }
    Some(decoded)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn file_reply(
    status: u16,
    path: &str,
    bytes: &[u8],
    snapshot: &Snapshot,
    generation: u64,
) -> Reply {
    let content_type = mime(path);
    let body = if content_type.starts_with("text/html") {
        inject(bytes, snapshot.overlay.as_deref(), generation)
    } else {
        bytes.to_vec()
    };
    Reply {
        status,
        content_type,
        body,
        location: None,
    }
}

/// Adds the live-reload script (and the overlay) before `</body>`. Only the
/// served copy changes: built output never carries it.
fn inject(html: &[u8], overlay: Option<&str>, generation: u64) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let script = live_script(generation);
    let addition = format!("{}{script}", overlay.unwrap_or(""));
    match text.rfind("</body>") {
        Some(at) => format!("{}{addition}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{addition}").into_bytes(),
    }
}

/// The live-reload script. The stream names the tab's page; its first
/// event, `hello`, carries the reload generation, so a tab that missed a
/// reload (its stream opened late) reloads then. A hidden tab closes its
/// stream and reopens it when shown: a browser has six connections per
/// host, and a stream per background tab would use them up.
fn live_script(generation: u64) -> String {
    format!(
        "<script>(function(){{var g='{generation}',s=null;\
function open(){{s=new EventSource('{LIVE_PATH}?path='+encodeURIComponent(location.pathname));\
s.addEventListener('hello',function(e){{if(e.data!==g){{location.reload()}}}});\
s.onmessage=function(){{location.reload()}};}}\
document.addEventListener('visibilitychange',function(){{if(document.hidden){{if(s){{s.close();s=null}}}}else if(!s){{open()}}}});\
if(!document.hidden){{open()}}}})();</script>"
    )
}

/// Content types by file extension.
pub fn mime(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::blob::Blob;
    use std::collections::BTreeMap;
    use std::time::{Duration, Instant};

    fn snapshot() -> Snapshot {
        let mut files = BTreeMap::new();
        for (path, body) in [
            ("index.html", "<html><body>home</body></html>"),
            ("actors/a/index.html", "<body>a</body>"),
            ("style.css", "x"),
            ("404.html", "<body>missing</body>"),
        ] {
            files.insert(
                PathBuf::from(path),
                Blob::new(std::path::Path::new(path), body.as_bytes().to_vec()),
            );
        }
        Snapshot {
            changed: files.keys().cloned().collect(),
            files: Files::from(files),
            overlay: None,
        }
    }

    #[test]
    fn traversal_in_every_form_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/actors/%2E%2E/%2e%2e/x",
            "/a%2fb",
            "/a%5cb",
            "//etc/passwd",
            "/a\\..\\b",
            "/%00",
            "/./index.html",
            "etc/passwd",
            "http://evil/",
        ] {
            assert_eq!(route(bad, &snapshot(), 0).status, 400, "{bad}");
        }
    }

    #[test]
    fn folders_serve_their_index_and_missing_pages_404() {
        let s = snapshot();
        assert_eq!(route("/", &s, 0).status, 200);
        assert_eq!(route("/actors/a/", &s, 0).status, 200);
        assert_eq!(route("/actors/a/index.html", &s, 0).status, 200);
        let redirect = route("/actors/a", &s, 0);
        assert_eq!(
            (redirect.status, redirect.location.as_deref()),
            (301, Some("/actors/a/"))
        );
        let missing = route("/actors/b/", &s, 0);
        assert_eq!(missing.status, 404);
        assert!(String::from_utf8_lossy(&missing.body).contains("missing"));
    }

    #[test]
    fn html_gets_the_reload_script_and_css_does_not() {
        let s = snapshot();
        let html = String::from_utf8(route("/", &s, 0).body).unwrap();
        assert!(html.contains(LIVE_PATH) && html.ends_with("</body></html>"));
        assert_eq!(route("/style.css", &s, 0).body, b"x");
        assert_eq!(
            route("/style.css", &s, 0).content_type,
            "text/css; charset=utf-8"
        );
    }

    #[test]
    fn only_loopback_hosts_and_same_origin_streams_are_allowed() {
        let shared = Shared::new("127.0.0.1", 1111);
        assert!(shared.host_allowed(Some("localhost:1111")));
        assert!(shared.host_allowed(Some("127.0.0.1:1111")));
        assert!(!shared.host_allowed(Some("evil.example:1111")));
        assert!(!shared.host_allowed(Some("localhost:2222")));
        assert!(!shared.host_allowed(None));
        assert!(shared.origin_allowed(Some("http://localhost:1111")));
        assert!(!shared.origin_allowed(Some("http://evil.example")));
    }

    #[test]
    fn a_stream_names_its_page_by_the_tabs_pathname() {
        for (target, page) in [
            ("/__explainer/live?path=%2F", Some("index.html")),
            (
                "/__explainer/live?path=%2Factors%2Fa%2F",
                Some("actors/a/index.html"),
            ),
            ("/__explainer/live?x=1&path=%2Fstyle.css", Some("style.css")),
            (
                "/__explainer/live?path=%2Fcaf%25C3%25A9%2F",
                Some("café/index.html"),
            ),
            ("/__explainer/live?path=%2F..%2Fsecret", None),
            ("/__explainer/live?path=actors", None),
            ("/__explainer/live", None),
        ] {
            assert_eq!(page_of_stream(target).as_deref(), page, "{target}");
        }
    }

    #[test]
    fn a_request_waits_for_the_file_or_the_folder_index_it_names() {
        assert_eq!(targets("/"), [PathBuf::from("index.html")]);
        assert_eq!(
            targets("/actors/a?x=1"),
            [
                PathBuf::from("actors/a"),
                PathBuf::from("actors/a/index.html")
            ]
        );
        assert!(targets("/../x").is_empty());
    }

    /// Serves `snapshot()` on a free loopback port. The server thread
    /// lives as long as the test binary.
    fn serve() -> (Arc<Shared>, u16) {
        let listener = Listener::bind(([127, 0, 0, 1], 0).into()).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::new("127.0.0.1", port));
        shared.publish(snapshot());
        let served = Arc::clone(&shared);
        std::thread::spawn(move || run(listener, served));
        (shared, port)
    }

    fn connect(port: u16, target: &str) -> std::io::BufReader<std::net::TcpStream> {
        use std::io::Write;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(PENDING_WAIT + Duration::from_secs(5)))
            .unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        std::io::BufReader::new(stream)
    }

    fn get(port: u16, target: &str) -> String {
        use std::io::Read;
        let mut text = String::new();
        let _ = connect(port, target).read_to_string(&mut text);
        text
    }

    /// Polls `f` until it holds; false after a few seconds.
    fn eventually(f: impl Fn() -> bool) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if f() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    fn with_file(path: &str, body: &str) -> Snapshot {
        let path = PathBuf::from(path);
        let now = BTreeMap::from([(path.clone(), Blob::new(&path, body.as_bytes().to_vec()))]);
        let mut next = snapshot();
        next.changed = BTreeSet::from([path]);
        next.files = next.files.with_changes(&now, &next.changed);
        next
    }

    #[test]
    fn a_request_for_a_pending_page_waits_for_the_publish_that_changes_it() {
        let (shared, port) = serve();
        shared.mark_pending([PathBuf::from("index.html")]);
        let client = std::thread::spawn(move || get(port, "/"));
        assert!(eventually(
            || shared.wanted() == [PathBuf::from("index.html")]
        ));
        std::thread::sleep(Duration::from_millis(50));
        assert!(!client.is_finished(), "answered while still pending");
        shared.publish(with_file("index.html", "<body>new home</body>"));
        let answer = client.join().unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("new home"), "{answer}");
        assert!(shared.wanted().is_empty());
    }

    #[test]
    fn a_publish_leaves_pages_it_did_not_change_pending_until_cleared() {
        let (shared, port) = serve();
        shared.mark_pending(["index.html", "actors/a/index.html"].map(PathBuf::from));
        shared.publish(with_file("index.html", "<body>new home</body>"));
        assert!(get(port, "/").contains("new home"), "not pending any more");
        let client = std::thread::spawn(move || get(port, "/actors/a/"));
        assert!(eventually(
            || shared.wanted() == [PathBuf::from("actors/a/index.html")]
        ));
        shared.clear_pending();
        assert!(client.join().unwrap().starts_with("HTTP/1.1 200"));
        assert!(shared.wanted().is_empty());
    }

    #[test]
    fn pages_not_pending_are_answered_while_others_wait() {
        let (shared, port) = serve();
        shared.mark_pending([PathBuf::from("actors/a/index.html")]);
        let waiting = std::thread::spawn(move || get(port, "/actors/a/"));
        let started = Instant::now();
        assert!(get(port, "/style.css").starts_with("HTTP/1.1 200"));
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(!waiting.is_finished());
        shared.clear_pending();
        assert!(waiting.join().unwrap().starts_with("HTTP/1.1 200"));
    }

    #[test]
    fn open_pages_follow_the_live_reload_streams() {
        use std::io::BufRead;
        let (shared, port) = serve();
        let mut streams = Vec::new();
        for pathname in ["%2Factors%2Fa%2F", "%2F", "%2Factors%2Fa%2F"] {
            let mut stream = connect(port, &format!("{LIVE_PATH}?path={pathname}"));
            let mut line = String::new();
            while !line.contains("retry:") {
                line.clear();
                assert!(stream.read_line(&mut line).unwrap() > 0, "stream ended");
            }
            streams.push(stream);
        }
        assert_eq!(shared.open_pages(), ["actors/a/index.html", "index.html"]);
        streams.remove(1);
        assert!(
            eventually(|| shared.open_pages() == ["actors/a/index.html"]),
            "{:?}",
            shared.open_pages()
        );
        streams.clear();
        assert!(eventually(|| shared.open_pages().is_empty()));
        assert_eq!(shared.reload_all(), 0);
    }

    #[test]
    fn pages_and_streams_carry_the_reload_generation() {
        use std::io::BufRead;
        let html = String::from_utf8(route("/", &snapshot(), 7).body).unwrap();
        assert!(html.contains("var g='7'"), "{html}");
        let (shared, port) = serve();
        let hello = |port| {
            let mut stream = connect(port, LIVE_PATH);
            let mut line = String::new();
            while !line.starts_with("event: hello") {
                line.clear();
                assert!(stream.read_line(&mut line).unwrap() > 0);
            }
            line.clear();
            stream.read_line(&mut line).unwrap();
            line
        };
        assert_eq!(hello(port), "data: 0\n");
        shared.reload_all();
        assert_eq!(hello(port), "data: 1\n");
        let page = get(port, "/");
        assert!(page.contains("var g='1'"), "{page}");
    }
}
