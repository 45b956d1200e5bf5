//! Stream-level endings: errors, redirects, closes, bad frames, and what happens after the end.

mod common;

use common::*;
use natter_core::{Command, Error, Event, SessionState};

#[test]
fn stream_error_when_online() {
    let mut h = Harness::online();
    let out = h.feed(
        r#"<stream:error xmlns:stream="http://etherx.jabber.org/streams"><system-shutdown xmlns="urn:ietf:params:xml:ns:xmpp-streams"/><text xmlns="urn:ietf:params:xml:ns:xmpp-streams" xml:lang="en">Going down for maintenance</text></stream:error>"#,
    );
    let err = out.failed().unwrap();
    assert_eq!(
        err,
        &Error::StreamError {
            condition: "system-shutdown".into(),
            text: Some("Going down for maintenance".into())
        }
    );
    assert!(err.to_string().contains("Going down"));
    assert!(out.closed_cleanly());
    assert_eq!(h.client.state(), SessionState::Failed);
}

#[test]
fn stream_error_with_unknown_condition() {
    let mut h = Harness::online();
    let out = h.feed(
        r#"<stream:error xmlns:stream="http://etherx.jabber.org/streams"><too-many-cats xmlns="urn:ietf:params:xml:ns:xmpp-streams"/></stream:error>"#,
    );
    assert_eq!(
        out.failed(),
        Some(&Error::StreamError {
            condition: "too-many-cats".into(),
            text: None
        })
    );
}

#[test]
fn see_other_host_redirects() {
    let mut h = Harness::new(config());
    h.connect();
    let out = h.feed(
        r#"<stream:error xmlns:stream="http://etherx.jabber.org/streams"><see-other-host xmlns="urn:ietf:params:xml:ns:xmpp-streams">wss://other.example.org/xmpp</see-other-host></stream:error>"#,
    );
    assert_eq!(
        out.failed(),
        Some(&Error::Redirect {
            to: "wss://other.example.org/xmpp".into()
        })
    );
    assert!(out.closed);
}

#[test]
fn see_other_uri_redirects() {
    let mut h = Harness::new(config());
    h.connect();
    let out = h.feed(
        r#"<close xmlns="urn:ietf:params:xml:ns:xmpp-framing" see-other-uri="wss://edge.example.org/ws"/>"#,
    );
    assert_eq!(
        out.failed(),
        Some(&Error::Redirect {
            to: "wss://edge.example.org/ws".into()
        })
    );
    assert!(out.closed_cleanly());
}

#[test]
fn server_close_when_online_is_a_clean_end() {
    let mut h = Harness::online();
    let out = h.feed(r#"<close xmlns="urn:ietf:params:xml:ns:xmpp-framing"/>"#);
    assert_eq!(out.events, vec![Event::StateChanged(SessionState::Closed)]);
    assert!(out.closed_cleanly());
    assert_eq!(out.frames.len(), 1);
    assert_eq!(h.client.state(), SessionState::Closed);
}

#[test]
fn transport_closed_when_online() {
    let mut h = Harness::online();
    h.client.handle_closed(h.now, Some("1006".into()));
    let out = h.drain();
    assert_eq!(
        out.events,
        vec![
            Event::Failed(Error::TransportClosed {
                reason: Some("1006".into())
            }),
            Event::StateChanged(SessionState::Failed)
        ]
    );
    assert!(out.frames.is_empty() && !out.closed);
}

fn assert_protocol_failure(out: &Output) {
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
    assert!(
        out.frames.iter().any(|f| f.is("error", STREAMS)),
        "a stream error is sent first"
    );
    assert!(out.closed_cleanly());
    assert!(out.has_state(SessionState::Failed));
}

#[test]
fn malformed_xml() {
    let mut h = Harness::online();
    let out = h.feed(r#"<message xmlns="jabber:client"><body>hi</message>"#);
    assert_protocol_failure(&out);
    let not_well_formed = out.frames.iter().find(|f| f.is("error", STREAMS)).unwrap();
    assert!(not_well_formed.has_child("not-well-formed", "urn:ietf:params:xml:ns:xmpp-streams"));
}

#[test]
fn undeclared_namespace_prefix() {
    let mut h = Harness::online();
    assert_protocol_failure(&h.feed("<stream:features/>"));
}

#[test]
fn invalid_utf8() {
    let mut h = Harness::online();
    assert_protocol_failure(
        &h.feed_bytes(b"<message xmlns=\"jabber:client\"><body>\xff\xfe</body></message>"),
    );
}

#[test]
fn oversized_frame() {
    let mut h = Harness::online();
    let body = "a".repeat(8 * 1024 * 1024);
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client"><body>{body}</body></message>"#
    ));
    assert_protocol_failure(&out);
    let err = out.frames.iter().find(|f| f.is("error", STREAMS)).unwrap();
    assert!(err.has_child("policy-violation", "urn:ietf:params:xml:ns:xmpp-streams"));
}

#[test]
fn large_but_allowed_frame() {
    let mut h = Harness::online();
    let body = "a".repeat(1024 * 1024);
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/x" id="big"><body>{body}</body></message>"#
    ));
    assert!(
        matches!(out.events.as_slice(), [Event::Message(m)] if m.body.len() == body.len()),
        "{:?}",
        out.failed()
    );
}

#[test]
fn deeply_nested_frame() {
    let mut h = Harness::online();
    let deep = format!(
        r#"<message xmlns="jabber:client">{}"#,
        "<a>".repeat(100_000)
    );
    assert_protocol_failure(&h.feed(&deep));
}

#[test]
fn two_elements_in_one_frame() {
    let mut h = Harness::online();
    assert_protocol_failure(&h.feed(
        r#"<presence xmlns="jabber:client" from="a@b/c"/><presence xmlns="jabber:client" from="a@b/d"/>"#,
    ));
}

#[test]
fn whitespace_keepalive_is_ignored() {
    let mut h = Harness::online();
    let out = h.feed(" \r\n ");
    assert!(out.events.is_empty() && out.frames.is_empty() && !out.closed);
    assert_eq!(h.client.state(), SessionState::Online);
}

#[test]
fn unknown_top_level_element_is_ignored_when_online() {
    let mut h = Harness::online();
    let out = h.feed(r#"<r xmlns="urn:xmpp:sm:3"/>"#);
    assert!(out.events.is_empty() && out.frames.is_empty());
    assert_eq!(h.client.state(), SessionState::Online);
}

#[test]
fn everything_is_ignored_after_the_end() {
    let mut h = Harness::online();
    let out = h.command(Command::Disconnect);
    assert!(out.has_state(SessionState::Closed));

    h.client.handle_connected(h.now);
    h.client.handle_frame(
        h.now,
        br#"<message xmlns="jabber:client" type="chat" from="a@b/c"><body>x</body></message>"#,
    );
    h.client.handle_frame(h.now, b"<garbage");
    h.client.handle_command(h.now, Command::Disconnect);
    h.client.handle_command(
        h.now,
        Command::SendMessage {
            to: "a@b".parse().unwrap(),
            id: "1".into(),
            body: "x".into(),
            ext: Default::default(),
        },
    );
    h.client.handle_timeout(h.now.after(1_000_000));
    h.client.handle_closed(h.now, None);
    let out = h.drain();
    assert!(
        out.events.is_empty() && out.frames.is_empty() && !out.closed,
        "{out:?}"
    );
    assert_eq!(h.client.state(), SessionState::Closed);
    assert_eq!(h.client.poll_timeout(), None);
}

#[test]
fn frames_before_connected_are_ignored() {
    let mut h = Harness::new(config());
    let out = h.feed(SERVER_OPEN);
    assert!(out.events.is_empty() && out.frames.is_empty());
    assert_eq!(h.client.state(), SessionState::Connecting);
}
