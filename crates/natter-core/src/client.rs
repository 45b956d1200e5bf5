//! The session state machine: inputs in, transmits/events/deadlines out. Login, stanza routing
//! and commands live in the child modules; this file holds the state and how a session ends.

mod activity;
mod archive;
mod attach;
mod awareness;
mod blocking;
mod bookmarks;
mod commands;
mod edits;
mod login;
mod muc;
mod profile;
mod room_admin;
mod room_liveness;
mod room_messages;
mod roster_sync;
mod sasl;
mod sm;
mod stanzas;
mod upload;

use std::collections::VecDeque;

use jid::{BareJid, FullJid};
use minidom::Element;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::presence::Show;
use xmpp_parsers::stream_error::DefinedCondition as StreamCondition;

use crate::bookmarks::Bookmarks;
use crate::disco::Disco;
use crate::frame::{self, FrameError};
use crate::ids::IdGen;
use crate::iq::{IqKind, IqTracker};
use crate::keepalive::Keepalive;
use crate::mam::Archive;
use crate::message::SentMessages;
use crate::muc::rooms::Rooms;
use crate::roster::RosterCopy;
use crate::sender::Own;
// A message the user sent before the session was online; sent once it is.
use crate::sm::QueuedMessage as Queued;
use crate::sm::{PendingStanza, StreamManagement};
use crate::stream::Features;
use crate::{stream, Command, Config, Error, Event, Instant, Resumption, SessionState};

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
    Sasl(Box<sasl::Negotiation>),
    /// XEP-0198 `<resume/>` sent after SASL; waiting for `<resumed/>` or `<failed/>`.
    Resuming,
    Binding {
        session_required: bool,
    },
    /// The legacy RFC 3921 session IQ, for servers that still insist on it.
    Session,
    Online,
    Ended(SessionState),
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
    /// XEP-0313 queries in flight.
    archive: Archive,
    /// The stream features after SASL: what the server offers this session.
    features: Features,
    sm: StreamManagement,
    /// Unconfirmed messages of a session that could not be resumed, sent again once online.
    resend: Vec<PendingStanza>,
    keepalive: Keepalive,
    /// XEP-0352: what the user wants (`inactive`) and what the server was last told.
    inactive: bool,
    server_inactive: bool,
    /// The roster get carried a version, so an empty answer means "unchanged".
    roster_versioned: bool,
    /// The keepalive ping waiting for its answer.
    ping: Option<String>,
    /// Set by `Disconnect`: the user signed out, nothing is handed to a next session.
    signed_out: bool,
    /// What [`Client::take_resumption`] gives, once the session has ended.
    resumption: Option<Resumption>,
    /// The group chats we are in or joining (XEP-0045).
    rooms: Rooms,
    bookmarks: Bookmarks,
    /// Avatar fetches waiting for one of the few allowed at a time (XEP-0084).
    avatar_queue: VecDeque<(BareJid, String)>,
    /// XEP-0363: the upload service and slot requests waiting for it.
    uploads: crate::upload::Uploads,
    /// XEP-0184: answer receipt requests (`Command::SetReceipts`).
    receipts: bool,
    /// A fresh session asked for its roster and announces itself (initial presence, rooms,
    /// what waited to be sent) once that is answered; see `Client::go_online`.
    awaiting_roster: bool,
    /// What the user last set with `Command::SetPresence`: the initial presence carries it.
    own_presence: (Option<Show>, Option<String>),
    /// Queries of our own archive (`CatchUp`, `LoadHistory`) that came before the initial
    /// presence, sent right after it: a server that sees the archive queried first may skip
    /// offline delivery (Prosody's mod_mam does), and what it kept offline without archiving
    /// it (a stranger's message under a roster-only archive policy) would be lost.
    deferred_queries: Vec<Command>,
}

impl Client {
    pub fn new(mut config: Config) -> Self {
        let prior = config.resumption.take();
        let mut roster = RosterCopy::default();
        // Replaced by the server's roster if it sends one (a changed version, or none).
        roster.reset(&std::mem::take(&mut config.roster_items));
        let mut client = Client {
            phase: Phase::Idle,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            ids: IdGen::new(&config.entropy),
            login_deadline: None,
            iqs: IqTracker::default(),
            account: config.jid.clone(),
            bound: None,
            roster,
            disco: Disco::new(&config.client_name, &config.caps_node),
            queued: VecDeque::new(),
            sent: SentMessages::default(),
            archive: Archive::default(),
            features: Features::default(),
            sm: StreamManagement::default(),
            resend: Vec::new(),
            keepalive: Keepalive::new(config.keepalive_ms, config.dead_after_ms),
            inactive: config.inactive,
            server_inactive: false,
            roster_versioned: false,
            ping: None,
            signed_out: false,
            resumption: None,
            rooms: Rooms::default(),
            bookmarks: Bookmarks::default(),
            avatar_queue: VecDeque::new(),
            uploads: Default::default(),
            receipts: true,
            awaiting_roster: false,
            own_presence: (None, None),
            deferred_queries: Vec::new(),
            config,
        };
        if let Some(prior) = prior {
            client.take_over(prior);
        }
        client
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
        self.keepalive.heard(now);
        self.frame(now, frame);
        self.after_input();
    }

    fn frame(&mut self, now: Instant, frame: &[u8]) {
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
            self.request_timed_out(now, kind);
            if matches!(self.phase, Phase::Ended(_)) {
                return;
            }
        }
        self.check_alive(now);
        self.rooms_due(now);
        self.after_input();
    }

    pub fn handle_command(&mut self, now: Instant, command: Command) {
        if matches!(self.phase, Phase::Ended(_)) {
            return;
        }
        self.command(now, command);
        self.after_input();
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
        let rooms = matches!(self.phase, Phase::Online)
            .then(|| self.rooms.next_deadline(self.config.room_ping_ms))
            .flatten();
        [
            self.login_deadline,
            self.iqs.next_deadline(),
            self.keepalive.deadline(),
            rooms,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub fn state(&self) -> SessionState {
        phase_state(&self.phase)
    }

    /// A fresh, unpredictable stanza id (derived from the config's entropy and a counter).
    pub fn next_id(&mut self) -> String {
        self.ids.next()
    }

    /// What the next session needs to carry on where this one stopped: the XEP-0198 stream to
    /// resume, the stanzas the server never confirmed, the messages never sent. `Some` only
    /// once the session has ended by accident (transport loss, timeout, dead connection,
    /// server error) and there is something to carry; `None` after signing out, a refused
    /// sign-in or a `conflict` (another client took over the resource). Taking it leaves
    /// `None`. Put it in [`Config::resumption`] of the next `Client`.
    pub fn take_resumption(&mut self) -> Option<Resumption> {
        self.resumption.take()
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
            Phase::Sasl(_) => self.on_sasl(now, element),
            _ if element.ns() == xmpp_parsers::ns::SM => self.on_sm(now, element),
            Phase::Resuming => {}
            Phase::Binding { .. } | Phase::Session | Phase::Online => {
                if crate::sm::is_stanza(&element) {
                    self.sm.count_inbound();
                }
                if !self.is_pong(&element) {
                    self.on_stanza(now, element)
                }
            }
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
        let element = element.into();
        match frame::serialize(&element) {
            Some(text) => {
                // XEP-0198: keep what we send until the server confirms it.
                self.sm.sent(&element, &text);
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

    /// Ends the session for good: `Ok` is a clean close, `Err` a failure. What was not yet
    /// confirmed goes into the [`Resumption`] when a next session can deliver it; otherwise
    /// messages still waiting for the session are reported failed rather than silently lost.
    fn end(&mut self, outcome: Result<(), Error>, send_close: bool, close_transport: bool) {
        if send_close {
            self.send(stream::close());
        }
        if close_transport {
            self.transmits.push_back(Transmit::Close);
        }
        self.hand_over(outcome.as_ref().err());
        self.iqs.clear();
        self.keepalive.stop();
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
        | Phase::Resuming
        | Phase::Binding { .. }
        | Phase::Session => SessionState::Authenticating,
        Phase::Online => SessionState::Online,
        Phase::Ended(state) => state.clone(),
    }
}
