//! What the other side of a one-to-one chat knows and does: XEP-0184 delivery receipts,
//! XEP-0333 chat markers (`displayed`) and XEP-0085 chat states. Most of these come in
//! body-less messages, which `message::chat_message` ignores: they are read here from every
//! copy (live, carbon, archive) and reported as [`Awareness`] events. The rules about who may
//! say what, and when we answer a receipt request, live in `client/awareness.rs`.

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::chatstates::ChatState as WireState;
use xmpp_parsers::displayed_markers::{Displayed, Markable};
use xmpp_parsers::message::{Id, Message, MessageType};
use xmpp_parsers::ns;
use xmpp_parsers::receipts::{Received, Request};

use crate::frame::xml_text;

/// XEP-0334 hints: receipts and markers should reach the peer's other devices and archive;
/// chat states should not (they are stale a moment later).
const HINTS: &str = "urn:xmpp:hints";

/// XEP-0085 chat state of a conversation partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatState {
    Active,
    Composing,
    Paused,
    Inactive,
    Gone,
}

impl ChatState {
    fn to_wire(self) -> WireState {
        match self {
            ChatState::Active => WireState::Active,
            ChatState::Composing => WireState::Composing,
            ChatState::Paused => WireState::Paused,
            ChatState::Inactive => WireState::Inactive,
            ChatState::Gone => WireState::Gone,
        }
    }

    fn from_wire(state: &WireState) -> ChatState {
        match state {
            WireState::Active => ChatState::Active,
            WireState::Composing => ChatState::Composing,
            WireState::Paused => ChatState::Paused,
            WireState::Inactive => ChatState::Inactive,
            WireState::Gone => ChatState::Gone,
        }
    }
}

/// What a peer (or another device of ours) told about a one-to-one chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Awareness {
    /// XEP-0184: `peer` received our message `id`.
    Delivered { peer: BareJid, id: String },
    /// XEP-0333: `peer` displayed our message `id`, and so everything we sent before it.
    Displayed { peer: BareJid, id: String },
    /// Another device of ours told `peer` it displayed their message `id`: the user read the
    /// chat elsewhere.
    ReadElsewhere { peer: BareJid, id: String },
    /// XEP-0085: `peer`'s chat state (live copies only: an archived state is stale).
    ChatState { peer: BareJid, state: ChatState },
}

/// What one incoming message says for this module, before anyone decided whether to believe
/// it.
#[derive(Debug, Default)]
pub struct Signals {
    /// `<received id/>`: a receipt for one of our messages.
    pub received: Option<String>,
    /// `<displayed id/>`: a marker for a message of the other side.
    pub displayed: Option<String>,
    pub state: Option<ChatState>,
    /// `<request/>` on a message with an id and a body: the sender wants a receipt.
    pub wants_receipt: bool,
}

/// Reads the receipt, marker and chat state of a chat (or normal) message. Ids are kept as
/// untrusted text: they are only ever compared with our own.
pub fn signals(message: &Message) -> Signals {
    let mut s = Signals::default();
    if !matches!(message.type_, MessageType::Chat | MessageType::Normal) {
        return s;
    }
    for payload in &message.payloads {
        if payload.is("received", ns::RECEIPTS) && s.received.is_none() {
            s.received = Received::try_from(payload.clone())
                .ok()
                .map(|r| r.id)
                .filter(|id| !id.is_empty());
        } else if payload.is("displayed", ns::DISPLAYED_MARKERS) && s.displayed.is_none() {
            s.displayed = Displayed::try_from(payload.clone())
                .ok()
                .map(|d| d.id.0)
                .filter(|id| !id.is_empty());
        } else if payload.ns() == ns::CHATSTATES && s.state.is_none() {
            s.state = WireState::try_from(payload.clone())
                .ok()
                .map(|w| ChatState::from_wire(&w));
        } else if payload.is("request", ns::RECEIPTS) {
            s.wants_receipt = true;
        }
    }
    // XEP-0184 §5.4: a request only means something on a message with content and an id.
    s.wants_receipt &=
        !message.bodies.is_empty() && message.id.as_ref().is_some_and(|i| !i.0.is_empty());
    s
}

/// Every outgoing chat message asks for a receipt and to be marked displayed; `state` is the
/// chat state sent along (`active` when the peer follows chat states).
pub fn add_payloads(message: Message, state: Option<ChatState>, confirmable: bool) -> Message {
    let message = if confirmable {
        message.with_payload(Request).with_payload(Markable)
    } else {
        message
    };
    match state {
        Some(state) => message.with_payload(state.to_wire()),
        None => message,
    }
}

/// Whether an incoming message asked for a receipt and a marker, and its chat state.
pub fn read(message: &Message) -> (bool, bool, Option<ChatState>) {
    let mut request = false;
    let mut markable = false;
    let mut state = None;
    for p in &message.payloads {
        if p.is("request", ns::RECEIPTS) {
            request = true;
        } else if p.is("markable", ns::DISPLAYED_MARKERS) {
            markable = true;
        } else if p.ns() == ns::CHATSTATES && state.is_none() {
            state = WireState::try_from(p.clone())
                .ok()
                .map(|w| ChatState::from_wire(&w));
        }
    }
    (request, markable, state)
}

/// The receipt for the message `id` that `to` sent us.
pub fn receipt(to: Jid, own_id: String, id: &str) -> Message {
    let mut m = Message::chat(Some(to));
    m.id = Some(Id(own_id));
    let mut m = m.with_payload(Received { id: xml_text(id) });
    m.payloads.push(hint("store"));
    m
}

/// Our `<displayed/>` marker for the message `id` that `to` sent us.
pub fn displayed(to: Jid, own_id: String, id: &str) -> Message {
    let mut m = Message::chat(Some(to));
    m.id = Some(Id(own_id));
    let mut m = m.with_payload(Displayed {
        id: Id(xml_text(id)),
    });
    m.payloads.push(hint("store"));
    m
}

/// A standalone chat state notification (XEP-0085 §5.5): never stored or archived.
pub fn chat_state(to: Jid, own_id: String, state: ChatState) -> Message {
    let mut m = Message::chat(Some(to));
    m.id = Some(Id(own_id));
    let mut m = m.with_payload(state.to_wire());
    m.payloads.push(hint("no-store"));
    m
}

fn hint(name: &str) -> Element {
    Element::builder(name, HINTS).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> Message {
        Message::try_from(xml.parse::<Element>().unwrap()).unwrap()
    }

    #[test]
    fn request_without_body_or_id_is_no_request() {
        let m = parse(
            r#"<message xmlns="jabber:client" type="chat" id="a"><request xmlns="urn:xmpp:receipts"/></message>"#,
        );
        assert!(!signals(&m).wants_receipt);
        let m = parse(
            r#"<message xmlns="jabber:client" type="chat"><body>x</body><request xmlns="urn:xmpp:receipts"/></message>"#,
        );
        assert!(!signals(&m).wants_receipt);
        let m = parse(
            r#"<message xmlns="jabber:client" type="chat" id="a"><body>x</body><request xmlns="urn:xmpp:receipts"/></message>"#,
        );
        assert!(signals(&m).wants_receipt);
    }

    #[test]
    fn groupchat_and_error_carry_nothing() {
        for t in ["groupchat", "error", "headline"] {
            let m = parse(&format!(
                r#"<message xmlns="jabber:client" type="{t}"><received xmlns="urn:xmpp:receipts" id="x"/><composing xmlns="http://jabber.org/protocol/chatstates"/></message>"#
            ));
            let s = signals(&m);
            assert!(s.received.is_none() && s.state.is_none(), "{t}");
        }
    }

    #[test]
    fn empty_ids_are_ignored() {
        let m = parse(
            r#"<message xmlns="jabber:client" type="chat"><received xmlns="urn:xmpp:receipts" id=""/><displayed xmlns="urn:xmpp:chat-markers:0" id=""/></message>"#,
        );
        let s = signals(&m);
        assert_eq!((s.received, s.displayed), (None, None));
    }
}
