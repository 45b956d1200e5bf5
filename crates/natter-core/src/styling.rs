//! XEP-0393 message styling on the wire: only the sender's opt-out, `<unstyled/>` (§6). The
//! styling itself is the receiving client's reading of the body, done by the app.

use minidom::Element;
use xmpp_parsers::message::Message;

pub const NS: &str = "urn:xmpp:styling:0";

/// Whether the sender asked that the body be shown as plain text.
pub fn unstyled(message: &Message) -> bool {
    message.payloads.iter().any(|p| p.is("unstyled", NS))
}

/// Adds `<unstyled/>` when the message must not be styled.
pub fn add(mut message: Message, unstyled: bool) -> Message {
    if unstyled {
        message
            .payloads
            .push(Element::builder("unstyled", NS).build());
    }
    message
}
