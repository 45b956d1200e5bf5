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
use crate::endpoint::{self, Endpoint};
use crate::state::{AppState, UiEvent};
use crate::transport::{Sink, Transport, TransportEvent, WebSocketTransport};

/// What the sign-in form hands the driver. The password lives only here (and in the core's
/// config) and is dropped when the session ends for good.
#[derive(Clone)]
pub struct LoginRequest {
    pub jid: BareJid,
    pub password: String,
    pub endpoint: Endpoint,
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
    online: bool,
    last_error: Option<Error>,
    timer: Option<(Instant, TimeoutHandle)>,
}

struct Inner {
    state: AppState,
    me: Weak<RefCell<Inner>>,
    login: Option<LoginRequest>,
    attempt: Option<Attempt>,
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
        state.push(UiEvent::Transport(login.endpoint.transport_name()));
        state.push(UiEvent::Phase(Phase::Connecting));
        state.push(UiEvent::Error(None));
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
        if let Some(mut a) = self.attempt.take() {
            if let Some((_, h)) = a.timer.take() {
                h.clear();
            }
        }
        if let Some(h) = self.retry_timer.take() {
            h.clear();
        }
    }

    fn connect(&mut self) {
        self.retry_timer = None;
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
        config.secure_transport = login.endpoint.is_secure();
        let weak = self.me.clone();
        let sink: Sink = Rc::new(move |ev: TransportEvent| {
            enter(weak.clone(), move |inner| {
                inner.on_transport(generation, ev)
            });
        });
        let transport: Box<dyn Transport> = match &login.endpoint {
            Endpoint::WebSocket(url) => match WebSocketTransport::connect(url, sink) {
                Ok(t) => Box::new(t),
                Err(e) => return self.give_up(&e),
            },
            // XEP-0206 comes later as a second `Transport`.
            Endpoint::Bosh(_) => {
                return self.give_up(
                    "Connecting over BOSH (http:// or https:// URLs) is not supported yet. \
                     Use a ws:// or wss:// connection URL.",
                )
            }
        };
        self.state.push(UiEvent::Transport(transport.name()));
        self.attempt = Some(Attempt {
            generation,
            client: Client::new(config),
            transport,
            url: login.endpoint.url().to_string(),
            opened: false,
            online: false,
            last_error: None,
            timer: None,
        });
    }

    /// The session cannot start at all: back to the form with an explanation.
    fn give_up(&mut self, message: &str) {
        self.login = None;
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
            TransportEvent::Frame(frame) => a.client.handle_frame(now, frame.as_bytes()),
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
                match &event {
                    Event::Failed(e) => a.last_error = Some(e.clone()),
                    Event::Online { .. } => went_online = true,
                    _ => {}
                }
                state.push(UiEvent::Core(event));
            }
            if !went_online {
                break;
            }
            a.online = true;
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
        if let Some((_, h)) = a.timer.take() {
            h.clear();
        }
        let (opened, online, url, err) = (a.opened, a.online, a.url.clone(), a.last_error.take());
        drop(a); // closes the transport and silences its callbacks
        let state = self.state;

        if let (Some(Error::Redirect { to }), Some(login)) = (&err, self.login.as_mut()) {
            if let Ok(Some(ep @ Endpoint::WebSocket(_))) = endpoint::parse_endpoint(to) {
                if self.redirects < 2 {
                    self.redirects += 1;
                    login.endpoint = ep;
                    return self.connect();
                }
            }
        }

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
