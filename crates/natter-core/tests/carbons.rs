//! XEP-0280 carbons transcripts: enabling them, and the copies of what our other devices
//! receive and send. Forged carbons are in spoofing.rs.

mod common;

use common::archive::*;
use common::*;
use natter_core::{ChatMessage, Command, Direction, Event};

#[test]
fn enabled_when_the_server_offers_them() {
    // online_with_carbons asserts the disco#info, the <enable/> and CarbonsEnabled.
    let mut h = online_with_carbons();
    // Nothing of it is left pending: a later timeout reports nothing (frames may be a
    // keepalive).
    h.advance(60_000);
    let out = h.timeout();
    assert!(out.events.is_empty(), "{out:?}");
}

#[test]
fn not_enabled_when_the_server_does_not_offer_them() {
    let (mut h, login) = online_with_login();
    let disco = server_disco(&login).expect("a disco#info query to the server");
    assert!(child(disco, "query", DISCO_INFO).attr("node").is_none());
    let id = disco.attr("id").unwrap().to_owned();
    let out = h.feed(&disco_answer(&id, "example.org", &[DISCO_INFO, MAM]));
    assert!(out.frames.is_empty() && out.events.is_empty(), "{out:?}");
}

#[test]
fn refused_enable_changes_nothing() {
    let (mut h, login) = online_with_login();
    let id = server_disco(&login).unwrap().attr("id").unwrap().to_owned();
    let out = h.feed(&disco_answer(&id, "example.org", &[CARBONS]));
    let id = out.only_frame().attr("id").unwrap().to_owned();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="error" id="{id}"><error type="cancel"><not-allowed xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#
    ));
    assert!(out.frames.is_empty() && out.events.is_empty(), "{out:?}");
}

#[test]
fn received_carbon_is_an_incoming_message() {
    let mut h = online_with_carbons();
    let inner = chat(
        "romeo@example.net/orchard",
        "user@example.org/phone",
        "r1",
        "Art thou there?",
        r#"<origin-id xmlns="urn:xmpp:sid:0" id="r1"/><stanza-id xmlns="urn:xmpp:sid:0" by="romeo@example.net" id="forged"/><stanza-id xmlns="urn:xmpp:sid:0" by="user@example.org" id="arch-7"/>"#,
    );
    let out = h.feed(&carbon("received", Some(OWN), &inner));
    assert_eq!(
        out.events,
        vec![Event::Message(ChatMessage {
            id: "r1".into(),
            direction: Direction::Incoming,
            peer: "romeo@example.net".parse().unwrap(),
            from: "romeo@example.net/orchard".parse().unwrap(),
            body: "Art thou there?".into(),
            delayed: None,
            stanza_id: Some("arch-7".into()),
            origin_id: Some("r1".into()),
            archived: false,
            ext: Default::default(),
        })]
    );
    assert!(out.frames.is_empty());
}

#[test]
fn sent_carbon_is_an_outgoing_message() {
    let mut h = online_with_carbons();
    let inner = chat(
        "user@example.org/phone",
        "juliet@example.com",
        "s1",
        "I sent this from my phone",
        r#"<origin-id xmlns="urn:xmpp:sid:0" id="s1"/>"#,
    );
    // No outer `from` is our own account too.
    let out = h.feed(&carbon("sent", None, &inner));
    let [Event::Message(m)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(m.direction, Direction::Outgoing);
    assert_eq!(m.peer.to_string(), "juliet@example.com");
    assert_eq!(m.from.to_string(), "user@example.org/phone");
    assert_eq!(
        (m.id.as_str(), m.body.as_str()),
        ("s1", "I sent this from my phone")
    );
    assert_eq!(m.origin_id.as_deref(), Some("s1"));
    assert_eq!(m.stanza_id, None);
    assert!(!m.archived);
}

#[test]
fn carbon_delay_is_kept() {
    let mut h = online_with_carbons();
    let inner = chat("romeo@example.net/o", OWN, "d1", "late", "");
    let frame = carbon("received", Some(OWN), &inner).replace(
        r#"<forwarded xmlns="urn:xmpp:forward:0">"#,
        r#"<forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="2024-05-01T10:00:00Z"/>"#,
    );
    let out = h.feed(&frame);
    let [Event::Message(m)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(m.delayed.as_deref(), Some("2024-05-01T10:00:00+00:00"));
}

/// A chat state sent to another of our devices still says what the contact is doing: it is
/// shown, and nothing is sent back.
#[test]
fn a_carbon_of_a_chat_state_is_only_the_chat_state() {
    let mut h = online_with_carbons();
    let inner = r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/o" to="user@example.org/phone"><composing xmlns="http://jabber.org/protocol/chatstates"/></message>"#;
    let out = h.feed(&carbon("received", Some(OWN), inner));
    assert!(out.frames.is_empty(), "{out:?}");
    let [Event::Awareness(natter_core::Awareness::ChatState { peer, state })] =
        out.events.as_slice()
    else {
        panic!("{out:?}")
    };
    assert_eq!(peer.as_str(), "romeo@example.net");
    assert_eq!(*state, natter_core::ChatState::Composing);
}

#[test]
fn carbons_without_a_chat_are_ignored() {
    let mut h = online_with_carbons();
    for inner in [
        // Nothing we know: no body, no chat state.
        r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/o" to="user@example.org/phone"><x xmlns="urn:example:unknown"/></message>"#,
        // A bounce another device got.
        r#"<message xmlns="jabber:client" type="error" from="romeo@example.net" to="user@example.org/phone" id="x"><body>b</body><error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>"#,
    ] {
        let out = h.feed(&carbon("received", Some(OWN), inner));
        assert!(out.events.is_empty() && out.frames.is_empty(), "{out:?}");
    }
}

#[test]
fn our_messages_are_not_private() {
    let mut h = online_with_carbons();
    let out = h.command(Command::SendMessage {
        to: "juliet@example.com".parse().unwrap(),
        id: "p1".into(),
        body: "copy me".into(),
        ext: Default::default(),
    });
    let message = out.only_frame();
    assert!(message.get_child("private", CARBONS).is_none());
    let [Event::MessageSent(m)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(m.origin_id.as_deref(), Some("p1"));
}
