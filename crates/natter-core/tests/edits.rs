//! XEP-0308 corrections, XEP-0424 retractions, XEP-0444 reactions and XEP-0461 replies (with
//! XEP-0428 fallbacks), in and out, live and as carbon and archive copies. Whether an edit may
//! apply is the store's decision (natter-store/tests/edits.rs); here: what the wire says is
//! read faithfully, hostile input does not panic or leak, and what we send is complete.

mod common;

use common::archive::*;
use common::*;
use minidom::Element;
use natter_core::edits::{Edits, ReactionSet, Reply, RETRACT_FALLBACK};
use natter_core::{ChatMessage, Command, Direction, Event, MessageExt};

const ROMEO: &str = "romeo@example.net/orchard";
const ME: &str = "user@example.org/natter";
const REPLY: &str = "urn:xmpp:reply:0";
const FALLBACK: &str = "urn:xmpp:fallback:0";
const RETRACT: &str = "urn:xmpp:message-retract:1";
const REACTIONS: &str = "urn:xmpp:reactions:0";

fn one_message(out: &Output) -> ChatMessage {
    match out.events.as_slice() {
        [Event::Message(m)] => m.clone(),
        other => panic!("expected one message, got {other:?}"),
    }
}

fn sent(out: &Output) -> ChatMessage {
    match out.events.as_slice() {
        [Event::MessageSent(m)] => m.clone(),
        other => panic!("expected MessageSent, got {other:?}"),
    }
}

fn bare_message(from: &str, id: &str, payload: &str) -> String {
    format!(
        r#"<message xmlns="jabber:client" type="chat" from="{from}" to="{ME}" id="{id}">{payload}</message>"#
    )
}

#[test]
fn incoming_correction_names_the_original() {
    let mut h = Harness::online();
    let out = h.feed(&chat(
        ROMEO,
        ME,
        "m2",
        "Hello, world",
        r#"<replace xmlns="urn:xmpp:message-correct:0" id="m1"/>"#,
    ));
    let m = one_message(&out);
    assert_eq!(m.id, "m2");
    assert_eq!(m.body, "Hello, world");
    assert_eq!(m.direction, Direction::Incoming);
    assert_eq!(m.ext.edits.replace.as_deref(), Some("m1"));
    assert!(m.ext.edits.is_edit());
    // An empty id names nothing.
    let out = h.feed(&chat(
        ROMEO,
        ME,
        "m3",
        "x",
        r#"<replace xmlns="urn:xmpp:message-correct:0" id=""/>"#,
    ));
    assert_eq!(one_message(&out).ext.edits.replace, None);
}

#[test]
fn retractions_both_versions_and_without_body() {
    let mut h = Harness::online();
    let out = h.feed(&bare_message(
        ROMEO,
        "r1",
        &format!(r#"<retract xmlns="{RETRACT}" id="m1"/><fallback xmlns="{FALLBACK}" for="{RETRACT}"/><store xmlns="urn:xmpp:hints"/>"#),
    ));
    let m = one_message(&out);
    assert_eq!(m.ext.edits.retract.as_deref(), Some("m1"));
    assert_eq!(m.body, "");
    // slixmpp 1.8 / older Conversations: version 0 inside a fastening, with a fallback body.
    let out = h.feed(&chat(
        ROMEO,
        ME,
        "r2",
        "This person attempted to retract a previous message",
        r#"<apply-to xmlns="urn:xmpp:fasten:0" id="m7"><retract xmlns="urn:xmpp:message-retract:0"/></apply-to><fallback xmlns="urn:xmpp:fallback:0"/>"#,
    ));
    assert_eq!(one_message(&out).ext.edits.retract.as_deref(), Some("m7"));
    // A fastening of something else is not a retraction; without a body it is nothing.
    let out = h.feed(&bare_message(
        ROMEO,
        "r3",
        r#"<apply-to xmlns="urn:xmpp:fasten:0" id="m7"><other xmlns="urn:example"/></apply-to>"#,
    ));
    assert!(messages(&out.events).is_empty(), "{out:?}");
}

#[test]
fn reactions_are_checked_and_bounded() {
    let mut h = Harness::online();
    let many: String = (0..40)
        .map(|i| format!("<reaction>r{i}</reaction>"))
        .collect();
    let hostile = format!(
        r#"<reactions xmlns="{REACTIONS}" id="m1"><reaction>👍</reaction><reaction>👍</reaction><reaction>a&#x202E;b</reaction><reaction>{}</reaction><reaction>   </reaction><reaction>x&#10;y</reaction>{many}</reactions>"#,
        "z".repeat(33)
    );
    let out = h.feed(&bare_message(ROMEO, "x1", &hostile));
    let m = one_message(&out);
    let set = m.ext.edits.react.expect("a reaction set");
    assert_eq!(set.id, "m1");
    assert_eq!(set.reactions.len(), 20);
    assert_eq!(set.reactions[0], "👍");
    assert_eq!(set.reactions[1], "r0");
    assert!(set.reactions.iter().all(|r| r.chars().count() <= 32));
    // The empty set removes every reaction: it must come through.
    let out = h.feed(&bare_message(
        ROMEO,
        "x2",
        &format!(r#"<reactions xmlns="{REACTIONS}" id="m1"/>"#),
    ));
    let set = one_message(&out).ext.edits.react.expect("an empty set");
    assert!(set.reactions.is_empty());
    // A chat state alone is still no message for the store.
    let out = h.feed(&bare_message(
        ROMEO,
        "x3",
        r#"<active xmlns="http://jabber.org/protocol/chatstates"/>"#,
    ));
    assert!(messages(&out.events).is_empty(), "{out:?}");
}

#[test]
fn reply_fallback_is_cut_out_and_quoted() {
    let mut h = Harness::online();
    let body = "> Anna wrote:\n> We should bake a cake\nGreat idea!";
    let end = "> Anna wrote:\n> We should bake a cake\n".chars().count();
    let out = h.feed(&chat(
        ROMEO,
        ME,
        "m2",
        body,
        &format!(r#"<reply xmlns="{REPLY}" to="anna@example.com/tablet" id="m1"/><fallback xmlns="{FALLBACK}" for="{REPLY}"><body start="0" end="{end}"/></fallback>"#),
    ));
    let m = one_message(&out);
    assert_eq!(m.body, "Great idea!");
    assert!(!m.ext.edits.is_edit());
    let reply = m.ext.edits.reply.expect("a reply");
    assert_eq!(reply.id, "m1");
    assert_eq!(reply.to.unwrap().to_string(), "anna@example.com/tablet");
    assert_eq!(
        reply.quote.as_deref(),
        Some("Anna wrote:\nWe should bake a cake")
    );
    assert_eq!(reply.fallback, None, "the range described the wire body");
}

#[test]
fn reply_fallback_offsets_count_code_points() {
    let mut h = Harness::online();
    // "> é🎂\n" is 5 code points, 9 bytes.
    let out = h.feed(&chat(
        ROMEO,
        ME,
        "m2",
        "> é🎂\nyes",
        &format!(r#"<reply xmlns="{REPLY}" id="m1"/><fallback xmlns="{FALLBACK}" for="{REPLY}"><body start="0" end="5"/></fallback>"#),
    ));
    let m = one_message(&out);
    assert_eq!(m.body, "yes");
    assert_eq!(m.ext.edits.reply.unwrap().quote.as_deref(), Some("é🎂"));
}

#[test]
fn hostile_fallback_offsets_leave_the_body_whole() {
    let mut h = Harness::online();
    let body = "> é🎂\nyes";
    for (start, end) in [
        ("0", "99"),
        ("4", "2"),
        ("18446744073709551615", "18446744073709551615"),
        ("99999999999999999999999", "1"),
        ("-1", "3"),
        ("x", "3"),
        ("0", "10"),
    ] {
        let out = h.feed(&chat(
            ROMEO,
            ME,
            "m2",
            body,
            &format!(r#"<reply xmlns="{REPLY}" id="m1"/><fallback xmlns="{FALLBACK}" for="{REPLY}"><body start="{start}" end="{end}"/></fallback>"#),
        ));
        let m = one_message(&out);
        assert_eq!(m.body, body, "{start}..{end}");
        let reply = m.ext.edits.reply.expect("still a reply");
        assert_eq!(reply.quote, None, "{start}..{end}");
    }
    // A fallback for something else is not cut out.
    let out = h.feed(&chat(
        ROMEO,
        ME,
        "m3",
        body,
        &format!(r#"<reply xmlns="{REPLY}" id="m1"/><fallback xmlns="{FALLBACK}" for="urn:example"><body start="0" end="5"/></fallback>"#),
    ));
    assert_eq!(one_message(&out).body, body);
}

#[test]
fn correction_goes_out_with_replace() {
    let mut h = Harness::online();
    let out = h.command(Command::Correct {
        to: "romeo@example.net".parse().unwrap(),
        id: "m1".into(),
        new_id: "m2".into(),
        body: "fixed".into(),
    });
    let stanza = out.only_frame();
    assert_eq!(stanza.attr("id"), Some("m2"));
    assert_eq!(child(stanza, "body", CLIENT).text(), "fixed");
    assert_eq!(
        child(stanza, "replace", "urn:xmpp:message-correct:0").attr("id"),
        Some("m1")
    );
    let m = sent(&out);
    assert_eq!((m.id.as_str(), m.body.as_str()), ("m2", "fixed"));
    assert_eq!(m.ext.edits.replace.as_deref(), Some("m1"));
}

#[test]
fn retraction_goes_out_with_fallback_and_store_hint() {
    let mut h = Harness::online();
    let out = h.command(Command::Retract {
        to: "romeo@example.net".parse().unwrap(),
        id: "m1".into(),
    });
    let stanza = out.only_frame();
    assert_eq!(child(stanza, "retract", RETRACT).attr("id"), Some("m1"));
    assert_eq!(
        child(stanza, "fallback", FALLBACK).attr("for"),
        Some(RETRACT)
    );
    child(stanza, "store", "urn:xmpp:hints");
    assert_eq!(child(stanza, "body", CLIENT).text(), RETRACT_FALLBACK);
    // Version 0 as well, for the clients that know only it.
    let fastening = child(stanza, "apply-to", "urn:xmpp:fasten:0");
    assert_eq!(fastening.attr("id"), Some("m1"));
    assert!(fastening.has_child("retract", "urn:xmpp:message-retract:0"));
    // Nothing to confirm: no receipt request, not markable.
    assert!(!stanza.has_child("request", "urn:xmpp:receipts"));
    assert!(!stanza.has_child("markable", "urn:xmpp:chat-markers:0"));
    assert_eq!(sent(&out).ext.edits.retract.as_deref(), Some("m1"));
}

#[test]
fn reactions_go_out_without_body() {
    let mut h = Harness::online();
    let out = h.command(Command::React {
        to: "romeo@example.net".parse().unwrap(),
        id: "m1".into(),
        reactions: vec!["👍".into(), "a\u{202E}".into(), "❤️".into()],
    });
    let stanza = out.only_frame();
    assert!(stanza.get_child("body", CLIENT).is_none());
    let reactions = child(stanza, "reactions", REACTIONS);
    assert_eq!(reactions.attr("id"), Some("m1"));
    let texts: Vec<String> = reactions.children().map(Element::text).collect();
    assert_eq!(texts, ["👍", "❤️"]);
    child(stanza, "store", "urn:xmpp:hints");
    assert!(!stanza.has_child("request", "urn:xmpp:receipts"));
    assert!(!stanza.has_child("markable", "urn:xmpp:chat-markers:0"));
    let m = sent(&out);
    assert_eq!(m.body, "");
    assert_eq!(
        m.ext.edits.react,
        Some(ReactionSet {
            id: "m1".into(),
            reactions: vec!["👍".into(), "a\u{202E}".into(), "❤️".into()],
        }),
        "the store checks what it keeps"
    );
}

#[test]
fn reply_goes_out_with_fallback_and_reads_back() {
    let mut h = Harness::online();
    let ext = MessageExt {
        edits: Box::new(Edits {
            reply: Some(Reply {
                to: Some("romeo@example.net/orchard".parse().unwrap()),
                id: "m1".into(),
                quote: Some("line one\nline two".into()),
                fallback: None,
            }),
            ..Edits::default()
        }),
        ..MessageExt::default()
    };
    let out = h.command(Command::SendMessage {
        to: "romeo@example.net".parse().unwrap(),
        id: "m2".into(),
        body: "answer".into(),
        ext,
    });
    let stanza = out.only_frame().clone();
    let reply = child(&stanza, "reply", REPLY);
    assert_eq!(reply.attr("id"), Some("m1"));
    assert_eq!(reply.attr("to"), Some("romeo@example.net/orchard"));
    let body = child(&stanza, "body", CLIENT).text();
    assert_eq!(body, "> line one\n> line two\nanswer");
    let range = child(child(&stanza, "fallback", FALLBACK), "body", FALLBACK);
    assert_eq!(range.attr("start"), Some("0"));
    assert_eq!(range.attr("end"), Some("22"));
    // What we show is the plain text.
    assert_eq!(sent(&out).body, "answer");
    // The same stanza, received, reads back as the same reply.
    let incoming =
        String::from(&stanza).replacen("<message ", &format!(r#"<message from="{ROMEO}" "#), 1);
    let out = h.feed(&incoming);
    let m = one_message(&out);
    assert_eq!(m.body, "answer");
    assert_eq!(
        m.ext.edits.reply.unwrap().quote.as_deref(),
        Some("line one\nline two")
    );
}

#[test]
fn carbon_and_archive_copies_keep_their_edits() {
    let mut h = online_with_carbons();
    // Our other device corrected a message: outgoing, so it may apply to ours.
    let inner = chat(
        "user@example.org/phone",
        "romeo@example.net",
        "c2",
        "fixed on the phone",
        r#"<replace xmlns="urn:xmpp:message-correct:0" id="c1"/>"#,
    );
    let out = h.feed(&carbon("sent", Some(OWN), &inner));
    let m = one_message(&out);
    assert_eq!(m.direction, Direction::Outgoing);
    assert_eq!(m.ext.edits.replace.as_deref(), Some("c1"));
    // A forged carbon of a correction is dropped before it is read.
    let out = h.feed(&carbon("sent", Some("mallory@evil.example"), &inner));
    assert!(
        matches!(out.events.as_slice(), [Event::Dropped { .. }]),
        "{out:?}"
    );
    // A body-less reaction from the archive.
    let q = catch_up(&mut h, None);
    let inner = format!(
        r#"<message xmlns="jabber:client" type="chat" from="{ROMEO}" to="{OWN}" id="x9"><reactions xmlns="{REACTIONS}" id="c1"><reaction>🙏</reaction></reactions></message>"#
    );
    let out = h.feed(&result(
        Some(OWN),
        &q.queryid,
        "a-9",
        "2024-01-01T10:00:00Z",
        &inner,
    ));
    let m = one_message(&out);
    assert!(m.archived);
    assert_eq!(m.direction, Direction::Incoming);
    assert_eq!(m.ext.edits.react.unwrap().reactions, ["🙏"]);
}

#[test]
fn someone_elses_correction_is_filed_under_them() {
    // The store applies an incoming correction only to the same peer's messages; the core
    // must therefore never file a message under anyone but its sender.
    let mut h = Harness::online();
    let out = h.feed(&chat(
        "mallory@evil.example/x",
        ME,
        "e1",
        "pwned",
        r#"<replace xmlns="urn:xmpp:message-correct:0" id="m1"/>"#,
    ));
    let m = one_message(&out);
    assert_eq!(m.peer.to_string(), "mallory@evil.example");
    assert_eq!(m.direction, Direction::Incoming);
}

#[test]
fn edits_wait_for_sign_in() {
    let mut config = config();
    config.secure_transport = true;
    let mut h = Harness::new(config);
    h.connect();
    let out = h.command(Command::React {
        to: "romeo@example.net".parse().unwrap(),
        id: "m1".into(),
        reactions: vec!["👍".into()],
    });
    assert!(out.frames.is_empty() && out.events.is_empty(), "{out:?}");
    h.feed(SERVER_OPEN);
    h.feed(&features(&["PLAIN"]));
    h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    h.feed(SERVER_OPEN);
    let bind = h.feed(BIND_FEATURES);
    let id = bind.only_frame().attr("id").unwrap().to_owned();
    let mut out = h.feed(&bind_result(&id, FULL_JID));
    h.answer_roster(&mut out);
    let reaction = out
        .frames
        .iter()
        .find(|f| f.is("message", CLIENT))
        .expect("the reaction once online");
    assert_eq!(
        child(reaction, "reactions", REACTIONS).attr("id"),
        Some("m1")
    );
}
