//! The session driver: owns the core `Client` and the transport, feeds the core every input
//! with `now` from `performance.now()`, drains its outputs after every input, keeps one timer
//! for `poll_timeout`, and reconnects with backoff after a connection that was online drops
//! (the decisions are [`crate::reconnect`]'s; what a new session sends first is
//! [`crate::catchup`]'s). It follows the browser: `online`/`offline` (retry at once, never
//! while offline) and `visibilitychange` (XEP-0352 client state).
//!
//! Core events go to the store through [`AppState::push`] (applied once per frame); nothing
//! here renders anything.

mod attempt;
mod avatars;
mod browser;
mod online;
mod retry;
mod visitor;

pub use visitor::VisitorSignIn;

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use leptos::prelude::{set_timeout, window, RwSignal, TimeoutHandle};
use natter_core::jid::{BareJid, Jid};
use natter_core::{
    Client, Command, Error, Instant, MessageExt, Resumption, SessionState, Show, Transmit,
};
use natter_store::Phase;

use crate::catchup::Handed;
use crate::discovery;
use crate::dom;
use crate::endpoint::Endpoint;
use crate::plan::{self, Failure, Plan, Step};
use crate::reconnect::{Reconnect, Waiting};
use crate::state::{AppState, UiEvent};
use crate::transport::Transport;

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

/// A cheap handle; clones share the session. The signal (the driver's copy is in `Inner`) is
/// readable while the driver is busy.
#[derive(Clone)]
pub struct Session(Rc<RefCell<Inner>>, RwSignal<Waiting>);

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
    /// The tab was hidden when this attempt began (`Config.inactive`).
    started_hidden: bool,
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
    /// The current login reached `Online` at least once (or was restored from the cache):
    /// drops are then retried.
    online_once: bool,
    redirects: u32,
    reconnect: Reconnect,
    /// What the `Connection` status shows between attempts (mirrors `reconnect`).
    waiting_view: RwSignal<Waiting>,
    retry_timer: Option<TimeoutHandle>,
    /// What the last session that ended by accident left for the next attempt: its XEP-0198
    /// stream and unconfirmed messages. Kept across endpoints (a WebSocket -> BOSH fallback
    /// reaches the same server, which resumes whatever the transport; if it cannot, it says
    /// `<failed/>` and the core binds afresh and resends the messages).
    resumption: Option<Resumption>,
    /// Outgoing messages a `Client` of the current resumption chain holds.
    handed: Handed,
    /// The tab is hidden: the server is told we are inactive (XEP-0352).
    hidden: bool,
    listeners: Option<browser::Listeners>,
    /// The presence the user picked, restored after a reconnection.
    presence: Option<(Option<Show>, Option<String>)>,
    /// An anonymous visitor's session (`visitor.rs`); `None` for an account.
    visitor: Option<visitor::Visitor>,
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
        let waiting_view = RwSignal::new(Waiting::No);
        let inner = Rc::new_cyclic(|me| {
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
                redirects: 0,
                reconnect: Reconnect::new(browser::network_online()),
                waiting_view,
                retry_timer: None,
                resumption: None,
                handed: Handed::default(),
                hidden: browser::hidden(),
                listeners: None,
                presence: None,
                visitor: None,
            })
        });
        Session(inner, waiting_view)
    }

    pub fn state(&self) -> AppState {
        self.0.borrow().state
    }

    /// Follow the browser's `online`/`offline` and `visibilitychange` events (the app does
    /// this once; component tests call [`Session::network_changed`] and
    /// [`Session::visibility_changed`] themselves).
    pub fn listen_to_browser(&self) {
        let (net, vis) = (Rc::downgrade(&self.0), Rc::downgrade(&self.0));
        let listeners = browser::Listeners::new(
            move |online| enter(net.clone(), move |inner| inner.network_changed(online)),
            move |hidden| enter(vis.clone(), move |inner| inner.visibility_changed(hidden)),
        );
        self.0.borrow_mut().listeners = Some(listeners);
    }

    /// Between attempts: when the next one starts, or that it waits for the network.
    pub fn waiting(&self) -> RwSignal<Waiting> {
        self.1
    }

    /// The user pressed "Retry now": the next attempt starts at once.
    pub fn retry_now(&self) {
        let mut inner = self.0.borrow_mut();
        let action = inner.reconnect.retry_now();
        inner.run(action);
    }

    /// The browser went online (`true`) or offline.
    pub fn network_changed(&self, online: bool) {
        self.0.borrow_mut().network_changed(online);
    }

    /// The tab was hidden (`true`) or shown.
    pub fn visibility_changed(&self, hidden: bool) {
        self.0.borrow_mut().visibility_changed(hidden);
    }

    /// Start a new session (ending any current one).
    pub fn sign_in(&self, login: LoginRequest) {
        self.0.borrow_mut().visitor = None;
        self.start(login, false);
    }

    /// Sign in to an account whose cached state (roster, chats) is already on screen, e.g.
    /// after a reload: the store is kept, the main view stays, and a server that cannot be
    /// reached is retried with backoff instead of sending the user back to the form. A
    /// rejected sign-in (wrong or expired credential) still does.
    pub fn sign_in_restored(&self, login: LoginRequest) {
        self.0.borrow_mut().visitor = None;
        self.start(login, true);
    }

    fn start(&self, login: LoginRequest, restored: bool) {
        let mut inner = self.0.borrow_mut();
        inner.stop();
        inner.reconnect.reset();
        inner.publish_waiting();
        inner.resumption = None;
        inner.handed.clear();
        let state = inner.state;
        if restored {
            state.push(UiEvent::SignedIn(true));
        } else {
            state.push(UiEvent::Reset);
        }
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
        inner.online_once = restored;
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
        inner.reconnect.reset();
        inner.publish_waiting();
        inner.resumption = None;
        inner.handed.clear();
        inner.forget_visitor();
        inner.login = None;
        inner.plan = None;
        inner.presence = None;
        let state = inner.state;
        state.push(UiEvent::SignedOut);
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
    /// While not online it waits in the outbox and goes out (once, with this id) when the
    /// next session is online. `false`: not signed in.
    pub fn send_message(&self, peer: BareJid, body: String) -> bool {
        self.send_message_with(peer, body, Default::default())
    }

    /// [`SessionHandle::send_message`] with extensions (a reply, …), kept with it in the
    /// outbox so that a later session sends it again whole.
    pub fn send_message_with(&self, peer: BareJid, body: String, ext: MessageExt) -> bool {
        let mut inner = self.0.borrow_mut();
        let state = inner.state;
        let Some(own) = inner.login.as_ref().map(|l| l.jid.clone()) else {
            return false;
        };
        let id = match inner.online_attempt() {
            Some(a) => a.client.next_id(),
            None => match offline_id() {
                Some(id) => id,
                None => return false,
            },
        };
        let from = state
            .peek(|s| s.account.clone())
            .map(Jid::from)
            .unwrap_or_else(|| Jid::from(own));
        state.push(UiEvent::Pending {
            peer: peer.clone(),
            id: id.clone(),
            from,
            body: body.clone(),
            ext: ext.clone(),
        });
        if let Some(a) = inner.online_attempt() {
            a.client.handle_command(
                now(),
                Command::SendMessage {
                    to: Jid::from(peer),
                    id: id.clone(),
                    body,
                    ext,
                },
            );
            inner.handed.insert(&id);
            inner.pump();
        }
        true
    }

    /// Send a message to a whole room, under one of the core's ids (the room echoes it back,
    /// which is how our copy is recognised). `false`: no online session to send it.
    pub fn send_group_message(&self, room: BareJid, body: String) -> bool {
        let id = match self.0.borrow_mut().online_attempt() {
            Some(a) => a.client.next_id(),
            None => return false,
        };
        self.command(Command::SendGroupMessage { room, id, body })
    }

    /// Send a private message to one occupant of a room, under one of the core's ids (the
    /// core reports it as an outgoing `PrivateMessage` once on the wire). `false`: no online
    /// session to send it. Like room messages, it is not kept in the outbox.
    pub fn send_private_message(&self, room: BareJid, nick: String, body: String) -> bool {
        let id = match self.0.borrow_mut().online_attempt() {
            Some(a) => a.client.next_id(),
            None => return false,
        };
        self.command(Command::SendPrivateMessage {
            room,
            nick,
            id,
            body,
        })
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
        if let Some(h) = self.retry_timer.take() {
            h.clear();
        }
        if self.login.is_none() || self.attempt.is_some() {
            return;
        }
        self.round_started = now();
        if let Some(plan) = self.plan.as_mut() {
            plan.restart();
        }
        if !self.advance(None) {
            self.give_up(&crate::i18n::t("conn-no-address"));
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
            self.give_up(&crate::i18n::t("conn-no-endpoint"));
        }
    }
}

/// An id for a message written while no `Client` exists (it needs one now, to be shown and
/// later sent under it). 96 random bits, as the core's own ids.
pub(crate) fn offline_id() -> Option<String> {
    let mut bytes = [0u8; 12];
    getrandom_02::getrandom(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
