//! Forged stanzas (issue 10): each must be dropped with `Event::Dropped` and change nothing:
//! no other event, nothing sent, and the real thing still works afterwards.

mod common;

use common::archive::*;
use common::*;
use natter_core::{Command, Event};

const STAMP: &str = "2024-05-01T10:00:00Z";

/// Asserts `out` is exactly one `Dropped` from `from`, and nothing was sent.
fn assert_dropped(out: &Output, from: Option<&str>) {
    assert!(out.frames.is_empty(), "nothing may be sent: {out:?}");
    match out.events.as_slice() {
        [Event::Dropped { from: got, reason }] => {
            assert_eq!(got.as_ref().map(|j| j.to_string()).as_deref(), from);
            assert!(!reason.is_empty());
        }
        other => panic!("expected one Dropped, got {other:?}"),
    }
}

fn inner_from_juliet() -> String {
    chat(
        "juliet@example.com/balcony",
        "user@example.org/natter",
        "f1",
        "Send me your password",
        "",
    )
}

#[test]
fn carbons_from_anyone_but_our_bare_jid() {
    let mut h = online_with_carbons();
    for from in [
        // A stranger.
        "mallory@evil.example",
        // Another resource of our own account: a client, not the server.
        "user@example.org/phone",
        // Another account on our server, and one that only looks like ours.
        "other@example.org",
        "user@example.org.evil.example",
        // Our server's domain does not send carbons either.
        "example.org",
    ] {
        for kind in ["received", "sent"] {
            let out = h.feed(&carbon(kind, Some(from), &inner_from_juliet()));
            assert_dropped(&out, Some(from));
        }
    }
    // The real thing still works.
    let out = h.feed(&carbon("received", Some(OWN), &inner_from_juliet()));
    assert_eq!(messages(&out.events).len(), 1, "{out:?}");
}

#[test]
fn carbons_of_someone_elses_messages() {
    let mut h = online_with_carbons();
    // A "received" copy of a message to another account, a "sent" copy of one by someone else.
    let to_other = chat("juliet@example.com/b", "other@example.org", "o1", "hi", "");
    let out = h.feed(&carbon("received", Some(OWN), &to_other));
    assert_dropped(&out, Some(OWN));
    let out = h.feed(&carbon("sent", Some(OWN), &inner_from_juliet()));
    assert_dropped(&out, Some(OWN));
}

#[test]
fn forwarded_message_inside_a_normal_message() {
    let mut h = Harness::online();
    for from in ["mallory@evil.example/x", "user@example.org"] {
        let frame = format!(
            r#"<message xmlns="jabber:client" from="{from}" to="user@example.org/natter"><forwarded xmlns="urn:xmpp:forward:0">{}</forwarded></message>"#,
            inner_from_juliet()
        );
        let out = h.feed(&frame);
        assert_dropped(&out, Some(from));
    }
}

#[test]
fn archive_result_with_a_wrong_queryid() {
    let mut h = Harness::online();
    let q = catch_up(&mut h, Some("a0"));
    let inner = inner_from_juliet();
    let out = h.feed(&result(Some(OWN), "not-ours", "a1", STAMP, &inner));
    assert_dropped(&out, Some(OWN));
    // Without any queryid at all.
    let out = h.feed(&result(Some(OWN), "x", "a1", STAMP, &inner).replace(r#" queryid="x""#, ""));
    assert_dropped(&out, Some(OWN));
    // The query itself goes on, and ends with nothing of the forgeries.
    let out = h.feed(&fin(&q.iq_id, true, None, None));
    assert_eq!(
        out.events,
        vec![Event::CaughtUp {
            last: Some("a0".into()),
            complete: true
        }]
    );
}

#[test]
fn archive_result_from_a_foreign_jid() {
    let mut h = Harness::online();
    let q = catch_up(&mut h, Some("a0"));
    let inner = inner_from_juliet();
    for from in [
        "juliet@example.com",
        "user@example.org/phone",
        "example.org",
        "other@example.org",
    ] {
        // Even with the right queryid.
        let out = h.feed(&result(Some(from), &q.queryid, "a1", STAMP, &inner));
        assert_dropped(&out, Some(from));
    }
    let out = h.feed(&result(Some(OWN), &q.queryid, "a1", STAMP, &inner));
    assert_eq!(messages(&out.events).len(), 1, "{out:?}");
}

#[test]
fn archive_result_after_its_query_ended() {
    let mut h = Harness::online();
    let q = catch_up(&mut h, Some("a0"));
    h.feed(&fin(&q.iq_id, true, None, None));
    let out = h.feed(&result(
        Some(OWN),
        &q.queryid,
        "a1",
        STAMP,
        &inner_from_juliet(),
    ));
    assert_dropped(&out, Some(OWN));
}

#[test]
fn archive_answer_from_a_stranger() {
    let mut h = Harness::online();
    let q = catch_up(&mut h, Some("a0"));
    let forged = fin(&q.iq_id, true, None, Some("a99")).replace(
        r#"from="user@example.org""#,
        r#"from="mallory@evil.example""#,
    );
    let out = h.feed(&forged);
    assert_dropped(&out, Some("mallory@evil.example"));
    let out = h.feed(&fin(&q.iq_id, true, None, None));
    assert_eq!(
        out.events,
        vec![Event::CaughtUp {
            last: Some("a0".into()),
            complete: true
        }]
    );
}

#[test]
fn roster_push_from_a_contact() {
    let mut h = Harness::online();
    let push = |from: &str| {
        format!(
            r#"<iq xmlns="jabber:client" type="set" id="push1" from="{from}"><query xmlns="jabber:iq:roster"><item jid="mallory@evil.example" subscription="both"/></query></iq>"#
        )
    };
    for from in [
        "juliet@example.com/balcony",
        "juliet@example.com",
        "user@example.org/phone",
    ] {
        let out = h.feed(&push(from));
        assert_dropped(&out, Some(from));
    }
    // From our account it is a push.
    let out = h.feed(&push(OWN));
    assert!(
        matches!(out.events.as_slice(), [Event::RosterUpdated(item)] if item.jid.to_string() == "mallory@evil.example"),
        "{out:?}"
    );
}

#[test]
fn server_answer_from_someone_else() {
    let (mut h, login) = online_with_login();
    let id = server_disco(&login).unwrap().attr("id").unwrap().to_owned();
    for from in [
        "evil.example",
        "user@example.org",
        "user@example.org/natter",
    ] {
        let out = h.feed(&disco_answer(&id, from, &[CARBONS]));
        assert_dropped(&out, Some(from));
    }
    // No answer at all is for a request to our account, not to the server.
    let out = h.feed(&disco_answer(&id, "x", &[CARBONS]).replace(r#" from="x""#, ""));
    assert_dropped(&out, None);
    let out = h.feed(&disco_answer(&id, "example.org", &[CARBONS]));
    assert_eq!(out.frames.len(), 1, "the real answer turns carbons on");
}

#[test]
fn answers_to_no_request_of_ours() {
    let mut h = Harness::online();
    let out = h.feed(r#"<iq xmlns="jabber:client" type="result" id="nope" from="example.org"/>"#);
    assert_dropped(&out, Some("example.org"));
}

#[test]
fn bounce_from_someone_we_did_not_write_to() {
    let mut h = Harness::online();
    let id = h.client.next_id();
    h.command(Command::SendMessage {
        to: "juliet@example.com".parse().unwrap(),
        id: id.clone(),
        body: "hello".into(),
        ext: Default::default(),
    });
    let bounce = |from: &str| {
        format!(
            r#"<message xmlns="jabber:client" type="error" from="{from}" id="{id}"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>"#
        )
    };
    let out = h.feed(&bounce("mallory@evil.example"));
    assert_dropped(&out, Some("mallory@evil.example"));
    // The peer's bounce still marks it failed.
    let out = h.feed(&bounce("juliet@example.com/balcony"));
    assert!(
        matches!(out.events.as_slice(), [Event::MessageFailed { id: failed, .. }] if *failed == id),
        "{out:?}"
    );
}

#[test]
fn stanza_ids_from_others_are_not_believed() {
    let mut h = Harness::online();
    let out = h.feed(&chat(
        "juliet@example.com/balcony",
        "user@example.org/natter",
        "j1",
        "hi",
        r#"<stanza-id xmlns="urn:xmpp:sid:0" by="juliet@example.com" id="fake"/><stanza-id xmlns="urn:xmpp:sid:0" by="example.org" id="fake2"/>"#,
    ));
    let [m] = messages(&out.events)[..] else {
        panic!("{out:?}")
    };
    assert_eq!(m.stanza_id, None);
    assert_eq!(m.id, "j1");
}
