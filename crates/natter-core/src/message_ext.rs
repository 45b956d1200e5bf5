//! The extensions a one-to-one message carries besides its text ([`MessageExt`]): read from
//! every copy of an incoming message, written into every outgoing one. Each modern-messaging
//! XEP adds its fields to `MessageExt` and its reading and writing here (or in a module of its
//! own called from here).

use xmpp_parsers::message::Message;

use crate::MessageExt;

/// The payloads of `ext` added to an outgoing message.
pub fn add_payloads(message: Message, _ext: &MessageExt) -> Message {
    message
}

/// What `message` carries besides its body, for the store. Untrusted: whoever may send the
/// message has already been checked; this only reads what it says.
pub fn read(_message: &Message) -> MessageExt {
    MessageExt::default()
}
