//! XEP-0313 archive transcripts: catch-up (paging forward, the newest page, a lost id, the page
//! limit, failures) and history pages. Forged results are in spoofing.rs.

mod common;

use common::archive::*;
use common::*;
use natter_core::{Command, Direction, Event};

const STAMP: &str = "2024-05-01T10:00:00Z";

fn from_romeo(id: &str, body: &str) -> String {
    chat("romeo@example.net/orchard", OWN, id, body, "")
}

fn to_romeo(id: &str, body: &str) -> String {
    chat(
        "user@example.org/phone",
        "romeo@example.net",
        id,
        body,
        &format!(r#"<origin-id xmlns="urn:xmpp:sid:0" id="{id}"/>"#),
    )
}

#[test]
fn catch_up_pages_forward_from_the_last_id() {
    let mut h = Harness::online();
    let q = catch_up(&mut h, Some("a0"));
    assert!(q.query.get_child("x", DATA).is_none(), "the whole archive");
    assert_eq!(q.rsm("after").as_deref(), Some("a0"));
    assert_eq!(q.rsm("max").as_deref(), Some("100"));
    assert_eq!(q.rsm("before"), None);

    let out = h.feed(&result(
        Some(OWN),
        &q.queryid,
        "a1",
        STAMP,
        &from_romeo("m1", "one"),
    ));
    let [Event::Message(m)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(m.direction, Direction::Incoming);
    assert_eq!(m.peer.to_string(), "romeo@example.net");
    assert_eq!(m.from.to_string(), "romeo@example.net/orchard");
    assert_eq!((m.id.as_str(), m.body.as_str()), ("m1", "one"));
    assert_eq!(m.stanza_id.as_deref(), Some("a1"));
    assert_eq!(m.delayed.as_deref(), Some("2024-05-01T10:00:00+00:00"));
    assert!(m.archived);

    // Our own message, from another device; no `from` on the result is our account too.
    let out = h.feed(&result(
        None,
        &q.queryid,
        "a2",
        STAMP,
        &to_romeo("m2", "two"),
    ));
    let [Event::Message(m)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(m.direction, Direction::Outgoing);
    assert_eq!(m.peer.to_string(), "romeo@example.net");
    assert_eq!(m.origin_id.as_deref(), Some("m2"));
    assert_eq!(m.stanza_id.as_deref(), Some("a2"));

    // More to come: the next page starts after the last one, under a new queryid.
    let out = h.feed(&fin(&q.iq_id, false, Some("a1"), Some("a2")));
    assert!(out.events.is_empty(), "{out:?}");
    let q2 = archive_query(&out);
    assert_ne!(q2.queryid, q.queryid);
    assert_eq!(q2.rsm("after").as_deref(), Some("a2"));

    let out = h.feed(&result(
        Some(OWN),
        &q2.queryid,
        "a3",
        STAMP,
        &from_romeo("m3", "three"),
    ));
    assert_eq!(messages(&out.events).len(), 1);
    let out = h.feed(&fin(&q2.iq_id, true, Some("a3"), Some("a3")));
    assert_eq!(
        out.events,
        vec![Event::CaughtUp {
            last: Some("a3".into()),
            complete: true
        }]
    );
    assert!(out.frames.is_empty());
}

#[test]
fn nothing_new_keeps_the_last_id() {
    let mut h = Harness::online();
    let q = catch_up(&mut h, Some("a9"));
    let out = h.feed(&fin(&q.iq_id, true, None, None));
    assert_eq!(
        out.events,
        vec![Event::CaughtUp {
            last: Some("a9".into()),
            complete: true
        }]
    );
}

#[test]
fn without_an_id_only_the_newest_page_is_fetched() {
    let mut h = Harness::online();
    let q = catch_up(&mut h, None);
    assert_eq!(q.rsm("before").as_deref(), Some(""), "an empty <before/>");
    assert_eq!(q.rsm("after"), None);
    assert_eq!(q.rsm("max").as_deref(), Some("100"));
    for (id, body) in [("n1", "old"), ("n2", "new")] {
        let out = h.feed(&result(
            Some(OWN),
            &q.queryid,
            id,
            STAMP,
            &from_romeo(id, body),
        ));
        assert_eq!(messages(&out.events)[0].body, body);
    }
    // Older messages exist (complete is absent), but the app had nothing: no gap to mark.
    let out = h.feed(&fin(&q.iq_id, false, Some("n1"), Some("n2")));
    assert_eq!(
        out.events,
        vec![Event::CaughtUp {
            last: Some("n2".into()),
            complete: true
        }]
    );
    assert!(out.frames.is_empty(), "no second page");
}

#[test]
fn an_id_the_archive_lost_gives_the_newest_page_and_a_gap() {
    let mut h = Harness::online();
    let q = catch_up(&mut h, Some("gone"));
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="error" id="{}"><error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#,
        q.iq_id
    ));
    assert!(out.events.is_empty(), "{out:?}");
    let newest = archive_query(&out);
    assert_eq!(newest.rsm("before").as_deref(), Some(""));
    assert_eq!(newest.rsm("after"), None);
    let out = h.feed(&result(
        Some(OWN),
        &newest.queryid,
        "z1",
        STAMP,
        &from_romeo("z1", "latest"),
    ));
    assert_eq!(messages(&out.events).len(), 1);
    let out = h.feed(&fin(&newest.iq_id, true, Some("z1"), Some("z1")));
    assert_eq!(
        out.events,
        vec![Event::CaughtUp {
            last: Some("z1".into()),
            complete: false
        }]
    );
}

#[test]
fn catch_up_stops_at_the_page_limit_with_a_gap() {
    let mut h = Harness::online();
    let mut q = catch_up(&mut h, Some("p0"));
    let mut pages = 1;
    let events = loop {
        let id = format!("p{pages}");
        let out = h.feed(&result(
            Some(OWN),
            &q.queryid,
            &id,
            STAMP,
            &from_romeo(&id, "x"),
        ));
        assert_eq!(messages(&out.events).len(), 1);
        let out = h.feed(&fin(&q.iq_id, false, Some(&id), Some(&id)));
        if out.frames.is_empty() {
            break out.events;
        }
        q = archive_query(&out);
        assert_eq!(q.rsm("after"), Some(id));
        pages += 1;
    };
    assert_eq!(pages, 50);
    assert_eq!(
        events,
        vec![Event::CaughtUp {
            last: Some("p50".into()),
            complete: false
        }]
    );
}

#[test]
fn a_page_that_does_not_move_on_ends_the_catch_up() {
    let mut h = Harness::online();
    let q = catch_up(&mut h, Some("s0"));
    // "Not complete" but no <last/> and no results: asking again would loop.
    let out = h.feed(&fin(&q.iq_id, false, None, None));
    assert!(out.frames.is_empty());
    assert_eq!(
        out.events,
        vec![Event::CaughtUp {
            last: Some("s0".into()),
            complete: false
        }]
    );
}

#[test]
fn catch_up_failure_and_timeout_are_gaps_not_alerts() {
    let mut h = Harness::online();
    let q = catch_up(&mut h, Some("f0"));
    let out = h.feed(&result(
        Some(OWN),
        &q.queryid,
        "f1",
        STAMP,
        &from_romeo("f1", "got it"),
    ));
    assert_eq!(messages(&out.events).len(), 1);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="error" id="{}"><error type="wait"><resource-constraint xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#,
        q.iq_id
    ));
    assert_eq!(
        out.events,
        vec![Event::CaughtUp {
            last: Some("f1".into()),
            complete: false
        }]
    );

    let _ = catch_up(&mut h, Some("f1"));
    h.advance(30_000);
    let out = h.timeout();
    assert_eq!(
        out.events,
        vec![Event::CaughtUp {
            last: Some("f1".into()),
            complete: false
        }]
    );
}

#[test]
fn history_page_with_one_contact() {
    let mut h = Harness::online();
    let out = h.command(Command::LoadHistory {
        with: "romeo@example.net".parse().unwrap(),
        before: Some("h9".into()),
        max: 20,
    });
    let q = archive_query(&out);
    assert_eq!(q.rsm("before").as_deref(), Some("h9"));
    assert_eq!(q.rsm("max").as_deref(), Some("20"));
    let form = child(&q.query, "x", DATA);
    assert_eq!(form.attr("type"), Some("submit"));
    let fields: Vec<(Option<&str>, Option<&str>, String)> = form
        .children()
        .map(|f| {
            (
                f.attr("var"),
                f.attr("type"),
                child(f, "value", DATA).text(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            (Some("FORM_TYPE"), Some("hidden"), MAM.to_owned()),
            (Some("with"), None, "romeo@example.net".to_owned()),
        ]
    );

    for (id, inner) in [
        ("h7", from_romeo("m7", "seven")),
        ("h8", to_romeo("m8", "eight")),
    ] {
        let out = h.feed(&result(Some(OWN), &q.queryid, id, STAMP, &inner));
        let [Event::Message(m)] = out.events.as_slice() else {
            panic!("{out:?}")
        };
        assert!(m.archived);
        assert_eq!(m.stanza_id.as_deref(), Some(id));
    }
    let out = h.feed(&fin(&q.iq_id, false, Some("h7"), Some("h8")));
    assert_eq!(
        out.events,
        vec![Event::HistoryPage {
            with: "romeo@example.net".parse().unwrap(),
            first: Some("h7".into()),
            complete: false,
        }]
    );
    assert!(out.frames.is_empty());
}

#[test]
fn history_newest_page_and_its_size_cap() {
    let mut h = Harness::online();
    let out = h.command(Command::LoadHistory {
        with: "romeo@example.net".parse().unwrap(),
        before: None,
        max: 100_000,
    });
    let q = archive_query(&out);
    assert_eq!(q.rsm("before").as_deref(), Some(""));
    assert_eq!(q.rsm("max").as_deref(), Some("100"));
    let out = h.feed(&fin(&q.iq_id, true, None, None));
    assert_eq!(
        out.events,
        vec![Event::HistoryPage {
            with: "romeo@example.net".parse().unwrap(),
            first: None,
            complete: true,
        }]
    );
}

#[test]
fn history_failure_is_reported() {
    let mut h = Harness::online();
    let out = h.command(Command::LoadHistory {
        with: "romeo@example.net".parse().unwrap(),
        before: Some("unknown".into()),
        max: 10,
    });
    let q = archive_query(&out);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="error" id="{}"><error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#,
        q.iq_id
    ));
    assert!(
        out.frames.is_empty(),
        "history does not fall back to anything"
    );
    let [Event::RequestFailed { what, .. }, Event::HistoryPage {
        first: None,
        complete: false,
        ..
    }] = out.events.as_slice()
    else {
        panic!("{out:?}")
    };
    assert!(what.contains("romeo@example.net"), "{what}");
}

#[test]
fn archive_commands_need_a_session() {
    let mut h = Harness::new(config());
    h.connect();
    let out = h.command(Command::CatchUp { after: None });
    assert!(out.frames.is_empty());
    assert!(
        matches!(out.events.as_slice(), [Event::RequestFailed { .. }]),
        "{out:?}"
    );
}

#[test]
fn results_without_a_chat_move_the_last_id_only() {
    let mut h = Harness::online();
    let q = catch_up(&mut h, Some("c0"));
    let receipt = r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/o" to="user@example.org"><received xmlns="urn:xmpp:receipts" id="m1"/></message>"#;
    let out = h.feed(&result(Some(OWN), &q.queryid, "c1", STAMP, receipt));
    // The receipt is reported as such (tests/awareness.rs), never as a message.
    assert!(
        out.events
            .iter()
            .all(|e| matches!(e, natter_core::Event::Awareness(_))),
        "{out:?}"
    );
    // A server that leaves out <last/> still moves the catch-up to the last result seen.
    let out = h.feed(&fin(&q.iq_id, true, None, None));
    assert_eq!(
        out.events,
        vec![Event::CaughtUp {
            last: Some("c1".into()),
            complete: true
        }]
    );
}
