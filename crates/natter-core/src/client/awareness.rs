//! Receipts, chat markers and chat states (see `crate::awareness`): who may tell us what, and
//! when we answer a receipt request.
//!
//! - A receipt or marker for one of our messages counts only from the peer we sent it to.
//!   Where we still remember the message, a claim from anyone else is dropped; otherwise the
//!   store only matches it against the peer's own conversation.
//! - Receipts are answered only for live messages (never carbons, archive results or errors),
//!   only to contacts who see our presence anyway (a receipt proves we are online), and only
//!   while the user allows it (`Command::SetReceipts`). A message another device of ours
//!   received is that device's to answer.
//! - Our own `<displayed/>`, copied from another device of ours, means the user read the chat
//!   there.

use jid::Jid;
use xmpp_parsers::message::Message;

use super::Client;
use crate::awareness::{self, Awareness};
use crate::sender;
use crate::{Command, Direction, Event};

/// How a message reached us.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    Live,
    Carbon,
    Archive,
}

impl Client {
    /// A live message, not a carbon or archive result (groupchat and room traffic has been
    /// taken out before).
    pub(super) fn awareness_live(&mut self, message: &Message) {
        self.awareness_copy(message, Direction::Incoming, Route::Live);
    }

    /// A copy whose wrapper was checked (a carbon from our account, an archive result for our
    /// query).
    pub(super) fn awareness_copy(&mut self, message: &Message, direction: Direction, route: Route) {
        let signals = awareness::signals(message);
        match direction {
            Direction::Incoming => {
                let Some(from) = message.from.clone() else {
                    return;
                };
                let peer = from.to_bare();
                // Our own devices tell us things through carbons, not as a peer.
                if peer == self.account {
                    return;
                }
                if let Some(id) = signals.received {
                    self.peer_said(
                        &from,
                        Awareness::Delivered {
                            peer: peer.clone(),
                            id,
                        },
                    );
                }
                if let Some(id) = signals.displayed {
                    self.peer_said(
                        &from,
                        Awareness::Displayed {
                            peer: peer.clone(),
                            id,
                        },
                    );
                }
                if let (Some(state), false) = (signals.state, route == Route::Archive) {
                    self.events
                        .push_back(Event::Awareness(Awareness::ChatState {
                            peer: peer.clone(),
                            state,
                        }));
                }
                if signals.wants_receipt
                    && route == Route::Live
                    && self.receipts
                    && self.roster.shares_presence_with(&peer)
                {
                    if let Some(id) = message.id.as_ref() {
                        let own_id = self.ids.next();
                        self.send(awareness::receipt(from, own_id, &id.0));
                    }
                }
            }
            Direction::Outgoing => {
                let Some(id) = signals.displayed else {
                    return;
                };
                let Some(peer) = message.to.as_ref().map(Jid::to_bare) else {
                    return;
                };
                if peer != self.account {
                    self.events
                        .push_back(Event::Awareness(Awareness::ReadElsewhere { peer, id }));
                }
            }
        }
    }

    /// A receipt or marker from `from`: dropped if we remember sending that message to
    /// someone else.
    fn peer_said(&mut self, from: &Jid, event: Awareness) {
        let (Awareness::Delivered { peer, id } | Awareness::Displayed { peer, id }) = &event else {
            return;
        };
        if self.sent.peer_of(id).is_some_and(|to| to != peer) {
            self.events.push_back(sender::dropped(
                Some(from),
                "a receipt or marker for a message we sent to someone else",
            ));
            return;
        }
        self.events.push_back(Event::Awareness(event));
    }

    /// `SetReceipts`, `SendChatState`, `MarkDisplayed`. Chat states and markers are moment
    /// facts: while not online they are dropped, not queued.
    pub(super) fn awareness_command(&mut self, command: Command, online: bool) {
        match command {
            Command::SetReceipts(on) => self.receipts = on,
            Command::SendChatState { to, state } if online => {
                let id = self.ids.next();
                self.send(awareness::chat_state(Jid::from(to), id, state));
            }
            Command::MarkDisplayed { to, id } if online => {
                let own_id = self.ids.next();
                self.send(awareness::displayed(Jid::from(to), own_id, &id));
            }
            _ => {}
        }
    }
}
