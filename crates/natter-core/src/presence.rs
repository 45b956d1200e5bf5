//! RFC 6121 presence: contacts' availability and subscription requests in; ours out.

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::caps::Caps;
use xmpp_parsers::ns;
use xmpp_parsers::presence::{Presence, Type};

use crate::frame::xml_text;
use crate::{Event, PresenceUpdate, Show};

/// What an incoming presence means; `None` for those we ignore (errors, probes, our server's).
pub fn incoming(presence: Presence) -> Option<Event> {
    let from = presence.from.clone()?;
    match presence.type_ {
        Type::None | Type::Unavailable => Some(Event::Presence(PresenceUpdate {
            available: presence.type_ == Type::None,
            show: presence.show.clone(),
            status: best_status(&presence),
            priority: presence.priority.0,
            from,
        })),
        Type::Subscribe => Some(Event::SubscriptionRequest {
            from: from.into_bare(),
        }),
        Type::Subscribed => Some(Event::SubscriptionChanged {
            from: from.into_bare(),
            approved: true,
        }),
        Type::Unsubscribed => Some(Event::SubscriptionChanged {
            from: from.into_bare(),
            approved: false,
        }),
        // `unsubscribe` shows up as a roster push; errors and probes need nothing from the user.
        Type::Unsubscribe | Type::Error | Type::Probe => None,
    }
}

/// The status without a language tag (the sender's default), else English, else any.
fn best_status(presence: &Presence) -> Option<String> {
    let statuses = &presence.statuses;
    statuses
        .get("")
        .or_else(|| statuses.get("en"))
        .or_else(|| statuses.values().next())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Our broadcast presence; the caps element goes on every one so contacts keep our features.
pub fn available(show: Option<Show>, status: Option<&str>, caps: Option<Caps>) -> Presence {
    let mut presence = Presence::available();
    presence.show = show;
    if let Some(status) = status.map(xml_text).filter(|s| !s.trim().is_empty()) {
        presence.set_status("", status);
    }
    if let Some(caps) = caps {
        presence.add_payload(caps);
    }
    presence
}

pub fn unavailable() -> Element {
    without_priority(Presence::unavailable())
}

/// A directed subscription presence (`subscribe`, `subscribed`, `unsubscribed`).
pub fn directed(type_: Type, to: &BareJid) -> Element {
    without_priority(Presence::new(type_).with_to(Jid::from(to.clone())))
}

/// xmpp-parsers always writes `<priority/>`; it only means something on available presence.
fn without_priority(presence: Presence) -> Element {
    let mut element = Element::from(presence);
    element.remove_child("priority", ns::DEFAULT_NS);
    element
}
