//! XEP-0191 blocking transcripts: the blocklist fetched when our server offers it, our
//! changes, the server's pushes, and pushes from anyone else thrown away.

mod common;

use common::archive::*;
use common::*;
use natter_core::jid::Jid;
use natter_core::{Command, Event};

const BLOCKING: &str = "urn:xmpp:blocking";

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

/// Online on a server that offers blocking, with the blocklist fetch's id.
fn online_offering_blocking() -> (Harness, String) {
    let (mut h, login) = online_with_login();
    let id = server_disco(&login).unwrap().attr("id").unwrap().to_owned();
    let out = h.feed(&disco_answer(&id, "example.org", &[DISCO_INFO, BLOCKING]));
    // Other features may ask the server things of their own after its disco#info.
    let gets: Vec<_> = out
        .frames
        .iter()
        .filter(|f| f.has_child("blocklist", BLOCKING))
        .collect();
    assert_eq!(gets.len(), 1, "{out:?}");
    let get = gets[0];
    assert_eq!(iq_type(get), Some("get"));
    // To our own account: no `to`.
    assert_eq!(get.attr("to"), None);
    assert!(child(get, "blocklist", BLOCKING)
        .children()
        .next()
        .is_none());
    (h, get.attr("id").unwrap().to_owned())
}

fn online_with_blocklist(items: &[&str]) -> Harness {
    let (mut h, id) = online_offering_blocking();
    let items: String = items
        .iter()
        .map(|j| format!(r#"<item jid="{j}"/>"#))
        .collect();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"><blocklist xmlns="urn:xmpp:blocking">{items}</blocklist></iq>"#
    ));
    assert!(
        matches!(out.events.as_slice(), [Event::BlockList(_)]),
        "{out:?}"
    );
    h
}

fn push(from: Option<&str>, id: &str, inner: &str) -> String {
    let from = from.map(|f| format!(r#" from="{f}""#)).unwrap_or_default();
    format!(r#"<iq xmlns="jabber:client" type="set" id="{id}"{from} to="{FULL_JID}">{inner}</iq>"#)
}

#[test]
fn the_blocklist_is_fetched_when_the_server_offers_it() {
    let (mut h, id) = online_offering_blocking();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"><blocklist xmlns="urn:xmpp:blocking"><item jid="romeo@example.net"/><item jid="spam.example"/></blocklist></iq>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::BlockList(vec![
            jid("romeo@example.net"),
            jid("spam.example")
        ])]
    );
}

#[test]
fn an_empty_blocklist_still_says_blocking_works() {
    let (mut h, id) = online_offering_blocking();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#
    ));
    assert_eq!(out.events, vec![Event::BlockList(vec![])]);
}

#[test]
fn nothing_is_fetched_when_the_server_does_not_offer_it() {
    let (mut h, login) = online_with_login();
    let id = server_disco(&login).unwrap().attr("id").unwrap().to_owned();
    let out = h.feed(&disco_answer(&id, "example.org", &[DISCO_INFO]));
    assert!(
        !out.frames
            .iter()
            .any(|f| f.has_child("blocklist", BLOCKING)),
        "{out:?}"
    );
    assert!(out.events.is_empty(), "{out:?}");
}

#[test]
fn block_and_unblock_are_sent_and_answered() {
    let mut h = online_with_blocklist(&[]);
    let out = h.command(Command::Block {
        jid: jid("spammer@evil.example"),
    });
    let set = out.only_frame();
    assert_eq!(iq_type(set), Some("set"));
    assert_eq!(set.attr("to"), None);
    let items: Vec<_> = child(set, "block", BLOCKING)
        .children()
        .map(|i| i.attr("jid").unwrap().to_owned())
        .collect();
    assert_eq!(items, ["spammer@evil.example"]);
    let id = set.attr("id").unwrap();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::Blocked(vec![jid("spammer@evil.example")])]
    );

    let out = h.command(Command::Unblock {
        jid: jid("spammer@evil.example"),
    });
    let set = out.only_frame();
    assert!(set.has_child("unblock", BLOCKING));
    let id = set.attr("id").unwrap();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}" from="{OWN}"/>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::Unblocked(vec![jid("spammer@evil.example")])]
    );
}

#[test]
fn pushes_from_our_account_are_applied_and_answered() {
    let mut h = online_with_blocklist(&["a@example.net"]);
    for from in [None, Some(OWN)] {
        let out = h.feed(&push(
            from,
            "p1",
            r#"<block xmlns="urn:xmpp:blocking"><item jid="b@example.net"/></block>"#,
        ));
        assert_eq!(out.events, vec![Event::Blocked(vec![jid("b@example.net")])]);
        let reply = out.only_frame();
        assert_eq!(iq_type(reply), Some("result"));
        assert_eq!(reply.attr("id"), Some("p1"));
    }
    let out = h.feed(&push(
        Some(OWN),
        "p2",
        r#"<unblock xmlns="urn:xmpp:blocking"><item jid="a@example.net"/></unblock>"#,
    ));
    assert_eq!(
        out.events,
        vec![Event::Unblocked(vec![jid("a@example.net")])]
    );
    // An unblock without items is "unblock everyone" (XEP-0191 §3.5).
    let out = h.feed(&push(None, "p3", r#"<unblock xmlns="urn:xmpp:blocking"/>"#));
    assert_eq!(out.events, vec![Event::Unblocked(vec![])]);
}

#[test]
fn pushes_from_anyone_else_are_dropped() {
    let mut h = online_with_blocklist(&["a@example.net"]);
    for stranger in [
        "mallory@evil.example",
        "user@example.org/phone",
        "example.org.evil",
        "a@example.net",
    ] {
        let out = h.feed(&push(
            Some(stranger),
            "x1",
            r#"<unblock xmlns="urn:xmpp:blocking"/>"#,
        ));
        let reply = out.only_frame();
        assert_eq!(iq_type(reply), Some("error"), "{stranger}");
        assert!(child(reply, "error", CLIENT).has_child("service-unavailable", STANZAS));
        assert!(
            matches!(out.events.as_slice(), [Event::Dropped { from: Some(f), .. }] if *f == jid(stranger)),
            "{stranger}: {out:?}"
        );
    }
}

#[test]
fn a_push_with_a_malformed_item_changes_nothing() {
    let mut h = online_with_blocklist(&[]);
    let out = h.feed(&push(
        None,
        "m1",
        r#"<block xmlns="urn:xmpp:blocking"><item jid="@@"/><item jid="ok@example.net"/></block>"#,
    ));
    assert!(
        !out.events.iter().any(|e| matches!(e, Event::Blocked(_))),
        "{out:?}"
    );
}

#[test]
fn failures_are_told_in_plain_words() {
    let mut h = online_with_blocklist(&[]);
    let out = h.command(Command::Block {
        jid: jid("juliet@example.com"),
    });
    let id = out.only_frame().attr("id").unwrap().to_owned();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="error" id="{id}"><error type="cancel"><not-allowed xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::RequestFailed {
            what: "Could not block juliet@example.com".into(),
            reason: "this is not allowed".into(),
        }]
    );

    h.command(Command::Unblock {
        jid: jid("juliet@example.com"),
    });
    h.advance(120_000);
    let out = h.timeout();
    assert!(
        out.events.contains(&Event::RequestFailed {
            what: "Could not unblock juliet@example.com".into(),
            reason: "the server did not answer in time".into(),
        }),
        "{out:?}"
    );
}

#[test]
fn blocking_before_sign_in_is_refused() {
    let mut h = Harness::new(config());
    h.connect();
    let out = h.command(Command::Block {
        jid: jid("juliet@example.com"),
    });
    assert!(out.frames.is_empty());
    assert_eq!(
        out.events,
        vec![Event::RequestFailed {
            what: "Could not block juliet@example.com".into(),
            reason: "you are not signed in yet".into(),
        }]
    );
}
