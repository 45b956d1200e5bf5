//! One-to-one conversations, deduplicated by stanza id.

use std::collections::HashSet;

use natter_core::ChatMessage;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryState {
    /// Shown locally, not yet handed to the wire.
    Pending,
    /// Written to the stream (or received, for incoming messages).
    Sent,
    /// Bounced; the reason in plain words.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub msg: ChatMessage,
    pub state: DeliveryState,
    /// When it was sent, as Unix milliseconds: the XEP-0203 delay stamp if any, else the
    /// store's clock when it arrived (0 when the driver never set the clock).
    pub at: u64,
}

#[derive(Debug, Default, Clone)]
pub struct Conversation {
    pub messages: Vec<StoredMessage>,
    ids: HashSet<String>,
    pub unread: u32,
}

impl Conversation {
    /// Adds a message unless one with the same id is already here (then an outgoing pending
    /// copy is marked sent). Returns whether a new message was added.
    pub fn insert(&mut self, msg: ChatMessage) -> bool {
        self.insert_at(msg, 0)
    }

    /// [`Conversation::insert`] with the arrival time (Unix ms); a delay stamp on the message
    /// takes precedence.
    pub fn insert_at(&mut self, msg: ChatMessage, now_ms: u64) -> bool {
        if self.ids.contains(&msg.id) {
            if let Some(m) = self.messages.iter_mut().rev().find(|m| m.msg.id == msg.id) {
                if m.state == DeliveryState::Pending && m.msg.direction == msg.direction {
                    m.state = DeliveryState::Sent;
                }
            }
            return false;
        }
        self.ids.insert(msg.id.clone());
        let at = msg
            .delayed
            .as_deref()
            .and_then(crate::time::parse_rfc3339_ms)
            .unwrap_or(now_ms);
        self.messages.push(StoredMessage {
            msg,
            state: DeliveryState::Sent,
            at,
        });
        true
    }

    pub fn insert_pending(&mut self, msg: ChatMessage) {
        self.insert_pending_at(msg, 0);
    }

    pub fn insert_pending_at(&mut self, msg: ChatMessage, now_ms: u64) {
        if self.ids.insert(msg.id.clone()) {
            self.messages.push(StoredMessage {
                msg,
                state: DeliveryState::Pending,
                at: now_ms,
            });
        }
    }

    pub fn last(&self) -> Option<&StoredMessage> {
        self.messages.last()
    }

    pub fn mark_failed(&mut self, id: &str, reason: String) {
        if let Some(m) = self.messages.iter_mut().rev().find(|m| m.msg.id == id) {
            m.state = DeliveryState::Failed(reason);
        }
    }
}
