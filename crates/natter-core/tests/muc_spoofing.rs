//! Who may say what in group chat: only rooms we are in send occupant presences and group
//! messages, only the room stamps stanza-ids and (when it announced them) occupant-ids, only
//! the room's archive answers our queries to it, with the room's messages.

mod common;

use common::muc::*;
use common::*;
use natter_core::{Command, Event};

const OTHER_ROOM: &str = "heath@chat.example.org";

fn in_room(offers: Offers) -> Harness {
    let mut h = online();
    joined(&mut h, "thirdwitch", offers);
    h
}

fn dropped(out: &Output) -> bool {
    matches!(out.events.as_slice(), [Event::Dropped { .. }]) && out.frames.is_empty()
}

#[test]
fn presences_of_rooms_we_are_not_in() {
    let mut h = in_room(PLAIN);
    let out = h.feed(&format!(
        r#"<presence xmlns="jabber:client" from="{OTHER_ROOM}/firstwitch" to="{ME}"><x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="owner" role="moderator"/><status code="110"/></x></presence>"#
    ));
    assert!(dropped(&out), "{out:?}");
    // Without the room element it is a contact's presence like any other.
    let out = h.feed(r#"<presence xmlns="jabber:client" from="romeo@example.net/orchard"/>"#);
    assert!(
        matches!(out.events.as_slice(), [Event::Presence(p)] if p.available),
        "{out:?}"
    );
}

#[test]
fn group_chat_and_subjects_only_from_our_rooms() {
    let mut h = in_room(PLAIN);
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="groupchat" from="{OTHER_ROOM}/x" to="{ME}"><body>hi</body></message>"#
    ));
    assert!(dropped(&out), "{out:?}");
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="groupchat" from="{OTHER_ROOM}" to="{ME}"><subject>Ours now</subject></message>"#
    ));
    assert!(dropped(&out), "{out:?}");
    // A user's "group chat" from their own account is no room's either.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="groupchat" from="mallory@evil.example/x" to="{ME}"><subject>{ROOM}</subject></message>"#
    ));
    assert!(dropped(&out), "{out:?}");
}

#[test]
fn a_private_message_from_a_room_we_are_not_in_is_an_ordinary_chat() {
    let mut h = in_room(PLAIN);
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="chat" from="{OTHER_ROOM}/x" to="{ME}" id="c1"><body>hi</body></message>"#
    ));
    assert!(
        matches!(out.events.as_slice(), [Event::Message(m)] if m.id == "c1"),
        "{out:?}"
    );
}

#[test]
fn archive_results_only_from_the_room_asked() {
    let mut h = online();
    let id = start_join(&mut h, "thirdwitch", None);
    let (_, out) = discovered_out(&mut h, &id, MODERN, "thirdwitch");
    h.feed(&self_presence("thirdwitch", None, &[]));
    let query = iq_to(&out, ROOM, "query", MAM);
    let queryid = child(query, "query", MAM)
        .attr("queryid")
        .unwrap()
        .to_owned();
    let result = |from: &str, inner_from: &str| {
        format!(
            r#"<message xmlns="jabber:client" from="{from}" to="{ME}"><result xmlns="urn:xmpp:mam:2" queryid="{queryid}" id="a1"><forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="2024-05-01T10:00:00Z"/><message xmlns="jabber:client" type="groupchat" from="{inner_from}"><body>forged</body></message></forwarded></result></message>"#
        )
    };
    // Another room answering our query to this one.
    let out = h.feed(&result(OTHER_ROOM, &format!("{OTHER_ROOM}/x")));
    assert!(dropped(&out), "{out:?}");
    // An occupant's client (a full JID) posing as the archive.
    let out = h.feed(&result(&format!("{ROOM}/firstwitch"), &format!("{ROOM}/x")));
    assert!(dropped(&out), "{out:?}");
    // The room's archive, but a message that is not the room's.
    let out = h.feed(&result(ROOM, "boss@example.org/desk"));
    assert!(dropped(&out), "{out:?}");
    // The real thing still comes through.
    let out = h.feed(&result(ROOM, &format!("{ROOM}/firstwitch")));
    assert_eq!(group_messages(&out.events).len(), 1, "{out:?}");
}

#[test]
fn stanza_ids_and_occupant_ids_only_from_the_room() {
    let mut h = in_room(MODERN);
    let out = h.feed(&groupchat(
        "firstwitch",
        "m1",
        "hi",
        r#"<stanza-id xmlns="urn:xmpp:sid:0" id="fake" by="mallory@evil.example"/>"#,
    ));
    let m = group_messages(&out.events)[0];
    assert_eq!(m.stanza_id, None);
    // In a room that announced XEP-0421, its stamp is believed (it strips forged ones).
    let out = h.feed(&groupchat(
        "firstwitch",
        "m2",
        "hi",
        r#"<occupant-id xmlns="urn:xmpp:occupant-id:0" id="oid-1"/>"#,
    ));
    assert_eq!(
        group_messages(&out.events)[0].occupant_id.as_deref(),
        Some("oid-1")
    );
    // Someone claiming our occupant-id in a room that did not announce them is not us.
    let mut h = in_room(PLAIN);
    let out = h.feed(&groupchat(
        "impostor",
        "m3",
        "it's me",
        r#"<occupant-id xmlns="urn:xmpp:occupant-id:0" id="our-oid"/>"#,
    ));
    let m = group_messages(&out.events)[0];
    assert!(!m.from_me && m.occupant_id.is_none());
}

#[test]
fn commands_for_rooms_we_are_not_in() {
    let mut h = online();
    let out = h.command(Command::SendGroupMessage {
        room: room(),
        id: "g1".into(),
        body: "anyone?".into(),
    });
    assert!(out.frames.is_empty());
    assert!(matches!(out.events.as_slice(), [Event::MessageFailed { id, .. }] if id == "g1"));
    for command in [
        Command::SetSubject {
            room: room(),
            subject: "x".into(),
        },
        Command::ChangeNick {
            room: room(),
            nick: "x".into(),
        },
    ] {
        let out = h.command(command);
        assert!(out.frames.is_empty());
        assert!(matches!(
            out.events.as_slice(),
            [Event::RequestFailed { .. }]
        ));
    }
    let out = h.command(Command::LeaveRoom { room: room() });
    assert!(out.frames.is_empty() && out.events.is_empty());
}
