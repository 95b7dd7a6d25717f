//! CHECK, ONLINE: asking servers whether addresses still answer — many at
//! once, never more than [`PER_HOST`] at a time of one server, each answer
//! awaited at most the timeout, redirects followed by hand so a permanent
//! move is seen.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::{Client, StatusCode, Url};
use serde::{Deserialize, Serialize};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Requests to one server at a time: a site with forty sources from one
/// newspaper must not look like an attack on it.
pub const PER_HOST: usize = 2;

/// Requests in flight at a time over all servers.
const IN_FLIGHT: usize = 16;

/// Redirects followed before giving up, as browsers do (Chrome: 20, curl: 50;
/// ten is more than any real move needs).
const MAX_REDIRECTS: usize = 10;

/// Sent with every request, so a server's owner can tell what asked.
const USER_AGENT: &str = concat!("explainer/", env!("CARGO_PKG_VERSION"), " (link check)");

/// What asking for one address found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// It answers (or refuses robots, 401/403/429, which says nothing of
    /// whether it is there).
    Alive,
    /// A permanent redirect (301 or 308) to an address that answers.
    Moved { status: u16, to: String },
    /// 404, 410 or a server error, after any redirects.
    Dead { status: u16 },
    /// No answer within the timeout.
    Timeout,
    /// No connection: the name was not found, the connection was refused…
    Unreachable { reason: String },
}

impl Verdict {
    /// Whether the verdict holds for a day. Server errors, timeouts and
    /// failed connections may be gone in a minute: they are asked again
    /// on the next run rather than remembered.
    pub fn lasts(&self) -> bool {
        match self {
            Verdict::Alive | Verdict::Moved { .. } => true,
            Verdict::Dead { status } => matches!(status, 404 | 410),
            Verdict::Timeout | Verdict::Unreachable { .. } => false,
        }
    }
}

/// Asks for every address, concurrently; the answers come back in no
/// particular order.
pub fn probe_all(urls: &[String], timeout: Duration) -> Result<Vec<(String, Verdict)>, String> {
    if urls.is_empty() {
        return Ok(Vec::new());
    }
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        .connect_timeout(timeout)
        .pool_max_idle_per_host(PER_HOST)
        .build()
        .map_err(|e| format!("cannot set up the HTTP client for --links: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the network runtime for --links: {e}"))?;
    let hosts = Hosts::default();
    let asker = Asker {
        client: &client,
        hosts: &hosts,
        timeout,
    };
    Ok(runtime.block_on(
        futures_util::stream::iter(urls)
            .map(|url| async { (url.clone(), asker.verdict(url).await) })
            .buffer_unordered(IN_FLIGHT)
            .collect(),
    ))
}

/// One semaphore per server (`host:port`), made when first needed: a
/// redirect may lead to a server no address named.
#[derive(Default)]
struct Hosts(Mutex<HashMap<String, Arc<Semaphore>>>);

impl Hosts {
    async fn permit(&self, url: &Url) -> Option<OwnedSemaphorePermit> {
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or_default()
        );
        let semaphore = {
            let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(host)
                .or_insert_with(|| Arc::new(Semaphore::new(PER_HOST)))
                .clone()
        };
        semaphore.acquire_owned().await.ok()
    }
}

/// What every request shares.
struct Asker<'a> {
    client: &'a Client,
    hosts: &'a Hosts,
    timeout: Duration,
}

/// One step of following an address.
enum Step {
    Answer(StatusCode),
    Redirect(StatusCode, Url),
    Failed(Verdict),
}

impl Asker<'_> {
    /// Follows `url` through its redirects to a verdict. The address of a
    /// move is where the leading permanent redirects lead: after a
    /// temporary one, later hops say nothing of where the page lives.
    async fn verdict(&self, url: &str) -> Verdict {
        let Ok(start) = Url::parse(url) else {
            return Verdict::Unreachable {
                reason: "it is not a valid web address".into(),
            };
        };
        let mut at = start.clone();
        let mut moved: Option<(u16, Url)> = None;
        let mut permanent_so_far = true;
        for _ in 0..=MAX_REDIRECTS {
            match self.step(&at).await {
                Step::Failed(verdict) => return verdict,
                Step::Answer(status) => return judge(status, moved, &start),
                Step::Redirect(status, next) => {
                    let permanent = matches!(status.as_u16(), 301 | 308);
                    permanent_so_far &= permanent;
                    if permanent_so_far {
                        moved = Some((status.as_u16(), next.clone()));
                    }
                    at = next;
                }
            }
        }
        Verdict::Unreachable {
            reason: format!("it redirects more than {MAX_REDIRECTS} times"),
        }
    }

    /// One request, waiting its turn at the server, then at most the
    /// timeout for the answer (the turn is not counted: a site with many
    /// sources on a slow server must not time out in the queue).
    async fn step(&self, url: &Url) -> Step {
        let _turn = self.hosts.permit(url).await;
        let sent = self.client.get(url.clone()).send();
        let response = match tokio::time::timeout(self.timeout, sent).await {
            Err(_) => return Step::Failed(Verdict::Timeout),
            Ok(Err(e)) if e.is_timeout() => return Step::Failed(Verdict::Timeout),
            Ok(Err(e)) => return Step::Failed(Verdict::Unreachable { reason: reason(&e) }),
            Ok(Ok(response)) => response,
        };
        let status = response.status();
        let next = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| url.join(v).ok());
        match next {
            Some(next) if status.is_redirection() => Step::Redirect(status, next),
            _ => Step::Answer(status),
        }
    }
}

/// The verdict on the last answer of a chain.
fn judge(status: StatusCode, moved: Option<(u16, Url)>, start: &Url) -> Verdict {
    if matches!(status.as_u16(), 404 | 410) || status.is_server_error() {
        return Verdict::Dead {
            status: status.as_u16(),
        };
    }
    match moved {
        Some((status, to)) if to != *start => Verdict::Moved {
            status,
            to: to.to_string(),
        },
        _ => Verdict::Alive,
    }
}

/// Why a connection failed, in words a writer can act on.
fn reason(error: &reqwest::Error) -> String {
    let mut innermost = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        let text = s.to_string();
        if text.starts_with("dns error") {
            return "its server name was not found".into();
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    return "the connection was refused".into();
                }
                std::io::ErrorKind::ConnectionReset => return "the connection was reset".into(),
                _ => {}
            }
        }
        innermost = text;
        source = s.source();
    }
    innermost
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_chain_of_permanent_moves_ends_at_an_answer() {
        let start = url("http://a.example/old");
        let moved = Some((301, url("https://a.example/new")));
        assert_eq!(
            judge(StatusCode::OK, moved.clone(), &start),
            Verdict::Moved {
                status: 301,
                to: "https://a.example/new".into()
            }
        );
        // Moved to a page that is gone: the reader gets nothing either way.
        assert_eq!(
            judge(StatusCode::NOT_FOUND, moved, &start),
            Verdict::Dead { status: 404 }
        );
    }

    #[test]
    fn robots_refused_say_nothing_of_whether_the_page_is_there() {
        let start = url("http://a.example/");
        for code in [401, 403, 429] {
            let status = StatusCode::from_u16(code).unwrap();
            assert_eq!(judge(status, None, &start), Verdict::Alive);
        }
        assert_eq!(
            judge(StatusCode::BAD_GATEWAY, None, &start),
            Verdict::Dead { status: 502 }
        );
    }

    #[test]
    fn only_lasting_answers_are_kept_for_a_day() {
        assert!(Verdict::Dead { status: 410 }.lasts());
        assert!(!Verdict::Dead { status: 503 }.lasts());
        assert!(!Verdict::Timeout.lasts());
    }
}
