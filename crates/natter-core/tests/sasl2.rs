//! XEP-0388 SASL2 with XEP-0386 Bind2 and XEP-0484 FAST, as Prosody 0.12's mod_sasl2,
//! mod_sasl2_bind2 and mod_sasl2_fast speak them; and the fallback to RFC 6120 SASL.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::*;
use hmac::{Hmac, Mac};
use minidom::Element;
use natter_core::{Config, Error, Event, FastToken, SessionState, StoredCredential};
use sasl::secret::Pbkdf2Sha256;
use sasl::server::Response as ServerResponse;
use sha2::Sha256;

const SASL2: &str = "urn:xmpp:sasl:2";
const BIND2: &str = "urn:xmpp:bind:0";
const FAST: &str = "urn:xmpp:fast:0";
const SM: &str = "urn:xmpp:sm:3";
const HT: &str = "HT-SHA-256-NONE";
const BOUND_JID: &str = "user@example.org/Natter~Xy12";

/// Pre-authentication features: RFC 6120 SASL and SASL2, with or without Bind2 and FAST.
fn sasl2_features(bind2: bool, fast: bool) -> String {
    let bind = if bind2 {
        "<bind xmlns='urn:xmpp:bind:0'><inline><feature var='urn:xmpp:carbons:2'/><feature var='urn:xmpp:csi:0'/><feature var='urn:xmpp:sm:3'/></inline></bind>"
    } else {
        ""
    };
    let fast = if fast {
        "<fast xmlns='urn:xmpp:fast:0'><mechanism>HT-SHA-256-NONE</mechanism></fast>"
    } else {
        ""
    };
    format!(
        "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
         <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-256</mechanism><mechanism>PLAIN</mechanism></mechanisms>\
         <authentication xmlns='urn:xmpp:sasl:2'><mechanism>SCRAM-SHA-1</mechanism><mechanism>SCRAM-SHA-256</mechanism>\
         <inline>{bind}<sm xmlns='urn:xmpp:sm:3'/>{fast}</inline></authentication></stream:features>"
    )
}

/// What Prosody sends after a SASL2 success, bound or not (it does not restart the stream).
const POST_AUTH_FEATURES: &str = "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind><sm xmlns='urn:xmpp:sm:3'><optional/></sm><csi xmlns='urn:xmpp:csi:0'/></stream:features>";

fn sasl2_element(name: &str, data: &[u8]) -> String {
    format!(
        "<{name} xmlns='urn:xmpp:sasl:2'>{}</{name}>",
        STANDARD.encode(data)
    )
}

/// A SASL2 success with the mechanism's final data and whatever `extra` holds.
fn success(additional: &[u8], authorized: &str, extra: &str) -> String {
    format!(
        "<success xmlns='urn:xmpp:sasl:2'><additional-data>{}</additional-data>{extra}<authorization-identifier>{authorized}</authorization-identifier></success>",
        STANDARD.encode(additional)
    )
}

fn token_element(token: &str) -> String {
    format!("<token xmlns='urn:xmpp:fast:0' token='{token}' expiry='2030-01-21T10:00:00Z'/>")
}

/// HMAC-SHA-256 keyed with the token, with the RustCrypto crates (not the code under test).
fn ht(token: &str, label: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(label);
    mac.finalize().into_bytes().to_vec()
}

/// Connects and offers `features`; returns the client's `<authenticate/>`.
fn authenticate(h: &mut Harness, features: &str) -> Element {
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(features);
    let authenticate = out.only_frame().clone();
    assert!(authenticate.is("authenticate", SASL2), "{out:?}");
    authenticate
}

fn user_agent_id(authenticate: &Element) -> String {
    child(authenticate, "user-agent", SASL2)
        .attr("id")
        .expect("a user-agent id")
        .to_owned()
}

/// SCRAM-SHA-256 over SASL2 against the `sasl` crate's server, up to the server-final.
fn sasl2_scram(
    h: &mut Harness,
    authenticate: &Element,
    server_password: &'static str,
) -> Option<Vec<u8>> {
    assert_eq!(authenticate.attr("mechanism"), Some("SCRAM-SHA-256"));
    let client_first = unb64(&child(authenticate, "initial-response", SASL2).text());
    let mut server = scram_server("SCRAM-SHA-256", server_password);
    let Ok(ServerResponse::Proceed(server_first)) = server.respond(client_first.as_bytes()) else {
        panic!("refused {client_first}");
    };
    let out = h.feed(&sasl2_element("challenge", &server_first));
    let response = out.only_frame();
    assert!(response.is("response", SASL2), "{out:?}");
    match server.respond(unb64(&response.text()).as_bytes()) {
        Ok(ServerResponse::Success(_, server_final)) => Some(server_final),
        _ => None,
    }
}

fn credential(out: &Output) -> Option<&StoredCredential> {
    out.events.iter().find_map(|e| match e {
        Event::Credential(c) => Some(c),
        _ => None,
    })
}

#[test]
fn scram_with_bind2_and_a_token_request_goes_online_in_one_exchange() {
    let mut h = Harness::new(config());
    let auth = authenticate(&mut h, &sasl2_features(true, true));
    // Bind2 with our client's name as tag, a FAST token asked for; no RFC 6120 `<auth/>`.
    assert_eq!(
        child(child(&auth, "bind", BIND2), "tag", BIND2).text(),
        "Natter"
    );
    assert_eq!(
        child(&auth, "request-token", FAST).attr("mechanism"),
        Some(HT)
    );
    assert!(auth.get_child("fast", FAST).is_none());
    let client_id = user_agent_id(&auth);

    let server_final = sasl2_scram(&mut h, &auth, PASSWORD).expect("the proof is accepted");
    let out = h.feed(&success(
        &server_final,
        BOUND_JID,
        &format!(
            "<bound xmlns='urn:xmpp:bind:0'/>{}",
            token_element("secret-token:fast-A")
        ),
    ));
    // The credential comes before Online: the SCRAM secret and the token for our client id.
    let c = credential(&out).expect("a credential");
    let scram = c.scram.as_ref().unwrap();
    assert_eq!(
        scram.salted_password,
        Pbkdf2Sha256::derive(PASSWORD, SALT, ITERATIONS)
            .unwrap()
            .digest
    );
    assert_eq!(
        c.fast,
        Some(FastToken {
            mechanism: HT.into(),
            token: "secret-token:fast-A".into(),
            expiry: "2030-01-21T10:00:00Z".into(),
            client_id,
        })
    );
    let credential_at = out
        .events
        .iter()
        .position(|e| matches!(e, Event::Credential(_)))
        .unwrap();
    let online_at = out
        .events
        .iter()
        .position(
            |e| matches!(e, Event::Online { jid, resumed: false } if jid.to_string() == BOUND_JID),
        )
        .expect("online with the bound JID");
    assert!(credential_at < online_at);
    assert!(out.has_state(SessionState::Online));
    // No bind IQ: Bind2 did it. The usual first steps follow: stream management (offered
    // inline), the roster, and once it is answered, presence.
    assert!(!out.frames.iter().any(|f| f.has_child("bind", BIND)));
    assert!(out.frames.iter().any(|f| f.is("enable", SM)), "{out:?}");
    assert!(out.frames.iter().any(|f| f.has_child("query", ROSTER)));
    assert!(!out.frames.iter().any(|f| f.is("presence", CLIENT)));
    let mut out = out;
    let announced = h.answer_roster(&mut out);
    assert!(announced.frames.iter().any(|f| f.is("presence", CLIENT)));

    // The features Prosody still sends after the success change nothing.
    let out = h.feed(POST_AUTH_FEATURES);
    assert!(out.frames.is_empty() && out.events.is_empty(), "{out:?}");
    assert_eq!(h.client.state(), SessionState::Online);
}

/// A stored credential with a token for this client's id, and a SCRAM secret.
fn token_config(client_id: &str) -> Config {
    let mut h = Harness::new(config());
    let auth = authenticate(&mut h, &sasl2_features(true, false));
    let server_final = sasl2_scram(&mut h, &auth, PASSWORD).unwrap();
    let out = h.feed(&success(
        &server_final,
        BOUND_JID,
        "<bound xmlns='urn:xmpp:bind:0'/>",
    ));
    let scram = credential(&out).unwrap().scram.clone();
    let mut config = config();
    config.password = String::new();
    config.stored = Some(StoredCredential {
        scram,
        fast: Some(FastToken {
            mechanism: HT.into(),
            token: "secret-token:fast-A".into(),
            expiry: "2030-01-21T10:00:00Z".into(),
            client_id: client_id.into(),
        }),
    });
    config
}

/// The user-agent id this client (account, resource) presents.
fn our_client_id() -> String {
    let mut h = Harness::new(config());
    user_agent_id(&authenticate(&mut h, &sasl2_features(true, true)))
}

#[test]
fn fast_token_signs_in_in_one_round_trip() {
    let config = token_config(&our_client_id());
    let stored = config.stored.clone();
    let mut h = Harness::new(config);
    let auth = authenticate(&mut h, &sasl2_features(true, true));
    assert_eq!(auth.attr("mechanism"), Some(HT));
    assert!(auth.get_child("fast", FAST).is_some());
    assert!(auth.get_child("request-token", FAST).is_none());
    assert!(auth.get_child("bind", BIND2).is_some());
    // XEP-0484: authcid NUL HMAC(token, "Initiator").
    let initial = STANDARD
        .decode(child(&auth, "initial-response", SASL2).text().trim())
        .unwrap();
    let mut expected = b"user\0".to_vec();
    expected.extend(ht("secret-token:fast-A", b"Initiator"));
    assert_eq!(initial, expected);

    let out = h.feed(&success(
        &ht("secret-token:fast-A", b"Responder"),
        BOUND_JID,
        "<bound xmlns='urn:xmpp:bind:0'/>",
    ));
    assert!(out.has_state(SessionState::Online), "{out:?}");
    // Nothing changed, nothing to keep anew.
    assert!(credential(&out).is_none(), "{out:?}");

    // A rotated token replaces the old one; the SCRAM secret stays.
    let mut h = Harness::new(token_config(&our_client_id()));
    authenticate(&mut h, &sasl2_features(true, true));
    let out = h.feed(&success(
        &ht("secret-token:fast-A", b"Responder"),
        BOUND_JID,
        &format!(
            "<bound xmlns='urn:xmpp:bind:0'/>{}",
            token_element("secret-token:fast-B")
        ),
    ));
    let c = credential(&out).expect("the rotated token");
    assert_eq!(c.fast.as_ref().unwrap().token, "secret-token:fast-B");
    assert_eq!(c.scram, stored.unwrap().scram);
    assert!(out.has_state(SessionState::Online));
}

#[test]
fn fast_success_without_the_servers_proof_is_refused() {
    let mut h = Harness::new(token_config(&our_client_id()));
    authenticate(&mut h, &sasl2_features(true, true));
    let out = h.feed(&success(
        &ht("some other token", b"Responder"),
        BOUND_JID,
        "<bound xmlns='urn:xmpp:bind:0'/>",
    ));
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
    assert!(!out.has_state(SessionState::Online));
}

#[test]
fn token_of_another_client_falls_back_to_the_scram_secret() {
    let mut h = Harness::new(token_config("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
    let auth = authenticate(&mut h, &sasl2_features(true, true));
    let server_final = sasl2_scram(&mut h, &auth, PASSWORD).expect("stored secret accepted");
    // This client asks for its own token.
    assert!(auth.get_child("request-token", FAST).is_some());
    let out = h.feed(&success(
        &server_final,
        BOUND_JID,
        &format!(
            "<bound xmlns='urn:xmpp:bind:0'/>{}",
            token_element("secret-token:fast-mine")
        ),
    ));
    assert!(out.has_state(SessionState::Online), "{out:?}");
    let c = credential(&out).unwrap();
    assert_eq!(c.fast.as_ref().unwrap().token, "secret-token:fast-mine");
    assert_eq!(c.fast.as_ref().unwrap().client_id, our_client_id());
}

#[test]
fn expired_token_fails_in_plain_words() {
    let mut h = Harness::new(token_config(&our_client_id()));
    authenticate(&mut h, &sasl2_features(true, true));
    let out = h.feed("<failure xmlns='urn:xmpp:sasl:2'><credentials-expired xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></failure>");
    let err = out.failed().expect("failed");
    assert!(
        matches!(err, Error::AuthFailed { condition, .. } if condition == "saved-sign-in-expired"),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .contains("saved sign-in expired, enter the password"));
    assert!(out.closed_cleanly());
}

#[test]
fn sasl2_failure_in_plain_words() {
    let mut h = Harness::new(config());
    let auth = authenticate(&mut h, &sasl2_features(true, true));
    assert!(sasl2_scram(&mut h, &auth, "not pencil").is_none());
    // As Prosody words it: the RFC 6120 condition inside the SASL2 failure.
    let out = h.feed("<failure xmlns='urn:xmpp:sasl:2'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/><text>Invalid username or password</text></failure>");
    assert_eq!(
        out.failed(),
        Some(&Error::AuthFailed {
            condition: "not-authorized".into(),
            text: Some("Invalid username or password".into()),
        })
    );
    assert_eq!(
        out.failed().unwrap().to_string(),
        "Sign-in failed: wrong address or password."
    );
    assert!(credential(&out).is_none());
}

#[test]
fn further_steps_are_refused_in_plain_words() {
    let mut h = Harness::new(config());
    let auth = authenticate(&mut h, &sasl2_features(true, false));
    sasl2_scram(&mut h, &auth, PASSWORD).unwrap();
    let out = h.feed("<continue xmlns='urn:xmpp:sasl:2'><additional-data>AAAA</additional-data><tasks><task>TOTP</task></tasks><text>second factor</text></continue>");
    assert!(
        matches!(out.failed(), Some(Error::AuthFailed { text: Some(t), .. }) if t == "second factor"),
        "{out:?}"
    );
}

#[test]
fn without_bind2_the_resource_is_bound_after_the_success() {
    let mut h = Harness::new(config());
    let auth = authenticate(&mut h, &sasl2_features(false, false));
    assert!(auth.get_child("bind", BIND2).is_none());
    let server_final = sasl2_scram(&mut h, &auth, PASSWORD).unwrap();
    // No stream restart: the features of the authenticated stream come next.
    let out = h.feed(&success(&server_final, "user@example.org", ""));
    assert!(out.frames.is_empty(), "{out:?}");
    assert!(credential(&out).is_some());
    let out = h.feed(POST_AUTH_FEATURES);
    let bind = out.only_frame();
    assert_eq!(
        child(child(bind, "bind", BIND), "resource", BIND).text(),
        "natter"
    );
    let id = bind.attr("id").unwrap().to_owned();
    let out = h.feed(&bind_result(&id, FULL_JID));
    assert!(out.has_state(SessionState::Online), "{out:?}");
}

#[test]
fn bound_without_a_full_jid_is_a_protocol_error() {
    let mut h = Harness::new(config());
    let auth = authenticate(&mut h, &sasl2_features(true, false));
    let server_final = sasl2_scram(&mut h, &auth, PASSWORD).unwrap();
    let out = h.feed(&success(
        &server_final,
        "user@example.org",
        "<bound xmlns='urn:xmpp:bind:0'/>",
    ));
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
}

#[test]
fn tampered_sasl2_server_signature_fails() {
    let mut h = Harness::new(config());
    let auth = authenticate(&mut h, &sasl2_features(true, false));
    sasl2_scram(&mut h, &auth, PASSWORD).unwrap();
    let out = h.feed(&success(
        b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        BOUND_JID,
        "<bound xmlns='urn:xmpp:bind:0'/>",
    ));
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
    assert!(credential(&out).is_none());
}

#[test]
fn a_server_without_sasl2_gets_rfc6120_sasl() {
    // What ejabberd 23.01 offers: no `<authentication/>`.
    let mut h = Harness::new(config());
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(&features(&["SCRAM-SHA-256", "PLAIN"]));
    assert!(out.only_frame().is("auth", SASL), "{out:?}");

    // A malformed SASL2 offer counts as none.
    let mut h = Harness::new(config());
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed("<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-256</mechanism></mechanisms><authentication xmlns='urn:xmpp:sasl:2'><mechanism><bogus/></mechanism></authentication></stream:features>");
    assert!(out.only_frame().is("auth", SASL), "{out:?}");
}

#[test]
fn each_resource_is_its_own_client() {
    let id_for = |resource: &str| {
        let mut config = config();
        config.resource = Some(resource.into());
        let mut h = Harness::new(config);
        user_agent_id(&authenticate(&mut h, &sasl2_features(true, true)))
    };
    assert_eq!(id_for("tab-1"), id_for("tab-1"));
    assert_ne!(id_for("tab-1"), id_for("tab-2"));
}

#[test]
fn a_stream_to_resume_is_resumed_after_sasl2_not_bound() {
    // XEP-0198 §5: resumption replaces binding, so no Bind2 then; `<resume/>` follows the
    // success and the authenticated stream's features.
    let mut config = config();
    config.resumption = Some(natter_core::Resumption {
        account: config.jid.clone(),
        stream: Some(natter_core::ResumableStream {
            id: "sm-1".into(),
            location: None,
            jid: FULL_JID.parse().unwrap(),
            inbound: 3,
            acked: 0,
            inactive: false,
        }),
        unacked: Vec::new(),
        queued: Vec::new(),
        rooms: Vec::new(),
    });
    let mut h = Harness::new(config);
    let auth = authenticate(&mut h, &sasl2_features(true, true));
    assert!(
        auth.get_child("bind", BIND2).is_none(),
        "{}",
        String::from(&auth)
    );
    let server_final = sasl2_scram(&mut h, &auth, PASSWORD).unwrap();
    let out = h.feed(&success(&server_final, "user@example.org", ""));
    assert!(out.frames.is_empty(), "{out:?}");
    let out = h.feed(POST_AUTH_FEATURES);
    let resume = out.only_frame();
    assert!(resume.is("resume", SM), "{out:?}");
    assert_eq!(resume.attr("previd"), Some("sm-1"));
}

#[test]
fn malformed_sasl2_answers_end_the_session_without_a_panic() {
    let answers = [
        "<challenge xmlns='urn:xmpp:sasl:2'>not base64!</challenge>",
        "<success xmlns='urn:xmpp:sasl:2'><additional-data>dj1Y</additional-data></success>",
        "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>@@</authorization-identifier></success>",
        "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
        "<what xmlns='urn:xmpp:sasl:2'/>",
        "<failure xmlns='urn:xmpp:sasl:2'/>",
    ];
    for answer in answers {
        let mut h = Harness::new(config());
        authenticate(&mut h, &sasl2_features(true, true));
        let out = h.feed(answer);
        assert!(out.failed().is_some(), "{answer}: {out:?}");
        assert!(out.closed, "{answer}");
        assert!(!out.has_state(SessionState::Online));
    }
}
