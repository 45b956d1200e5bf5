//! Contact transcripts: roster get, pushes and sets, presence in and out, subscriptions.

mod common;

use common::*;
use natter_core::{Command, Event, PresenceUpdate, SessionState, Show, Subscription};

// ---- roster ----

#[test]
fn roster_get_error_and_timeout() {
    let (mut h, out) = Harness::login_plain(config());
    let id = roster_get_id(&out);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="error" id="{id}"><error type="wait"><resource-constraint xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#
    ));
    assert!(
        matches!(out.events.as_slice(), [Event::RequestFailed { reason, .. }] if reason.contains("busy")),
        "{out:?}"
    );
    // A session without its roster still works: it announces itself all the same.
    assert!(
        out.frames.iter().any(|f| f.is("presence", CLIENT)),
        "{out:?}"
    );

    let (mut h, out) = Harness::login_plain(config());
    let deadline = h.client.poll_timeout().expect("roster get deadline");
    assert_eq!(deadline, h.now.after(30_000));
    let id = roster_get_id(&out);
    h.advance(29_999);
    assert!(h.timeout().events.is_empty());
    h.advance(1);
    let out = h.timeout();
    assert!(
        matches!(out.events.as_slice(), [Event::RequestFailed { what, reason }]
            if what.contains("contact list") && reason.contains("in time")),
        "{out:?}"
    );
    assert!(
        out.frames.iter().any(|f| f.is("presence", CLIENT)),
        "{out:?}"
    );
    // Nothing left of the roster get; only the keepalive's deadline, ahead.
    assert!(h.client.poll_timeout() > Some(h.now));
    assert_eq!(
        h.client.state(),
        SessionState::Online,
        "a roster timeout does not end the session"
    );
    // The answer arriving late is dropped like any unknown id.
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"><query xmlns="jabber:iq:roster"/></iq>"#
    ));
    assert!(
        matches!(out.events.as_slice(), [Event::Dropped { from: None, .. }]),
        "{out:?}"
    );
}

/// RFC 6121 §2.2: the roster first, then the initial presence, which carries the status the
/// user chose while the roster was on its way (and is the only presence sent for it), then
/// the archive query asked meanwhile.
#[test]
fn initial_presence_waits_for_the_roster_and_carries_what_was_chosen_meanwhile() {
    let (mut h, out) = Harness::login_plain(config());
    assert!(
        !out.frames.iter().any(|f| f.is("presence", CLIENT)),
        "{out:?}"
    );
    let id = roster_get_id(&out);
    let out = h.command(Command::SetPresence {
        show: Some(Show::Away),
        status: Some("at lunch".into()),
    });
    assert!(out.frames.is_empty(), "{out:?}");
    // A catch-up asked meanwhile waits too: Prosody skips offline delivery for a session
    // that queried its archive before its initial presence.
    let out = h.command(Command::CatchUp { after: None });
    assert!(out.frames.is_empty(), "{out:?}");
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"><query xmlns="jabber:iq:roster"><item jid="romeo@example.net" subscription="both"/></query></iq>"#
    ));
    let presence_at = out.frames.iter().position(|f| f.is("presence", CLIENT));
    let query_at = out
        .frames
        .iter()
        .position(|f| f.has_child("query", "urn:xmpp:mam:2"));
    assert!(
        matches!((presence_at, query_at), (Some(p), Some(q)) if p < q),
        "{out:?}"
    );
    assert!(
        matches!(out.events.as_slice(), [Event::RosterReset { items, .. }] if items.len() == 1),
        "{out:?}"
    );
    let presences: Vec<_> = out
        .frames
        .iter()
        .filter(|f| f.is("presence", CLIENT))
        .collect();
    assert_eq!(presences.len(), 1, "{out:?}");
    assert_eq!(child(presences[0], "show", CLIENT).text(), "away");
    assert_eq!(child(presences[0], "status", CLIENT).text(), "at lunch");
    assert!(presences[0].has_child("c", "http://jabber.org/protocol/caps"));
    // From now on a change goes out at once.
    let out = h.command(Command::SetPresence {
        show: None,
        status: None,
    });
    assert_eq!(
        out.frames
            .iter()
            .filter(|f| f.is("presence", CLIENT))
            .count(),
        1,
        "{out:?}"
    );
}

#[test]
fn roster_result_from_a_stranger_is_dropped() {
    let (mut h, out) = Harness::login_plain(config());
    let id = roster_get_id(&out);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}" from="mallory@evil.example"><query xmlns="jabber:iq:roster"><item jid="mallory@evil.example" subscription="both"/></query></iq>"#
    ));
    assert!(
        matches!(out.events.as_slice(), [Event::Dropped { from: Some(f), .. }] if f.to_string() == "mallory@evil.example"),
        "{out:?}"
    );
    // Our own bare JID is a fine sender for it.
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}" from="user@example.org"><query xmlns="jabber:iq:roster"/></iq>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::RosterReset {
            items: vec![],
            ver: None
        }]
    );
}

fn push(from: Option<&str>, item: &str) -> String {
    let from = from.map(|f| format!(r#" from="{f}""#)).unwrap_or_default();
    format!(
        r#"<iq xmlns="jabber:client" type="set" id="push1"{from}><query xmlns="jabber:iq:roster">{item}</query></iq>"#
    )
}

#[test]
fn roster_push_accepted_from_our_account() {
    for from in [None, Some("user@example.org"), Some(FULL_JID)] {
        let mut h = Harness::online();
        let out = h.feed(&push(
            from,
            r#"<item jid="juliet@example.com" name="Juliet" subscription="to"/>"#,
        ));
        let [Event::RosterUpdated(item)] = out.events.as_slice() else {
            panic!("{from:?}: {out:?}")
        };
        assert_eq!(item.jid.as_str(), "juliet@example.com");
        assert_eq!(item.subscription, Subscription::To);
        let reply = out.only_frame();
        assert_eq!(iq_type(reply), Some("result"));
        assert_eq!(reply.attr("id"), Some("push1"));
        assert_eq!(reply.attr("to"), from);
    }
}

#[test]
fn roster_push_from_a_stranger_is_ignored() {
    let mut h = Harness::online();
    for from in [
        "mallory@evil.example",
        "example.org",
        "user@example.org.evil.example",
        "other@example.org/x",
    ] {
        let out = h.feed(&push(
            Some(from),
            r#"<item jid="mallory@evil.example" subscription="both"/>"#,
        ));
        assert!(
            matches!(out.events.as_slice(), [Event::Dropped { .. }]) && out.frames.is_empty(),
            "{from}: {out:?}"
        );
    }
}

#[test]
fn roster_push_remove() {
    let mut h = Harness::online();
    let out = h.feed(&push(
        None,
        r#"<item jid="juliet@example.com" subscription="remove"/>"#,
    ));
    assert_eq!(
        out.events,
        vec![Event::RosterRemoved("juliet@example.com".parse().unwrap())]
    );
    assert_eq!(iq_type(out.only_frame()), Some("result"));
}

#[test]
fn roster_push_with_two_items_is_refused() {
    let mut h = Harness::online();
    let out = h.feed(&push(
        None,
        r#"<item jid="a@example.com"/><item jid="b@example.com"/>"#,
    ));
    assert!(out.events.is_empty());
    assert_eq!(iq_type(out.only_frame()), Some("error"));
}

// ---- presence ----

#[test]
fn presence_in() {
    let mut h = Harness::online();
    let out = h.feed(
        r#"<presence xmlns="jabber:client" from="romeo@example.net/orchard"><show>away</show><status xml:lang="fr">Dans le verger</status><status>In the orchard</status><priority>5</priority></presence>"#,
    );
    assert_eq!(
        out.events,
        vec![Event::Presence(PresenceUpdate {
            from: "romeo@example.net/orchard".parse().unwrap(),
            available: true,
            show: Some(Show::Away),
            status: Some("In the orchard".into()),
            priority: 5,
        })]
    );
    let out = h.feed(
        r#"<presence xmlns="jabber:client" from="romeo@example.net/orchard" type="unavailable"/>"#,
    );
    assert_eq!(
        out.events,
        vec![Event::Presence(PresenceUpdate {
            from: "romeo@example.net/orchard".parse().unwrap(),
            available: false,
            show: None,
            status: None,
            priority: 0,
        })]
    );
}

#[test]
fn subscription_presences_in() {
    let mut h = Harness::online();
    let out =
        h.feed(r#"<presence xmlns="jabber:client" from="nurse@example.com/x" type="subscribe"/>"#);
    assert_eq!(
        out.events,
        vec![Event::SubscriptionRequest {
            from: "nurse@example.com".parse().unwrap()
        }]
    );
    let out =
        h.feed(r#"<presence xmlns="jabber:client" from="nurse@example.com" type="subscribed"/>"#);
    assert_eq!(
        out.events,
        vec![Event::SubscriptionChanged {
            from: "nurse@example.com".parse().unwrap(),
            approved: true
        }]
    );
    let out =
        h.feed(r#"<presence xmlns="jabber:client" from="nurse@example.com" type="unsubscribed"/>"#);
    assert_eq!(
        out.events,
        vec![Event::SubscriptionChanged {
            from: "nurse@example.com".parse().unwrap(),
            approved: false
        }]
    );
    let out = h.feed(
        r#"<presence xmlns="jabber:client" from="nurse@example.com" type="error"><error type="cancel"><remote-server-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>"#,
    );
    assert!(out.events.is_empty() && out.frames.is_empty());
}

#[test]
fn presence_out_keeps_caps() {
    let mut h = Harness::online();
    let out = h.command(Command::SetPresence {
        show: Some(Show::Dnd),
        status: Some("Busy\u{0}!".into()),
    });
    let p = out.only_frame();
    assert!(p.is("presence", CLIENT));
    assert_eq!(p.attr("type"), None);
    assert_eq!(child(p, "show", CLIENT).text(), "dnd");
    assert_eq!(
        child(p, "status", CLIENT).text(),
        "Busy!",
        "characters XML cannot carry are dropped"
    );
    assert!(p.has_child("c", CAPS));
}

// ---- subscriptions and roster commands ----

#[test]
fn approve_unknown_contact_asks_back() {
    let mut h = Harness::online();
    let out = h.command(Command::ApproveSubscription {
        jid: "nurse@example.com".parse().unwrap(),
    });
    let types: Vec<_> = out
        .frames
        .iter()
        .map(|f| (f.attr("type"), f.attr("to")))
        .collect();
    assert_eq!(
        types,
        vec![
            (Some("subscribed"), Some("nurse@example.com")),
            (Some("subscribe"), Some("nurse@example.com"))
        ]
    );
}

#[test]
fn approve_when_already_subscribed_or_asking_does_not_ask_again() {
    let mut h = Harness::online();
    h.feed(&push(
        None,
        r#"<item jid="a@example.com" subscription="to"/>"#,
    ));
    h.feed(&push(
        None,
        r#"<item jid="b@example.com" subscription="none" ask="subscribe"/>"#,
    ));
    h.feed(&push(
        None,
        r#"<item jid="c@example.com" subscription="from"/>"#,
    ));
    for (jid, asks) in [
        ("a@example.com", false),
        ("b@example.com", false),
        ("c@example.com", true),
    ] {
        let out = h.command(Command::ApproveSubscription {
            jid: jid.parse().unwrap(),
        });
        assert_eq!(out.frames.len(), if asks { 2 } else { 1 }, "{jid}");
        assert_eq!(out.frames[0].attr("type"), Some("subscribed"));
    }
}

#[test]
fn deny_subscription() {
    let mut h = Harness::online();
    let out = h.command(Command::DenySubscription {
        jid: "nurse@example.com".parse().unwrap(),
    });
    let p = out.only_frame();
    assert_eq!(
        (p.attr("type"), p.attr("to")),
        (Some("unsubscribed"), Some("nurse@example.com"))
    );
}

#[test]
fn add_contact_sets_roster_and_asks() {
    let mut h = Harness::online();
    let out = h.command(Command::AddContact {
        jid: "juliet@example.com".parse().unwrap(),
        name: Some("Juliet".into()),
    });
    assert_eq!(out.frames.len(), 2);
    let set = &out.frames[0];
    assert_eq!(iq_type(set), Some("set"));
    let item = child(child(set, "query", ROSTER), "item", ROSTER);
    assert_eq!(item.attr("jid"), Some("juliet@example.com"));
    assert_eq!(item.attr("name"), Some("Juliet"));
    let sub = &out.frames[1];
    assert_eq!(
        (sub.attr("type"), sub.attr("to")),
        (Some("subscribe"), Some("juliet@example.com"))
    );

    // The server refuses the roster set.
    let id = set.attr("id").unwrap();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="error" id="{id}"><error type="modify"><not-acceptable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">Roster full</text></error></iq>"#
    ));
    assert!(
        matches!(out.events.as_slice(), [Event::RequestFailed { what, reason }]
            if what.contains("juliet@example.com") && reason.contains("not acceptable") && reason.contains("Roster full")),
        "{out:?}"
    );
}

#[test]
fn remove_contact_and_its_timeout() {
    let mut h = Harness::online();
    let out = h.command(Command::RemoveContact {
        jid: "juliet@example.com".parse().unwrap(),
    });
    let item = child(child(out.only_frame(), "query", ROSTER), "item", ROSTER);
    assert_eq!(item.attr("subscription"), Some("remove"));
    assert_eq!(h.client.poll_timeout(), Some(h.now.after(30_000)));
    h.advance(30_000);
    let out = h.timeout();
    assert!(
        matches!(out.events.as_slice(), [Event::RequestFailed { what, .. }] if what.contains("remove"))
    );
}
