//! Names and the vCard photo: XEP-0172 nicknames (PEP, pushed with `+notify`), XEP-0292 vCard4
//! (`fn`, `nickname` in the `urn:xmpp:vcard4` PEP node) and XEP-0054 vCard-temp (`FN`,
//! `NICKNAME`, `PHOTO`) for servers and clients without it. Every text is someone else's:
//! trimmed, stripped of what XML cannot hold, and capped.

use minidom::rxml::xml_ncname;
use minidom::Element;
use xmpp_parsers::nick::Nick;
use xmpp_parsers::ns;
use xmpp_parsers::vcard::VCard;

use crate::avatar;
use crate::frame::xml_text;

/// The longest name kept (characters); more is cut.
pub const MAX_NAME_CHARS: usize = 100;

pub const VCARD4: &str = "urn:ietf:params:xml:ns:vcard-4.0";
/// The XEP-0292 PEP node.
pub const VCARD4_NODE: &str = "urn:xmpp:vcard4";
/// What we ask for in caps: contacts' nicknames pushed to us.
pub const NICK_NOTIFY: &str = "http://jabber.org/protocol/nick+notify";

/// A name as shown: one line, no control characters, at most [`MAX_NAME_CHARS`].
pub fn clean_name(text: &str) -> Option<String> {
    let one_line: String = xml_text(text)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    (!trimmed.is_empty()).then(|| trimmed.chars().take(MAX_NAME_CHARS).collect())
}

/// What a XEP-0172 notification says: `Some(None)` the nickname was removed, `None` the event
/// is not about nicknames.
pub fn read_nick_event(event: &Element) -> Option<Option<String>> {
    let mut said = None;
    for child in event.children() {
        if child.ns() != ns::PUBSUB_EVENT || child.attr("node") != Some(ns::NICK) {
            continue;
        }
        match child.name() {
            "items" => {
                if let Some(item) = child.children().find(|i| i.is("item", ns::PUBSUB_EVENT)) {
                    said = Some(
                        item.get_child("nick", ns::NICK)
                            .and_then(|n| Nick::try_from(n.clone()).ok())
                            .and_then(|n| clean_name(&n.0)),
                    );
                } else if child.children().any(|r| r.is("retract", ns::PUBSUB_EVENT)) {
                    said = Some(None);
                }
            }
            "purge" | "delete" => said = Some(None),
            _ => {}
        }
    }
    said
}

/// Our nickname into PEP (XEP-0172 §4.5), for contacts' clients to show.
pub fn publish_nick(nickname: &str) -> Element {
    let nick = Element::from(Nick(nickname.to_owned()));
    avatar::publish(ns::NICK, "current", nick, false)
}

/// The request for someone's vCard4 (XEP-0292 §3.1).
pub fn vcard4_request() -> Element {
    avatar::pubsub(
        Element::builder("items", ns::PUBSUB)
            .attr(xml_ncname!("node").into(), VCARD4_NODE)
            .build(),
    )
}

/// (full name, nickname) from an answer to [`vcard4_request`]; `None` when it holds no vCard.
pub fn read_vcard4(payload: &Element) -> Option<(Option<String>, Option<String>)> {
    let vcard = payload
        .get_child("items", ns::PUBSUB)?
        .children()
        .filter(|i| i.is("item", ns::PUBSUB))
        .find_map(|i| i.get_child("vcard", VCARD4))?;
    let text = |name: &str| {
        vcard
            .get_child(name, VCARD4)
            .and_then(|p| p.get_child("text", VCARD4))
            .and_then(|t| clean_name(&t.text()))
    };
    Some((text("fn"), text("nickname")))
}

/// The vCard-temp request (XEP-0054 §3.2); to our own account with no `to`.
pub fn vcard_temp_request() -> Element {
    Element::builder("vCard", ns::VCARD).build()
}

/// What a vCard-temp answer holds: full name, nickname, and the photo's bytes if any.
pub struct TempCard {
    pub full_name: Option<String>,
    pub nickname: Option<String>,
    pub photo: Option<Vec<u8>>,
}

pub fn read_vcard_temp(payload: &Element) -> Option<TempCard> {
    if !payload.is("vCard", ns::VCARD) {
        return None;
    }
    let text = |name: &str| {
        payload
            .get_child(name, ns::VCARD)
            .and_then(|e| clean_name(&e.text()))
    };
    // Field by field: a PHOTO without TYPE, which the typed parser refuses, must not lose
    // the names.
    let photo = VCard::try_from(payload.clone())
        .ok()
        .and_then(|v| v.photo)
        .map(|p| p.binval.data);
    Some(TempCard {
        full_name: text("FN"),
        nickname: text("NICKNAME"),
        photo,
    })
}

/// Our vCard-temp with the nickname replaced and every other field kept: the vCard is one
/// document, and a set replaces all of it.
pub fn with_nickname(current: Option<Element>, nickname: &str) -> Element {
    // Edited as a tree, not through the typed vCard, which would refuse (and so lose) a
    // card holding a photo without TYPE.
    let mut vcard = current
        .filter(|c| c.is("vCard", ns::VCARD))
        .unwrap_or_else(vcard_temp_request);
    while vcard.remove_child("NICKNAME", ns::VCARD).is_some() {}
    vcard.append_child(
        Element::builder("NICKNAME", ns::VCARD)
            .append(nickname.to_owned())
            .build(),
    );
    vcard
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_capped_line() {
        assert_eq!(clean_name("  a\nb\u{0}c "), Some("a bc".into()));
        assert_eq!(clean_name(" \t"), None);
        assert_eq!(
            clean_name(&"x".repeat(500)).map(|n| n.chars().count()),
            Some(MAX_NAME_CHARS)
        );
    }

    #[test]
    fn a_photo_without_type_keeps_the_names() {
        let card: Element = "<vCard xmlns='vcard-temp'><FN>Alice A</FN><NICKNAME>al</NICKNAME>\
            <PHOTO><BINVAL>AAAA</BINVAL></PHOTO></vCard>"
            .parse()
            .unwrap();
        let read = read_vcard_temp(&card).unwrap();
        assert_eq!(read.full_name.as_deref(), Some("Alice A"));
        assert_eq!(read.nickname.as_deref(), Some("al"));
        assert!(read.photo.is_none());
        let set = with_nickname(Some(card), "new");
        let read = read_vcard_temp(&set).unwrap();
        assert_eq!(read.nickname.as_deref(), Some("new"));
        assert_eq!(read.full_name.as_deref(), Some("Alice A"));
    }
}
