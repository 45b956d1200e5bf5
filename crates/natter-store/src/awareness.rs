//! What we know about the other side of each one-to-one chat besides its messages: whether
//! they are typing (XEP-0085), whether they follow chat states at all, and the newest message
//! of theirs we marked displayed (XEP-0333); and how receipts and markers move our messages'
//! delivery states (XEP-0184 `Delivered`, XEP-0333 `Read`).

use std::collections::HashMap;

use jid::BareJid;
use natter_core::{Awareness, ChatMessage, ChatState, Direction};

use crate::conversation::DeliveryState;
use crate::{keys, Changes, Store};

/// A typing notice not refreshed for this long is dropped: the peer's client may have
/// crashed or lost its connection without saying `paused`.
pub const TYPING_STALE_MS: u64 = 30_000;

/// Most peers remembered: chat states come from anyone, so the map must stay bounded. The
/// least recently heard go first.
pub const MAX_PEERS: usize = 2_000;

/// What one peer showed of themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Peer {
    /// `composing` or `paused`, and when it came (the store's clock).
    typing: Option<(ChatState, u64)>,
    /// They sent a chat state or a message: they may get ours (XEP-0085 §5.1).
    pub speaks: bool,
    /// The newest message of theirs we marked displayed.
    pub marked: Option<String>,
    /// When we heard from them last (the store's clock), for the bound.
    heard: u64,
}

/// Per-peer awareness, bounded to [`MAX_PEERS`].
#[derive(Debug, Default)]
pub struct Peers {
    peers: HashMap<BareJid, Peer>,
}

impl Peers {
    fn entry(&mut self, peer: &BareJid, now_ms: u64) -> &mut Peer {
        if !self.peers.contains_key(peer) && self.peers.len() >= MAX_PEERS {
            let oldest = self
                .peers
                .iter()
                .min_by_key(|(_, p)| p.heard)
                .map(|(j, _)| j.clone());
            if let Some(j) = oldest {
                self.peers.remove(&j);
            }
        }
        let p = self.peers.entry(peer.clone()).or_default();
        p.heard = now_ms;
        p
    }

    pub fn get(&self, peer: &BareJid) -> Option<&Peer> {
        self.peers.get(peer)
    }

    pub fn len(&self) -> usize {
        self.peers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    /// Whether our chat states may go to `peer`.
    pub fn speaks(&self, peer: &BareJid) -> bool {
        self.peers.get(peer).is_some_and(|p| p.speaks)
    }

    /// `peer`'s typing state as shown at `now_ms`: `Composing` or `Paused`, or nothing once
    /// [`TYPING_STALE_MS`] passed without a refresh.
    pub fn typing(&self, peer: &BareJid, now_ms: u64) -> Option<ChatState> {
        let (state, at) = self.peers.get(peer)?.typing?;
        (now_ms.saturating_sub(at) < TYPING_STALE_MS).then_some(state)
    }

    /// When the typing notice shown for `peer` goes stale (for the view's timer).
    pub fn typing_until(&self, peer: &BareJid) -> Option<u64> {
        let (_, at) = self.peers.get(peer)?.typing?;
        Some(at + TYPING_STALE_MS)
    }

    /// A message from `peer` (any copy): they speak, and are no longer typing it.
    pub(crate) fn message_from(&mut self, m: &ChatMessage, now_ms: u64) {
        if m.direction != Direction::Incoming {
            return;
        }
        let p = self.entry(&m.peer, now_ms);
        p.speaks = true;
        if !m.archived {
            p.typing = None;
        }
    }

    fn chat_state(&mut self, peer: &BareJid, state: ChatState, now_ms: u64) -> bool {
        let p = self.entry(peer, now_ms);
        p.speaks = true;
        let before = p.typing;
        p.typing = match state {
            ChatState::Composing | ChatState::Paused => Some((state, now_ms)),
            ChatState::Active | ChatState::Inactive | ChatState::Gone => None,
        };
        before != p.typing
    }
}

impl Store {
    /// A receipt, marker or chat state from the core.
    pub(crate) fn on_awareness(&mut self, event: Awareness) -> Changes {
        let now = self.clock_ms;
        match event {
            Awareness::Delivered { peer, id } => self.advance(&peer, &id, DeliveryState::Delivered),
            Awareness::Displayed { peer, id } => self.advance(&peer, &id, DeliveryState::Read),
            Awareness::ReadElsewhere { peer, .. } => {
                let Some(conv) = self.conversations.get_mut(&peer) else {
                    return Changes::default();
                };
                if conv.unread == 0 {
                    return Changes::default();
                }
                conv.unread = 0;
                self.track(|t| t.chat(&peer));
                Changes {
                    roster: true,
                    ..Changes::default()
                }
            }
            Awareness::ChatState { peer, state } => Changes {
                messages: self.peers.chat_state(&peer, state, now),
                ..Changes::default()
            },
        }
    }

    /// Moves our message `id` to `state`; for `Read` also every earlier message of ours in
    /// that chat (a marker covers everything before it). Only our own messages in the chat
    /// with the peer who said it: an id from elsewhere matches nothing. Pending and failed
    /// messages stay as they are (the peer cannot have seen those).
    fn advance(&mut self, peer: &BareJid, id: &str, state: DeliveryState) -> Changes {
        let Some(conv) = self.conversations.get_mut(peer) else {
            return Changes::default();
        };
        let key = keys::local(Direction::Outgoing, id);
        let Some(target) = conv.get(&key).map(|m| (m.at, m.seq)) else {
            return Changes::default();
        };
        let covered: Vec<String> = if state == DeliveryState::Read {
            conv.messages
                .iter()
                .filter(|m| m.msg.direction == Direction::Outgoing && (m.at, m.seq) <= target)
                .filter(|m| {
                    let rank = m.state.rank();
                    rank >= DeliveryState::Sent.rank() && rank < state.rank()
                })
                .map(|m| m.msg.id.clone())
                .collect()
        } else {
            vec![id.to_string()]
        };
        let mut changed = Vec::new();
        for id in covered {
            if let Some(m) = conv.set_state(&id, state.clone()) {
                changed.push(m.clone());
            }
        }
        if changed.is_empty() {
            return Changes::default();
        }
        for m in &changed {
            self.track(|t| t.message(m));
            // The peer has it: never to be sent again, whatever the server acknowledged.
            if self.outbox.remove(&m.msg.id) {
                self.track(|t| t.outbox_del(&m.msg.id));
            }
        }
        Changes {
            messages: true,
            ..Changes::default()
        }
    }

    /// The newest message of `peer` that asked to be marked displayed and is not marked yet:
    /// what to send `<displayed/>` for when the chat is on screen.
    pub fn displayed_due(&self, peer: &BareJid) -> Option<String> {
        let conv = self.conversations.get(peer)?;
        let newest = conv
            .messages
            .iter()
            .rev()
            .find(|m| m.msg.direction == Direction::Incoming && m.msg.ext.markable)?;
        let marked = self.peers.get(peer).and_then(|p| p.marked.as_deref());
        (marked != Some(newest.msg.id.as_str())).then(|| newest.msg.id.clone())
    }

    /// We sent `<displayed id/>` to `peer`.
    pub fn note_displayed(&mut self, peer: &BareJid, id: String) {
        let now = self.clock_ms;
        self.peers.entry(peer, now).marked = Some(id);
    }

    /// Unread messages over every chat, room and private thread (for the page title).
    pub fn unread_everywhere(&self) -> u32 {
        self.total_unread()
            .saturating_add(self.rooms.total_unread())
    }
}
