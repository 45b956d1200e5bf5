//! "Remember me" over RFC 6120 SASL: the SCRAM secret handed out after a password sign-in, and
//! signing in with it alone. The server side is the `sasl` crate's SCRAM server.

mod common;

use common::*;
use natter_core::{Error, Event, ScramSecret, SessionState, StoredCredential};
use sasl::secret::{Pbkdf2Sha1, Pbkdf2Sha256};
use sasl::server::Response as ServerResponse;

/// Signs in with `config` against the `sasl` crate's SCRAM server for `mechanism` (knowing
/// `server_password`), up to the client's verdict on `<success/>` or `<failure/>`.
fn scram_sign_in(
    config: natter_core::Config,
    offered: &[&str],
    mechanism: &str,
    server_password: &'static str,
) -> (Harness, Output) {
    let mut h = Harness::new(config);
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(&features(offered));
    let auth = out.only_frame();
    assert!(auth.is("auth", SASL), "{out:?}");
    assert_eq!(auth.attr("mechanism"), Some(mechanism));
    let mut server = scram_server(mechanism, server_password);
    let Ok(ServerResponse::Proceed(server_first)) = server.respond(unb64(&auth.text()).as_bytes())
    else {
        panic!("the server mechanism refused the client-first");
    };
    let out = h.feed(&sasl(
        "challenge",
        std::str::from_utf8(&server_first).unwrap(),
    ));
    let response = out.only_frame();
    assert!(response.is("response", SASL), "{out:?}");
    let out = match server.respond(unb64(&response.text()).as_bytes()) {
        Ok(ServerResponse::Success(_, server_final)) => h.feed(&sasl(
            "success",
            std::str::from_utf8(&server_final).unwrap(),
        )),
        _ => h.feed(
            r#"<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><not-authorized/></failure>"#,
        ),
    };
    (h, out)
}

fn credential(out: &Output) -> Option<&StoredCredential> {
    out.events.iter().find_map(|e| match e {
        Event::Credential(c) => Some(c),
        _ => None,
    })
}

fn stored(secret: ScramSecret) -> natter_core::Config {
    let mut config = config();
    config.password = String::new();
    config.stored = Some(StoredCredential {
        scram: Some(secret),
        fast: None,
    });
    config
}

fn expired(out: &Output) -> bool {
    matches!(out.failed(), Some(Error::AuthFailed { condition, .. }) if condition == "saved-sign-in-expired")
}

#[test]
fn password_sign_in_hands_out_the_salted_password() {
    let (_, out) = scram_sign_in(config(), &["SCRAM-SHA-256"], "SCRAM-SHA-256", PASSWORD);
    assert!(out.only_frame().is("open", FRAMING), "{out:?}");
    let c = credential(&out).expect("a credential after SCRAM");
    let scram = c.scram.as_ref().unwrap();
    assert_eq!(scram.mechanism, "SCRAM-SHA-256");
    assert_eq!(scram.salt, SALT);
    assert_eq!(scram.iterations, ITERATIONS);
    // The same SaltedPassword the crate's server derives from the password.
    let expected = Pbkdf2Sha256::derive(PASSWORD, SALT, ITERATIONS).unwrap();
    assert_eq!(scram.salted_password, expected.digest);
    assert!(c.fast.is_none());
    // Logging it shows no secret bytes.
    let shown = format!("{c:?}");
    let first = expected.digest[0].to_string();
    assert!(!shown.contains(&format!("[{first},")), "{shown}");
    assert!(!shown.contains(PASSWORD), "{shown}");

    let (_, out) = scram_sign_in(config(), &["SCRAM-SHA-1"], "SCRAM-SHA-1", PASSWORD);
    let scram = credential(&out).unwrap().scram.clone().unwrap();
    assert_eq!(scram.mechanism, "SCRAM-SHA-1");
    assert_eq!(
        scram.salted_password,
        Pbkdf2Sha1::derive(PASSWORD, SALT, ITERATIONS)
            .unwrap()
            .digest
    );
}

#[test]
fn no_credential_after_plain() {
    let mut config = config();
    config.secure_transport = true;
    let mut h = Harness::new(config);
    h.connect();
    h.feed(SERVER_OPEN);
    assert_eq!(
        h.feed(&features(&["PLAIN"])).only_frame().attr("mechanism"),
        Some("PLAIN")
    );
    let out = h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    assert!(credential(&out).is_none(), "{out:?}");
}

/// The secret a password sign-in hands out, for `mechanism`.
fn secret_for(mechanism: &str) -> ScramSecret {
    let (_, out) = scram_sign_in(config(), &[mechanism], mechanism, PASSWORD);
    credential(&out).unwrap().scram.clone().unwrap()
}

#[test]
fn stored_secret_signs_in_without_the_password() {
    for mechanism in ["SCRAM-SHA-256", "SCRAM-SHA-1"] {
        let secret = secret_for(mechanism);
        let (mut h, out) = scram_sign_in(
            stored(secret),
            &["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"],
            mechanism,
            PASSWORD,
        );
        // The crate's server accepted the proof; the client checked the server's signature.
        assert!(out.only_frame().is("open", FRAMING), "{mechanism}: {out:?}");
        assert!(out.failed().is_none());
        // Nothing new to keep.
        assert!(credential(&out).is_none(), "{out:?}");
        h.feed(SERVER_OPEN);
        let bind = h.feed(BIND_FEATURES);
        let id = bind.only_frame().attr("id").unwrap().to_owned();
        let out = h.feed(&bind_result(&id, FULL_JID));
        assert!(out.has_state(SessionState::Online), "{out:?}");
    }
}

#[test]
fn stored_secret_for_another_salt_or_cost_is_expired() {
    let secret = secret_for("SCRAM-SHA-256");
    let other_salt = ScramSecret {
        salt: b"the salt before the password change".to_vec(),
        ..secret.clone()
    };
    let other_cost = ScramSecret {
        iterations: ITERATIONS * 2,
        ..secret
    };
    for secret in [other_salt, other_cost] {
        let mut h = Harness::new(stored(secret));
        h.connect();
        h.feed(SERVER_OPEN);
        let auth = h.feed(&features(&["SCRAM-SHA-256"]));
        let mut server = scram_server("SCRAM-SHA-256", PASSWORD);
        let Ok(ServerResponse::Proceed(server_first)) =
            server.respond(unb64(&auth.only_frame().text()).as_bytes())
        else {
            panic!("refused");
        };
        let out = h.feed(&sasl(
            "challenge",
            std::str::from_utf8(&server_first).unwrap(),
        ));
        assert!(expired(&out), "{out:?}");
        // No proof went out: the session ends at once.
        assert!(!out.frames.iter().any(|f| f.is("response", SASL)));
        assert!(out.closed_cleanly());
        let shown = out.failed().unwrap().to_string();
        assert!(
            shown.contains("saved sign-in expired, enter the password"),
            "{shown}"
        );
    }
}

#[test]
fn stored_secret_the_server_refuses_is_expired() {
    // Same salt and cost, another password: the server rejects the proof.
    let (_, out) = scram_sign_in(
        stored(secret_for("SCRAM-SHA-256")),
        &["SCRAM-SHA-256"],
        "SCRAM-SHA-256",
        "the new password",
    );
    assert!(expired(&out), "{out:?}");
}

#[test]
fn plain_is_never_used_with_a_stored_credential() {
    let secret = secret_for("SCRAM-SHA-256");
    // Only PLAIN, over a transport where a password could use it.
    let mut config = stored(secret.clone());
    config.secure_transport = true;
    let mut h = Harness::new(config);
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(&features(&["PLAIN"]));
    assert!(!out.frames.iter().any(|f| f.is("auth", SASL)), "{out:?}");
    assert!(expired(&out), "{out:?}");

    // A SHA-256 secret is no SHA-1 one: with only SCRAM-SHA-1 and PLAIN, nothing fits.
    let mut config = stored(secret);
    config.secure_transport = true;
    let mut h = Harness::new(config);
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(&features(&["PLAIN", "SCRAM-SHA-1"]));
    assert!(!out.frames.iter().any(|f| f.is("auth", SASL)), "{out:?}");
    assert!(expired(&out), "{out:?}");
}

#[test]
fn a_password_wins_over_the_stored_credential() {
    let mut config = stored(ScramSecret {
        salt: b"stale".to_vec(),
        ..secret_for("SCRAM-SHA-256")
    });
    config.password = PASSWORD.into();
    let (_, out) = scram_sign_in(config, &["SCRAM-SHA-256"], "SCRAM-SHA-256", PASSWORD);
    assert!(out.failed().is_none(), "{out:?}");
    // The fresh secret replaces the stale one.
    assert_eq!(credential(&out).unwrap().scram.as_ref().unwrap().salt, SALT);
}

#[test]
fn a_token_only_credential_needs_sasl2() {
    let mut config = config();
    config.password = String::new();
    config.stored = Some(StoredCredential {
        scram: None,
        fast: Some(natter_core::FastToken {
            mechanism: "HT-SHA-256-NONE".into(),
            token: "secret-token:fast-1".into(),
            expiry: "2030-01-01T00:00:00Z".into(),
            client_id: "00000000-0000-0000-0000-000000000000".into(),
        }),
    });
    let mut h = Harness::new(config);
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(&features(&["SCRAM-SHA-256", "PLAIN"]));
    assert!(!out.frames.iter().any(|f| f.is("auth", SASL)), "{out:?}");
    assert!(expired(&out), "{out:?}");
}
