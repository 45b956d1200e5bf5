//! After an attempt ends: fall back to the next endpoint, retry with backoff (never while the
//! browser is offline, never after a refused sign-in or sign-out), or give up; and the
//! browser's own signals (online/offline, a hidden tab).

use std::time::Duration;

use leptos::prelude::{set_timeout_with_handle, window, GetUntracked, Set};
use natter_core::{Command, Error};
use natter_store::Phase;

use super::{enter, now, Inner};
use crate::endpoint::{self, Endpoint};
use crate::i18n::{t, t_args};
use crate::plan::{Failure, Step};
use crate::reconnect::Action;
use crate::state::UiEvent;

impl Inner {
    /// The session cannot start at all: back to the form with an explanation.
    pub(super) fn give_up(&mut self, message: &str) {
        self.login = None;
        self.waiting = false;
        self.resumption = None;
        self.handed.clear();
        self.reconnect.reset();
        self.publish_waiting();
        self.state.push(UiEvent::Phase(Phase::Offline));
        self.state.push(UiEvent::Error(Some(message.to_string())));
        if !self.online_once {
            self.state.push(UiEvent::SignedIn(false));
        }
    }

    pub(super) fn end_attempt(&mut self) {
        if self.visitor_resume_failed() {
            return;
        }
        let Some(mut a) = self.attempt.take() else {
            return;
        };
        a.clear_timers();
        match a.client.take_resumption() {
            Some(r) => {
                self.handed
                    .replace(r.pending_messages().into_iter().map(|(id, _)| id));
                self.resumption = Some(r);
            }
            // Signed out, refused, replaced (`conflict`), or nothing left to carry: no core
            // holds any message now.
            None if a.online || a.answered => {
                self.resumption = None;
                self.handed.clear();
            }
            // Never reached the server: what the previous session left is still good.
            None => {}
        }
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
        // Connecting or Reconnecting, with the transport now in use). Not while the browser
        // is offline: then every endpoint fails alike, and the one that worked is still the
        // one to come back to.
        if !online && self.reconnect.network_online() {
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
            _ if !answered && !online && tried.len() > 1 => t_args(
                "conn-unreachable-tried",
                &[("tried", tried.join(", ").into())],
            ),
            _ if !opened => t_args("conn-unreachable-at", &[("url", url.into())]),
            Some(Error::TransportClosed { reason: Some(r) }) => sentence(r),
            Some(e) => sentence(&crate::error_text::describe(e)),
            None => t("conn-server-closed"),
        };

        if self.online_once && !fatal {
            let id = if online {
                "conn-lost"
            } else {
                "conn-not-connected"
            };
            // While the browser says it is offline the status already says so, and every try
            // fails alike: no alert for each (an offline start from the cache is not an error).
            if self.reconnect.network_online() {
                let message = t_args(id, &[("what", what.into())]);
                state.push(UiEvent::Error(Some(message)));
            }
            let action = self.reconnect.dropped(now_ms(), js_sys::Math::random());
            self.run(action);
        } else {
            let message = if !opened && !self.online_once {
                t_args("conn-check-hint", &[("what", what.into())])
            } else {
                what
            };
            self.give_up(&message);
            if fatal {
                state.push(UiEvent::SignedIn(false));
            }
        }
    }

    /// Carry out what [`Reconnect`] decided.
    pub(super) fn run(&mut self, action: Action) {
        match action {
            Action::Nothing => {}
            Action::ConnectNow => {
                self.state.push(UiEvent::Phase(Phase::Reconnecting));
                self.connect();
            }
            Action::Schedule { delay_ms } => {
                if let Some(h) = self.retry_timer.take() {
                    h.clear();
                }
                self.state.push(UiEvent::Phase(Phase::Reconnecting));
                let me = self.me.clone();
                let fire = move || {
                    enter(me, |inner| {
                        inner.retry_timer = None;
                        let action = inner.reconnect.timer_fired();
                        inner.run(action);
                    })
                };
                self.retry_timer =
                    set_timeout_with_handle(fire, Duration::from_millis(delay_ms.into())).ok();
            }
            Action::WaitForNetwork => {
                if let Some(h) = self.retry_timer.take() {
                    h.clear();
                }
                self.state.push(UiEvent::Phase(Phase::Offline));
            }
        }
        self.publish_waiting();
    }

    pub(super) fn publish_waiting(&self) {
        let w = self.reconnect.waiting();
        if self.waiting_view.get_untracked() != w {
            self.waiting_view.set(w);
        }
    }

    pub(super) fn network_changed(&mut self, online: bool) {
        let action = self.reconnect.network(online);
        if !online && self.online_once {
            // The connection cannot work now: end it at once rather than when the keepalive
            // notices, so that the session is resumed the moment the network is back.
            if let Some(a) = self.attempt.as_mut() {
                a.client
                    .handle_closed(now(), Some(t("conn-browser-offline")));
                self.pump();
            }
        }
        self.run(action);
    }

    pub(super) fn visibility_changed(&mut self, hidden: bool) {
        if self.hidden == hidden {
            return;
        }
        self.hidden = hidden;
        if let Some(a) = self.online_attempt() {
            a.client.handle_command(now(), Command::SetActive(!hidden));
            self.pump();
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

fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}
