//! The attempt is online: what the user sees, and what a new session sends first so that
//! nothing is missing (archive catch-up) and nothing waits (outbox). The decisions are
//! [`crate::catchup`]'s.

use natter_core::jid::Jid;
use natter_core::Command;
use natter_store::{Phase, Store};

use super::{now, Inner};
use crate::catchup::{self, Outgoing};
use crate::dom;
use crate::plan;
use crate::state::{AppState, UiEvent};

impl Inner {
    /// The attempt is online: tell the user, then make sure nothing is missing (catch-up)
    /// and nothing waits (outbox).
    pub(super) fn on_online(&mut self, resumed: bool) {
        let state = self.state;
        // Remember what worked for this domain: tried first next time.
        if let (Some(plan), Some(login)) = (self.plan.as_mut(), self.login.as_ref()) {
            if let Some(ep) = plan.worked() {
                dom::save(&plan::remember_key(login.jid.domain().as_str()), ep.url());
            }
        }
        self.online_once = true;
        self.redirects = 0;
        self.reconnect.online();
        self.publish_waiting();
        state.push(UiEvent::Phase(Phase::Connected));
        state.push(UiEvent::Error(None));
        state.push(UiEvent::SignedIn(true));

        let hidden = self.hidden;
        // Messages written a moment ago may still wait for the next frame to reach the store.
        state.flush();
        let outbox = state.peek(outbox);
        let plan = catchup::on_online(resumed, last_archive_id(state), outbox, &self.handed);
        let presence = self.presence.clone();
        // An anonymous visitor's account has no archive (nothing of it is stored).
        let catch_up = plan.catch_up.filter(|_| !self.is_visitor());
        let Some(a) = self.attempt.as_mut() else {
            return;
        };
        a.online = true;
        let now = now();
        // A resumed session keeps the presence it had; a fresh one starts as available.
        if let Some((show, status)) =
            presence.filter(|p| !resumed && (p.0.is_some() || p.1.is_some()))
        {
            a.client
                .handle_command(now, Command::SetPresence { show, status });
        }
        // The tab was shown or hidden while this attempt was signing in.
        if hidden != a.started_hidden {
            a.client.handle_command(now, Command::SetActive(!hidden));
        }
        if let Some(after) = catch_up {
            a.client.handle_command(now, Command::CatchUp { after });
        }
        for m in plan.resend {
            a.client.handle_command(
                now,
                Command::SendMessage {
                    to: Jid::from(m.to),
                    id: m.id.clone(),
                    body: m.body,
                    ext: m.ext,
                },
            );
            self.handed.insert(&m.id);
        }
    }
}

/// The outbox: our messages not yet safely delivered (kept across reloads), oldest first.
fn outbox(s: &Store) -> Vec<Outgoing> {
    s.outbox
        .iter()
        .map(|e| Outgoing {
            id: e.id.clone(),
            to: e.peer.clone(),
            body: e.body.clone(),
            ext: e.ext.clone(),
        })
        .collect()
}

/// The newest archive id the store knows: the catch-up starts after it.
fn last_archive_id(state: AppState) -> Option<String> {
    state.peek(|s| s.last_archive_id.clone())
}
