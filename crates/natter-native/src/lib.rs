//! Native transports for natter-core: WebSocket (tokio + tokio-tungstenite) and BOSH (hyper,
//! see [`bosh`]).
//!
//! [`connect`] picks the transport by the URL's scheme: `ws://`/`wss://` opens an RFC 7395
//! WebSocket (`Sec-WebSocket-Protocol: xmpp`), `http://` starts a XEP-0206 BOSH session. Either
//! way a driver task owns the connection and loops: received frames go into
//! [`Client::handle_frame`](natter_core::Client::handle_frame), `poll_transmit` is drained to the
//! transport, `poll_event` to a channel, and it sleeps until `poll_timeout`. The [`Session`]
//! handle sends commands and reads events.
//!
//! Time is milliseconds since the first use of this crate in the process; entropy comes from
//! the OS (`getrandom`).

pub mod bosh;

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use natter_core::jid::{BareJid, Jid};
use natter_core::{Client, Command, Config, Event, Instant, Resumption, SessionState, Transmit};
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

pub use natter_core;

/// How long to wait for the server's side of the WebSocket close after we closed ours.
const CLOSE_GRACE: Duration = Duration::from_secs(3);

/// Milliseconds since a process-wide origin.
pub fn now() -> Instant {
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    let start = START.get_or_init(std::time::Instant::now);
    Instant::from_millis(start.elapsed().as_millis() as u64)
}

/// 32 bytes from the OS CSPRNG.
pub fn entropy() -> [u8; 32] {
    let mut buf = [0u8; 32];
    getrandom::getrandom(&mut buf).expect("the OS random source works");
    buf
}

/// A `Config` for `jid`/`password` with fresh entropy. The transport counts as secure for
/// `wss://`, `https://` and loopback addresses (SASL PLAIN is then allowed; SCRAM is preferred
/// anyway).
pub fn config(url: &str, jid: BareJid, password: &str) -> Config {
    let mut c = Config::new(jid, password, entropy());
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    c.secure_transport = url.starts_with("wss://")
        || url.starts_with("https://")
        || matches!(host, "127.0.0.1" | "localhost" | "[::1]")
        || rest.starts_with("[::1]");
    c
}

/// Why [`connect`] failed: the WebSocket never opened, or no BOSH session was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectError(pub String);

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot connect: {}", self.0)
    }
}

impl std::error::Error for ConnectError {}

/// What [`Session::wait_for`] gives when the wanted event did not come.
#[derive(Debug, Clone)]
pub struct WaitError {
    /// `true` if the time ran out, `false` if the session ended first.
    pub timed_out: bool,
    /// Every event seen (and skipped) while waiting, oldest first.
    pub seen: Vec<Event>,
}

impl std::fmt::Display for WaitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = if self.timed_out {
            "timed out"
        } else {
            "the session ended"
        };
        write!(
            f,
            "{why} before the expected event; {} events seen",
            self.seen.len()
        )?;
        let skip = self.seen.len().saturating_sub(30);
        if skip > 0 {
            write!(f, " (last 30 shown)")?;
        }
        for e in &self.seen[skip..] {
            write!(f, "\n  {e:?}")?;
        }
        Ok(())
    }
}

impl std::error::Error for WaitError {}

struct Shared {
    client: Mutex<Client>,
    wake: Notify,
    /// BOSH test hook: how many HTTP answers to throw away (see [`Session::lose_bosh_answers`]).
    lose_answers: AtomicU32,
    /// WebSocket test hooks: the network stopped carrying anything ([`Session::blackhole`]),
    /// and the connection is to drop without a goodbye ([`Session::drop_connection`]).
    blackholed: AtomicBool,
    drop_now: Notify,
}

impl Shared {
    fn new(client: Client) -> Self {
        Shared {
            client: Mutex::new(client),
            wake: Notify::new(),
            lose_answers: AtomicU32::new(0),
            blackholed: AtomicBool::new(false),
            drop_now: Notify::new(),
        }
    }

    fn client(&self) -> MutexGuard<'_, Client> {
        // A panic while holding the lock cannot leave the client half-updated in a way we care
        // about more than about going on; take it anyway.
        self.client.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running session. Dropping it aborts the driver (and the socket) without a clean close;
/// call [`Session::close`] for that.
pub struct Session {
    shared: Arc<Shared>,
    events: mpsc::UnboundedReceiver<Event>,
    task: Option<JoinHandle<()>>,
    /// The account this session signs in as.
    pub jid: BareJid,
}

/// Connects to `url` and starts the session: `ws://`/`wss://` over a WebSocket, `http://` over
/// BOSH ([`bosh::connect`]). Must be called inside a tokio runtime. Sign-in then proceeds in
/// the background: wait for [`Event::Online`] or [`Event::Failed`].
pub async fn connect(url: &str, config: Config) -> Result<Session, ConnectError> {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("http" | "https") => bosh::connect(url, config).await,
        _ => connect_websocket(url, config).await,
    }
}

/// Opens the WebSocket to `url` (asking for the `xmpp` subprotocol) and starts the session.
pub async fn connect_websocket(url: &str, config: Config) -> Result<Session, ConnectError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| ConnectError(e.to_string()))?;
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("xmpp"));
    let (ws, response) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| ConnectError(format!("cannot open the WebSocket: {e}")))?;
    let protocol = response.headers().get("Sec-WebSocket-Protocol");
    if protocol.and_then(|v| v.to_str().ok()) != Some("xmpp") {
        return Err(ConnectError(format!(
            "the server did not accept the xmpp subprotocol (answered {protocol:?})"
        )));
    }
    let jid = config.jid.clone();
    let shared = Arc::new(Shared::new(Client::new(config)));
    let (tx, events) = mpsc::unbounded_channel();
    shared.client().handle_connected(now());
    let task = tokio::spawn(drive(ws, Arc::clone(&shared), tx));
    Ok(Session {
        shared,
        events,
        task: Some(task),
        jid,
    })
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Everything the core wants done after an input.
struct Output {
    frames: Vec<String>,
    close: bool,
    events: Vec<Event>,
    timeout: Option<Instant>,
    ended: bool,
}

fn drain(client: &mut Client) -> Output {
    let mut out = Output {
        frames: Vec::new(),
        close: false,
        events: Vec::new(),
        timeout: None,
        ended: false,
    };
    while let Some(t) = client.poll_transmit() {
        match t {
            Transmit::Frame(f) if !out.close => out.frames.push(f),
            Transmit::Frame(_) => {}
            Transmit::Close => out.close = true,
        }
    }
    while let Some(e) = client.poll_event() {
        out.events.push(e);
    }
    out.timeout = client.poll_timeout();
    out.ended = matches!(client.state(), SessionState::Closed | SessionState::Failed);
    out
}

async fn drive(ws: Ws, shared: Arc<Shared>, tx: mpsc::UnboundedSender<Event>) {
    let (mut sink, mut stream) = ws.split();
    // Set once we closed our side: then wait (bounded) for the server's close.
    let mut closing_since: Option<tokio::time::Instant> = None;
    let mut transport_open = true;
    loop {
        let out = drain(&mut shared.client());
        for e in out.events {
            let _ = tx.send(e);
        }
        // Frames sent into a dead network vanish; so does the goodbye.
        let blackholed = shared.blackholed.load(Ordering::SeqCst);
        if transport_open && blackholed && out.close {
            transport_open = false;
        } else if transport_open && !blackholed {
            let mut failed = None;
            for f in out.frames {
                if let Err(e) = sink.send(Message::text(f)).await {
                    failed = Some(e.to_string());
                    break;
                }
            }
            if let Some(reason) = failed {
                transport_open = false;
                shared.client().handle_closed(now(), Some(reason));
                continue;
            }
            if out.close && closing_since.is_none() {
                let _ = sink.close().await;
                closing_since = Some(tokio::time::Instant::now());
            }
        }
        if !transport_open {
            if out.ended {
                break;
            }
            // The transport is gone but the core did not end: tell it (again) and stop.
            shared.client().handle_closed(now(), None);
            let out = drain(&mut shared.client());
            for e in out.events {
                let _ = tx.send(e);
            }
            break;
        }

        let deadline = out.timeout.map(|t| {
            let wait = t.since(now());
            tokio::time::Instant::now() + Duration::from_millis(wait)
        });
        let grace = closing_since.map(|t| t + CLOSE_GRACE);
        tokio::select! {
            msg = stream.next() => {
                let mut client = shared.client();
                let lost = shared.blackholed.load(Ordering::SeqCst);
                match msg {
                    Some(Ok(Message::Text(_) | Message::Binary(_))) if lost => {}
                    Some(Ok(Message::Text(text))) => client.handle_frame(now(), text.as_bytes()),
                    Some(Ok(Message::Binary(data))) => client.handle_frame(now(), &data),
                    Some(Ok(Message::Close(frame))) => {
                        transport_open = false;
                        let reason = frame.map(|f| f.reason.to_string()).filter(|r| !r.is_empty());
                        client.handle_closed(now(), reason);
                    }
                    Some(Ok(_)) => {} // ping/pong: tungstenite answers pings itself
                    Some(Err(e)) => {
                        transport_open = false;
                        client.handle_closed(now(), Some(e.to_string()));
                    }
                    None => {
                        transport_open = false;
                        client.handle_closed(now(), None);
                    }
                }
            }
            _ = shared.wake.notified() => {}
            _ = shared.drop_now.notified() => {
                // Dropping the socket below, with no WebSocket close and no <close/>: to the
                // server, a connection that died.
                transport_open = false;
                shared
                    .client()
                    .handle_closed(now(), Some("the connection dropped".into()));
            }
            _ = sleep_until(deadline) => shared.client().handle_timeout(now()),
            _ = sleep_until(grace) => {
                transport_open = false;
                shared.client().handle_closed(now(), None);
            }
        }
    }
    // Dropping `tx` ends the event stream once the receiver has read everything.
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

impl Session {
    /// Hands a command to the core; its frames go out right away.
    pub fn send(&self, command: Command) {
        self.shared.client().handle_command(now(), command);
        self.shared.wake.notify_one();
    }

    /// Test hook, BOSH only: the next `n` HTTP answers that arrive are thrown away as if the
    /// network had lost them after the server processed the request. The driver resends each
    /// with the same rid; the server replays its answer, so no stanza may be lost or doubled.
    pub fn lose_bosh_answers(&self, n: u32) {
        self.shared
            .lose_answers
            .fetch_add(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// Test hook, WebSocket only: from now on nothing reaches the server and nothing from it
    /// is read, as when a network dies without closing anything. The core notices through its
    /// keepalive (or [`Session::drop_connection`] ends it at once).
    pub fn blackhole(&self) {
        self.shared.blackholed.store(true, Ordering::SeqCst);
        self.shared.wake.notify_one();
    }

    /// Test hook, WebSocket only: the TCP connection drops without a WebSocket close or an
    /// XMPP `<close/>`, so the server keeps a stream-managed session for resumption. The core
    /// sees a transport loss.
    pub fn drop_connection(&self) {
        self.shared.drop_now.notify_one();
    }

    /// What the ended session hands to the next one
    /// ([`natter_core::Client::take_resumption`]); put it in [`Config::resumption`].
    pub fn take_resumption(&self) -> Option<Resumption> {
        self.shared.client().take_resumption()
    }

    /// A fresh stanza id from the core.
    pub fn next_id(&self) -> String {
        self.shared.client().next_id()
    }

    /// Sends a chat message; returns its id.
    pub fn send_message(&self, to: impl Into<Jid>, body: impl Into<String>) -> String {
        let id = self.next_id();
        self.send(Command::SendMessage {
            to: to.into(),
            id: id.clone(),
            body: body.into(),
            ext: Default::default(),
        });
        id
    }

    pub fn state(&self) -> SessionState {
        self.shared.client().state()
    }

    /// The next event; `None` once the session has ended and every event was read.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// Skips events until one matches `want` (and returns it), or `timeout` passes, or the
    /// session ends. The error lists what was seen, for test failure messages.
    pub async fn wait_for<F>(&mut self, timeout: Duration, mut want: F) -> Result<Event, WaitError>
    where
        F: FnMut(&Event) -> bool,
    {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut seen = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(e)) if want(&e) => return Ok(e),
                Ok(Some(e)) => seen.push(e),
                Ok(None) => {
                    return Err(WaitError {
                        timed_out: false,
                        seen,
                    })
                }
                Err(_) => {
                    return Err(WaitError {
                        timed_out: true,
                        seen,
                    })
                }
            }
        }
    }

    /// Waits until the session is online (`Ok` with the bound JID) or failed.
    pub async fn online(&mut self, timeout: Duration) -> Result<natter_core::jid::FullJid, String> {
        match self
            .wait_for(timeout, |e| {
                matches!(e, Event::Online { .. } | Event::Failed(_))
            })
            .await
        {
            Ok(Event::Online { jid, .. }) => Ok(jid),
            Ok(Event::Failed(e)) => Err(format!("sign-in failed: {e} ({e:?})")),
            Ok(_) => unreachable!(),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Closes the stream cleanly (`Disconnect`) and waits (bounded) for the driver to finish.
    /// Returns the events that came meanwhile.
    pub async fn close(mut self) -> Vec<Event> {
        self.send(Command::Disconnect);
        let mut rest = Vec::new();
        let deadline = tokio::time::Instant::now() + CLOSE_GRACE + Duration::from_secs(2);
        while let Ok(Some(e)) = tokio::time::timeout_at(deadline, self.events.recv()).await {
            rest.push(e);
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
        rest
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
