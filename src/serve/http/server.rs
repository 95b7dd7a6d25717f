//! SERVE: the connections — hyper's HTTP/1 on a single-threaded tokio
//! runtime. In: a listening socket and the [`Shared`] state; out: answers.
//!
//! A browser must never be able to starve the preview, so every resource a
//! client can hold is bounded: at most [`MAX_CONNECTIONS`] connections (a new
//! one closes the oldest idle one), a connection with no request in progress
//! is closed after [`IDLE_TIMEOUT`] (idle keep-alive and slowloris alike), a
//! request head larger than [`MAX_HEAD`] is answered 431 without being
//! buffered, and running out of file descriptors closes idle connections
//! instead of stopping the accept loop. A live-reload stream is a task, not
//! a thread: a hundred open tabs cost a hundred small futures.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Notify;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Instant, Interval};

use super::{LIVE_PATH, PENDING_WAIT, Reply, Shared, route, targets};

/// Most connections open at once. A browser opens six per host plus one per
/// tab for live reload; beyond this, a new connection closes the oldest
/// idle one, so a flood of idle sockets cannot lock a browser out.
const MAX_CONNECTIONS: usize = 512;
/// A connection with no request in progress is closed after this long: a
/// browser's idle keep-alive (it reconnects without a sound) and a client
/// that trickles a request head byte by byte (slowloris).
const IDLE_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest request head read (request line and headers); a larger one is
/// answered 431 and the connection closed. hyper's minimum is 8 KiB;
/// browsers send well under 4 KiB.
const MAX_HEAD: usize = 16 * 1024;
/// Most header fields in a request.
const MAX_HEADERS: usize = 64;
/// Pending connections the kernel queues while the accept loop is busy.
const BACKLOG: u32 = 1024;
/// Pause of the accept loop after an error (out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(5);
/// How often an idle event stream sends a comment, so a closed tab is
/// noticed even when nothing is rebuilt.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// A bound socket and the runtime that will serve it. Binding happens
/// before the first build, so a port in use is reported at once.
pub struct Listener {
    socket: TcpListener,
    runtime: tokio::runtime::Runtime,
}

impl Listener {
    pub fn bind(addr: SocketAddr) -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let socket = {
            let _context = runtime.enter();
            let socket = if addr.is_ipv4() {
                TcpSocket::new_v4()?
            } else {
                TcpSocket::new_v6()?
            };
            socket.set_reuseaddr(true)?;
            socket.bind(addr)?;
            socket.listen(BACKLOG)?
        };
        Ok(Listener { socket, runtime })
    }

    /// The address actually bound (port 0 picks a free one).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }
}

/// Serves connections on this thread until the process ends.
pub fn run(listener: Listener, shared: Arc<Shared>) {
    let Listener { socket, runtime } = listener;
    runtime.block_on(accept_loop(socket, shared));
}

async fn accept_loop(socket: TcpListener, shared: Arc<Shared>) {
    let slots = Arc::new(Slots::default());
    loop {
        match socket.accept().await {
            Ok((stream, _)) => {
                let slot = slots.admit();
                tokio::spawn(connection(
                    stream,
                    Arc::clone(&shared),
                    slot,
                    Arc::clone(&slots),
                ));
            }
            Err(e) => {
                // Out of file descriptors (or a connection reset before it
                // was accepted): make room, pause, go on. Never give up.
                if is_out_of_descriptors(&e) {
                    slots.evict_one();
                }
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
}

fn is_out_of_descriptors(e: &io::Error) -> bool {
    // EMFILE (24) and ENFILE (23) on Linux and the BSDs.
    matches!(e.raw_os_error(), Some(23 | 24))
}

/// One connection, until it ends, is evicted, or stays idle too long.
async fn connection(stream: TcpStream, shared: Arc<Shared>, slot: Arc<Slot>, slots: Arc<Slots>) {
    let _ = stream.set_nodelay(true);
    let service = {
        let slot = Arc::clone(&slot);
        service_fn(move |request| {
            let busy = Busy::begin(&slot);
            respond(request, Arc::clone(&shared), busy)
        })
    };
    let conn = http1::Builder::new()
        .max_buf_size(MAX_HEAD)
        .max_headers(MAX_HEADERS)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        () = slot.evicted.notified() => {}
        () = idle_watch(&slot) => {}
    }
    slots.forget(&slot);
}

/// Returns once the connection has had no request in progress for
/// [`IDLE_TIMEOUT`].
async fn idle_watch(slot: &Slot) {
    loop {
        match slot.idle_deadline() {
            Some(deadline) if deadline <= Instant::now() => return,
            Some(deadline) => tokio::time::sleep_until(deadline).await,
            None => tokio::time::sleep(IDLE_TIMEOUT).await,
        }
    }
}

/// A connection's bookkeeping: requests in progress (a live-reload stream
/// counts until it closes), when it last became idle, and its eviction.
struct Slot {
    id: u64,
    in_progress: AtomicUsize,
    idle_since: Mutex<Instant>,
    evicted: Notify,
}

impl Slot {
    fn is_idle(&self) -> bool {
        self.in_progress.load(Ordering::SeqCst) == 0
    }

    fn idle_deadline(&self) -> Option<Instant> {
        if !self.is_idle() {
            return None;
        }
        let since = *self.idle_since.lock().ok()?;
        Some(since + IDLE_TIMEOUT)
    }
}

/// Marks a request in progress on its connection; dropped with the
/// response body, once the last byte is sent or the client went away.
struct Busy(Arc<Slot>);

impl Busy {
    fn begin(slot: &Arc<Slot>) -> Self {
        slot.in_progress.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(slot))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Ok(mut since) = self.0.idle_since.lock() {
            *since = Instant::now();
        }
        self.0.in_progress.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The open connections, oldest first.
#[derive(Default)]
struct Slots {
    open: Mutex<VecDeque<Arc<Slot>>>,
    next_id: AtomicU64,
}

impl Slots {
    /// A slot for a new connection, evicting one first when all are taken.
    fn admit(&self) -> Arc<Slot> {
        let slot = Arc::new(Slot {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            in_progress: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
            evicted: Notify::new(),
        });
        if let Ok(mut open) = self.open.lock() {
            while open.len() >= MAX_CONNECTIONS {
                evict_from(&mut open);
            }
            open.push_back(Arc::clone(&slot));
        }
        slot
    }

    fn evict_one(&self) {
        if let Ok(mut open) = self.open.lock() {
            evict_from(&mut open);
        }
    }

    fn forget(&self, slot: &Slot) {
        if let Ok(mut open) = self.open.lock() {
            open.retain(|s| s.id != slot.id);
        }
    }
}

/// Closes the oldest idle connection, or the oldest of all when every one
/// is busy (a live-reload stream reconnects by itself).
fn evict_from(open: &mut VecDeque<Arc<Slot>>) {
    let victim = open.iter().position(|s| s.is_idle()).unwrap_or(0);
    if let Some(slot) = open.remove(victim) {
        // A stored permit: the connection sees it even if not yet polled.
        slot.evicted.notify_one();
    }
}

/// Answers one request.
async fn respond(
    request: Request<Incoming>,
    shared: Arc<Shared>,
    busy: Busy,
) -> Result<Response<Body>, Infallible> {
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let host = match request.uri().authority() {
        Some(authority) => Some(authority.as_str()),
        None => header(&request, header::HOST),
    };
    let reply = if !matches!(*request.method(), Method::GET | Method::HEAD) {
        Reply::text(405, "only GET and HEAD are served\n")
    } else if !shared.host_allowed(host) {
        Reply::text(
            403,
            "forbidden host: open the site at http://127.0.0.1 or http://localhost\n",
        )
    } else if target.split('?').next() == Some(LIVE_PATH) {
        if shared.origin_allowed(header(&request, header::ORIGIN)) {
            return Ok(event_stream(&shared, &target, busy));
        }
        Reply::text(403, "forbidden origin\n")
    } else {
        shared.pending.wait(&targets(&target), PENDING_WAIT).await;
        route(&target, &shared.current(), shared.generation())
    };
    Ok(reply_response(reply, busy))
}

fn header<B>(request: &Request<B>, name: header::HeaderName) -> Option<&str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

fn reply_response(reply: Reply, busy: Busy) -> Response<Body> {
    let mut response = Response::new(Body {
        kind: Kind::Full(Some(Bytes::from(reply.body))),
        _busy: busy,
    });
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply.content_type),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(location) = reply.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    response
}

/// A server-sent-event stream: `retry` and a `hello` event with the reload
/// generation first, then one `data: reload` per rebuild and a comment
/// every [`KEEPALIVE`].
fn event_stream(shared: &Shared, target: &str, busy: Busy) -> Response<Body> {
    let reload = shared.tabs.open(super::page_of_stream(target));
    let hello = format!(
        "retry: 500\nevent: hello\ndata: {}\n\n",
        shared.generation()
    );
    let start = Instant::now() + KEEPALIVE;
    let mut response = Response::new(Body {
        kind: Kind::Events {
            first: Some(Bytes::from(hello)),
            reload,
            keepalive: tokio::time::interval_at(start, KEEPALIVE),
        },
        _busy: busy,
    });
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A response body: bytes known up front, or an event stream.
struct Body {
    kind: Kind,
    _busy: Busy,
}

enum Kind {
    Full(Option<Bytes>),
    Events {
        first: Option<Bytes>,
        reload: UnboundedReceiver<()>,
        keepalive: Interval,
    },
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let data = |bytes: Bytes| Poll::Ready(Some(Ok(Frame::data(bytes))));
        match &mut self.get_mut().kind {
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Kind::Events {
                first,
                reload,
                keepalive,
            } => {
                if let Some(bytes) = first.take() {
                    return data(bytes);
                }
                match reload.poll_recv(cx) {
                    Poll::Ready(Some(())) => return data(Bytes::from_static(b"data: reload\n\n")),
                    Poll::Ready(None) => return Poll::Ready(None),
                    Poll::Pending => {}
                }
                match keepalive.poll_tick(cx) {
                    Poll::Ready(_) => data(Bytes::from_static(b": keep-alive\n\n")),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.kind, Kind::Full(None))
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match &self.kind {
            Kind::Full(bytes) => {
                hyper::body::SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Kind::Events { .. } => hyper::body::SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_house_evicts_the_oldest_idle_connection_before_busy_ones() {
        let slots = Slots::default();
        let first = slots.admit();
        let _busy = Busy::begin(&first);
        let second = slots.admit();
        for _ in 2..MAX_CONNECTIONS {
            slots.admit();
        }
        let newest = slots.admit();
        let open = slots.open.lock().unwrap();
        assert_eq!(open.len(), MAX_CONNECTIONS);
        assert!(open.iter().any(|s| s.id == first.id), "busy one kept");
        assert!(
            !open.iter().any(|s| s.id == second.id),
            "oldest idle one evicted"
        );
        assert!(open.iter().any(|s| s.id == newest.id));
    }

    #[test]
    fn when_every_connection_is_busy_the_oldest_goes() {
        let slots = Slots::default();
        let all: Vec<_> = (0..MAX_CONNECTIONS).map(|_| slots.admit()).collect();
        let _busy: Vec<_> = all.iter().map(Busy::begin).collect();
        slots.admit();
        let open = slots.open.lock().unwrap();
        assert!(!open.iter().any(|s| s.id == all[0].id));
        assert_eq!(open.len(), MAX_CONNECTIONS);
    }

    #[test]
    fn a_connection_is_idle_from_the_end_of_its_last_request() {
        let slots = Slots::default();
        let slot = slots.admit();
        assert!(slot.idle_deadline().is_some());
        let busy = Busy::begin(&slot);
        assert_eq!(slot.idle_deadline(), None, "never idle mid-request");
        drop(busy);
        let deadline = slot.idle_deadline().unwrap();
        assert!(deadline > Instant::now() + IDLE_TIMEOUT - Duration::from_secs(1));
    }
}
