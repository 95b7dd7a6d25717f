//! SERVE: the HTTP side — a small synchronous server (tiny_http) that
//! answers from the in-memory output, injects the live-reload script and the
//! error overlay into HTML, and streams reload events over server-sent
//! events.
//!
//! Why this stack: a preview server has one user and a handful of
//! connections, so a thread per request is plenty; tiny_http needs no async
//! runtime, and server-sent events need nothing but a long response, where a
//! websocket would need a protocol crate. Safety is the point of most of this
//! file: only GET and HEAD, only loopback `Host`s (DNS rebinding), only
//! same-origin live-reload connections, no CORS header, and only files of
//! the output map — never the disk — so traversal and symlinks cannot reach
//! anything else.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

/// Where the live-reload event stream is served.
pub const LIVE_PATH: &str = "/__explainer/live";
/// How often an idle event stream sends a comment, so proxies and browsers
/// keep it open and a closed tab is noticed.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// What is being served right now: swapped whole after every rebuild.
#[derive(Default)]
pub struct Snapshot {
    pub files: BTreeMap<PathBuf, Arc<[u8]>>,
    /// The error overlay, HTML-escaped, when the last build had errors.
    pub overlay: Option<String>,
}

/// State shared by the request threads and the rebuild loop.
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    listeners: Mutex<Vec<Sender<()>>>,
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
            listeners: Mutex::new(Vec::new()),
            allowed_hosts: hosts,
        }
    }

    /// Serves `snapshot` from now on; returns it, as it is shared.
    pub fn publish(&self, snapshot: Snapshot) -> Arc<Snapshot> {
        let snapshot = Arc::new(snapshot);
        if let Ok(mut slot) = self.snapshot.write() {
            *slot = Arc::clone(&snapshot);
        }
        snapshot
    }

    fn current(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .map(|s| Arc::clone(&s))
            .unwrap_or_default()
    }

    /// Tells every open tab to reload; forgets tabs that went away.
    pub fn reload_all(&self) -> usize {
        let Ok(mut listeners) = self.listeners.lock() else {
            return 0;
        };
        listeners.retain(|tx| tx.send(()).is_ok());
        listeners.len()
    }

    fn listen(&self) -> Receiver<()> {
        let (tx, rx) = mpsc::channel();
        if let Ok(mut listeners) = self.listeners.lock() {
            listeners.push(tx);
        }
        rx
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

/// Answers requests until the server is dropped; one thread per request.
pub fn run(server: Server, shared: Arc<Shared>) {
    for request in server.incoming_requests() {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || handle(request, &shared));
    }
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

fn handle(request: Request, shared: &Shared) {
    let method = request.method().clone();
    let url = request.url().to_owned();
    let host = header(&request, "Host").map(str::to_owned);
    let origin = header(&request, "Origin").map(str::to_owned);
    let reply = if !matches!(method, Method::Get | Method::Head) {
        Reply::text(405, "only GET and HEAD are served\n")
    } else if !shared.host_allowed(host.as_deref()) {
        Reply::text(
            403,
            "forbidden host: open the site at http://127.0.0.1 or http://localhost\n",
        )
    } else if url.split('?').next() == Some(LIVE_PATH) {
        if shared.origin_allowed(origin.as_deref()) {
            stream_events(request.into_writer(), &shared.listen());
            return;
        }
        Reply::text(403, "forbidden origin\n")
    } else {
        route(&url, &shared.current())
    };
    let head = method == Method::Head;
    let _ = request.respond(reply.into_response(head));
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

    fn into_response(self, head: bool) -> Response<std::io::Cursor<Vec<u8>>> {
        let len = self.body.len();
        let body = if head { Vec::new() } else { self.body };
        let mut response = Response::new(
            StatusCode(self.status),
            Vec::new(),
            std::io::Cursor::new(body),
            Some(len),
            None,
        );
        for (name, value) in [
            ("Content-Type", Some(self.content_type.to_owned())),
            ("Cache-Control", Some("no-store".to_owned())),
            ("X-Content-Type-Options", Some("nosniff".to_owned())),
            ("Location", self.location),
        ] {
            if let Some(h) = value.and_then(|v| Header::from_bytes(name, v).ok()) {
                response.add_header(h);
            }
        }
        response
    }
}

/// Maps a request target to a file of the snapshot.
pub fn route(url: &str, snapshot: &Snapshot) -> Reply {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(rel) = safe_path(path) else {
        return Reply::text(400, "bad request path\n");
    };
    let candidates = if rel.is_empty() || rel.ends_with('/') {
        vec![format!("{rel}index.html")]
    } else {
        vec![rel.clone()]
    };
    for candidate in candidates {
        if let Some(bytes) = snapshot.files.get(&PathBuf::from(&candidate)) {
            return file_reply(200, &candidate, bytes, snapshot);
        }
    }
    if !rel.is_empty()
        && !rel.ends_with('/')
        && snapshot
            .files
            .contains_key(&PathBuf::from(format!("{rel}/index.html")))
    {
        let mut reply = Reply::text(301, "moved\n");
        reply.location = Some(format!("/{rel}/"));
        return reply;
    }
    match snapshot.files.get(&PathBuf::from("404.html")) {
        Some(bytes) => file_reply(404, "404.html", bytes, snapshot),
        None => Reply::text(404, "not found\n"),
    }
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

fn file_reply(status: u16, path: &str, bytes: &[u8], snapshot: &Snapshot) -> Reply {
    let content_type = mime(path);
    let body = if content_type.starts_with("text/html") {
        inject(bytes, snapshot.overlay.as_deref())
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
fn inject(html: &[u8], overlay: Option<&str>) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let script = format!(
        "<script>(function(){{var s=new EventSource('{LIVE_PATH}');s.onmessage=function(){{location.reload()}};}})();</script>"
    );
    let addition = format!("{}{script}", overlay.unwrap_or(""));
    match text.rfind("</body>") {
        Some(at) => format!("{}{addition}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{addition}").into_bytes(),
    }
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

/// Writes a server-sent-event stream by hand on the raw connection: one
/// `data: reload` event per rebuild, a comment now and then to notice closed
/// tabs. (tiny_http's own responses buffer chunked bodies, which would hold
/// events back.) Returns when the tab goes away.
fn stream_events(mut writer: Box<dyn Write + Send>, rx: &Receiver<()>) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nretry: 500\n\n";
    if writer
        .write_all(head.as_bytes())
        .and_then(|()| writer.flush())
        .is_err()
    {
        return;
    }
    loop {
        let event: &[u8] = match rx.recv_timeout(KEEPALIVE) {
            Ok(()) => b"data: reload\n\n",
            Err(RecvTimeoutError::Timeout) => b": keep-alive\n\n",
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if writer
            .write_all(event)
            .and_then(|()| writer.flush())
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> Snapshot {
        let mut files = BTreeMap::new();
        for (path, body) in [
            ("index.html", "<html><body>home</body></html>"),
            ("actors/a/index.html", "<body>a</body>"),
            ("style.css", "x"),
            ("404.html", "<body>missing</body>"),
        ] {
            files.insert(PathBuf::from(path), Arc::from(body.as_bytes()));
        }
        Snapshot {
            files,
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
            assert_eq!(route(bad, &snapshot()).status, 400, "{bad}");
        }
    }

    #[test]
    fn folders_serve_their_index_and_missing_pages_404() {
        let s = snapshot();
        assert_eq!(route("/", &s).status, 200);
        assert_eq!(route("/actors/a/", &s).status, 200);
        assert_eq!(route("/actors/a/index.html", &s).status, 200);
        let redirect = route("/actors/a", &s);
        assert_eq!(
            (redirect.status, redirect.location.as_deref()),
            (301, Some("/actors/a/"))
        );
        let missing = route("/actors/b/", &s);
        assert_eq!(missing.status, 404);
        assert!(String::from_utf8_lossy(&missing.body).contains("missing"));
    }

    #[test]
    fn html_gets_the_reload_script_and_css_does_not() {
        let s = snapshot();
        let html = String::from_utf8(route("/", &s).body).unwrap();
        assert!(html.contains(LIVE_PATH) && html.ends_with("</body></html>"));
        assert_eq!(route("/style.css", &s).body, b"x");
        assert_eq!(
            route("/style.css", &s).content_type,
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
}
