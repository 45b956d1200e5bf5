//! XEP-0280 message carbons: copies of the messages our other devices send and receive. Only
//! believed from our own bare JID (`sender`); the copy inside is then our server's word.

use minidom::Element;
use xmpp_parsers::carbons::{Enable, Received, Sent};
use xmpp_parsers::forwarding::Forwarded;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::message::Message;
use xmpp_parsers::ns;

/// The disco#info feature of a server that copies.
pub const FEATURE: &str = ns::CARBONS;

/// What a carbon carries.
pub enum Carbon {
    /// A message one of our other devices received.
    Received(Forwarded),
    /// A message one of our other devices sent.
    Sent(Forwarded),
}

/// Whether `message` claims to be a carbon (before anyone checked who sent it).
pub fn is_carbon(message: &Message) -> bool {
    message
        .payloads
        .iter()
        .any(|p| p.ns() == ns::CARBONS && matches!(p.name(), "received" | "sent"))
}

/// The copy inside a carbon; `None` if it does not parse.
pub fn unwrap(mut message: Message) -> Option<Carbon> {
    if let Ok(Some(received)) = message.extract_payload::<Received>() {
        return Some(Carbon::Received(received.forwarded));
    }
    match message.extract_payload::<Sent>() {
        Ok(Some(sent)) => Some(Carbon::Sent(sent.forwarded)),
        _ => None,
    }
}

/// The request that turns carbons on for this session.
pub fn enable() -> Iq {
    Iq::from_set("", Enable)
}

/// Whether our server's disco#info answer lists carbons. Read off the element: parsing it as
/// `DiscoInfoResult` would pull in the XEP-0004 data-form parser for the extensions.
pub fn offered(info: &Element) -> bool {
    info.is("query", ns::DISCO_INFO)
        && info
            .children()
            .any(|f| f.is("feature", ns::DISCO_INFO) && f.attr("var") == Some(FEATURE))
}
