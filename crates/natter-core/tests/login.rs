//! Sign-in transcripts: every login state and every way sign-in can fail.

mod common;

use common::*;
use natter_core::{Error, Event, Instant, SessionState};

#[test]
fn connecting_until_connected_then_open_is_sent() {
    let mut h = Harness::new(config());
    assert_eq!(h.client.state(), SessionState::Connecting);
    assert_eq!(h.client.poll_timeout(), None);
    assert!(h.drain().frames.is_empty());

    let out = h.connect();
    let open = out.only_frame();
    assert!(open.is("open", FRAMING));
    assert_eq!(open.attr("to"), Some("example.org"));
    assert_eq!(open.attr("version"), Some("1.0"));
    assert_eq!(
        out.events,
        vec![Event::StateChanged(SessionState::Authenticating)]
    );
    assert_eq!(h.client.state(), SessionState::Authenticating);
    assert_eq!(h.client.poll_timeout(), Some(Instant(1_000 + 20_000)));

    // A second connect is not a second stream.
    assert!(h.connect().frames.is_empty());
}

#[test]
fn scram_sha256_rfc7677_through_bind_roster_and_presence() {
    let mut h = Harness::scram(config(), RFC7677_NONCE);
    h.connect();
    assert!(h.feed(SERVER_OPEN).frames.is_empty());

    let out = h.feed(&features(&["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"]));
    let auth = out.only_frame();
    assert!(auth.is("auth", SASL));
    assert_eq!(auth.attr("mechanism"), Some("SCRAM-SHA-256"));
    assert_eq!(unb64(&auth.text()), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");

    let out = h.feed(&sasl("challenge", RFC7677_SERVER_FIRST));
    let response = out.only_frame();
    assert!(response.is("response", SASL));
    assert_eq!(unb64(&response.text()), RFC7677_CLIENT_FINAL);

    // Success verifies the server signature, then the stream restarts.
    let out = h.feed(&sasl("success", RFC7677_SERVER_FINAL));
    assert!(out.only_frame().is("open", FRAMING));
    assert!(out.events.is_empty());
    assert_eq!(h.client.state(), SessionState::Authenticating);

    h.feed(SERVER_OPEN);
    let out = h.feed(BIND_FEATURES);
    let bind_iq = out.only_frame();
    assert!(bind_iq.is("iq", CLIENT));
    assert_eq!(bind_iq.attr("type"), Some("set"));
    assert_eq!(
        child(child(bind_iq, "bind", BIND), "resource", BIND).text(),
        "natter"
    );
    let id = bind_iq.attr("id").unwrap().to_owned();

    let out = h.feed(&bind_result(&id, FULL_JID));
    assert_eq!(
        out.events,
        vec![
            Event::Online {
                jid: FULL_JID.parse().unwrap()
            },
            Event::StateChanged(SessionState::Online)
        ]
    );
    assert_eq!(out.frames.len(), 2);
    let roster_get = &out.frames[0];
    assert_eq!(roster_get.attr("type"), Some("get"));
    assert!(roster_get.has_child("query", ROSTER));
    let presence = &out.frames[1];
    assert!(presence.is("presence", CLIENT));
    assert_eq!(presence.attr("type"), None);
    let caps = child(presence, "c", "http://jabber.org/protocol/caps");
    assert_eq!(caps.attr("hash"), Some("sha-1"));
    // Online: the login deadline is gone, the roster get's is what remains.
    assert_eq!(h.client.poll_timeout(), Some(h.now.after(30_000)));

    let roster_id = roster_get.attr("id").unwrap();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{roster_id}"><query xmlns="jabber:iq:roster" ver="v1"><item jid="romeo@example.net" name="Romeo" subscription="both"><group>Friends</group></item><item jid="nurse@example.com" subscription="none" ask="subscribe"/></query></iq>"#
    ));
    let [Event::RosterReset { items, ver }] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(ver.as_deref(), Some("v1"));
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].name.as_deref(), Some("Romeo"));
    assert_eq!(items[0].groups, vec!["Friends".to_owned()]);
    assert!(items[1].ask);
    assert_eq!(h.client.poll_timeout(), None);
}

#[test]
fn scram_sha1_when_sha256_absent_rfc5802() {
    let mut h = Harness::scram(config(), "fyko+d2lbbFgONRv9qkxdawL");
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(&features(&["PLAIN", "SCRAM-SHA-1"]));
    assert_eq!(out.only_frame().attr("mechanism"), Some("SCRAM-SHA-1"));
    let out = h.feed(&sasl(
        "challenge",
        "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    ));
    assert_eq!(
        unb64(&out.only_frame().text()),
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
    );
    let out = h.feed(&sasl("success", "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="));
    assert!(out.only_frame().is("open", FRAMING));
}

#[test]
fn server_signature_in_a_challenge_then_empty_success() {
    let mut h = Harness::scram(config(), RFC7677_NONCE);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["SCRAM-SHA-256"]));
    h.feed(&sasl("challenge", RFC7677_SERVER_FIRST));
    let out = h.feed(&sasl("challenge", RFC7677_SERVER_FINAL));
    let response = out.only_frame();
    assert!(response.is("response", SASL));
    assert_eq!(response.text(), "");
    let out = h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    assert!(out.only_frame().is("open", FRAMING));
}

#[test]
fn wrong_server_signature_fails() {
    let mut h = Harness::scram(config(), RFC7677_NONCE);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["SCRAM-SHA-256"]));
    h.feed(&sasl("challenge", RFC7677_SERVER_FIRST));
    let out = h.feed(&sasl("success", RFC7677_SERVER_FINAL_AS_PRINTED));
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
    assert!(out.closed_cleanly());
    assert!(out.has_state(SessionState::Failed));
    // Never restarted the stream as if signed in.
    assert!(!out.frames.iter().any(|f| f.is("open", FRAMING)));
}

#[test]
fn success_without_server_signature_fails() {
    let mut h = Harness::scram(config(), RFC7677_NONCE);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["SCRAM-SHA-256"]));
    h.feed(&sasl("challenge", RFC7677_SERVER_FIRST));
    let out = h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
}

#[test]
fn server_nonce_must_extend_ours() {
    let mut h = Harness::scram(config(), RFC7677_NONCE);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["SCRAM-SHA-256"]));
    let out = h.feed(&sasl(
        "challenge",
        "r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    ));
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
}

#[test]
fn scram_error_in_server_final_is_an_auth_failure() {
    let mut h = Harness::scram(config(), RFC7677_NONCE);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["SCRAM-SHA-256"]));
    h.feed(&sasl("challenge", RFC7677_SERVER_FIRST));
    let out = h.feed(&sasl("success", "e=invalid-proof"));
    assert_eq!(
        out.failed(),
        Some(&Error::AuthFailed {
            condition: "invalid-proof".into(),
            text: None
        })
    );
}

#[test]
fn derived_nonce_comes_from_entropy() {
    let first = |entropy: [u8; 32]| {
        let mut config = config();
        config.entropy = entropy;
        let mut h = Harness::new(config);
        h.connect();
        h.feed(SERVER_OPEN);
        unb64(&h.feed(&features(&["SCRAM-SHA-256"])).only_frame().text())
    };
    assert_eq!(first([1; 32]), first([1; 32]));
    assert_ne!(first([1; 32]), first([2; 32]));
    assert!(first([1; 32]).starts_with("n,,n=user,r="));
}

#[test]
fn plain_refused_on_insecure_transport() {
    let mut h = Harness::new(config());
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(&features(&["PLAIN"]));
    assert_eq!(
        out.failed(),
        Some(&Error::NoUsableMechanism {
            offered: vec!["PLAIN".into()]
        })
    );
    assert!(!out.frames.iter().any(|f| f.is("auth", SASL)));
    assert!(out.closed_cleanly());
    assert_eq!(
        out.events.last(),
        Some(&Event::StateChanged(SessionState::Failed)),
        "Failed is announced before the state change"
    );
    assert_eq!(h.client.state(), SessionState::Failed);
}

#[test]
fn no_mechanisms_at_all() {
    let mut h = Harness::new(config());
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(&features(&[]));
    assert_eq!(
        out.failed(),
        Some(&Error::NoUsableMechanism { offered: vec![] })
    );
}

#[test]
fn plain_used_on_secure_transport() {
    let mut config = config();
    config.secure_transport = true;
    let mut h = Harness::new(config);
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(&features(&["PLAIN", "X-OAUTH2"]));
    let auth = out.only_frame();
    assert_eq!(auth.attr("mechanism"), Some("PLAIN"));
    assert_eq!(unb64(&auth.text()), "\0user\0pencil");
    let out = h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    assert!(out.only_frame().is("open", FRAMING));
}

#[test]
fn auth_failure_reports_condition_and_text() {
    let mut h = Harness::scram(config(), RFC7677_NONCE);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["SCRAM-SHA-256"]));
    let out = h.feed(
        r#"<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><not-authorized/><text xml:lang="en">Invalid username or password</text></failure>"#,
    );
    let err = out.failed().unwrap();
    assert_eq!(
        err,
        &Error::AuthFailed {
            condition: "not-authorized".into(),
            text: Some("Invalid username or password".into())
        }
    );
    assert!(err.to_string().contains("wrong address or password"));
    assert!(out.closed_cleanly());
}

#[test]
fn auth_failure_with_unknown_condition_keeps_its_name() {
    let mut h = Harness::scram(config(), RFC7677_NONCE);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["SCRAM-SHA-256"]));
    let out =
        h.feed(r#"<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><account-locked/></failure>"#);
    assert_eq!(
        out.failed(),
        Some(&Error::AuthFailed {
            condition: "account-locked".into(),
            text: None
        })
    );
}

#[test]
fn bind_with_server_chosen_resource() {
    let mut config = config();
    config.resource = None;
    config.secure_transport = true;
    let mut h = Harness::new(config);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["PLAIN"]));
    h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    h.feed(SERVER_OPEN);
    let out = h.feed(BIND_FEATURES);
    let bind = child(out.only_frame(), "bind", BIND);
    assert!(bind.get_child("resource", BIND).is_none());
    let id = out.only_frame().attr("id").unwrap().to_owned();
    let out = h.feed(&bind_result(&id, "user@example.org/srv-42"));
    assert!(out.events.contains(&Event::Online {
        jid: "user@example.org/srv-42".parse().unwrap()
    }));
}

fn up_to_bind(features: &str) -> (Harness, String) {
    let mut config = config();
    config.secure_transport = true;
    let mut h = Harness::new(config);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&common::features(&["PLAIN"]));
    h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    h.feed(SERVER_OPEN);
    let out = h.feed(features);
    let id = out.only_frame().attr("id").unwrap().to_owned();
    (h, id)
}

#[test]
fn mandatory_legacy_session_is_established() {
    let (mut h, id) = up_to_bind(
        r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/><session xmlns="urn:ietf:params:xml:ns:xmpp-session"/></stream:features>"#,
    );
    let out = h.feed(&bind_result(&id, FULL_JID));
    let session = out.only_frame();
    assert_eq!(session.attr("type"), Some("set"));
    assert!(session.has_child("session", "urn:ietf:params:xml:ns:xmpp-session"));
    assert!(out.events.is_empty());
    let id = session.attr("id").unwrap();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#
    ));
    assert!(out.has_state(SessionState::Online));
}

#[test]
fn optional_legacy_session_is_skipped() {
    let (mut h, id) = up_to_bind(
        r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/><session xmlns="urn:ietf:params:xml:ns:xmpp-session"><optional/></session></stream:features>"#,
    );
    let out = h.feed(&bind_result(&id, FULL_JID));
    assert!(out.has_state(SessionState::Online));
    assert!(!out
        .frames
        .iter()
        .any(|f| f.has_child("session", "urn:ietf:params:xml:ns:xmpp-session")));
}

#[test]
fn bind_refused() {
    let (mut h, id) = up_to_bind(BIND_FEATURES);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="error" id="{id}"><error type="cancel"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#
    ));
    assert!(
        matches!(out.failed(), Some(Error::StreamError { condition, .. }) if condition == "conflict"),
        "{out:?}"
    );
    assert!(out.closed_cleanly());
}

#[test]
fn bind_result_from_a_stranger_is_dropped() {
    let (mut h, id) = up_to_bind(BIND_FEATURES);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}" from="mallory@evil.example"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><jid>user@example.org/x</jid></bind></iq>"#
    ));
    assert!(out.events.is_empty() && out.frames.is_empty(), "{out:?}");
    assert_eq!(h.client.state(), SessionState::Authenticating);
    // From our own server it counts.
    let out = h.feed(
        &bind_result(&id, FULL_JID)
            .replace("type=\"result\"", "type=\"result\" from=\"example.org\""),
    );
    assert!(out.has_state(SessionState::Online));
}

#[test]
fn bind_without_jid_is_a_protocol_error() {
    let (mut h, id) = up_to_bind(BIND_FEATURES);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#
    ));
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
}

#[test]
fn bind_timeout() {
    let (mut h, _) = up_to_bind(BIND_FEATURES);
    h.advance(20_000);
    let out = h.timeout();
    assert_eq!(out.failed(), Some(&Error::Timeout));
}

#[test]
fn no_bind_feature_after_auth() {
    let (mut h, _) = {
        let mut config = config();
        config.secure_transport = true;
        let mut h = Harness::new(config);
        h.connect();
        h.feed(SERVER_OPEN);
        h.feed(&features(&["PLAIN"]));
        h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
        h.feed(SERVER_OPEN);
        (h, ())
    };
    let out = h.feed(r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"/>"#);
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
}

#[test]
fn login_timeout() {
    let mut h = Harness::new(config());
    h.connect();
    h.feed(SERVER_OPEN);
    h.advance(19_999);
    let out = h.timeout();
    assert!(
        out.events.is_empty() && out.frames.is_empty(),
        "early wake-ups do nothing"
    );
    h.advance(1);
    let out = h.timeout();
    assert_eq!(out.failed(), Some(&Error::Timeout));
    assert!(out.closed_cleanly());
    assert_eq!(h.client.poll_timeout(), None);
}

#[test]
fn login_timeout_survives_slow_sasl() {
    let mut h = Harness::scram(config(), RFC7677_NONCE);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["SCRAM-SHA-256"]));
    assert_eq!(h.client.poll_timeout(), Some(Instant(21_000)));
    h.advance(25_000);
    assert_eq!(h.timeout().failed(), Some(&Error::Timeout));
}

#[test]
fn something_other_than_open() {
    let mut h = Harness::new(config());
    h.connect();
    let out = h.feed(&features(&["PLAIN"]));
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
    // We told the server why before closing.
    assert!(out.frames.iter().any(|f| f.is("error", STREAMS)));
    assert!(out.closed_cleanly());
}

#[test]
fn something_other_than_features() {
    let mut h = Harness::new(config());
    h.connect();
    h.feed(SERVER_OPEN);
    let out =
        h.feed(r#"<iq xmlns="jabber:client" type="get" id="1"><ping xmlns="urn:xmpp:ping"/></iq>"#);
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
}

#[test]
fn server_close_during_login() {
    let mut h = Harness::new(config());
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(r#"<close xmlns="urn:ietf:params:xml:ns:xmpp-framing"/>"#);
    assert!(
        matches!(out.failed(), Some(Error::TransportClosed { .. })),
        "{out:?}"
    );
    assert!(out.closed_cleanly(), "we answer <close/> with <close/>");
    assert!(out.has_state(SessionState::Failed));
}

#[test]
fn stream_error_during_login() {
    let mut h = Harness::new(config());
    h.connect();
    let out = h.feed(
        r#"<stream:error xmlns:stream="http://etherx.jabber.org/streams"><host-unknown xmlns="urn:ietf:params:xml:ns:xmpp-streams"/></stream:error>"#,
    );
    assert_eq!(
        out.failed(),
        Some(&Error::StreamError {
            condition: "host-unknown".into(),
            text: None
        })
    );
    assert!(out.closed);
}

#[test]
fn transport_closed_during_login() {
    let mut h = Harness::new(config());
    h.connect();
    h.client.handle_closed(h.now, Some("reset by peer".into()));
    let out = h.drain();
    assert_eq!(
        out.failed(),
        Some(&Error::TransportClosed {
            reason: Some("reset by peer".into())
        })
    );
    assert!(
        out.frames.is_empty() && !out.closed,
        "nothing to send on a dead transport"
    );
    assert!(out.has_state(SessionState::Failed));
}

#[test]
fn transport_never_opened() {
    let mut h = Harness::new(config());
    h.client.handle_closed(h.now, None);
    let out = h.drain();
    assert_eq!(out.failed(), Some(&Error::TransportClosed { reason: None }));
    assert_eq!(h.client.state(), SessionState::Failed);
}
