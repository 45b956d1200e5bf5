//! XEP-0124 BOSH with XEP-0206 (XMPP over BOSH) as a sans-IO state machine: it sits between
//! the [`Client`](crate::Client)'s RFC 7395 frames and HTTP requests, with no I/O or clock of
//! its own, like the `Client`.
//!
//! ```text
//! core side:  send_frame / handle_transmit / close  →  poll_frame, poll_closed
//! HTTP side:  poll_request  →  handle_response, handle_timeout, poll_timeout
//! ```
//!
//! - The core's first `<open/>` becomes the session creation request; a later one (after SASL)
//!   an `xmpp:restart='true'` request. Stanzas are batched into the next request; `<close/>`
//!   (or [`Transmit::Close`]) becomes `type='terminate'`.
//! - [`Bosh::poll_frame`] gives the core the frames it understands: an `<open/>` when the
//!   session is created or restarted, every child of a response `<body/>` as a standalone
//!   element, and a `<close/>` when the server ends the session cleanly.
//! - At most `requests` (negotiated; `hold + 1` by default) requests are outstanding, one more
//!   for the terminate request. When idle, one empty request is kept waiting at the server
//!   (the long-poll), never two empty ones closer than `polling` seconds apart if the first
//!   brought nothing.
//! - Responses reach the core in rid order, however they arrive. A request that fails
//!   (network error, no answer in `wait` + a margin, HTTP 5xx) is sent again with the same rid
//!   and body, a bounded number of times with backoff: the server answers a repeated rid with
//!   the answer it gave, so nothing is lost or delivered twice. Then the session ends with a
//!   plain-words reason from [`Bosh::poll_closed`].
//!
//! **Driver contract.** After every input, first hand the core every [`Bosh::poll_frame`]
//! (and the core's transmits back in), then drain [`Bosh::poll_request`], then check
//! [`Bosh::poll_closed`] (then call `Client::handle_closed`) and re-arm the timer from
//! [`Bosh::poll_timeout`]. A [`Request`] whose rid is still in flight replaces it: abort the
//! old HTTP request. Once closed, abort everything still in flight except a terminate request.

mod body;
mod resume;

use std::collections::VecDeque;

use jid::BareJid;
use minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::websocket::Open;

use crate::frame::{self, MAX_FRAME_BYTES};
use crate::{stream, Instant, Transmit};

pub use body::{condition_reason, CONTENT_TYPE, HTTPBIND, XBOSH};
pub use resume::BoshSnapshot;

/// What the driver may tune. The defaults suit browsers and XEP-0124's recommendations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// How long the server may hold a request (XEP-0124 `wait`), in seconds.
    pub wait_secs: u64,
    /// How many requests the server may hold at once (`hold`).
    pub hold: u32,
    /// Tries per request (the first one included) before the session is given up.
    pub max_tries: u32,
    /// Backoff before the first resend; doubled for each further one.
    pub retry_base_ms: u64,
    /// A request unanswered for the server's `wait` plus this margin has failed.
    pub timeout_margin_ms: u64,
    /// How long to wait for the answer to our terminate request.
    pub terminate_timeout_ms: u64,
    /// `xml:lang` of the session, unless the core's `<open/>` says otherwise.
    pub lang: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            wait_secs: 60,
            hold: 1,
            max_tries: 4,
            retry_base_ms: 1_000,
            timeout_margin_ms: 10_000,
            terminate_timeout_ms: 5_000,
            lang: "en".into(),
        }
    }
}

/// One HTTP request to make: POST `body` (as [`CONTENT_TYPE`]) to the connection manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub rid: u64,
    pub body: String,
    /// The session's terminate request: let it finish even when dropping the transport.
    pub terminate: bool,
}

/// Why an HTTP request got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Connection refused or reset, DNS, CORS, …: plain words from the HTTP client.
    Network(String),
    /// The driver stopped reading a body larger than the core's frame limit (8 MiB).
    TooLarge,
}

/// What kind of request an outstanding rid carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Create,
    Restart,
    /// `empty`: a bare long-poll.
    Payload {
        empty: bool,
    },
    Terminate,
}

enum State {
    /// To be handed out by `poll_request` at this instant (now for a first try).
    Due(Instant),
    InFlight {
        sent_at: Instant,
        deadline: Instant,
    },
    /// Answered, waiting for earlier rids before it reaches the core.
    Answered(body::Response),
}

struct Outstanding {
    rid: u64,
    body: String,
    kind: Kind,
    tries: u32,
    state: State,
}

/// What the core asked for that is not yet in a request.
enum Item {
    Stanza(Element),
    Restart,
    Terminate,
}

/// Negotiated with the session creation response.
struct Params {
    sid: String,
    /// Our stream's `from` for synthesized `<open/>`s.
    from: BareJid,
    requests: usize,
    wait_ms: u64,
    polling_ms: u64,
}

enum Phase {
    /// No `<open/>` from the core yet.
    Idle,
    /// The creation request is outstanding.
    Creating,
    Open(Params),
    Closed,
}

/// One BOSH session (XEP-0124 + XEP-0206). Not reusable once closed.
pub struct Bosh {
    settings: Settings,
    phase: Phase,
    /// From the core's first `<open/>`.
    to: String,
    lang: String,
    next_rid: u64,
    outstanding: VecDeque<Outstanding>,
    queue: VecDeque<Item>,
    frames: VecDeque<String>,
    closed: Option<Option<String>>,
    closed_taken: bool,
    /// The creation request was answered with a session.
    created_once: bool,
    terminate_sent: bool,
    /// The last new request was this empty long-poll, sent then.
    last_empty: Option<(u64, Instant)>,
    /// No empty request before this (XEP-0124 §12 `polling`).
    next_empty_at: Option<Instant>,
}

/// rids stay far below 2^53 (XEP-0124 §14: they must fit in a double) for any session length.
const RID_RANGE: u64 = 1 << 48;

impl Bosh {
    /// `entropy` must come from a CSPRNG: the first rid is drawn from it.
    pub fn new(settings: Settings, entropy: &[u8; 32]) -> Self {
        let bytes = crate::ids::expand(entropy, b"natter bosh rid");
        let mut first = [0u8; 8];
        for (slot, byte) in first.iter_mut().zip(bytes.iter()) {
            *slot = *byte;
        }
        let lang = settings.lang.clone();
        Bosh {
            settings,
            phase: Phase::Idle,
            to: String::new(),
            lang,
            next_rid: u64::from_le_bytes(first) % RID_RANGE + 1,
            outstanding: VecDeque::new(),
            queue: VecDeque::new(),
            frames: VecDeque::new(),
            closed: None,
            closed_taken: false,
            created_once: false,
            terminate_sent: false,
            last_empty: None,
            next_empty_at: None,
        }
    }

    // ---- core side ----

    /// A [`Transmit`] from `Client::poll_transmit`.
    pub fn handle_transmit(&mut self, now: Instant, transmit: Transmit) {
        match transmit {
            Transmit::Frame(frame) => self.send_frame(now, &frame),
            Transmit::Close => self.close(now),
        }
    }

    /// One RFC 7395 frame from the core.
    pub fn send_frame(&mut self, now: Instant, frame: &str) {
        if self.is_closed() || self.terminating() {
            return;
        }
        let Ok(Some(element)) = frame::parse(frame.as_bytes()) else {
            return;
        };
        if stream::is_open(&element) {
            self.on_open(now, &element);
        } else if stream::is_close(&element) {
            self.close(now);
        } else {
            self.queue.push_back(Item::Stanza(element));
        }
    }

    /// End the session: a terminate request carrying what is still queued. Before the
    /// session exists there is nobody to tell: it ends at once.
    pub fn close(&mut self, _now: Instant) {
        if self.is_closed() || self.terminating() {
            return;
        }
        match self.phase {
            Phase::Open(_) => self.queue.push_back(Item::Terminate),
            _ => self.finish(None),
        }
    }

    fn terminating(&self) -> bool {
        self.terminate_sent || self.queue.iter().any(|i| matches!(i, Item::Terminate))
    }

    fn on_open(&mut self, _now: Instant, open: &Element) {
        match self.phase {
            Phase::Idle => {
                self.to = open.attr("to").unwrap_or_default().to_owned();
                if let Some(lang) = open.attr_ns(&minidom::rxml::Namespace::XML, "lang") {
                    self.lang = lang.to_owned();
                }
                let rid = self.take_rid();
                let body = body::create(
                    rid,
                    &self.to,
                    &self.lang,
                    self.settings.wait_secs,
                    self.settings.hold,
                );
                self.push_outstanding(rid, body, Kind::Create, Instant(0));
                self.phase = Phase::Creating;
            }
            // A restart (after SASL). The new stream's `<open/>` reaches the core at once:
            // whatever the server sends from now on belongs to the new stream, whichever
            // response carries it (XEP-0206 servers answer the restart request with the
            // features; some send them on the next request after SASL success, whatever it is).
            Phase::Open(ref params) => {
                let open = synthesized_open(params);
                self.frames.extend(open);
                self.queue.push_back(Item::Restart);
            }
            // The core waits for the first stream's `<open/>` before it restarts.
            Phase::Creating | Phase::Closed => {}
        }
    }

    /// The next frame for `Client::handle_frame`.
    pub fn poll_frame(&mut self) -> Option<String> {
        self.frames.pop_front()
    }

    /// Frames are waiting for [`Bosh::poll_frame`] (a driver delivering them in slices asks).
    pub fn has_frames(&self) -> bool {
        !self.frames.is_empty()
    }

    /// `Some` once, when the session is over: `Some(None)` for a clean end (ours or the
    /// server's), `Some(Some(reason))` with plain words otherwise. Give it to
    /// `Client::handle_closed` after the frames from [`Bosh::poll_frame`].
    pub fn poll_closed(&mut self) -> Option<Option<String>> {
        if self.closed_taken || !self.frames.is_empty() {
            return None;
        }
        let closed = self.closed.clone()?;
        self.closed_taken = true;
        Some(closed)
    }

    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// The session creation request was answered (with a session).
    pub fn is_created(&self) -> bool {
        self.created_once
    }

    /// The session id, once the server gave one.
    pub fn sid(&self) -> Option<&str> {
        match &self.phase {
            Phase::Open(params) => Some(&params.sid),
            _ => None,
        }
    }

    // ---- HTTP side ----

    /// The next request to make, if one is due.
    pub fn poll_request(&mut self, now: Instant) -> Option<Request> {
        if self.is_closed() {
            return None;
        }
        if let Some(request) = self.resend_due(now) {
            return Some(request);
        }
        let Phase::Open(params) = &self.phase else {
            return None;
        };
        let limit = params.requests;
        let in_flight = self.outstanding.len();
        let sid = params.sid.clone();
        match self.queue.front() {
            Some(Item::Restart) if in_flight < limit => {
                self.queue.pop_front();
                let rid = self.take_rid();
                let body = body::restart(rid, &sid, &self.to, &self.lang);
                self.last_empty = None;
                self.next_empty_at = None;
                Some(self.send_new(now, rid, body, Kind::Restart))
            }
            Some(Item::Restart) => None,
            Some(_) => {
                // Stanzas up to a restart, or up to and with the terminate.
                let terminate = self
                    .queue
                    .iter()
                    .find(|i| !matches!(i, Item::Stanza(_)))
                    .is_some_and(|i| matches!(i, Item::Terminate));
                // XEP-0124 §12: one more request than `requests` is allowed to terminate.
                if in_flight >= limit + usize::from(terminate) {
                    return None;
                }
                let mut children = Vec::new();
                while let Some(Item::Stanza(_)) = self.queue.front() {
                    if let Some(Item::Stanza(e)) = self.queue.pop_front() {
                        children.push(e);
                    }
                }
                let kind = if terminate {
                    self.queue.clear();
                    self.terminate_sent = true;
                    Kind::Terminate
                } else {
                    Kind::Payload { empty: false }
                };
                let rid = self.take_rid();
                let body = body::payload(rid, &sid, children, terminate);
                self.last_empty = None;
                self.next_empty_at = None;
                Some(self.send_new(now, rid, body, kind))
            }
            // Idle: keep one request waiting at the server for what it has to send.
            None if in_flight == 0 && !self.terminate_sent => {
                if self.next_empty_at.is_some_and(|at| now < at) {
                    return None;
                }
                let rid = self.take_rid();
                let body = body::payload(rid, &sid, Vec::new(), false);
                self.last_empty = Some((rid, now));
                Some(self.send_new(now, rid, body, Kind::Payload { empty: true }))
            }
            None => None,
        }
    }

    /// The answer to request `rid`: its HTTP status and body, or why there was none.
    pub fn handle_response(
        &mut self,
        now: Instant,
        rid: u64,
        response: Result<(u16, &[u8]), Failure>,
    ) {
        if self.is_closed() {
            return;
        }
        let Some(index) = self.outstanding.iter().position(|o| o.rid == rid) else {
            return; // stale: already handed to the core, or never ours
        };
        if matches!(self.outstanding[index].state, State::Answered(_)) {
            return; // a repeated answer to a resent request
        }
        let kind = self.outstanding[index].kind;
        let outcome = match response {
            Err(Failure::Network(reason)) => Err(Retry(reason_words(&reason))),
            Err(Failure::TooLarge) => Ok(Err(too_large())),
            Ok((status, bytes)) => match status {
                200 => match body::parse(bytes) {
                    Ok(answer) => Ok(Ok(answer)),
                    Err(body::BodyError::TooLarge) => Ok(Err(too_large())),
                    Err(body::BodyError::NotBosh) => Ok(Err(NOT_BOSH.to_owned())),
                },
                // Before there is a session, an error status means a wrong URL.
                _ if kind == Kind::Create => Ok(Err(format!("{NOT_BOSH} (HTTP {status})"))),
                400 => Ok(Err(condition_reason("bad-request"))),
                403 => Ok(Err(condition_reason("policy-violation"))),
                404 => Ok(Err(condition_reason("item-not-found"))),
                500..=599 => Err(Retry(format!("the server answered HTTP {status}"))),
                _ => Ok(Err(format!("the server answered HTTP {status}"))),
            },
        };
        match outcome {
            Ok(Ok(answer)) => {
                self.outstanding[index].state = State::Answered(answer);
                self.deliver(now);
                // Our terminate was answered: the session is over, even if an earlier request
                // is still held (what it might bring has nobody left to read it).
                if kind == Kind::Terminate {
                    self.finish(None);
                }
            }
            // Our own terminate: however it went, the session is over.
            _ if kind == Kind::Terminate => self.finish(None),
            Ok(Err(reason)) => self.finish(Some(reason)),
            Err(Retry(reason)) => self.failed_try(now, index, reason),
        }
    }

    /// Call when [`Bosh::poll_timeout`]'s instant has passed: requests unanswered in time
    /// count as failed tries. Then drain [`Bosh::poll_request`].
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.is_closed() {
            return;
        }
        let mut index = 0;
        while index < self.outstanding.len() {
            let late = match self.outstanding[index].state {
                State::InFlight { deadline, .. } => deadline <= now,
                _ => false,
            };
            if late {
                let kind = self.outstanding[index].kind;
                if kind == Kind::Terminate {
                    self.finish(None);
                    return;
                }
                let secs = self.outstanding[index]
                    .state
                    .sent_at()
                    .map_or(0, |t| now.since(t) / 1000);
                self.failed_try(now, index, format!("no answer within {secs} s"));
                if self.is_closed() {
                    return;
                }
            }
            index += 1;
        }
    }

    /// When to call [`Bosh::handle_timeout`] (and poll for requests) next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_closed() {
            return None;
        }
        let mut next: Option<Instant> = None;
        let mut consider = |t: Instant| next = Some(next.map_or(t, |n| n.min(t)));
        for o in &self.outstanding {
            match o.state {
                State::Due(at) => consider(at),
                State::InFlight { deadline, .. } => consider(deadline),
                State::Answered(_) => {}
            }
        }
        if let (Some(at), Phase::Open(_)) = (self.next_empty_at, &self.phase) {
            if self.outstanding.is_empty() && self.queue.is_empty() && !self.terminate_sent {
                consider(at);
            }
        }
        next
    }

    // ---- inside ----

    fn take_rid(&mut self) -> u64 {
        let rid = self.next_rid;
        self.next_rid = self.next_rid.saturating_add(1);
        rid
    }

    fn push_outstanding(&mut self, rid: u64, body: Element, kind: Kind, due: Instant) {
        let body = frame::serialize(&body).unwrap_or_default();
        self.outstanding.push_back(Outstanding {
            rid,
            body,
            kind,
            tries: 0,
            state: State::Due(due),
        });
    }

    fn send_new(&mut self, now: Instant, rid: u64, body: Element, kind: Kind) -> Request {
        self.push_outstanding(rid, body, kind, now);
        self.resend_due(now).unwrap_or(Request {
            rid,
            body: String::new(),
            terminate: kind == Kind::Terminate,
        })
    }

    /// A request whose (first or next) try is due, marked in flight.
    fn resend_due(&mut self, now: Instant) -> Option<Request> {
        let timeout = self.request_timeout_ms();
        let terminate_timeout = self.settings.terminate_timeout_ms;
        let o = self
            .outstanding
            .iter_mut()
            .find(|o| matches!(o.state, State::Due(at) if at <= now))?;
        o.tries = o.tries.saturating_add(1);
        let wait = if o.kind == Kind::Terminate {
            terminate_timeout
        } else {
            timeout
        };
        o.state = State::InFlight {
            sent_at: now,
            deadline: now.after(wait),
        };
        Some(Request {
            rid: o.rid,
            body: o.body.clone(),
            terminate: o.kind == Kind::Terminate,
        })
    }

    fn request_timeout_ms(&self) -> u64 {
        let wait_ms = match &self.phase {
            Phase::Open(params) => params.wait_ms,
            _ => self.settings.wait_secs.saturating_mul(1000),
        };
        wait_ms.saturating_add(self.settings.timeout_margin_ms)
    }

    /// A try failed: send again after a backoff, or give up.
    fn failed_try(&mut self, now: Instant, index: usize, reason: String) {
        let Some(o) = self.outstanding.get_mut(index) else {
            return;
        };
        match o.kind {
            Kind::Terminate => return self.finish(None),
            // No session to save yet: say at once that the server cannot be reached.
            Kind::Create => {
                return self.finish(Some(format!("could not reach the BOSH service: {reason}")))
            }
            _ => {}
        }
        if o.tries >= self.settings.max_tries {
            let tries = o.tries;
            return self.finish(Some(format!(
                "no answer from the server after {tries} tries ({reason})"
            )));
        }
        let shift = o.tries.saturating_sub(1).min(16);
        let delay = self.settings.retry_base_ms.saturating_mul(1 << shift);
        o.state = State::Due(now.after(delay));
    }

    /// Hands answered responses to the core in rid order.
    fn deliver(&mut self, now: Instant) {
        while matches!(
            self.outstanding.front().map(|o| &o.state),
            Some(State::Answered(_))
        ) {
            let Some(o) = self.outstanding.pop_front() else {
                return;
            };
            let State::Answered(answer) = o.state else {
                return;
            };
            self.process(now, o.rid, o.kind, answer);
            if self.is_closed() {
                return;
            }
        }
    }

    fn process(&mut self, _now: Instant, rid: u64, kind: Kind, answer: body::Response) {
        let attrs = &answer.attrs;
        if kind == Kind::Create && !attrs.terminate {
            let Some(sid) = attrs.sid.clone() else {
                return self.finish(Some(
                    "the server at this address did not start a BOSH session".to_owned(),
                ));
            };
            let fallback = || BareJid::new(&self.to).ok();
            let Some(from) = attrs
                .from
                .as_deref()
                .and_then(|f| BareJid::new(f).ok())
                .or_else(fallback)
            else {
                return self.finish(Some(
                    "the server did not say which domain it serves".to_owned(),
                ));
            };
            let hold = attrs.hold.unwrap_or(u64::from(self.settings.hold));
            let requests = attrs.requests.unwrap_or(hold.saturating_add(1)).clamp(1, 8);
            let wait_secs = attrs
                .wait
                .unwrap_or(self.settings.wait_secs)
                .min(self.settings.wait_secs);
            let polling_ms = attrs.polling.unwrap_or(0).saturating_mul(1000);
            // Never wait so long between polls that the server gives up on us.
            let polling_ms = match attrs.inactivity {
                Some(inactivity) => polling_ms.min(inactivity.saturating_mul(500)),
                None => polling_ms,
            };
            let params = Params {
                sid,
                from,
                requests: requests as usize,
                wait_ms: wait_secs.saturating_mul(1000),
                polling_ms,
            };
            self.frames.extend(synthesized_open(&params));
            self.phase = Phase::Open(params);
            self.created_once = true;
        }
        self.frames.extend(answer.frames.iter().cloned());
        if attrs.terminate {
            return self.server_terminated(answer);
        }
        if kind == Kind::Terminate {
            return self.finish(None);
        }
        // XEP-0124 §12: an empty poll that brought nothing: the next one waits `polling`.
        if let (Kind::Payload { empty: true }, Phase::Open(params)) = (kind, &self.phase) {
            if answer.frames.is_empty() {
                if let Some((last, sent_at)) = self.last_empty {
                    if last == rid && params.polling_ms > 0 {
                        self.next_empty_at = Some(sent_at.after(params.polling_ms));
                    }
                }
            }
        }
    }

    /// A `type='terminate'` body (its children are already queued for the core).
    fn server_terminated(&mut self, answer: body::Response) {
        match answer.attrs.condition.as_deref() {
            None => {
                self.frames.extend(close_frame(None));
                self.finish(None);
            }
            Some("see-other-uri") => {
                self.frames.extend(close_frame(answer.uri.as_deref()));
                self.finish(Some(condition_reason("see-other-uri")));
            }
            // The `<stream:error/>` inside (already queued) says more; this is the fallback.
            Some(condition) => self.finish(Some(condition_reason(condition))),
        }
    }

    /// The session is over (once).
    fn finish(&mut self, reason: Option<String>) {
        if self.closed.is_some() {
            return;
        }
        self.closed = Some(reason);
        self.phase = Phase::Closed;
        self.queue.clear();
        self.outstanding.clear();
    }
}

struct Retry(String);

const NOT_BOSH: &str = "the server at this address did not answer as a BOSH connection manager";

impl State {
    fn sent_at(&self) -> Option<Instant> {
        match self {
            State::InFlight { sent_at, .. } => Some(*sent_at),
            _ => None,
        }
    }
}

fn too_large() -> String {
    format!(
        "the server sent an answer larger than {} MiB",
        MAX_FRAME_BYTES / (1024 * 1024)
    )
}

/// An HTTP client's error text, bounded.
fn reason_words(reason: &str) -> String {
    let reason = reason.trim();
    if reason.is_empty() {
        return "the request failed".to_owned();
    }
    reason.chars().take(300).collect()
}

/// The `<open/>` the core expects at the start of each stream.
fn synthesized_open(params: &Params) -> Option<String> {
    let open = Open {
        from: Some(params.from.clone()),
        to: None,
        id: Some(params.sid.clone()),
        version: Some("1.0".to_owned()),
        xml_lang: None,
    };
    frame::serialize(&open.into())
}

fn close_frame(see_other_uri: Option<&str>) -> Option<String> {
    let mut close = stream::close();
    if let Some(uri) = see_other_uri {
        close = Element::builder("close", ns::WEBSOCKET)
            .attr(minidom::rxml::xml_ncname!("see-other-uri").into(), uri)
            .build();
    }
    frame::serialize(&close)
}
