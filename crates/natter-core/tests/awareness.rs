//! XEP-0184 receipts, XEP-0333 chat markers and XEP-0085 chat states: what every message we
//! send asks for, when we answer a receipt request, and whom we believe.

mod common;
mod session_support;

use common::archive::*;
use common::*;
use minidom::Element;
use natter_core::{Awareness, ChatState, Command, Event, MessageExt, RosterItem, Subscription};
use session_support::{login_with, ROSTER_VER_FEATURE};

const RECEIPTS: &str = "urn:xmpp:receipts";
const MARKERS: &str = "urn:xmpp:chat-markers:0";
const STATES: &str = "http://jabber.org/protocol/chatstates";
const HINTS: &str = "urn:xmpp:hints";
const ROMEO: &str = "romeo@example.net/orchard";

/// Online with carbons, and a roster of romeo (`both`), tybalt (`to`: he does not see our
/// presence) and nobody else.
fn online() -> Harness {
    let (mut h, login) = Harness::login_plain(config());
    let roster_id = roster_get_id(&login);
    h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{roster_id}"><query xmlns="jabber:iq:roster"><item jid="romeo@example.net" subscription="both"/><item jid="tybalt@example.net" subscription="to"/></query></iq>"#
    ));
    let id = server_disco(&login).unwrap().attr("id").unwrap().to_owned();
    let out = h.feed(&disco_answer(&id, "example.org", &[DISCO_INFO, CARBONS]));
    // Other features may ask the server things too: answer only the carbons request.
    let enable = out
        .frames
        .iter()
        .find(|f| f.has_child("enable", CARBONS))
        .expect("carbons enabled");
    let id = enable.attr("id").unwrap().to_owned();
    h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#
    ));
    h
}

fn asking(from: &str, id: &str) -> String {
    chat(
        from,
        FULL_JID,
        id,
        "hi",
        r#"<request xmlns="urn:xmpp:receipts"/><markable xmlns="urn:xmpp:chat-markers:0"/>"#,
    )
}

fn receipts_in(frames: &[Element]) -> Vec<(String, String)> {
    frames
        .iter()
        .filter(|f| f.is("message", CLIENT))
        .filter_map(|f| {
            let r = f.get_child("received", RECEIPTS)?;
            Some((
                f.attr("to").unwrap_or_default().to_owned(),
                r.attr("id").unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

fn awareness(events: &[Event]) -> Vec<&Awareness> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Awareness(a) => Some(a),
            _ => None,
        })
        .collect()
}

fn send(h: &mut Harness, id: &str, ext: MessageExt) -> Element {
    let out = h.command(Command::SendMessage {
        to: "romeo@example.net".parse().unwrap(),
        id: id.into(),
        body: "hello".into(),
        ext,
    });
    out.frames
        .into_iter()
        .find(|f| f.is("message", CLIENT))
        .expect("the message")
}

#[test]
fn every_message_asks_for_a_receipt_and_a_marker() {
    let mut h = online();
    let m = send(&mut h, "m1", MessageExt::default());
    assert!(m.has_child("request", RECEIPTS), "{m:?}");
    assert!(m.has_child("markable", MARKERS), "{m:?}");
    assert!(!m.children().any(|c| c.ns() == STATES), "{m:?}");
    let ext = MessageExt {
        chat_state: Some(ChatState::Active),
        ..MessageExt::default()
    };
    let m = send(&mut h, "m2", ext);
    assert!(m.has_child("active", STATES), "{m:?}");
}

#[test]
fn a_contact_who_sees_our_presence_gets_a_receipt() {
    let mut h = online();
    let out = h.feed(&asking(ROMEO, "r1"));
    assert_eq!(receipts_in(&out.frames), vec![(ROMEO.into(), "r1".into())]);
    let receipt = out
        .frames
        .iter()
        .find(|f| f.has_child("received", RECEIPTS));
    assert!(receipt.unwrap().has_child("store", HINTS));
    // The message itself still arrives, flagged.
    let ext = match out.events.as_slice() {
        [Event::Message(m)] => m.ext.clone(),
        other => panic!("{other:?}"),
    };
    assert!(ext.receipt_request && ext.markable);
}

#[test]
fn no_receipt_where_it_would_leak_presence_or_is_not_ours_to_give() {
    let mut h = online();
    // A stranger, and a contact who does not see our presence.
    for from in ["mallory@evil.example/x", "tybalt@example.net/sword"] {
        let out = h.feed(&asking(from, "s1"));
        assert!(receipts_in(&out.frames).is_empty(), "{from}: {out:?}");
    }
    // A message another device of ours received is that device's to answer.
    let out = h.feed(&carbon("received", Some(OWN), &asking(ROMEO, "c1")));
    assert!(receipts_in(&out.frames).is_empty(), "{out:?}");
    // Archive results are history.
    let q = catch_up(&mut h, None);
    let out = h.feed(&result(
        Some(OWN),
        &q.queryid,
        "arch-1",
        "2026-01-01T00:00:00Z",
        &asking(ROMEO, "a1"),
    ));
    assert!(receipts_in(&out.frames).is_empty(), "{out:?}");
    // Errors never.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="error" from="{ROMEO}" id="e1"><body>x</body><request xmlns="urn:xmpp:receipts"/><error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>"#
    ));
    assert!(receipts_in(&out.frames).is_empty(), "{out:?}");
    // And not once the user turned them off.
    h.command(Command::SetReceipts(false));
    let out = h.feed(&asking(ROMEO, "r2"));
    assert!(receipts_in(&out.frames).is_empty(), "{out:?}");
    h.command(Command::SetReceipts(true));
    let out = h.feed(&asking(ROMEO, "r3"));
    assert_eq!(receipts_in(&out.frames).len(), 1, "{out:?}");
}

#[test]
fn receipts_and_markers_from_the_peer_are_reported() {
    let mut h = online();
    send(&mut h, "m1", MessageExt::default());
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="chat" from="{ROMEO}" to="{FULL_JID}"><received xmlns="urn:xmpp:receipts" id="m1"/></message>"#
    ));
    assert_eq!(
        awareness(&out.events),
        vec![&Awareness::Delivered {
            peer: "romeo@example.net".parse().unwrap(),
            id: "m1".into()
        }]
    );
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="chat" from="{ROMEO}" to="{FULL_JID}"><displayed xmlns="urn:xmpp:chat-markers:0" id="m1"/></message>"#
    ));
    assert_eq!(
        awareness(&out.events),
        vec![&Awareness::Displayed {
            peer: "romeo@example.net".parse().unwrap(),
            id: "m1".into()
        }]
    );
}

#[test]
fn a_receipt_from_someone_we_did_not_write_to_is_dropped() {
    let mut h = online();
    send(&mut h, "m1", MessageExt::default());
    for payload in [
        r#"<received xmlns="urn:xmpp:receipts" id="m1"/>"#,
        r#"<displayed xmlns="urn:xmpp:chat-markers:0" id="m1"/>"#,
    ] {
        let out = h.feed(&format!(
            r#"<message xmlns="jabber:client" type="chat" from="mallory@evil.example/x" to="{FULL_JID}">{payload}</message>"#
        ));
        assert!(awareness(&out.events).is_empty(), "{out:?}");
        assert!(
            matches!(out.events.as_slice(), [Event::Dropped { .. }]),
            "{out:?}"
        );
    }
}

#[test]
fn our_displayed_marker_from_another_device_means_read_elsewhere() {
    let mut h = online();
    let inner = r#"<message xmlns="jabber:client" type="chat" from="user@example.org/phone" to="romeo@example.net"><displayed xmlns="urn:xmpp:chat-markers:0" id="r9"/></message>"#;
    let out = h.feed(&carbon("sent", Some(OWN), inner));
    assert_eq!(
        awareness(&out.events),
        vec![&Awareness::ReadElsewhere {
            peer: "romeo@example.net".parse().unwrap(),
            id: "r9".into()
        }]
    );
    // Our other device's receipt to the peer says nothing about our messages.
    let inner = r#"<message xmlns="jabber:client" type="chat" from="user@example.org/phone" to="romeo@example.net"><received xmlns="urn:xmpp:receipts" id="r9"/></message>"#;
    let out = h.feed(&carbon("sent", Some(OWN), inner));
    assert!(awareness(&out.events).is_empty(), "{out:?}");
    // A forged carbon (not from our account) changes nothing.
    let inner = r#"<message xmlns="jabber:client" type="chat" from="user@example.org/phone" to="romeo@example.net"><displayed xmlns="urn:xmpp:chat-markers:0" id="r9"/></message>"#;
    let out = h.feed(&carbon("sent", Some("mallory@evil.example"), inner));
    assert!(awareness(&out.events).is_empty(), "{out:?}");
}

#[test]
fn chat_states_are_reported_live_only() {
    let mut h = online();
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="chat" from="{ROMEO}" to="{FULL_JID}"><composing xmlns="http://jabber.org/protocol/chatstates"/></message>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::Awareness(Awareness::ChatState {
            peer: "romeo@example.net".parse().unwrap(),
            state: ChatState::Composing
        })]
    );
    let q = catch_up(&mut h, None);
    let inner = format!(
        r#"<message xmlns="jabber:client" type="chat" from="{ROMEO}" to="{FULL_JID}"><paused xmlns="http://jabber.org/protocol/chatstates"/></message>"#
    );
    let out = h.feed(&result(
        Some(OWN),
        &q.queryid,
        "arch-2",
        "2026-01-01T00:00:00Z",
        &inner,
    ));
    assert!(awareness(&out.events).is_empty(), "{out:?}");
    // In a group chat message: not a one-to-one state.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="groupchat" from="room@chat.example.org/romeo" to="{FULL_JID}"><composing xmlns="http://jabber.org/protocol/chatstates"/></message>"#
    ));
    assert!(awareness(&out.events).is_empty(), "{out:?}");
}

#[test]
fn chat_state_and_marker_commands_write_their_stanzas() {
    let mut h = online();
    let out = h.command(Command::SendChatState {
        to: "romeo@example.net".parse().unwrap(),
        state: ChatState::Composing,
    });
    let m = out.only_frame();
    assert_eq!(m.attr("to"), Some("romeo@example.net"));
    assert_eq!(m.attr("type"), Some("chat"));
    assert!(m.has_child("composing", STATES) && m.has_child("no-store", HINTS));
    assert!(!m.has_child("body", CLIENT));
    let out = h.command(Command::MarkDisplayed {
        to: "romeo@example.net".parse().unwrap(),
        id: "r1".into(),
    });
    let m = out.only_frame();
    assert_eq!(
        m.get_child("displayed", MARKERS).and_then(|d| d.attr("id")),
        Some("r1")
    );
    assert!(m.has_child("store", HINTS));
}

#[test]
fn chat_states_are_not_queued_while_offline() {
    let mut h = Harness::new(config());
    let out = h.command(Command::SendChatState {
        to: "romeo@example.net".parse().unwrap(),
        state: ChatState::Composing,
    });
    assert!(out.frames.is_empty() && out.events.is_empty(), "{out:?}");
}

#[test]
fn a_cached_roster_the_server_calls_unchanged_still_allows_receipts() {
    let mut c = config();
    c.roster_ver = Some("v7".into());
    c.roster_items = vec![RosterItem {
        jid: "romeo@example.net".parse().unwrap(),
        name: None,
        subscription: Subscription::Both,
        ask: false,
        groups: vec![],
    }];
    let (mut h, out) = login_with(c, ROSTER_VER_FEATURE);
    let id = roster_get_id(&out);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#
    ));
    assert_eq!(out.events, vec![Event::RosterUnchanged]);
    let out = h.feed(&asking(ROMEO, "r1"));
    assert_eq!(receipts_in(&out.frames), vec![(ROMEO.into(), "r1".into())]);
    // Nobody else is in that roster.
    let out = h.feed(&asking("tybalt@example.net/sword", "t1"));
    assert!(receipts_in(&out.frames).is_empty(), "{out:?}");
}
