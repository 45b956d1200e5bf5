//! The session state machine: inputs in, transmits/events/deadlines out. Login, stanza routing
//! and commands live in the child modules; this file holds the state and how a session ends.

mod commands;
mod login;
mod stanzas;

use std::collections::VecDeque;

use jid::{BareJid, FullJid, Jid};
use minidom::Element;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::stream_error::DefinedCondition as StreamCondition;

use crate::auth::Authenticator;
use crate::disco::Disco;
use crate::frame::{self, FrameError};
use crate::ids::IdGen;
use crate::iq::{IqKind, IqTracker, Own};
use crate::message::SentMessages;
use crate::roster::RosterCopy;
use crate::{stream, Command, Config, Error, Event, Instant, SessionState};

/// Something for the transport to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmit {
    /// Send this text as one WebSocket message (or BOSH body child).
    Frame(String),
    /// Close the transport (after any frames queued before this).
    Close,
}

/// Where the stream is, in more detail than [`SessionState`].
enum Phase {
    /// `handle_connected` not yet called.
    Idle,
    /// We sent `<open/>`; `authenticated` tells the first stream from the one after SASL.
    AwaitOpen {
        authenticated: bool,
    },
    AwaitFeatures {
        authenticated: bool,
    },
    Sasl(Authenticator),
    Binding {
        session_required: bool,
    },
    /// The legacy RFC 3921 session IQ, for servers that still insist on it.
    Session,
    Online,
    Ended(SessionState),
}

/// A message the user sent before the session was online; sent once it is.
struct Queued {
    to: Jid,
    id: String,
    body: String,
}

/// One XMPP session, from transport open to its end. Not reusable: after `Closed`/`Failed`
/// every input is ignored and a new `Client` is needed.
pub struct Client {
    config: Config,
    phase: Phase,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
    ids: IdGen,
    login_deadline: Option<Instant>,
    iqs: IqTracker,
    /// The account as the server bound it (the configured one until then).
    account: BareJid,
    bound: Option<FullJid>,
    roster: RosterCopy,
    disco: Disco,
    queued: VecDeque<Queued>,
    sent: SentMessages,
}

impl Client {
    pub fn new(config: Config) -> Self {
        Client {
            phase: Phase::Idle,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            ids: IdGen::new(&config.entropy),
            login_deadline: None,
            iqs: IqTracker::default(),
            account: config.jid.clone(),
            bound: None,
            roster: RosterCopy::default(),
            disco: Disco::new(&config.client_name, &config.caps_node),
            queued: VecDeque::new(),
            sent: SentMessages::default(),
            config,
        }
    }

    /// The transport is open: the core queues `<open/>`.
    pub fn handle_connected(&mut self, now: Instant) {
        if !matches!(self.phase, Phase::Idle) {
            return;
        }
        self.login_deadline = Some(now.after(self.config.login_timeout_ms));
        self.send(stream::open(&self.config.jid));
        self.set_phase(Phase::AwaitOpen {
            authenticated: false,
        });
    }

    /// One received frame (one complete XML element). Malformed input ends the session with
    /// `Error::Protocol`, never a panic.
    pub fn handle_frame(&mut self, now: Instant, frame: &[u8]) {
        if matches!(self.phase, Phase::Idle | Phase::Ended(_)) {
            return;
        }
        let element = match frame::parse(frame) {
            Ok(Some(element)) => element,
            Ok(None) => return,
            Err(err) => {
                let condition = match err {
                    FrameError::TooLarge => StreamCondition::PolicyViolation,
                    FrameError::NotUtf8 => StreamCondition::UnsupportedEncoding,
                    _ => StreamCondition::NotWellFormed,
                };
                self.protocol_failure(condition, err.to_string());
                return;
            }
        };
        if stream::is_stream_error(&element) {
            let err = stream::error_from(element);
            self.end(Err(err), true, true);
        } else if stream::is_close(&element) {
            match stream::close_redirect(&element) {
                Some(redirect) => self.end(Err(redirect), true, true),
                None if matches!(self.phase, Phase::Online) => self.end(Ok(()), true, true),
                None => self.end(
                    Err(Error::TransportClosed {
                        reason: Some("the server closed the stream during sign-in".into()),
                    }),
                    true,
                    true,
                ),
            }
        } else {
            self.route(now, element);
        }
    }

    /// The transport closed. Ends the session (`Closed` after our own `<close/>`, else `Failed`).
    pub fn handle_closed(&mut self, _now: Instant, reason: Option<String>) {
        if matches!(self.phase, Phase::Ended(_)) {
            return;
        }
        self.end(Err(Error::TransportClosed { reason }), false, false);
    }

    /// Call when `poll_timeout()`'s instant has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        if matches!(self.phase, Phase::Ended(_)) {
            return;
        }
        if self.login_deadline.is_some_and(|deadline| now >= deadline) {
            self.end(Err(Error::Timeout), true, true);
            return;
        }
        for kind in self.iqs.take_expired(now) {
            self.request_timed_out(kind);
            if matches!(self.phase, Phase::Ended(_)) {
                return;
            }
        }
    }

    pub fn handle_command(&mut self, now: Instant, command: Command) {
        if matches!(self.phase, Phase::Ended(_)) {
            return;
        }
        self.command(now, command);
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        if matches!(self.phase, Phase::Ended(_)) {
            return None;
        }
        match (self.login_deadline, self.iqs.next_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn state(&self) -> SessionState {
        phase_state(&self.phase)
    }

    /// A fresh, unpredictable stanza id (derived from the config's entropy and a counter).
    pub fn next_id(&mut self) -> String {
        self.ids.next()
    }

    /// Hands an element to the handler for where the stream is.
    fn route(&mut self, now: Instant, element: Element) {
        match &self.phase {
            Phase::AwaitOpen { authenticated } => {
                let authenticated = *authenticated;
                self.on_open(element, authenticated);
            }
            Phase::AwaitFeatures { authenticated } => {
                let authenticated = *authenticated;
                self.on_features(now, element, authenticated);
            }
            Phase::Sasl(_) => self.on_sasl(element),
            Phase::Binding { .. } | Phase::Session | Phase::Online => self.on_stanza(now, element),
            Phase::Idle | Phase::Ended(_) => {}
        }
    }

    // ---- shared plumbing for the child modules ----

    fn own(&self) -> Own<'_> {
        Own {
            bare: &self.account,
            full: self.bound.as_ref(),
        }
    }

    fn send(&mut self, element: impl Into<Element>) -> bool {
        match frame::serialize(&element.into()) {
            Some(text) => {
                self.transmits.push_back(Transmit::Frame(text));
                true
            }
            None => false,
        }
    }

    /// Sends an IQ request to our own server/account and tracks it; returns its id.
    fn send_request(&mut self, now: Instant, iq: Iq, kind: IqKind) -> String {
        let id = self.ids.next();
        self.send(iq.with_id(id.clone()));
        self.iqs
            .track(id.clone(), None, now.after(self.config.iq_timeout_ms), kind);
        id
    }

    fn set_phase(&mut self, phase: Phase) {
        let before = phase_state(&self.phase);
        self.phase = phase;
        let after = phase_state(&self.phase);
        if before != after {
            self.events.push_back(Event::StateChanged(after));
        }
    }

    /// The server broke the protocol: tell it why (RFC 6120 §4.9), then leave.
    fn protocol_failure(&mut self, condition: StreamCondition, what: String) {
        self.send(stream::error(condition, &what));
        self.end(Err(Error::Protocol(what)), true, true);
    }

    /// Ends the session for good: `Ok` is a clean close, `Err` a failure. Messages still
    /// waiting for the session are reported failed rather than silently lost.
    fn end(&mut self, outcome: Result<(), Error>, send_close: bool, close_transport: bool) {
        if send_close {
            self.send(stream::close());
        }
        if close_transport {
            self.transmits.push_back(Transmit::Close);
        }
        for queued in std::mem::take(&mut self.queued) {
            self.events.push_back(Event::MessageFailed {
                id: queued.id,
                peer: queued.to.into_bare(),
                reason: "not sent: the session ended before it was online".into(),
            });
        }
        self.iqs.clear();
        self.login_deadline = None;
        let state = match outcome {
            Ok(()) => SessionState::Closed,
            Err(err) => {
                self.events.push_back(Event::Failed(err));
                SessionState::Failed
            }
        };
        self.set_phase(Phase::Ended(state));
    }
}

fn phase_state(phase: &Phase) -> SessionState {
    match phase {
        Phase::Idle => SessionState::Connecting,
        Phase::AwaitOpen { .. }
        | Phase::AwaitFeatures { .. }
        | Phase::Sasl(_)
        | Phase::Binding { .. }
        | Phase::Session => SessionState::Authenticating,
        Phase::Online => SessionState::Online,
        Phase::Ended(state) => state.clone(),
    }
}
