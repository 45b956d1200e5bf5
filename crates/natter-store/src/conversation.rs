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
        if self.ids.contains(&msg.id) {
            if let Some(m) = self.messages.iter_mut().rev().find(|m| m.msg.id == msg.id) {
                if m.state == DeliveryState::Pending && m.msg.direction == msg.direction {
                    m.state = DeliveryState::Sent;
                }
            }
            return false;
        }
        self.ids.insert(msg.id.clone());
        self.messages.push(StoredMessage { msg, state: DeliveryState::Sent });
        true
    }

    pub fn insert_pending(&mut self, msg: ChatMessage) {
        if self.ids.insert(msg.id.clone()) {
            self.messages.push(StoredMessage { msg, state: DeliveryState::Pending });
        }
    }

    pub fn mark_failed(&mut self, id: &str, reason: String) {
        if let Some(m) = self.messages.iter_mut().rev().find(|m| m.msg.id == id) {
            m.state = DeliveryState::Failed(reason);
        }
    }
}
