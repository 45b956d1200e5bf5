//! The session driver: owns the core `Client` and the transport, feeds the core every input
//! with `now` from `performance.now()`, drains its outputs after every input, keeps one timer
//! for `poll_timeout`, and reconnects with backoff after a connection that was online drops.
//!
//! Core events go to the store through [`AppState::push`] (applied once per frame); nothing
//! here renders anything.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use leptos::prelude::{set_timeout, set_timeout_with_handle, window, TimeoutHandle};
use natter_core::jid::{BareJid, Jid};
use natter_core::{Client, Command, Config, Error, Event, Instant, SessionState, Show, Transmit};
use natter_store::Phase;

use crate::backoff;
use crate::discovery;
use crate::dom;
use crate::endpoint::{self, Endpoint};
use crate::plan::{self, Failure, Plan, Step};
use crate::state::{AppState, UiEvent};
use crate::transport::{Sink, Transport, TransportEvent, WebSocketTransport};

/// What the sign-in form hands the driver. The password lives only here (and in the core's
/// config) and is dropped when the session ends for good.
#[derive(Clone)]
pub struct LoginRequest {
    pub jid: BareJid,
    pub password: String,
    /// The connection URL the user typed: then it is the only one tried. `None`: discover
    /// (XEP-0156), then fall back to the defaults (see [`crate::plan`]).
    pub endpoint: Option<Endpoint>,
}

/// A cheap handle; clones share the session.
#[derive(Clone)]
pub struct Session(Rc<RefCell<Inner>>);

struct Attempt {
    generation: u64,
    client: Client,
    transport: Box<dyn Transport>,
    url: String,
    opened: bool,
    /// A frame came from the server: from then on a failure is its answer, not the
    /// transport's, and does not fall back.
    answered: bool,
    online: bool,
    last_error: Option<Error>,
    timer: Option<(Instant, TimeoutHandle)>,
    /// Deadline for the server's first frame when there is another endpoint to fall back to.
    open_timer: Option<TimeoutHandle>,
}

impl Attempt {
    fn clear_timers(&mut self) {
        if let Some((_, h)) = self.timer.take() {
            h.clear();
        }
        if let Some(h) = self.open_timer.take() {
            h.clear();
        }
    }
}

struct Inner {
    state: AppState,
    me: Weak<RefCell<Inner>>,
    login: Option<LoginRequest>,
    attempt: Option<Attempt>,
    /// The endpoints to try for the current login, in order, and where we are.
    plan: Option<Plan>,
    /// Every endpoint known so far failed; discovery is still running.
    waiting: bool,
    /// When the current round of attempts began (sign-in or reconnection): bounds the wait
    /// for a silent endpoint so that the fallback happens in time.
    round_started: Instant,
    /// Bumped on every sign-in and sign-out; discovery answers for older logins are ignored.
    login_seq: u64,
    /// Bumped for every connection attempt and on sign-out; callbacks of older attempts are
    /// ignored.
    generation: u64,
    /// The current login reached `Online` at least once: drops are then retried.
    online_once: bool,
    retries: u32,
    redirects: u32,
    retry_timer: Option<TimeoutHandle>,
    /// The presence the user picked, restored after a reconnection.
    presence: Option<(Option<Show>, Option<String>)>,
}

fn now() -> Instant {
    let ms = window().performance().map_or(0.0, |p| p.now());
    Instant::from_millis(ms.max(0.0) as u64)
}

/// Run `f` on the session unless it is gone; if it is busy (a callback arrived while the
/// driver itself was running), try again right after.
fn enter(weak: Weak<RefCell<Inner>>, f: impl FnOnce(&mut Inner) + 'static) {
    let Some(rc) = weak.upgrade() else { return };
    let busy = match rc.try_borrow_mut() {
        Ok(mut inner) => {
            f(&mut inner);
            return;
        }
        Err(_) => true,
    };
    if busy {
        set_timeout(move || enter(weak, f), Duration::ZERO);
    }
}

impl Session {
    pub fn new(state: AppState) -> Self {
        Session(Rc::new_cyclic(|me| {
            RefCell::new(Inner {
                state,
                me: me.clone(),
                login: None,
                attempt: None,
                plan: None,
                waiting: false,
                round_started: Instant::default(),
                login_seq: 0,
                generation: 0,
                online_once: false,
                retries: 0,
                redirects: 0,
                retry_timer: None,
                presence: None,
            })
        }))
    }

    pub fn state(&self) -> AppState {
        self.0.borrow().state
    }

    /// Start a new session (ending any current one).
    pub fn sign_in(&self, login: LoginRequest) {
        let mut inner = self.0.borrow_mut();
        inner.stop();
        let state = inner.state;
        state.push(UiEvent::Reset);
        let domain = login.jid.domain().to_string();
        let remembered = plan::parse_remembered(dom::load(&plan::remember_key(&domain)).as_deref());
        let plan = Plan::new(&domain, login.endpoint.clone(), None, remembered.clone());
        let first = login.endpoint.as_ref().or(remembered.as_ref());
        state.push(UiEvent::Transport(
            first.map_or("WebSocket", Endpoint::transport_name),
        ));
        state.push(UiEvent::Phase(Phase::Connecting));
        state.push(UiEvent::Error(None));
        if plan.wants_discovery() {
            let (weak, seq) = (inner.me.clone(), inner.login_seq);
            discovery::discover(&domain, discovery::TIMEOUT_MS, move |found| {
                enter(weak, move |inner| inner.on_discovered(seq, found));
            });
        }
        inner.plan = Some(plan);
        inner.login = Some(login);
        inner.online_once = false;
        inner.retries = 0;
        inner.redirects = 0;
        inner.presence = None;
        inner.connect();
    }

    /// Close the stream cleanly, stop retrying and forget the account.
    pub fn sign_out(&self) {
        let mut inner = self.0.borrow_mut();
        if let Some(a) = inner.attempt.as_mut() {
            if matches!(
                a.client.state(),
                SessionState::Online | SessionState::Authenticating
            ) {
                a.client.handle_command(now(), Command::Disconnect);
                while let Some(t) = a.client.poll_transmit() {
                    match t {
                        Transmit::Frame(f) => a.transport.send(&f),
                        Transmit::Close => break,
                    }
                }
            }
            a.transport.close();
        }
        inner.stop();
        inner.login = None;
        inner.plan = None;
        inner.presence = None;
        let state = inner.state;
        state.push(UiEvent::Reset);
        state.push(UiEvent::SignedIn(false));
    }

    /// Hand a command to the core. Returns `false` (and does nothing) while not online.
    pub fn command(&self, command: Command) -> bool {
        let mut inner = self.0.borrow_mut();
        if let Command::SetPresence { show, status } = &command {
            inner.presence = Some((show.clone(), status.clone()));
        }
        let Some(a) = inner.online_attempt() else {
            return false;
        };
        a.client.handle_command(now(), command);
        inner.pump();
        true
    }

    /// Send a chat message: shown at once as pending, confirmed by the core's `MessageSent`.
    pub fn send_message(&self, peer: BareJid, body: String) -> bool {
        let mut inner = self.0.borrow_mut();
        let state = inner.state;
        let own = inner.login.as_ref().map(|l| l.jid.clone());
        let Some(a) = inner.online_attempt() else {
            return false;
        };
        let id = a.client.next_id();
        let from = state
            .peek(|s| s.account.clone())
            .map(Jid::from)
            .or(own.map(Jid::from))
            .unwrap_or_else(|| Jid::from(peer.clone()));
        state.push(UiEvent::Pending {
            peer: peer.clone(),
            id: id.clone(),
            from,
            body: body.clone(),
        });
        a.client.handle_command(
            now(),
            Command::SendMessage {
                to: Jid::from(peer),
                id,
                body,
            },
        );
        inner.pump();
        true
    }

    /// A user action on what is shown (not on the network): applied at once, after anything
    /// still queued so the order holds.
    pub fn local(&self, event: UiEvent) {
        let state = self.state();
        state.flush();
        state.apply_now([event]);
    }

    /// Answer a subscription request and stop listing it.
    pub fn answer_request(&self, jid: BareJid, accept: bool) -> bool {
        let command = if accept {
            Command::ApproveSubscription { jid: jid.clone() }
        } else {
            Command::DenySubscription { jid: jid.clone() }
        };
        let sent = self.command(command);
        if sent {
            self.local(UiEvent::Answered(jid));
        }
        sent
    }
}

impl Inner {
    fn online_attempt(&mut self) -> Option<&mut Attempt> {
        self.attempt
            .as_mut()
            .filter(|a| a.client.state() == SessionState::Online)
    }

    /// Drop the current attempt and any pending retry; later callbacks are ignored.
    fn stop(&mut self) {
        self.generation += 1;
        self.login_seq += 1;
        self.waiting = false;
        if let Some(mut a) = self.attempt.take() {
            a.clear_timers();
        }
        if let Some(h) = self.retry_timer.take() {
            h.clear();
        }
    }

    /// (Re)start a round of attempts: the plan's first endpoint (after a drop: the one that
    /// worked), then, on transport failures, the next ones.
    fn connect(&mut self) {
        self.retry_timer = None;
        self.round_started = now();
        if let Some(plan) = self.plan.as_mut() {
            plan.restart();
        }
        if !self.advance(None) {
            self.give_up("There is no server address to connect to.");
        }
    }

    /// Take the plan's next step, after `failed` ended the current attempt (`None`: the
    /// round's first step, or discovery answered). `false`: nothing more to try.
    fn advance(&mut self, failed: Option<Failure>) -> bool {
        let Some(plan) = self.plan.as_mut() else {
            return false;
        };
        let step = match failed {
            Some(failure) => plan.next_after(failure),
            None => plan.step(),
        };
        self.waiting = step == Step::Wait;
        match step {
            Step::Try(endpoint) => {
                self.open(endpoint);
                true
            }
            Step::Wait => true,
            Step::GiveUp => false,
        }
    }

    /// Discovery answered (`found` may be empty). If every endpoint known before had failed,
    /// go on with the new ones.
    fn on_discovered(&mut self, seq: u64, found: discovery::Discovered) {
        if seq != self.login_seq || self.login.is_none() {
            return;
        }
        let Some(plan) = self.plan.as_mut() else {
            return;
        };
        plan.discovered(found);
        if self.waiting && self.attempt.is_none() && !self.advance(None) {
            self.give_up("Could not find how to connect to the server.");
        }
    }

    /// One attempt on one endpoint.
    fn open(&mut self, endpoint: Endpoint) {
        let Some(login) = self.login.clone() else {
            return;
        };
        self.generation += 1;
        let generation = self.generation;
        let mut entropy = [0u8; 32];
        if getrandom_02::getrandom(&mut entropy).is_err() {
            return self
                .give_up("This browser has no secure random source; cannot sign in safely.");
        }
        let mut config = Config::new(login.jid.clone(), login.password.clone(), entropy);
        config.secure_transport = endpoint.is_secure();
        let weak = self.me.clone();
        let sink: Sink = Rc::new(move |ev: TransportEvent| {
            enter(weak.clone(), move |inner| {
                inner.on_transport(generation, ev)
            });
        });
        let transport: Box<dyn Transport> = match &endpoint {
            Endpoint::WebSocket(url) => match WebSocketTransport::connect(url, sink) {
                Ok(t) => Box::new(t),
                Err(e) => {
                    // The browser refused the URL itself: try the next endpoint, if any.
                    if self.advance(Some(Failure::Transport)) {
                        return;
                    }
                    return self.give_up(&e);
                }
            },
            // XEP-0206: the same core over `fetch` long-polls.
            Endpoint::Bosh(url) => match crate::transport::BoshTransport::connect(url, sink) {
                Ok(t) => Box::new(t),
                Err(e) => return self.give_up(&e),
            },
        };
        self.state.push(UiEvent::Transport(transport.name()));
        // A silent server (a proxy that swallows the WebSocket upgrade, say) must not keep
        // the user waiting when there is another endpoint to try.
        let open_timer = self
            .plan
            .as_ref()
            .is_some_and(Plan::has_fallback)
            .then(|| {
                let delay = plan::open_timeout_ms(now().since(self.round_started));
                let me = self.me.clone();
                let fire = move || enter(me, move |inner| inner.on_open_timeout(generation));
                set_timeout_with_handle(fire, Duration::from_millis(delay.into())).ok()
            })
            .flatten();
        self.attempt = Some(Attempt {
            generation,
            client: Client::new(config),
            transport,
            url: endpoint.url().to_string(),
            opened: false,
            answered: false,
            online: false,
            last_error: None,
            timer: None,
            open_timer,
        });
    }

    /// No frame from the server in time: give this endpoint up as unreachable.
    fn on_open_timeout(&mut self, generation: u64) {
        let Some(a) = self.attempt.as_mut().filter(|a| a.generation == generation) else {
            return;
        };
        a.open_timer = None;
        if a.answered {
            return;
        }
        a.last_error = Some(Error::Timeout);
        self.end_attempt();
    }

    /// The session cannot start at all: back to the form with an explanation.
    fn give_up(&mut self, message: &str) {
        self.login = None;
        self.waiting = false;
        self.state.push(UiEvent::Phase(Phase::Offline));
        self.state.push(UiEvent::Error(Some(message.to_string())));
        if !self.online_once {
            self.state.push(UiEvent::SignedIn(false));
        }
    }

    fn on_transport(&mut self, generation: u64, event: TransportEvent) {
        let Some(a) = self.attempt.as_mut().filter(|a| a.generation == generation) else {
            return;
        };
        let now = now();
        match event {
            TransportEvent::Opened => {
                a.opened = true;
                a.client.handle_connected(now);
            }
            TransportEvent::Frame(frame) => {
                if !a.answered {
                    a.answered = true;
                    if let Some(h) = a.open_timer.take() {
                        h.clear();
                    }
                }
                a.client.handle_frame(now, frame.as_bytes())
            }
            TransportEvent::Closed { reason, .. } => a.client.handle_closed(now, reason),
        }
        self.pump();
    }

    fn on_timer(&mut self, generation: u64) {
        let Some(a) = self.attempt.as_mut().filter(|a| a.generation == generation) else {
            return;
        };
        a.timer = None;
        let now = now();
        if a.client.poll_timeout().is_some_and(|due| due <= now) {
            a.client.handle_timeout(now);
        }
        self.pump();
    }

    /// Drain the core after an input: frames to the transport, events to the store; then
    /// either end the attempt or arm the timer.
    fn pump(&mut self) {
        let state = self.state;
        loop {
            let Some(a) = self.attempt.as_mut() else {
                return;
            };
            while let Some(t) = a.client.poll_transmit() {
                match t {
                    Transmit::Frame(f) => a.transport.send(&f),
                    Transmit::Close => a.transport.close(),
                }
            }
            let mut went_online = false;
            while let Some(event) = a.client.poll_event() {
                match event {
                    // The attempt is over: `end_attempt` decides what the user sees (nothing
                    // while another endpoint is tried; the failure in plain words otherwise).
                    Event::Failed(e) => {
                        a.last_error = Some(e);
                        continue;
                    }
                    Event::Online { .. } => went_online = true,
                    _ => {}
                }
                state.push(UiEvent::Core(event));
            }
            if !went_online {
                break;
            }
            a.online = true;
            // Remember what worked for this domain: tried first next time.
            if let (Some(plan), Some(login)) = (self.plan.as_mut(), self.login.as_ref()) {
                if let Some(ep) = plan.worked() {
                    dom::save(&plan::remember_key(login.jid.domain().as_str()), ep.url());
                }
            }
            self.online_once = true;
            self.retries = 0;
            self.redirects = 0;
            state.push(UiEvent::Phase(Phase::Connected));
            state.push(UiEvent::Error(None));
            state.push(UiEvent::SignedIn(true));
            // After a reconnection, restore the presence the user had picked.
            match self.presence.clone() {
                Some((show, status)) if show.is_some() || status.is_some() => {
                    let a = self.attempt.as_mut().expect("attempt checked above");
                    a.client
                        .handle_command(now(), Command::SetPresence { show, status });
                }
                _ => break,
            }
        }
        let Some(a) = self.attempt.as_ref() else {
            return;
        };
        if matches!(
            a.client.state(),
            SessionState::Closed | SessionState::Failed
        ) {
            self.end_attempt();
        } else {
            self.arm_timer();
        }
    }

    fn arm_timer(&mut self) {
        let me = self.me.clone();
        let Some(a) = self.attempt.as_mut() else {
            return;
        };
        let due = a.client.poll_timeout();
        if a.timer.as_ref().map(|(d, _)| *d) == due {
            return;
        }
        if let Some((_, h)) = a.timer.take() {
            h.clear();
        }
        if let Some(due) = due {
            let generation = a.generation;
            let delay = Duration::from_millis(due.since(now()));
            let fire = move || enter(me, move |inner| inner.on_timer(generation));
            if let Ok(h) = set_timeout_with_handle(fire, delay) {
                a.timer = Some((due, h));
            }
        }
    }

    fn end_attempt(&mut self) {
        let Some(mut a) = self.attempt.take() else {
            return;
        };
        a.clear_timers();
        let (opened, answered, online, url, err) = (
            a.opened,
            a.answered,
            a.online,
            a.url.clone(),
            a.last_error.take(),
        );
        drop(a); // closes the transport and silences its callbacks
        let state = self.state;

        if let (Some(Error::Redirect { to }), Some(plan)) = (&err, self.plan.as_mut()) {
            if let Ok(Some(ep @ Endpoint::WebSocket(_))) = endpoint::parse_endpoint(to) {
                if self.redirects < 2 {
                    self.redirects += 1;
                    if let Step::Try(ep) = plan.redirect(ep) {
                        return self.open(ep);
                    }
                }
            }
        }

        // Could not reach this endpoint: quietly try the next one (the status keeps saying
        // Connecting or Reconnecting, with the transport now in use).
        if !online {
            let failure = Failure::of(answered, err.as_ref());
            if failure == Failure::Transport && self.advance(Some(failure)) {
                return;
            }
        }
        let tried: Vec<String> = self
            .plan
            .as_ref()
            .map(|p| p.tried().iter().map(|e| e.url().to_string()).collect())
            .unwrap_or_default();

        let fatal = match &err {
            Some(Error::AuthFailed { .. } | Error::NoUsableMechanism { .. }) => true,
            Some(Error::StreamError { condition, .. }) => {
                matches!(
                    condition.as_str(),
                    "conflict" | "not-authorized" | "policy-violation"
                )
            }
            _ => false,
        };
        let what = match &err {
            _ if !answered && !online && tried.len() > 1 => {
                format!("Could not reach the server (tried {}).", tried.join(", "))
            }
            _ if !opened => format!("Could not reach the server at {url}."),
            Some(Error::TransportClosed { reason: Some(r) }) => sentence(r),
            Some(e) => sentence(&e.to_string()),
            None => "The server closed the connection.".to_string(),
        };

        if self.online_once && !fatal {
            let delay = backoff::delay_ms(self.retries, js_sys::Math::random());
            self.retries += 1;
            let secs = delay.div_ceil(1000);
            let message = if online {
                format!("Connection lost: {what} Reconnecting in {secs} s\u{2026}")
            } else {
                format!("Still offline: {what} Trying again in {secs} s\u{2026}")
            };
            state.push(UiEvent::Phase(Phase::Reconnecting));
            state.push(UiEvent::Error(Some(message)));
            let me = self.me.clone();
            let retry = move || enter(me, |inner| inner.connect());
            self.retry_timer =
                set_timeout_with_handle(retry, Duration::from_millis(delay.into())).ok();
        } else {
            let message = if !opened && !self.online_once {
                format!(
                    "{what} Check the address and the connection URL, and that the server is \
                     running."
                )
            } else {
                what
            };
            self.give_up(&message);
            if fatal {
                state.push(UiEvent::SignedIn(false));
            }
        }
    }
}

/// Capitalized, ending with a full stop.
fn sentence(s: &str) -> String {
    let s = s.trim();
    let mut out: String = s.chars().take(1).flat_map(char::to_uppercase).collect();
    out.push_str(&s[s.chars().next().map_or(0, char::len_utf8)..]);
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}
