//! Stanzas and helpers for the group chat transcripts (muc_*.rs): a room service
//! `chat.example.org`, the room `coven@chat.example.org`, us as `user@example.org/natter`.

use minidom::Element;
use natter_core::{Command, Event};

use super::{child, iq_type, Harness, Output, CLIENT};

pub const ROOM: &str = "coven@chat.example.org";
pub const SERVICE: &str = "chat.example.org";
pub const ME: &str = "user@example.org/natter";
pub const MUC: &str = "http://jabber.org/protocol/muc";
pub const MUC_USER: &str = "http://jabber.org/protocol/muc#user";
pub const MUC_ADMIN: &str = "http://jabber.org/protocol/muc#admin";
pub const MUC_OWNER: &str = "http://jabber.org/protocol/muc#owner";
pub const DISCO_INFO: &str = "http://jabber.org/protocol/disco#info";
pub const DISCO_ITEMS: &str = "http://jabber.org/protocol/disco#items";
pub const MAM: &str = "urn:xmpp:mam:2";
pub const OID: &str = "urn:xmpp:occupant-id:0";
pub const DATA: &str = "jabber:x:data";
pub const PUBSUB: &str = "http://jabber.org/protocol/pubsub";

pub fn room() -> natter_core::jid::BareJid {
    ROOM.parse().unwrap()
}

/// What the room says it offers.
#[derive(Clone, Copy)]
pub struct Offers {
    pub mam: bool,
    pub occupant_id: bool,
}

pub const PLAIN: Offers = Offers {
    mam: false,
    occupant_id: false,
};
pub const MODERN: Offers = Offers {
    mam: true,
    occupant_id: true,
};

/// The room's disco#info answer.
pub fn room_info(id: &str, room: &str, offers: Offers, extra: &str) -> String {
    let mut features = String::from(r#"<feature var="http://jabber.org/protocol/muc"/>"#);
    if offers.mam {
        features.push_str(r#"<feature var="urn:xmpp:mam:2"/>"#);
    }
    if offers.occupant_id {
        features.push_str(r#"<feature var="urn:xmpp:occupant-id:0"/>"#);
    }
    format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}" from="{room}"><query xmlns="http://jabber.org/protocol/disco#info"><identity category="conference" type="text" name="The Coven"/>{features}{extra}</query></iq>"#
    )
}

/// An IQ error of `condition` from `from` for `id`.
pub fn iq_error(id: &str, from: &str, condition: &str) -> String {
    format!(
        r#"<iq xmlns="jabber:client" type="error" id="{id}" from="{from}"><error type="cancel"><{condition} xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#
    )
}

pub fn iq_result(id: &str, from: &str) -> String {
    format!(r#"<iq xmlns="jabber:client" type="result" id="{id}" from="{from}"/>"#)
}

/// An occupant's presence. `extra` goes inside `<x muc#user>` after the item (status codes).
#[allow(clippy::too_many_arguments)]
pub fn occupant(
    nick: &str,
    affiliation: &str,
    role: &str,
    jid: Option<&str>,
    occupant_id: Option<&str>,
    x_extra: &str,
) -> String {
    let jid = jid.map(|j| format!(r#" jid="{j}""#)).unwrap_or_default();
    let oid = occupant_id
        .map(|o| format!(r#"<occupant-id xmlns="urn:xmpp:occupant-id:0" id="{o}"/>"#))
        .unwrap_or_default();
    format!(
        r#"<presence xmlns="jabber:client" from="{ROOM}/{nick}" to="{ME}">{oid}<x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="{affiliation}" role="{role}"{jid}/>{x_extra}</x></presence>"#
    )
}

/// An occupant's unavailable presence; `x_extra` inside `<x muc#user>`, `item_extra` inside
/// the item.
pub fn gone(nick: &str, item_attrs: &str, item_extra: &str, x_extra: &str) -> String {
    format!(
        r#"<presence xmlns="jabber:client" type="unavailable" from="{ROOM}/{nick}" to="{ME}"><x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="none" role="none"{item_attrs}>{item_extra}</item>{x_extra}</x></presence>"#
    )
}

/// Our own presence in the room (status 110, plus `codes`).
pub fn self_presence(nick: &str, occupant_id: Option<&str>, codes: &[u16]) -> String {
    let codes: String = std::iter::once(110)
        .chain(codes.iter().copied())
        .map(|c| format!(r#"<status code="{c}"/>"#))
        .collect();
    occupant(nick, "member", "participant", Some(ME), occupant_id, &codes)
}

/// An error presence from the room to our join.
pub fn join_error(nick: &str, type_: &str, condition: &str) -> String {
    format!(
        r#"<presence xmlns="jabber:client" type="error" from="{ROOM}/{nick}" to="{ME}"><x xmlns="http://jabber.org/protocol/muc"/><error type="{type_}"><{condition} xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>"#
    )
}

/// A group chat message from `nick` (empty: the room itself); `extra` after the body.
pub fn groupchat(nick: &str, id: &str, body: &str, extra: &str) -> String {
    let from = if nick.is_empty() {
        ROOM.to_owned()
    } else {
        format!("{ROOM}/{nick}")
    };
    format!(
        r#"<message xmlns="jabber:client" type="groupchat" from="{from}" to="{ME}" id="{id}"><body>{body}</body>{extra}</message>"#
    )
}

/// The frame in `out` that is a presence to `to`.
pub fn presence_to<'a>(out: &'a Output, to: &str) -> &'a Element {
    out.frames
        .iter()
        .find(|f| f.is("presence", CLIENT) && f.attr("to") == Some(to))
        .unwrap_or_else(|| panic!("no presence to {to} in {:?}", out.frames))
}

/// The IQ in `out` sent to `to` with a child `name` in `ns`.
pub fn iq_to<'a>(out: &'a Output, to: &str, name: &str, ns: &str) -> &'a Element {
    out.frames
        .iter()
        .find(|f| f.is("iq", CLIENT) && f.attr("to") == Some(to) && f.has_child(name, ns))
        .unwrap_or_else(|| panic!("no <{name} xmlns={ns}> IQ to {to} in {:?}", out.frames))
}

pub fn id_of(e: &Element) -> String {
    e.attr("id").unwrap().to_owned()
}

/// Starts a join; returns the disco#info query's id. Checks the `RoomJoining` event.
pub fn start_join(h: &mut Harness, nick: &str, password: Option<&str>) -> String {
    let out = h.command(Command::JoinRoom {
        room: room(),
        nick: nick.into(),
        password: password.map(str::to_owned),
        after: None,
    });
    assert_eq!(
        out.events,
        vec![Event::RoomJoining {
            room: room(),
            nick: nick.into()
        }]
    );
    let query = out.only_frame();
    assert_eq!(iq_type(query), Some("get"));
    assert_eq!(query.attr("to"), Some(ROOM));
    child(query, "query", DISCO_INFO);
    id_of(query)
}

/// The join presence after the room's disco#info.
pub fn discovered(h: &mut Harness, id: &str, offers: Offers, nick: &str) -> Element {
    discovered_out(h, id, offers, nick).0
}

/// [`discovered`], with everything sent (a room with MAM also gets the catch-up query).
pub fn discovered_out(h: &mut Harness, id: &str, offers: Offers, nick: &str) -> (Element, Output) {
    let out = h.feed(&room_info(id, ROOM, offers, ""));
    assert!(out.events.is_empty(), "{out:?}");
    let presence = presence_to(&out, &format!("{ROOM}/{nick}")).clone();
    child(&presence, "x", MUC);
    (presence, out)
}

/// Joined as `nick` in a room offering `offers`, with nobody else there and (with MAM) the
/// archive's catch-up answered as empty. Returns the events of our own presence.
pub fn joined(h: &mut Harness, nick: &str, offers: Offers) -> Vec<Event> {
    let id = start_join(h, nick, None);
    // With MAM the catch-up goes out right behind the join presence.
    let sent = h.feed(&room_info(&id, ROOM, offers, ""));
    presence_to(&sent, &format!("{ROOM}/{nick}"));
    let oid = offers.occupant_id.then_some("our-oid");
    let out = h.feed(&self_presence(nick, oid, &[]));
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::RoomJoined { .. })),
        "{out:?}"
    );
    assert!(
        !out.frames.iter().any(|f| f.has_child("query", MAM)),
        "no second catch-up after the join: {out:?}"
    );
    if offers.mam {
        let iq = id_of(iq_to(&sent, ROOM, "query", MAM));
        let fin = format!(
            r#"<iq xmlns="jabber:client" type="result" id="{iq}" from="{ROOM}"><fin xmlns="urn:xmpp:mam:2" complete="true"><set xmlns="http://jabber.org/protocol/rsm"/></fin></iq>"#
        );
        let done = h.feed(&fin);
        assert_eq!(
            done.events,
            vec![Event::RoomCaughtUp {
                room: room(),
                last: None,
                complete: true,
                beginning: true
            }]
        );
    }
    out.events
}

/// Online, the bookmark storage question answered (XEP-0048, empty), nothing pending but the
/// server's disco#info (carbons).
pub fn online() -> Harness {
    online_with(super::config())
}

/// [`online`] with this configuration.
pub fn online_with(config: natter_core::Config) -> Harness {
    let (mut h, mut login) = Harness::login_plain(config);
    h.answer_roster(&mut login);
    let account = login
        .frames
        .iter()
        .find(|f| f.attr("to") == Some("user@example.org") && f.has_child("query", DISCO_INFO))
        .expect("a disco#info to our account");
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{}" from="user@example.org"><query xmlns="http://jabber.org/protocol/disco#info"><identity category="account" type="registered"/></query></iq>"#,
        id_of(account)
    ));
    let private = out.only_frame();
    child(private, "query", "jabber:iq:private");
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{}"><query xmlns="jabber:iq:private"><storage xmlns="storage:bookmarks"/></query></iq>"#,
        id_of(private)
    ));
    assert_eq!(out.events, vec![Event::Bookmarks(Vec::new())]);
    assert!(out.frames.is_empty());
    h
}

/// The group messages among `events`.
pub fn group_messages(events: &[Event]) -> Vec<&natter_core::RoomMessage> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::GroupMessage(m) => Some(m),
            _ => None,
        })
        .collect()
}

pub fn occupants(events: &[Event]) -> Vec<&natter_core::OccupantUpdate> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Occupant(o) => Some(o),
            _ => None,
        })
        .collect()
}
