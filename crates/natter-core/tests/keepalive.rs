//! Keepalive transcripts (a dead connection is noticed in time, with time as an input) and
//! XEP-0352 client state indication.

mod common;
mod session_support;

use common::*;
use natter_core::{Command, Config, Error, Event, SessionState};
use session_support::*;

/// Online without stream management, every IQ answered, at `h.now`.
fn quiet_online(config: Config, extra: &str) -> Harness {
    let keepalive_ms = config.keepalive_ms;
    let (mut h, out) = login_with(config, extra);
    // Refusing one request may bring another (bookmarks: the older storage next).
    let mut frames = out.frames;
    while let Some(iq) = frames.pop() {
        if !(iq.is("iq", CLIENT) && iq.attr("type") == Some("get")) {
            continue;
        }
        let id = iq.attr("id").unwrap();
        let from = iq
            .attr("to")
            .map(|to| format!(r#" from="{to}""#))
            .unwrap_or_default();
        let out = h.feed(&format!(
            r#"<iq xmlns="jabber:client" type="error" id="{id}"{from}><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#
        ));
        frames.extend(out.frames);
    }
    assert_eq!(h.client.poll_timeout(), Some(h.now.after(keepalive_ms)));
    h
}

#[test]
fn silence_brings_a_ping_and_then_the_end() {
    let mut h = quiet_online(config(), "");
    let start = h.now;
    assert_eq!(h.client.poll_timeout(), Some(start.after(30_000)));
    h.advance(29_999);
    assert!(h.timeout().frames.is_empty());
    h.advance(1);
    let out = h.timeout();
    let ping = out.only_frame();
    assert!(ping.is("iq", CLIENT), "{out:?}");
    assert_eq!(ping.attr("type"), Some("get"));
    assert_eq!(ping.attr("to"), Some("example.org"));
    assert!(ping.has_child("ping", PING));
    assert!(out.events.is_empty(), "{out:?}");
    assert_eq!(h.client.poll_timeout(), Some(h.now.after(20_000)));

    // 20 s without a word: the connection is dead, within 50 s of the last sign of life.
    h.advance(19_999);
    assert!(h.timeout().events.is_empty());
    h.advance(1);
    let out = h.timeout();
    assert_eq!(
        out.failed(),
        Some(&Error::TransportClosed {
            reason: Some("the server stopped answering".into())
        })
    );
    assert!(out.closed, "{out:?}");
    assert!(
        out.frames.is_empty(),
        "no <close/>: it would end a session the server may still hold for resumption"
    );
    assert_eq!(h.client.state(), SessionState::Failed);
    assert_eq!(h.client.poll_timeout(), None);
    assert!(h.now.since(start) <= 60_000);
}

#[test]
fn any_frame_is_a_sign_of_life() {
    let mut h = quiet_online(config(), "");
    h.advance(25_000);
    // A whitespace keepalive from the server.
    h.feed(" ");
    assert_eq!(h.client.poll_timeout(), Some(h.now.after(30_000)));
    h.advance(30_000);
    let out = h.timeout();
    let id = out.only_frame().attr("id").unwrap().to_owned();
    h.advance(10_000);
    // The pong (or anything else) clears the probe.
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}" from="example.org"/>"#
    ));
    assert!(out.events.is_empty() && out.frames.is_empty(), "{out:?}");
    assert_eq!(h.client.poll_timeout(), Some(h.now.after(30_000)));
    h.advance(20_000);
    let out = h.timeout();
    assert!(out.failed().is_none() && out.frames.is_empty(), "{out:?}");
    assert_eq!(h.client.state(), SessionState::Online);
}

#[test]
fn early_or_spurious_timeouts_do_nothing() {
    let mut h = quiet_online(config(), "");
    for _ in 0..3 {
        let out = h.timeout();
        assert!(out.frames.is_empty() && out.events.is_empty(), "{out:?}");
    }
}

#[test]
fn with_stream_management_the_probe_is_an_ack_request() {
    let (mut h, base) = sm_online();
    h.advance(30_000);
    let out = h.timeout();
    assert!(out.only_frame().is("r", SM), "{out:?}");
    h.advance(5_000);
    let out = h.feed(&a(base));
    assert!(out.frames.is_empty() && out.events.is_empty(), "{out:?}");
    assert_eq!(h.client.poll_timeout(), Some(h.now.after(30_000)));
    assert_eq!(h.client.state(), SessionState::Online);
}

#[test]
fn a_dead_stream_managed_session_is_resumable() {
    let (mut h, base) = sm_online();
    send_message(&mut h, "m1", "into the void");
    h.advance(30_000);
    h.timeout();
    h.advance(20_000);
    let out = h.timeout();
    assert!(matches!(out.failed(), Some(Error::TransportClosed { .. })));
    let r = h.client.take_resumption().expect("a resumption");
    let stream = r.stream.expect("resumable");
    assert_eq!(stream.id, "sm-1");
    assert_eq!(stream.acked, base);
    assert_eq!(r.unacked.len(), 1);
}

#[test]
fn configurable_times() {
    let mut c = config();
    c.keepalive_ms = 5_000;
    c.dead_after_ms = 1_000;
    let mut h = quiet_online(c, "");
    h.advance(5_000);
    assert_eq!(h.timeout().frames.len(), 1);
    h.advance(1_000);
    assert!(h.timeout().failed().is_some());
}

// ---- XEP-0352 client state indication ----

#[test]
fn set_active_tells_a_server_that_listens() {
    let mut h = quiet_online(config(), CSI_FEATURE);
    let out = h.command(Command::SetActive(false));
    assert!(out.only_frame().is("inactive", CSI), "{out:?}");
    assert!(out.events.is_empty());
    // Only changes are sent.
    assert!(h.command(Command::SetActive(false)).frames.is_empty());
    let out = h.command(Command::SetActive(true));
    assert!(out.only_frame().is("active", CSI), "{out:?}");
    assert!(h.command(Command::SetActive(true)).frames.is_empty());
}

#[test]
fn set_active_is_silent_without_csi() {
    let mut h = quiet_online(config(), "");
    for active in [false, true, false] {
        let out = h.command(Command::SetActive(active));
        assert!(out.frames.is_empty() && out.events.is_empty(), "{out:?}");
    }
}

#[test]
fn starts_inactive_after_bind() {
    let mut c = config();
    c.inactive = true;
    let (_, out) = login_announced(c, &format!("{SM_FEATURE}{CSI_FEATURE}"));
    let inactive = out
        .frames
        .iter()
        .position(|f| f.is("inactive", CSI))
        .expect("<inactive/>");
    // Before the roster and presences start flowing.
    let presence = out
        .frames
        .iter()
        .position(|f| f.is("presence", CLIENT))
        .unwrap();
    assert!(inactive < presence, "{out:?}");
    assert!(frames_named(&out, "active", CSI).is_empty());

    // Active from the start: nothing to say.
    let (_, out) = login_with(config(), CSI_FEATURE);
    assert!(frames_named(&out, "inactive", CSI).is_empty());
    assert!(frames_named(&out, "active", CSI).is_empty());
}

#[test]
fn set_active_before_online_is_remembered() {
    let mut c = config();
    c.secure_transport = true;
    let mut h = Harness::new(c);
    let out = h.command(Command::SetActive(false));
    assert!(out.events.is_empty() && out.frames.is_empty(), "{out:?}");
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["PLAIN"]));
    h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    h.feed(SERVER_OPEN);
    let bind = h.feed(&bind_features(CSI_FEATURE));
    let id = bind.only_frame().attr("id").unwrap().to_owned();
    let out = h.feed(&bind_result(&id, FULL_JID));
    assert_eq!(frames_named(&out, "inactive", CSI).len(), 1, "{out:?}");
}

#[test]
fn a_resumed_session_only_sends_a_changed_state() {
    let lost = |inactive: bool| {
        let mut c = config();
        c.inactive = inactive;
        let (mut h, out) = login_with(c, &format!("{SM_FEATURE}{CSI_FEATURE}"));
        h.feed(r#"<enabled xmlns="urn:xmpp:sm:3" id="sm-1" resume="true"/>"#);
        let sent = stanzas_after_enable(&out) as u32;
        h.feed(&a(sent));
        lose_connection(&mut h).expect("a resumption")
    };
    let resume = |r: natter_core::Resumption, inactive: bool| {
        let h = r.stream.as_ref().unwrap().acked;
        let mut c = config();
        c.resumption = Some(r);
        c.inactive = inactive;
        let features = bind_features(&format!("{SM_FEATURE}{CSI_FEATURE}"));
        let (mut session, _) = authenticate(c, &features);
        session.feed(&format!(
            r#"<resumed xmlns="urn:xmpp:sm:3" previd="sm-1" h="{h}"/>"#
        ))
    };
    let out = resume(lost(true), true);
    assert!(out
        .events
        .iter()
        .any(|e| matches!(e, Event::Online { resumed: true, .. })));
    assert!(frames_named(&out, "inactive", CSI).is_empty(), "{out:?}");
    let out = resume(lost(true), false);
    assert_eq!(frames_named(&out, "active", CSI).len(), 1, "{out:?}");
    let out = resume(lost(false), true);
    assert_eq!(frames_named(&out, "inactive", CSI).len(), 1, "{out:?}");
}

#[test]
fn a_fresh_session_after_failed_resumption_sends_inactive_again() {
    let mut c = config();
    c.inactive = true;
    let (mut h, out) = login_with(c.clone(), &format!("{SM_FEATURE}{CSI_FEATURE}"));
    h.feed(r#"<enabled xmlns="urn:xmpp:sm:3" id="sm-1" resume="true"/>"#);
    h.feed(&a(stanzas_after_enable(&out) as u32));
    c.resumption = lose_connection(&mut h);
    let (mut h, _) = authenticate(c, &bind_features(&format!("{SM_FEATURE}{CSI_FEATURE}")));
    let bind = h.feed(r#"<failed xmlns="urn:xmpp:sm:3"/>"#);
    let id = bind.only_frame().attr("id").unwrap().to_owned();
    let out = h.feed(&bind_result(&id, FULL_JID));
    assert_eq!(frames_named(&out, "inactive", CSI).len(), 1, "{out:?}");
}
