//! One connection attempt: a transport and a `Client` fed in step (every input with `now`,
//! every output drained after it), with the core's timer and the deadline for a silent server.

use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::set_timeout_with_handle;
use natter_core::{Client, Config, Error, Event, SessionState, Transmit};

use super::{enter, now, Attempt, Inner};
use crate::endpoint::Endpoint;
use crate::plan::{self, Failure, Plan};
use crate::state::UiEvent;
use crate::transport::{Sink, Transport, TransportEvent, WebSocketTransport};

impl Inner {
    /// One attempt on one endpoint.
    pub(super) fn open(&mut self, endpoint: Endpoint) {
        let Some(login) = self.login.clone() else {
            return;
        };
        self.generation += 1;
        let generation = self.generation;
        let mut entropy = [0u8; 32];
        if getrandom_02::getrandom(&mut entropy).is_err() {
            return self.give_up(&crate::i18n::t("conn-no-random"));
        }
        let mut config = Config::new(login.jid.clone(), login.password.clone(), entropy);
        config.secure_transport = endpoint.is_secure();
        // This tab's own resource (two tabs never knock each other offline), the remembered
        // credential (signs in without the password) and the cached roster's version.
        let (resource, stored, roster_ver) = self.state.sign_in_extras();
        config.resource = Some(resource);
        config.stored = stored;
        // The roster that version names: the core's subscriptions if the server says
        // "unchanged" (receipts go only to contacts who see our presence).
        if roster_ver.is_some() {
            config.roster_items = self
                .state
                .peek(|s| s.roster.iter().map(|c| c.item.clone()).collect());
        }
        config.roster_ver = roster_ver;
        config.resumption = self.resumption.clone();
        let started_hidden = self.hidden;
        config.inactive = started_hidden;
        self.visitor_config(&mut config);
        let receipts = crate::notify::receipts_for(&login.jid);
        let weak = self.me.clone();
        let sink: Sink = Rc::new(move |ev: TransportEvent| {
            enter(weak.clone(), move |inner| {
                inner.on_transport(generation, ev)
            });
        });
        // An anonymous visitor's BOSH session saved by the previous page: continued, not
        // signed in again (see `visitor.rs`).
        let attached = self.visitor_attach(&endpoint, &config, sink.clone());
        let (transport, client) = match attached {
            Some(pair) => pair,
            None => match self.new_transport(&endpoint, sink) {
                Some(transport) => (transport, Client::new(config)),
                None => return,
            },
        };
        self.start_attempt(
            generation,
            endpoint,
            transport,
            client,
            started_hidden,
            receipts,
        );
    }

    /// A transport for `endpoint`; `None` when the browser refused it (the next endpoint is
    /// then tried, or the user told).
    fn new_transport(&mut self, endpoint: &Endpoint, sink: Sink) -> Option<Box<dyn Transport>> {
        let transport: Box<dyn Transport> = match endpoint {
            Endpoint::WebSocket(url) => match WebSocketTransport::connect(url, sink) {
                Ok(t) => Box::new(t),
                Err(e) => {
                    // The browser refused the URL itself: try the next endpoint, if any.
                    if !self.advance(Some(Failure::Transport)) {
                        self.give_up(&e);
                    }
                    return None;
                }
            },
            // XEP-0206: the same core over `fetch` long-polls.
            Endpoint::Bosh(url) => match crate::transport::BoshTransport::connect(url, sink) {
                Ok(t) => Box::new(t),
                Err(e) => {
                    self.give_up(&e);
                    return None;
                }
            },
        };
        Some(transport)
    }

    fn start_attempt(
        &mut self,
        generation: u64,
        endpoint: Endpoint,
        transport: Box<dyn Transport>,
        client: Client,
        started_hidden: bool,
        receipts: bool,
    ) {
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
            client: {
                let mut client = client;
                // "Send read receipts" is off: no receipt from the first message on.
                client.handle_command(now(), natter_core::Command::SetReceipts(receipts));
                client
            },
            transport,
            url: endpoint.url().to_string(),
            opened: false,
            answered: false,
            online: false,
            started_hidden,
            last_error: None,
            timer: None,
            open_timer,
        });
    }

    /// No frame from the server in time: give this endpoint up as unreachable.
    pub(super) fn on_open_timeout(&mut self, generation: u64) {
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

    pub(super) fn on_transport(&mut self, generation: u64, event: TransportEvent) {
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

    pub(super) fn on_timer(&mut self, generation: u64) {
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
    pub(super) fn pump(&mut self) {
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
            let mut went_online = None;
            let mut fetches = Vec::new();
            while let Some(event) = a.client.poll_event() {
                fetches.extend(super::avatars::fetch_for(&state, &event));
                match &event {
                    // The attempt is over: `end_attempt` decides what the user sees (nothing
                    // while another endpoint is tried; the failure in plain words otherwise).
                    Event::Failed(e) => {
                        a.last_error = Some(e.clone());
                        continue;
                    }
                    Event::Online { resumed, .. } => went_online = Some(*resumed),
                    Event::MessageAcked { id, .. } => self.handed.acked(id),
                    // Slots belong to the upload in flight, not to the store.
                    e if crate::uploader::core_event(e) => continue,
                    _ => {}
                }
                state.push(UiEvent::Core(event));
            }
            if !fetches.is_empty() {
                let now = now();
                for fetch in fetches {
                    a.client.handle_command(now, fetch);
                }
                // Their requests are drained on the next turn.
                if went_online.is_none() {
                    continue;
                }
            }
            match went_online {
                // What `on_online` asked of the core is drained on the next turn.
                Some(resumed) => self.on_online(resumed),
                None => break,
            }
        }
        // An anonymous visitor's transcript and session follow into sessionStorage.
        self.visitor_changed();
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

    pub(super) fn arm_timer(&mut self) {
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
}
