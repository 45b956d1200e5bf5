//! One-to-one messages: incoming chats and bounces, outgoing chats.

use std::collections::VecDeque;

use jid::{BareJid, Jid};
use xmpp_parsers::delay::Delay;
use xmpp_parsers::message::{Id, Message, MessageType};
use xmpp_parsers::stanza_error::StanzaError;
use xmpp_parsers::stanza_id::OriginId;

use crate::frame::xml_text;
use crate::iq::describe;
use crate::{ChatMessage, Direction, Event};

/// How many recent outgoing ids we remember to route bounces back to their conversation.
const SENT_MEMORY: usize = 256;

/// Recent outgoing messages (id → peer), so an error reply marks the right one failed even if
/// it comes back from a different address form.
#[derive(Default)]
pub struct SentMessages {
    recent: VecDeque<(String, BareJid)>,
}

impl SentMessages {
    pub fn remember(&mut self, id: &str, peer: &BareJid) {
        if self.recent.len() == SENT_MEMORY {
            self.recent.pop_front();
        }
        self.recent.push_back((id.to_owned(), peer.clone()));
    }

    fn peer_of(&self, id: &str) -> Option<&BareJid> {
        self.recent
            .iter()
            .rev()
            .find(|(i, _)| i == id)
            .map(|(_, p)| p)
    }
}

/// What an incoming message means. `fresh_id` supplies an id when the sender gave none.
pub fn incoming(
    mut message: Message,
    own: &BareJid,
    sent: &SentMessages,
    fresh_id: impl FnOnce() -> String,
) -> Option<Event> {
    match message.type_ {
        MessageType::Chat | MessageType::Normal => {
            // No `from` means our own account (RFC 6120 §8.1.2.1): never a chat with someone.
            let from = message.from.clone()?;
            let (_, body) = message.get_best_body_cloned(vec!["en"])?;
            let delay = message.extract_payload::<Delay>().ok().flatten();
            Some(Event::Message(ChatMessage {
                id: message
                    .id
                    .map(|id| id.0)
                    .filter(|id| !id.is_empty())
                    .unwrap_or_else(fresh_id),
                direction: Direction::Incoming,
                peer: from.to_bare(),
                from,
                body,
                delayed: delay.map(|d| d.stamp.0.to_rfc3339()),
            }))
        }
        MessageType::Error => {
            let id = message.id.clone()?.0;
            let peer = match (sent.peer_of(&id), &message.from) {
                // A bounce comes from the peer, its server or ours; anyone else is forging it.
                (Some(peer), Some(from)) => {
                    let server = from.node().is_none() && from.resource().is_none();
                    let plausible = from.to_bare() == *peer
                        || (server
                            && (from.domain() == peer.domain() || from.domain() == own.domain()));
                    if !plausible {
                        return None;
                    }
                    peer.clone()
                }
                (Some(peer), None) => peer.clone(),
                (None, Some(from)) => from.to_bare(),
                (None, None) => return None,
            };
            let reason = match message.extract_payload::<StanzaError>() {
                Ok(Some(error)) => describe(&error),
                _ => "the message could not be delivered".to_owned(),
            };
            Some(Event::MessageFailed { id, peer, reason })
        }
        // Group chats and headlines come later.
        MessageType::Groupchat | MessageType::Headline => None,
    }
}

/// A chat message; XEP-0359 origin-id repeats our id so archives and carbons keep it.
pub fn chat(to: Jid, id: &str, body: &str) -> Message {
    let id = xml_text(id);
    let mut message = Message::chat(Some(to)).with_body(Default::default(), xml_text(body));
    message.id = Some(Id(id.clone()));
    message.with_payload(OriginId { id })
}
