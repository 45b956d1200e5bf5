//! natter-store: what the client knows, as plain data, changed only by core events and by the
//! user's own actions. No Leptos, no browser: the view wraps a `Store` in a signal and renders
//! it; tests drive it natively.

mod conversation;
mod roster;
pub mod time;

use std::collections::HashMap;

use jid::{BareJid, FullJid};
use natter_core::{Direction, Error, Event, SessionState, Subscription};

pub use conversation::{Conversation, DeliveryState, StoredMessage};
pub use roster::{Availability, Contact, Roster};

/// Coarse connection phase for the `Connection` status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    #[default]
    Offline,
    Connecting,
    Connected,
    Reconnecting,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Offline => "Offline",
            Phase::Connecting => "Connecting",
            Phase::Connected => "Connected",
            Phase::Reconnecting => "Reconnecting",
        }
    }
}

/// What changed in one `apply`, so a view can skip work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    pub connection: bool,
    pub roster: bool,
    pub messages: bool,
}

impl Changes {
    pub fn merge(&mut self, other: Changes) {
        self.connection |= other.connection;
        self.roster |= other.roster;
        self.messages |= other.messages;
    }
    pub fn any(self) -> bool {
        self.connection || self.roster || self.messages
    }
}

#[derive(Debug, Default)]
pub struct Store {
    pub phase: Phase,
    /// "WebSocket" or "BOSH", set by the driver.
    pub transport: Option<&'static str>,
    /// Our bound JID while online.
    pub account: Option<FullJid>,
    /// The last error, in plain words, for the `alert`.
    pub error: Option<String>,
    pub roster: Roster,
    /// Inbound subscription requests not yet answered, oldest first.
    pub requests: Vec<BareJid>,
    pub conversations: HashMap<BareJid, Conversation>,
    /// The conversation on screen, if any.
    pub open: Option<BareJid>,
    /// Wall-clock time (Unix ms) set by the driver before it applies a batch of events; stamps
    /// messages that carry no delay. 0 means unknown.
    pub clock_ms: u64,
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    /// Apply one core event.
    pub fn apply(&mut self, event: Event) -> Changes {
        let mut c = Changes::default();
        match event {
            Event::StateChanged(state) => {
                c.connection = true;
                match state {
                    SessionState::Connecting | SessionState::Authenticating => {
                        if self.phase != Phase::Reconnecting {
                            self.phase = Phase::Connecting;
                        }
                    }
                    SessionState::Online => self.phase = Phase::Connected,
                    SessionState::Closed | SessionState::Failed => {
                        self.phase = Phase::Offline;
                        self.account = None;
                        // Presence is only known while online.
                        self.roster.clear_presence();
                        c.roster = true;
                    }
                }
            }
            Event::Online { jid } => {
                self.account = Some(jid);
                self.error = None;
                self.phase = Phase::Connected;
                c.connection = true;
            }
            Event::Failed(err) => {
                self.error = Some(describe(&err));
                c.connection = true;
            }
            Event::RosterReset { items, .. } => {
                self.roster.reset(items);
                c.roster = true;
            }
            Event::RosterUpdated(item) => {
                let approved = matches!(item.subscription, Subscription::From | Subscription::Both);
                self.requests.retain(|j| *j != item.jid || !approved);
                self.roster.upsert(item);
                c.roster = true;
            }
            Event::RosterRemoved(jid) => {
                self.roster.remove(&jid);
                c.roster = true;
            }
            Event::Presence(p) => {
                c.roster = self.roster.set_presence(p);
            }
            Event::SubscriptionRequest { from } => {
                if !self.requests.contains(&from) {
                    self.requests.push(from);
                    c.roster = true;
                }
            }
            Event::SubscriptionChanged { .. } => {}
            Event::Message(m) | Event::MessageSent(m) => {
                let peer = m.peer.clone();
                let is_open = self.open.as_ref() == Some(&peer);
                let conv = self.conversations.entry(peer).or_default();
                let incoming = m.direction == Direction::Incoming;
                if conv.insert_at(m, self.clock_ms) && incoming && !is_open {
                    conv.unread += 1;
                }
                c.messages = true;
                c.roster = incoming && !is_open;
            }
            Event::MessageFailed { id, peer, reason } => {
                if let Some(conv) = self.conversations.get_mut(&peer) {
                    conv.mark_failed(&id, reason);
                    c.messages = true;
                }
            }
            Event::RequestFailed { what, reason } => {
                self.error = Some(format!("{what}: {reason}"));
                c.connection = true;
            }
        }
        c
    }

    /// Show a message the user just wrote before the core confirms it (optimistic echo).
    pub fn add_pending(&mut self, peer: BareJid, id: String, from: jid::Jid, body: String) {
        let conv = self.conversations.entry(peer.clone()).or_default();
        conv.insert_pending_at(
            natter_core::ChatMessage {
                id,
                direction: Direction::Outgoing,
                peer,
                from,
                body,
                delayed: None,
            },
            self.clock_ms,
        );
    }

    /// Unread messages over every conversation (for the page title).
    pub fn total_unread(&self) -> u32 {
        self.conversations.values().map(|c| c.unread).sum()
    }

    /// The user answered (accepted or denied) a subscription request: stop listing it.
    pub fn answer_request(&mut self, jid: &BareJid) -> bool {
        let before = self.requests.len();
        self.requests.retain(|j| j != jid);
        before != self.requests.len()
    }

    /// Close the conversation on screen (phone layout: back to the list).
    pub fn close_conversation(&mut self) {
        self.open = None;
    }

    /// Put a conversation on screen and clear its unread count.
    pub fn open_conversation(&mut self, peer: BareJid) {
        self.conversations.entry(peer.clone()).or_default().unread = 0;
        self.open = Some(peer);
    }

    pub fn unread(&self, peer: &BareJid) -> u32 {
        self.conversations.get(peer).map_or(0, |c| c.unread)
    }

    /// Forget everything tied to the signed-in account (sign out).
    pub fn reset(&mut self) {
        *self = Store::default();
    }
}

fn describe(err: &Error) -> String {
    err.to_string()
}
