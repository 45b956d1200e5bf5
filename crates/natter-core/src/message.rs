//! One-to-one messages: incoming chats and bounces, outgoing chats, and the one conversion
//! every copy of a message (live, carbon, archive) goes through.

use std::collections::VecDeque;

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::delay::Delay;
use xmpp_parsers::message::{Id, Message, MessageType};
use xmpp_parsers::ns;
use xmpp_parsers::stanza_error::StanzaError;
use xmpp_parsers::stanza_id::{OriginId, StanzaId};

use crate::frame::xml_text;
use crate::iq::describe;
use crate::sender::{self, Own};
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

    pub fn peer_of(&self, id: &str) -> Option<&BareJid> {
        self.recent
            .iter()
            .rev()
            .find(|(i, _)| i == id)
            .map(|(_, p)| p)
    }
}

/// What a live incoming message means. `fresh_id` supplies an id when the sender gave none.
pub fn incoming(
    mut message: Message,
    own: &Own,
    sent: &SentMessages,
    fresh_id: impl FnOnce() -> String,
) -> Option<Event> {
    match message.type_ {
        MessageType::Chat | MessageType::Normal => {
            chat_message(message, Direction::Incoming, own.bare, None, fresh_id).map(Event::Message)
        }
        MessageType::Error => {
            let id = message.id.clone()?.0;
            let peer = match (sent.peer_of(&id), &message.from) {
                // A bounce comes from the peer, its server or ours; anyone else is forging it.
                (Some(peer), from) if own.may_bounce(peer, from.as_ref()) => peer.clone(),
                (Some(_), from) => {
                    return Some(sender::dropped(
                        from.as_ref(),
                        "a bounce of our message from someone we did not write to",
                    ))
                }
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

/// Where a copy came from, for [`chat_message`].
pub struct Copy {
    /// The XEP-0297 `<delay/>` of the wrapper (a carbon or an archive result).
    pub delay: Option<Delay>,
    /// The archive id, for an archive result (which makes the message `archived`).
    pub archive_id: Option<String>,
}

/// A one-to-one chat with a body, as the store keeps it; `None` for anything else (chat
/// states, receipts, group chats, errors). `copy` is set for carbons and archive results:
/// their wrapper's delay and archive id win over the message's own.
pub fn chat_message(
    mut message: Message,
    direction: Direction,
    own: &BareJid,
    copy: Option<Copy>,
    fresh_id: impl FnOnce() -> String,
) -> Option<ChatMessage> {
    if !matches!(message.type_, MessageType::Chat | MessageType::Normal) {
        return None;
    }
    let body = match message.get_best_body_cloned(vec!["en"]) {
        Some((_, body)) => body,
        // Reactions and retractions may have no body and still change a message.
        None => crate::edits::bodyless(&message)?,
    };
    let (from, peer) = match direction {
        // No `from` means our own account (RFC 6120 §8.1.2.1): never a chat with someone.
        Direction::Incoming => {
            let from = message.from.take()?;
            let peer = from.to_bare();
            (from, peer)
        }
        // Our own message: the peer is whom it went to; our server may leave out our `from`.
        Direction::Outgoing => {
            let peer = message.to.take()?.into_bare();
            let from = message
                .from
                .take()
                .unwrap_or_else(|| Jid::from(own.clone()));
            (from, peer)
        }
    };
    let ids = Ids::read(&mut message.payloads, own);
    let (delay, archive_id) = match copy {
        Some(copy) => (copy.delay.or(ids.delay), copy.archive_id),
        None => (ids.delay, None),
    };
    let archived = archive_id.is_some();
    let stanza_id = archive_id.or(ids.stanza_id);
    let mut ext = crate::message_ext::read(&message);
    let body = crate::edits::strip_fallback(body, &mut ext.edits);
    let id = message
        .id
        .map(|id| id.0)
        .filter(|id| !id.is_empty())
        .or_else(|| ids.origin_id.clone())
        .or_else(|| stanza_id.clone())
        .unwrap_or_else(fresh_id);
    Some(ChatMessage {
        id,
        direction,
        peer,
        from,
        body,
        delayed: delay.map(|d| d.stamp.0.to_rfc3339()),
        stanza_id,
        origin_id: ids.origin_id,
        archived,
        ext,
    })
}

/// The XEP-0359 ids and XEP-0203 delay among a message's payloads.
struct Ids {
    stanza_id: Option<String>,
    origin_id: Option<String>,
    delay: Option<Delay>,
}

impl Ids {
    /// A `<stanza-id/>` is believed only when our own server stamped it (`by` our bare JID):
    /// anyone can put one into the message they send, and our server strips only those that
    /// claim to be its own.
    fn read(payloads: &mut Vec<Element>, own: &BareJid) -> Ids {
        let mut ids = Ids {
            stanza_id: None,
            origin_id: None,
            delay: None,
        };
        for payload in std::mem::take(payloads) {
            if payload.is("stanza-id", ns::SID) {
                if let Ok(sid) = StanzaId::try_from(payload) {
                    if sid.by == *own && !sid.id.is_empty() && ids.stanza_id.is_none() {
                        ids.stanza_id = Some(sid.id);
                    }
                }
            } else if payload.is("origin-id", ns::SID) {
                if let Ok(oid) = OriginId::try_from(payload) {
                    if !oid.id.is_empty() && ids.origin_id.is_none() {
                        ids.origin_id = Some(oid.id);
                    }
                }
            } else if payload.is("delay", ns::DELAY) && ids.delay.is_none() {
                ids.delay = Delay::try_from(payload).ok();
            } else {
                payloads.push(payload);
            }
        }
        ids
    }
}

/// A chat message; XEP-0359 origin-id repeats our id so archives and carbons keep it.
pub fn chat(to: Jid, id: &str, body: &str, ext: &crate::MessageExt) -> Message {
    let id = xml_text(id);
    let mut message = Message::chat(Some(to)).with_body(Default::default(), xml_text(body));
    message.id = Some(Id(id.clone()));
    let message = message.with_payload(OriginId { id });
    crate::message_ext::add_payloads(message, ext)
}
