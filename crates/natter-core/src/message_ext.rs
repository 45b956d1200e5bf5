//! The extensions a one-to-one message carries besides its text ([`MessageExt`]): read from
//! every copy of an incoming message, written into every outgoing one. Each modern-messaging
//! XEP adds its fields to `MessageExt` and its reading and writing here (or in a module of its
//! own called from here).

use xmpp_parsers::message::Message;

use crate::MessageExt;

/// The payloads of `ext` added to an outgoing message.
pub fn add_payloads(message: Message, ext: &MessageExt) -> Message {
    let message = crate::styling::add(message, ext.unstyled);
    let message = crate::edits::add(message, &ext.edits);
    let message = crate::upload::add_oob(message, ext.oob.as_deref());
    let message = crate::visitor_nick::add(message, ext.nick.as_deref());
    // A retraction or a reaction is no message of its own to confirm or mark as read.
    let confirmable = ext.edits.retract.is_none() && ext.edits.react.is_none();
    crate::awareness::add_payloads(message, ext.chat_state, confirmable)
}

/// What `message` carries besides its body, for the store. Untrusted: whoever may send the
/// message has already been checked; this only reads what it says.
pub fn read(message: &Message) -> MessageExt {
    let (receipt_request, markable, chat_state) = crate::awareness::read(message);
    MessageExt {
        unstyled: crate::styling::unstyled(message),
        edits: Box::new(crate::edits::read(message)),
        receipt_request,
        markable,
        chat_state,
        oob: crate::upload::read_oob(message).map(Box::new),
        nick: crate::visitor_nick::read(&message.payloads),
    }
}
