//! Online transcripts: messages, the IQs we answer, commands before online and sign-out.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::*;
use natter_core::{ChatMessage, Command, Direction, Event, SessionState};
use sasl::common::scram::{ScramProvider, Sha1};

const DISCO_INFO: &str = "http://jabber.org/protocol/disco#info";

// ---- messages ----

#[test]
fn message_in() {
    let mut h = Harness::online();
    let out = h.feed(
        r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/orchard" to="user@example.org/natter" id="m1"><body>Art thou not Romeo?</body></message>"#,
    );
    assert_eq!(
        out.events,
        vec![Event::Message(ChatMessage {
            id: "m1".into(),
            direction: Direction::Incoming,
            peer: "romeo@example.net".parse().unwrap(),
            from: "romeo@example.net/orchard".parse().unwrap(),
            body: "Art thou not Romeo?".into(),
            delayed: None,
            stanza_id: None,
            origin_id: None,
            archived: false,
            ext: Default::default(),
        })]
    );
}

#[test]
fn message_in_delayed_without_type_and_id() {
    let mut h = Harness::online();
    let out = h.feed(
        r#"<message xmlns="jabber:client" from="romeo@example.net/orchard"><body>Offline</body><delay xmlns="urn:xmpp:delay" from="example.net" stamp="2002-09-10T23:08:25Z"/></message>"#,
    );
    let [Event::Message(m)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(m.delayed.as_deref(), Some("2002-09-10T23:08:25+00:00"));
    assert!(!m.id.is_empty(), "a generated id");
    let out = h.feed(r#"<message xmlns="jabber:client" from="romeo@example.net/orchard"><body>Again</body></message>"#);
    let [Event::Message(m2)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_ne!(m.id, m2.id);
}

#[test]
fn messages_we_ignore() {
    let mut h = Harness::online();
    for frame in [
        r#"<message xmlns="jabber:client" type="headline" from="news.example.net"><body>news</body></message>"#,
        // No from: our own account, not a chat.
        r#"<message xmlns="jabber:client" type="chat"><body>from nowhere</body></message>"#,
    ] {
        let out = h.feed(frame);
        assert!(
            out.events.is_empty() && out.frames.is_empty(),
            "{frame}: {out:?}"
        );
    }
    // No body: a chat state, for the chat's header only (tests/awareness.rs).
    let out = h.feed(
        r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/o"><active xmlns="http://jabber.org/protocol/chatstates"/></message>"#,
    );
    assert!(out.frames.is_empty(), "{out:?}");
    assert!(
        matches!(out.events.as_slice(), [Event::Awareness(_)]),
        "{out:?}"
    );
}

#[test]
fn message_out_and_its_bounce() {
    let mut h = Harness::online();
    let id = h.client.next_id();
    let out = h.command(Command::SendMessage {
        to: "juliet@example.com".parse().unwrap(),
        id: id.clone(),
        body: "Wherefore art thou?".into(),
        ext: Default::default(),
    });
    let m = out.only_frame();
    assert!(m.is("message", CLIENT));
    assert_eq!(m.attr("type"), Some("chat"));
    assert_eq!(m.attr("to"), Some("juliet@example.com"));
    assert_eq!(m.attr("id"), Some(id.as_str()));
    assert_eq!(child(m, "body", CLIENT).text(), "Wherefore art thou?");
    assert_eq!(
        child(m, "origin-id", "urn:xmpp:sid:0").attr("id"),
        Some(id.as_str())
    );
    assert_eq!(
        out.events,
        vec![Event::MessageSent(ChatMessage {
            id: id.clone(),
            direction: Direction::Outgoing,
            peer: "juliet@example.com".parse().unwrap(),
            from: FULL_JID.parse().unwrap(),
            body: "Wherefore art thou?".into(),
            delayed: None,
            stanza_id: None,
            origin_id: Some(id.clone()),
            archived: false,
            ext: Default::default(),
        })]
    );

    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="error" from="juliet@example.com" id="{id}"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::MessageFailed {
            id: id.clone(),
            peer: "juliet@example.com".parse().unwrap(),
            reason: "the service is not available".into(),
        }]
    );
    // A stranger cannot fail our messages.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="error" from="mallory@evil.example" id="{id}"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>"#
    ));
    assert!(
        matches!(out.events.as_slice(), [Event::Dropped { .. }]),
        "{out:?}"
    );
}

// ---- IQs we answer ----

#[test]
fn ping_reply() {
    let mut h = Harness::online();
    let out = h.feed(r#"<iq xmlns="jabber:client" type="get" id="p1" from="example.org"><ping xmlns="urn:xmpp:ping"/></iq>"#);
    let reply = out.only_frame();
    assert_eq!(iq_type(reply), Some("result"));
    assert_eq!(reply.attr("id"), Some("p1"));
    assert_eq!(reply.attr("to"), Some("example.org"));
    assert_eq!(reply.children().count(), 0);
    assert!(out.events.is_empty());
}

#[test]
fn disco_info_matches_advertised_caps() {
    let (mut h, mut login) = Harness::login_plain(config());
    h.answer_roster(&mut login);
    let presence = login
        .frames
        .iter()
        .find(|f| f.is("presence", CLIENT))
        .unwrap();
    let c = child(presence, "c", CAPS);
    let (node, ver) = (
        c.attr("node").unwrap().to_owned(),
        c.attr("ver").unwrap().to_owned(),
    );

    // Independently of the core: XEP-0115 §5.1 over what we expect to advertise.
    let s = "client/web//Natter<http://jabber.org/protocol/caps<http://jabber.org/protocol/chatstates<http://jabber.org/protocol/disco#info<http://jabber.org/protocol/muc<http://jabber.org/protocol/nick+notify<jabber:x:conference<storage:bookmarks+notify<urn:xmpp:avatar:metadata+notify<urn:xmpp:bookmarks:1+notify<urn:xmpp:chat-markers:0<urn:xmpp:message-correct:0<urn:xmpp:message-retract:1<urn:xmpp:ping<urn:xmpp:reactions:0<urn:xmpp:receipts<urn:xmpp:reply:0<urn:xmpp:styling:0<";
    assert_eq!(ver, STANDARD.encode(Sha1::hash(s.as_bytes())));

    for query_node in [None, Some(format!("{node}#{ver}"))] {
        let attr = query_node
            .as_ref()
            .map(|n| format!(r#" node="{n}""#))
            .unwrap_or_default();
        let out = h.feed(&format!(
            r#"<iq xmlns="jabber:client" type="get" id="d1" from="romeo@example.net/orchard"><query xmlns="http://jabber.org/protocol/disco#info"{attr}/></iq>"#
        ));
        let reply = out.only_frame();
        assert_eq!(iq_type(reply), Some("result"));
        assert_eq!(reply.attr("to"), Some("romeo@example.net/orchard"));
        let query = child(reply, "query", DISCO_INFO);
        assert_eq!(query.attr("node"), query_node.as_deref());
        let identity = child(query, "identity", DISCO_INFO);
        assert_eq!(
            (identity.attr("category"), identity.attr("type")),
            (Some("client"), Some("web"))
        );
        let mut features: Vec<_> = query
            .children()
            .filter(|c| c.name() == "feature")
            .filter_map(|f| f.attr("var"))
            .collect();
        features.sort_unstable();
        assert_eq!(
            features,
            vec![
                CAPS,
                "http://jabber.org/protocol/chatstates",
                DISCO_INFO,
                "http://jabber.org/protocol/muc",
                "http://jabber.org/protocol/nick+notify",
                "jabber:x:conference",
                "storage:bookmarks+notify",
                "urn:xmpp:avatar:metadata+notify",
                "urn:xmpp:bookmarks:1+notify",
                "urn:xmpp:chat-markers:0",
                "urn:xmpp:message-correct:0",
                "urn:xmpp:message-retract:1",
                "urn:xmpp:ping",
                "urn:xmpp:reactions:0",
                "urn:xmpp:receipts",
                "urn:xmpp:reply:0",
                "urn:xmpp:styling:0"
            ]
        );
        // Hashing what we answered gives what we advertised.
        let info = xmpp_parsers::disco::DiscoInfoResult::try_from(query.clone()).unwrap();
        let hash = xmpp_parsers::caps::hash_caps(
            &xmpp_parsers::caps::compute_disco(&info),
            xmpp_parsers::hashes::Algo::Sha_1,
        )
        .unwrap();
        assert_eq!(STANDARD.encode(hash.hash), ver);
    }

    let out = h.feed(r#"<iq xmlns="jabber:client" type="get" id="d2" from="romeo@example.net/orchard"><query xmlns="http://jabber.org/protocol/disco#info" node="urn:other#x"/></iq>"#);
    let reply = out.only_frame();
    assert_eq!(iq_type(reply), Some("error"));
    assert!(child(reply, "error", CLIENT).has_child("item-not-found", STANZAS));
}

#[test]
fn unknown_iq_gets_service_unavailable() {
    let mut h = Harness::online();
    for (type_, payload) in [
        ("get", r#"<query xmlns="jabber:iq:version"/>"#),
        ("set", r#"<block xmlns="urn:xmpp:blocking"/>"#),
    ] {
        let out = h.feed(&format!(
            r#"<iq xmlns="jabber:client" type="{type_}" id="u1" from="romeo@example.net/orchard">{payload}</iq>"#
        ));
        let reply = out.only_frame();
        assert_eq!(iq_type(reply), Some("error"));
        assert_eq!(reply.attr("id"), Some("u1"));
        assert_eq!(reply.attr("to"), Some("romeo@example.net/orchard"));
        let error = child(reply, "error", CLIENT);
        assert_eq!(error.attr("type"), Some("cancel"));
        assert!(error.has_child("service-unavailable", STANZAS));
    }
}

#[test]
fn results_for_unknown_ids_are_dropped() {
    let mut h = Harness::online();
    for frame in [
        r#"<iq xmlns="jabber:client" type="result" id="nope"/>"#,
        r#"<iq xmlns="jabber:client" type="error" id="nope"><error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#,
    ] {
        let out = h.feed(frame);
        assert!(
            matches!(out.events.as_slice(), [Event::Dropped { from: None, .. }])
                && out.frames.is_empty(),
            "{out:?}"
        );
    }
}

#[test]
fn unparsable_request_gets_bad_request() {
    let mut h = Harness::online();
    // A get must carry exactly one payload.
    let out =
        h.feed(r#"<iq xmlns="jabber:client" type="get" id="b1" from="romeo@example.net/o"/>"#);
    let reply = out.only_frame();
    assert_eq!(iq_type(reply), Some("error"));
    assert!(child(reply, "error", CLIENT).has_child("bad-request", STANZAS));
}

// ---- commands before online, sign-out ----

#[test]
fn commands_before_online() {
    let mut config = config();
    config.secure_transport = true;
    let mut h = Harness::new(config);
    // Before the transport is even up.
    let out = h.command(Command::SendMessage {
        to: "juliet@example.com/balcony".parse().unwrap(),
        id: "early-1".into(),
        body: "first".into(),
        ext: Default::default(),
    });
    assert!(out.frames.is_empty() && out.events.is_empty());
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.command(Command::SendMessage {
        to: "juliet@example.com".parse().unwrap(),
        id: "early-2".into(),
        body: "second".into(),
        ext: Default::default(),
    });
    assert!(out.frames.is_empty() && out.events.is_empty());
    let out = h.command(Command::AddContact {
        jid: "juliet@example.com".parse().unwrap(),
        name: None,
    });
    assert!(out.frames.is_empty());
    assert!(
        matches!(out.events.as_slice(), [Event::RequestFailed { what, .. }] if what.contains("juliet")),
        "{out:?}"
    );

    h.feed(&features(&["PLAIN"]));
    h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    h.feed(SERVER_OPEN);
    let bind = h.feed(BIND_FEATURES);
    let id = bind.only_frame().attr("id").unwrap().to_owned();
    let mut out = h.feed(&bind_result(&id, FULL_JID));
    // Online, but nothing is sent before the roster's answer announces us, and a message
    // written meanwhile waits behind the earlier ones.
    assert!(
        !out.frames.iter().any(|f| f.is("message", CLIENT)),
        "{out:?}"
    );
    let meanwhile = h.command(Command::SendMessage {
        to: "juliet@example.com".parse().unwrap(),
        id: "early-3".into(),
        body: "third".into(),
        ext: Default::default(),
    });
    assert!(meanwhile.frames.is_empty(), "{meanwhile:?}");
    out.frames.extend(meanwhile.frames);
    out.events.extend(meanwhile.events);
    h.answer_roster(&mut out);
    let messages: Vec<_> = out
        .frames
        .iter()
        .filter(|f| f.is("message", CLIENT))
        .collect();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0].attr("id"), Some("early-1"));
    assert_eq!(messages[0].attr("to"), Some("juliet@example.com/balcony"));
    assert_eq!(messages[1].attr("id"), Some("early-2"));
    assert_eq!(messages[2].attr("id"), Some("early-3"));
    // After the roster get and initial presence, in order.
    let first_message = out
        .frames
        .iter()
        .position(|f| f.is("message", CLIENT))
        .unwrap();
    let presence = out
        .frames
        .iter()
        .position(|f| f.is("presence", CLIENT))
        .unwrap();
    assert!(presence < first_message);
    let sent: Vec<_> = out
        .events
        .iter()
        .filter_map(|e| match e {
            Event::MessageSent(m) => Some(m.id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(sent, vec!["early-1", "early-2", "early-3"]);
}

#[test]
fn queued_messages_fail_if_the_session_does() {
    let mut h = Harness::new(config());
    h.connect();
    h.command(Command::SendMessage {
        to: "juliet@example.com".parse().unwrap(),
        id: "q1".into(),
        body: "hi".into(),
        ext: Default::default(),
    });
    h.feed(SERVER_OPEN);
    let out = h.feed(&features(&["PLAIN"]));
    assert!(out.failed().is_some());
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::MessageFailed { id, .. } if id == "q1")),
        "{out:?}"
    );
}

#[test]
fn disconnect_when_online() {
    let mut h = Harness::online();
    let out = h.command(Command::Disconnect);
    assert_eq!(out.frames.len(), 2);
    assert!(out.frames[0].is("presence", CLIENT));
    assert_eq!(out.frames[0].attr("type"), Some("unavailable"));
    assert!(out.closed_cleanly());
    assert_eq!(out.events, vec![Event::StateChanged(SessionState::Closed)]);
    assert_eq!(h.client.state(), SessionState::Closed);
    // The transport then closes: nothing more to say.
    h.client.handle_closed(h.now, None);
    assert!(h.drain().events.is_empty());
}

#[test]
fn disconnect_during_login() {
    let mut h = Harness::new(config());
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.command(Command::Disconnect);
    assert_eq!(out.frames.len(), 1);
    assert!(out.closed_cleanly());
    assert_eq!(out.events, vec![Event::StateChanged(SessionState::Closed)]);
}

#[test]
fn ids_are_unique_and_seeded() {
    let mut a = Harness::new(config());
    let ids: std::collections::HashSet<_> = (0..1000).map(|_| a.client.next_id()).collect();
    assert_eq!(ids.len(), 1000);
    let mut other = config();
    other.entropy = [8; 32];
    let mut b = Harness::new(other);
    let mut c = Harness::new(config());
    let first = c.client.next_id();
    assert_ne!(b.client.next_id(), first);
    assert!(ids.contains(&first), "same entropy, same sequence");
}
