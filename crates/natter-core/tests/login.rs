//! Sign-in transcripts: every login state and every way sign-in can fail.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::*;
use natter_core::{Error, Event, Instant, SessionState};
use sasl::common::Identity;
use sasl::server::{
    Mechanism as ServerMechanism, MechanismError as ServerError, Response as ServerResponse,
};

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

/// Connects, offers `offered` and returns the client's SCRAM client-first message, checking it
/// asked for `mechanism`.
fn scram_client_first(h: &mut Harness, offered: &[&str], mechanism: &str) -> String {
    h.connect();
    assert!(h.feed(SERVER_OPEN).frames.is_empty());
    let out = h.feed(&features(offered));
    let auth = out.only_frame();
    assert!(auth.is("auth", SASL));
    assert_eq!(auth.attr("mechanism"), Some(mechanism));
    unb64(&auth.text())
}

/// Up to the client's client-final, with the `sasl` crate's server mechanism (knowing
/// `server_password`) as the server. Returns that server, still waiting for the client-final.
fn scram_to_client_final(
    h: &mut Harness,
    offered: &[&str],
    mechanism: &str,
    server_password: &'static str,
) -> (Box<dyn ServerMechanism>, String) {
    let client_first = scram_client_first(h, offered, mechanism);
    assert!(
        client_first.starts_with("y,,n=user,r="),
        "no channel binding, user name as is: {client_first}"
    );
    let mut server = scram_server(mechanism, server_password);
    let Ok(ServerResponse::Proceed(server_first)) = server.respond(client_first.as_bytes()) else {
        panic!("the server mechanism refused {client_first:?}");
    };
    let server_first = String::from_utf8(server_first).unwrap();
    assert!(nonce_of(&server_first).starts_with(nonce_of(&client_first)));

    let out = h.feed(&sasl("challenge", &server_first));
    let response = out.only_frame();
    assert!(response.is("response", SASL));
    let client_final = unb64(&response.text());
    assert!(client_final.starts_with("c=eSws,r="), "{client_final}");
    assert_eq!(nonce_of(&client_final), nonce_of(&server_first));
    (server, client_final)
}

/// The whole SCRAM exchange against the `sasl` crate's server: its verdict on our proof and
/// the server-final it sends back.
fn scram_server_final(h: &mut Harness, offered: &[&str], mechanism: &str) -> String {
    let (mut server, client_final) = scram_to_client_final(h, offered, mechanism, PASSWORD);
    match server.respond(client_final.as_bytes()) {
        Ok(ServerResponse::Success(identity, server_final)) => {
            assert_eq!(identity, Identity::Username("user".into()));
            String::from_utf8(server_final).unwrap()
        }
        other => panic!("the server mechanism did not accept our proof: {other:?}"),
    }
}

/// Up to the client's `<auth/>` for SCRAM-SHA-256; returns a server-first that extends our
/// nonce with the given attributes after it.
fn server_first_for(h: &mut Harness, rest: &str) -> String {
    let client_first = scram_client_first(h, &["SCRAM-SHA-256"], "SCRAM-SHA-256");
    format!("r={}srv,{rest}", nonce_of(&client_first))
}

#[test]
fn scram_sha256_through_bind_roster_and_presence() {
    let mut h = Harness::new(config());
    let server_final = scram_server_final(
        &mut h,
        &["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"],
        "SCRAM-SHA-256",
    );

    // Success verifies the server signature, hands out what signs in again without the
    // password, then the stream restarts.
    let out = h.feed(&sasl("success", &server_final));
    assert!(out.only_frame().is("open", FRAMING));
    assert!(
        matches!(out.events.as_slice(), [Event::Credential(c)] if c.scram.is_some()),
        "{out:?}"
    );
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
                jid: FULL_JID.parse().unwrap(),
                resumed: false,
            },
            Event::StateChanged(SessionState::Online)
        ]
    );
    // The roster get and the server's features (to turn carbons on, carbons.rs); nothing
    // announces us before the roster is here.
    assert_eq!(out.frames.len(), 2, "{out:?}");
    let roster_get = &out.frames[0];
    assert_eq!(roster_get.attr("type"), Some("get"));
    assert!(roster_get.has_child("query", ROSTER));
    let disco = &out.frames[1];
    assert_eq!(disco.attr("to"), Some("example.org"));
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
    // Now the announcement: initial presence with caps, and what needs it.
    assert_eq!(out.frames.len(), 3, "{out:?}");
    let presence = &out.frames[0];
    assert!(presence.is("presence", CLIENT));
    assert_eq!(presence.attr("type"), None);
    let caps = child(presence, "c", "http://jabber.org/protocol/caps");
    assert_eq!(caps.attr("hash"), Some("sha-1"));
    // Then our account's features, to find its bookmarks (muc_bookmarks.rs).
    let account = &out.frames[1];
    assert_eq!(account.attr("to"), Some("user@example.org"));
    assert!(account.has_child("query", "http://jabber.org/protocol/disco#info"));
    // Then the server's items, to find its HTTP upload service (upload.rs).
    let items = &out.frames[2];
    assert_eq!(items.attr("to"), Some("example.org"));
    assert!(items.has_child("query", "http://jabber.org/protocol/disco#items"));
    // The server's disco#info is still out; once answered (no carbons) nothing is pending.
    assert_eq!(h.client.poll_timeout(), Some(h.now.after(30_000)));
    let disco_id = disco.attr("id").unwrap();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{disco_id}" from="example.org"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>"#
    ));
    assert!(out.events.is_empty() && out.frames.is_empty(), "{out:?}");
    // Only the keepalive's deadline is left: 30 s after the last frame from the server.
    assert_eq!(h.client.poll_timeout(), Some(h.now.after(30_000)));
}

#[test]
fn scram_sha1_when_sha256_absent() {
    let mut h = Harness::new(config());
    let server_final = scram_server_final(&mut h, &["PLAIN", "SCRAM-SHA-1"], "SCRAM-SHA-1");
    let out = h.feed(&sasl("success", &server_final));
    assert!(out.only_frame().is("open", FRAMING));
    assert!(out.failed().is_none());
}

#[test]
fn wrong_password_is_rejected_by_the_server() {
    for mechanism in ["SCRAM-SHA-256", "SCRAM-SHA-1"] {
        let mut h = Harness::new(config());
        let (mut server, client_final) =
            scram_to_client_final(&mut h, &[mechanism], mechanism, "not pencil");
        assert_eq!(
            server.respond(client_final.as_bytes()),
            Err(ServerError::AuthenticationFailed),
            "{mechanism}"
        );
        let out = h.feed(
            r#"<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><not-authorized/></failure>"#,
        );
        assert_eq!(
            out.failed(),
            Some(&Error::AuthFailed {
                condition: "not-authorized".into(),
                text: None
            })
        );
    }
}

#[test]
fn nonce_is_fresh_per_session_even_with_the_same_entropy() {
    let nonce = || {
        let mut h = Harness::new(config());
        let client_first = scram_client_first(&mut h, &["SCRAM-SHA-256"], "SCRAM-SHA-256");
        nonce_of(&client_first).to_owned()
    };
    let (a, b) = (nonce(), nonce());
    assert_ne!(
        a, b,
        "the nonce comes from the OS, not from Config::entropy"
    );
    assert!(a.len() >= 32, "{a}");
}

#[test]
fn server_offering_channel_binding_gets_the_n_flag() {
    // A server that can bind channels must fail a client claiming `y` (RFC 5802 §6).
    let mut h = Harness::new(config());
    let client_first = scram_client_first(
        &mut h,
        &["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"],
        "SCRAM-SHA-256",
    );
    assert!(client_first.starts_with("n,,n=user,r="), "{client_first}");
    let server_first = format!("r={}srv,s=c2FsdA==,i=1", nonce_of(&client_first));
    let out = h.feed(&sasl("challenge", &server_first));
    assert!(unb64(&out.only_frame().text()).starts_with("c=biws,"));
}

#[test]
fn server_signature_in_a_challenge_then_empty_success() {
    let mut h = Harness::new(config());
    let server_final = scram_server_final(&mut h, &["SCRAM-SHA-256"], "SCRAM-SHA-256");
    let out = h.feed(&sasl("challenge", &server_final));
    let response = out.only_frame();
    assert!(response.is("response", SASL));
    assert_eq!(response.text(), "");
    let out = h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    assert!(out.only_frame().is("open", FRAMING));
}

#[test]
fn tampered_server_signature_fails() {
    for mechanism in ["SCRAM-SHA-256", "SCRAM-SHA-1"] {
        let mut h = Harness::new(config());
        let server_final = scram_server_final(&mut h, &[mechanism], mechanism);
        let mut signature = STANDARD
            .decode(server_final.strip_prefix("v=").unwrap())
            .unwrap();
        signature[0] ^= 1;
        let tampered = format!("v={}", STANDARD.encode(&signature));
        let out = h.feed(&sasl("success", &tampered));
        let Some(Error::Protocol(what)) = out.failed() else {
            panic!("{out:?}")
        };
        assert!(what.contains("impostor"), "{what}");
        assert!(out.closed_cleanly());
        assert!(out.has_state(SessionState::Failed));
        // Never restarted the stream as if signed in.
        assert!(!out.frames.iter().any(|f| f.is("open", FRAMING)));
    }
}

#[test]
fn success_without_server_signature_fails() {
    let mut h = Harness::new(config());
    scram_to_client_final(&mut h, &["SCRAM-SHA-256"], "SCRAM-SHA-256", PASSWORD);
    let out = h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
    assert!(!out.frames.iter().any(|f| f.is("open", FRAMING)));
}

#[test]
fn server_nonce_must_extend_ours() {
    let mut h = Harness::new(config());
    scram_client_first(&mut h, &["SCRAM-SHA-256"], "SCRAM-SHA-256");
    let out = h.feed(&sasl(
        "challenge",
        "r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    ));
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
    assert!(!out.frames.iter().any(|f| f.is("response", SASL)));

    // Our nonce alone, not extended, is a replay too.
    let mut h = Harness::new(config());
    let client_first = scram_client_first(&mut h, &["SCRAM-SHA-256"], "SCRAM-SHA-256");
    let out = h.feed(&sasl(
        "challenge",
        &format!(
            "r={},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            nonce_of(&client_first)
        ),
    ));
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
}

#[test]
fn huge_iteration_count_fails_before_any_pbkdf2() {
    let mut h = Harness::new(config());
    let server_first = server_first_for(&mut h, "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=10000000");
    let started = std::time::Instant::now();
    let out = h.feed(&sasl("challenge", &server_first));
    // Ten million PBKDF2 rounds take many seconds (minutes unoptimised); a refusal takes none.
    assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());
    let Some(Error::Protocol(what)) = out.failed() else {
        panic!("{out:?}")
    };
    assert!(what.contains("password hashing"), "{what}");
    assert!(!out.frames.iter().any(|f| f.is("response", SASL)));
}

#[test]
fn missing_or_zero_iteration_count_fails() {
    for rest in [
        "s=W22ZaJ0SNY7soEsUEjb6gQ==",
        "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",
    ] {
        let mut h = Harness::new(config());
        let server_first = server_first_for(&mut h, rest);
        let out = h.feed(&sasl("challenge", &server_first));
        assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
    }
}

#[test]
fn mandatory_extension_fails() {
    let mut h = Harness::new(config());
    let client_first = scram_client_first(&mut h, &["SCRAM-SHA-256"], "SCRAM-SHA-256");
    let server_first = format!(
        "m=must-know,r={}srv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        nonce_of(&client_first)
    );
    let out = h.feed(&sasl("challenge", &server_first));
    let Some(Error::Protocol(what)) = out.failed() else {
        panic!("{out:?}")
    };
    assert!(what.contains("extension"), "{what}");
    assert!(!out.frames.iter().any(|f| f.is("response", SASL)));
}

#[test]
fn scram_error_in_server_final_is_an_auth_failure() {
    let mut h = Harness::new(config());
    scram_to_client_final(&mut h, &["SCRAM-SHA-256"], "SCRAM-SHA-256", "not pencil");
    let out = h.feed(&sasl("success", "e=invalid-proof"));
    assert_eq!(
        out.failed(),
        Some(&Error::AuthFailed {
            condition: "invalid-proof".into(),
            text: None
        })
    );
    assert!(!out.frames.iter().any(|f| f.is("open", FRAMING)));
}

#[test]
fn scram_error_in_server_first_is_an_auth_failure() {
    let mut h = Harness::new(config());
    scram_client_first(&mut h, &["SCRAM-SHA-1"], "SCRAM-SHA-1");
    let out = h.feed(&sasl("challenge", "e=unknown-user"));
    assert_eq!(
        out.failed(),
        Some(&Error::AuthFailed {
            condition: "unknown-user".into(),
            text: None
        })
    );
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
    let mut h = Harness::new(config());
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
    let mut h = Harness::new(config());
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
        jid: "user@example.org/srv-42".parse().unwrap(),
        resumed: false,
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
    assert!(
        matches!(out.events.as_slice(), [Event::Dropped { .. }]) && out.frames.is_empty(),
        "{out:?}"
    );
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
    let mut h = Harness::new(config());
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
