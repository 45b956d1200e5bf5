//! Native BOSH (XEP-0124/XEP-0206) transport: the same `Client`, through natter-core's sans-IO
//! [`Bosh`] session, over HTTP/1.1 POSTs made with hyper (one TCP connection per request, plain
//! `http://` only: there is no TLS stack in this crate).
//!
//! [`connect`] makes the session creation request itself, so that an unreachable or wrong URL
//! fails there, as a WebSocket that does not open does. Then a driver task loops: frames from
//! the `Bosh` to the `Client` and the `Client`'s transmits back, requests out (each its own
//! task; a resend of a rid aborts the try still in flight), answers in, timers.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::Uri;
use hyper_util::rt::TokioIo;
use natter_core::bosh::{self, Bosh, Failure, Settings};
use natter_core::{Client, Config, Event, Instant};
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};

use crate::{entropy, now, sleep_until, ConnectError, Session, Shared};

/// Largest answer read (natter-core's frame limit).
const MAX_BODY: usize = 8 * 1024 * 1024;

/// Where the connection manager is.
#[derive(Clone)]
struct Target {
    host: String,
    port: u16,
    /// `Host:` header value.
    authority: String,
    path: String,
}

impl Target {
    fn parse(url: &str) -> Result<Target, ConnectError> {
        let bad = |why: &str| ConnectError(format!("{url:?} is not a BOSH URL: {why}"));
        let uri: Uri = url.parse().map_err(|_| bad("it does not parse"))?;
        match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
            Some("http") => {}
            Some("https") => {
                return Err(ConnectError(format!(
                    "{url}: https:// needs TLS, which natter-native does not include (use \
                     http:// on loopback)"
                )))
            }
            _ => return Err(bad("it does not start with http://")),
        }
        let authority = uri.authority().ok_or_else(|| bad("no host"))?;
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        Ok(Target {
            host: host.to_owned(),
            port: authority.port_u16().unwrap_or(80),
            authority: authority.as_str().to_owned(),
            path: uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        })
    }
}

fn network(err: impl std::fmt::Display) -> Failure {
    Failure::Network(err.to_string())
}

/// One POST of `body`; the status and the whole answer, bounded.
async fn post(target: Target, body: String) -> Result<(u16, Bytes), Failure> {
    let stream = tokio::net::TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(network)?;
    let _ = stream.set_nodelay(true);
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(network)?;
    let request = hyper::Request::post(target.path.as_str())
        .header(HOST, target.authority.as_str())
        .header(CONTENT_TYPE, bosh::CONTENT_TYPE)
        .body(Full::new(Bytes::from(body)))
        .map_err(network)?;
    let exchange = async move {
        let response = sender.send_request(request).await.map_err(network)?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), MAX_BODY)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    Failure::TooLarge
                } else {
                    network(e)
                }
            })?;
        Ok((status, body.to_bytes()))
    };
    // The connection is driven here, not in a task of its own: aborting this future closes it.
    let mut exchange = std::pin::pin!(exchange);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        result = &mut exchange => result,
        ended = &mut conn => match ended {
            Ok(()) => exchange.await,
            Err(e) => Err(network(e)),
        },
    }
}

/// Frames from the `Bosh` into the `Client` and its transmits back, until neither moves; then
/// the end of the transport, if it ended.
fn exchange(client: &mut Client, bosh: &mut Bosh) {
    loop {
        let mut moved = false;
        while let Some(t) = client.poll_transmit() {
            bosh.handle_transmit(now(), t);
            moved = true;
        }
        while let Some(frame) = bosh.poll_frame() {
            client.handle_frame(now(), frame.as_bytes());
            moved = true;
        }
        if !moved {
            break;
        }
    }
    if let Some(reason) = bosh.poll_closed() {
        client.handle_closed(now(), reason);
    }
}

/// Starts a BOSH session at `url` (`http://…/http-bind`): returns once the connection manager
/// created it, or fails with why it did not.
pub async fn connect(url: &str, config: Config) -> Result<Session, ConnectError> {
    connect_with(url, config, Settings::default()).await
}

/// [`connect`] with other BOSH settings (a shorter `wait`, fewer tries, …).
pub async fn connect_with(
    url: &str,
    config: Config,
    settings: Settings,
) -> Result<Session, ConnectError> {
    let target = Target::parse(url)?;
    let jid = config.jid.clone();
    let mut client = Client::new(config);
    let mut bosh = Bosh::new(settings, &entropy());
    client.handle_connected(now());
    exchange(&mut client, &mut bosh);
    let create = bosh
        .poll_request(now())
        .ok_or_else(|| ConnectError("the client did not open a stream".into()))?;
    let limit = bosh.poll_timeout().map_or(0, |t| t.since(now()));
    let answer = tokio::time::timeout(
        Duration::from_millis(limit),
        post(target.clone(), create.body),
    )
    .await;
    match &answer {
        Ok(result) => bosh.handle_response(
            now(),
            create.rid,
            result
                .as_ref()
                .map(|(s, b)| (*s, &b[..]))
                .map_err(Clone::clone),
        ),
        Err(_) => bosh.handle_timeout(now().after(limit)),
    }
    if !bosh.is_created() {
        let reason = bosh
            .poll_closed()
            .flatten()
            .unwrap_or_else(|| "no session".into());
        return Err(ConnectError(format!(
            "cannot start a BOSH session at {url}: {reason}"
        )));
    }
    let shared = Arc::new(Shared::new(client));
    let (tx, events) = mpsc::unbounded_channel();
    let task = tokio::spawn(drive(Arc::clone(&shared), bosh, target, tx));
    Ok(Session {
        shared,
        events,
        task: Some(task),
        jid,
    })
}

type Answer = (u64, u64, Result<(u16, Bytes), Failure>);

async fn drive(
    shared: Arc<Shared>,
    mut bosh: Bosh,
    target: Target,
    tx: mpsc::UnboundedSender<Event>,
) {
    let mut requests: JoinSet<Answer> = JoinSet::new();
    // rid → (try number, its task): a resend replaces (aborts) the try in flight.
    let mut in_flight: HashMap<u64, (u64, AbortHandle)> = HashMap::new();
    let mut tries: u64 = 0;
    loop {
        let timeout = {
            let mut client = shared.client();
            exchange(&mut client, &mut bosh);
            while let Some(e) = client.poll_event() {
                let _ = tx.send(e);
            }
            min(client.poll_timeout(), bosh.poll_timeout())
        };
        while let Some(request) = bosh.poll_request(now()) {
            tries += 1;
            if let Some((_, old)) = in_flight.remove(&request.rid) {
                old.abort();
            }
            let (rid, n, target) = (request.rid, tries, target.clone());
            let handle = requests.spawn(async move { (rid, n, post(target, request.body).await) });
            in_flight.insert(rid, (n, handle));
        }
        if bosh.is_closed() {
            // Whatever is still in flight is aborted with the JoinSet.
            break;
        }
        let deadline =
            timeout.map(|t| tokio::time::Instant::now() + Duration::from_millis(t.since(now())));
        tokio::select! {
            Some(joined) = requests.join_next(), if !requests.is_empty() => {
                let Ok((rid, n, mut result)) = joined else { continue }; // aborted
                if in_flight.get(&rid).map(|(m, _)| *m) != Some(n) {
                    continue; // a try that was replaced
                }
                in_flight.remove(&rid);
                if result.is_ok() && take_one(&shared) {
                    result = Err(Failure::Network("answer lost (injected by the test hook)".into()));
                }
                bosh.handle_response(
                    now(),
                    rid,
                    result.as_ref().map(|(s, b)| (*s, &b[..])).map_err(Clone::clone),
                );
            }
            _ = shared.wake.notified() => {}
            _ = sleep_until(deadline) => {
                let t = now();
                shared.client().handle_timeout(t);
                bosh.handle_timeout(t);
            }
        }
    }
    // The last events (the end of the session) before the channel closes.
    let mut client = shared.client();
    exchange(&mut client, &mut bosh);
    while let Some(e) = client.poll_event() {
        let _ = tx.send(e);
    }
}

/// Consumes one injected failure, if any is pending.
fn take_one(shared: &Shared) -> bool {
    shared
        .lose_answers
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

fn min(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = Target::parse("http://127.0.0.1:5280/http-bind")
            .ok()
            .unwrap();
        assert_eq!(
            (
                t.host.as_str(),
                t.port,
                t.authority.as_str(),
                t.path.as_str()
            ),
            ("127.0.0.1", 5280, "127.0.0.1:5280", "/http-bind")
        );
        let t = Target::parse("HTTP://[::1]/b?x=1").ok().unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("::1", 80, "/b?x=1")
        );
        assert!(Target::parse("https://example.org/http-bind")
            .err()
            .unwrap()
            .0
            .contains("TLS"));
        assert!(Target::parse("ws://x/").is_err());
        assert!(Target::parse("http://").is_err());
    }
}
