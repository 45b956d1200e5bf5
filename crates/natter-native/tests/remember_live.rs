//! "Remember me" against a live Prosody (config/prosody.cfg.lua): sign in with the password,
//! keep only the `StoredCredential` the core hands out, and sign in again with that alone; on
//! `localhost` over RFC 6120 SASL, on `sasl2.localhost` over XEP-0388 SASL2 with XEP-0386
//! Bind2 (mod_sasl2, mod_sasl2_bind2, mod_sasl2_sm). Prosody 0.12.3 cannot run mod_sasl2_fast
//! (see the config), so FAST tokens are covered by the transcript tests only.

mod common;

use std::process::Command;

use common::{account, Account, WAIT};
use natter_native::natter_core::jid::BareJid;
use natter_native::natter_core::{Config, Error, Event, ScramSecret, StoredCredential};
use natter_native::Session;

/// The host with SASL2 and Bind2.
const SASL2_DOMAIN: &str = "sasl2.localhost";

/// A fresh account on [`SASL2_DOMAIN`] (`common::account` registers on `localhost`).
fn sasl2_account(tag: &str) -> Account {
    let local = account(tag);
    let config = std::env::var("NATTER_TEST_PROSODY_CONFIG").expect("NATTER_TEST_PROSODY_CONFIG");
    let out = Command::new("prosodyctl")
        .arg("--config")
        .arg(&config)
        .args(["register", &local.user, SASL2_DOMAIN, &local.password])
        .output()
        .expect("prosodyctl runs");
    assert!(
        out.status.success(),
        "prosodyctl register on {SASL2_DOMAIN} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Account {
        jid: format!("{}@{SASL2_DOMAIN}", local.user)
            .parse::<BareJid>()
            .unwrap(),
        ..local
    }
}

/// Events up to and including `Online` or `Failed`.
async fn sign_in(url: &str, config: Config) -> (Session, Vec<Event>) {
    let mut s = natter_native::connect(url, config)
        .await
        .expect("transport opens");
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout(WAIT, s.next_event()).await {
            Ok(Some(e)) => {
                let last = matches!(e, Event::Online { .. } | Event::Failed(_));
                seen.push(e);
                if last {
                    return (s, seen);
                }
            }
            Ok(None) => return (s, seen),
            Err(_) => panic!("sign-in did not end in time: {seen:?}"),
        }
    }
}

fn credential(events: &[Event]) -> Option<&StoredCredential> {
    events.iter().find_map(|e| match e {
        Event::Credential(c) => Some(c),
        _ => None,
    })
}

fn online_jid(events: &[Event]) -> Option<String> {
    events.iter().find_map(|e| match e {
        Event::Online { jid, .. } => Some(jid.to_string()),
        _ => None,
    })
}

/// Signs in with the password (SCRAM, not PLAIN) and returns the credential handed out.
async fn remembered(url: &str, a: &Account) -> StoredCredential {
    let mut config = natter_native::config(url, a.jid.clone(), &a.password);
    config.secure_transport = false;
    let (s, events) = sign_in(url, config).await;
    assert!(online_jid(&events).is_some(), "{events:?}");
    let c = credential(&events).expect("a credential").clone();
    s.close().await;
    c
}

fn without_password(url: &str, a: &Account, stored: StoredCredential) -> Config {
    let mut config = natter_native::config(url, a.jid.clone(), "");
    config.stored = Some(stored);
    config
}

fn failure(events: &[Event]) -> Option<&Error> {
    events.iter().find_map(|e| match e {
        Event::Failed(err) => Some(err),
        _ => None,
    })
}

#[tokio::test]
async fn password_then_scram_secret_only() {
    let url = server_or_skip!();
    let a = account("remember");
    let c = remembered(&url, &a).await;
    // Prosody 0.12 hashes with SHA-1; no FAST without SASL2.
    let scram = c.scram.as_ref().expect("a SCRAM secret");
    assert!(scram.mechanism.starts_with("SCRAM-SHA-"), "{c:?}");
    assert!(!scram.salted_password.is_empty());
    assert!(c.fast.is_none());
    assert!(!format!("{c:?}").contains(&format!("{:?}", scram.salted_password)));

    let (s, events) = sign_in(&url, without_password(&url, &a, c.clone())).await;
    assert!(online_jid(&events).is_some(), "{events:?}");
    // The same secret still works: nothing new to keep.
    assert!(credential(&events).is_none(), "{events:?}");
    s.close().await;

    // And once more: the stored secret is not used up.
    let (s, events) = sign_in(&url, without_password(&url, &a, c)).await;
    assert!(online_jid(&events).is_some(), "{events:?}");
    s.close().await;
}

#[tokio::test]
async fn stored_secret_over_bosh() {
    let Some((bosh, ws)) = common::bosh_server() else {
        return;
    };
    let a = account("bosh-remember");
    let c = remembered(&ws, &a).await;
    let (s, events) = sign_in(&bosh, without_password(&bosh, &a, c)).await;
    assert!(online_jid(&events).is_some(), "{events:?}");
    s.close().await;
}

#[tokio::test]
async fn stale_secrets_ask_for_the_password() {
    let url = server_or_skip!();
    let a = account("stale");
    let secret = remembered(&url, &a).await.scram.unwrap();
    let stale_salt = ScramSecret {
        salt: b"a salt from before the password change".to_vec(),
        ..secret.clone()
    };
    // Right salt and cost, wrong key: the server itself refuses.
    let wrong_key = ScramSecret {
        salted_password: vec![7; secret.salted_password.len()],
        ..secret
    };
    for scram in [stale_salt, wrong_key] {
        let stored = StoredCredential {
            scram: Some(scram),
            fast: None,
        };
        let (_, events) = sign_in(&url, without_password(&url, &a, stored)).await;
        match failure(&events) {
            Some(err @ Error::AuthFailed { condition, .. }) => {
                assert_eq!(condition, "saved-sign-in-expired", "{events:?}");
                assert!(err
                    .to_string()
                    .contains("saved sign-in expired, enter the password"));
            }
            other => panic!("expected AuthFailed, got {other:?} in {events:?}"),
        }
    }
}

#[tokio::test]
async fn sasl2_and_bind2_with_the_password_then_the_secret() {
    let url = server_or_skip!();
    let a = sasl2_account("sasl2");
    let c = remembered(&url, &a).await;
    assert!(c.scram.is_some(), "{c:?}");

    let (mut s, events) = sign_in(&url, without_password(&url, &a, c)).await;
    let jid = online_jid(&events).unwrap_or_else(|| panic!("not online: {events:?}"));
    // Bind2 bound the resource inside the authentication, named after the client.
    assert!(jid.starts_with(&format!("{}/Natter~", a.jid)), "{jid}");
    // What follows binding still runs: the roster arrives, and a message to ourselves is
    // confirmed by stream management (enabled after Bind2).
    s.wait_for(WAIT, |e| matches!(e, Event::RosterReset { .. }))
        .await
        .expect("the roster");
    let id = s.send_message(a.jid.clone(), "note to self");
    s.wait_for(
        WAIT,
        |e| matches!(e, Event::MessageAcked { id: acked, .. } if *acked == id),
    )
    .await
    .expect("the server acknowledges the message (XEP-0198 after Bind2)");
    s.close().await;
}

#[tokio::test]
async fn sasl2_session_resumes_with_the_secret_alone() {
    let url = server_or_skip!();
    let a = sasl2_account("sasl2-resume");
    let c = remembered(&url, &a).await;
    let (mut s, events) = sign_in(&url, without_password(&url, &a, c.clone())).await;
    let jid = online_jid(&events).unwrap_or_else(|| panic!("not online: {events:?}"));
    let id = s.send_message(a.jid.clone(), "before the drop");
    s.wait_for(
        WAIT,
        |e| matches!(e, Event::MessageAcked { id: acked, .. } if *acked == id),
    )
    .await
    .expect("stream management is on");
    s.drop_connection();
    s.wait_for(WAIT, |e| matches!(e, Event::Failed(_)))
        .await
        .expect("the drop ends the session");
    let resumption = s.take_resumption().expect("a stream to resume");

    // SASL2 without Bind2 (a resumed stream keeps its resource), then `<resume/>`.
    let mut config = without_password(&url, &a, c);
    config.resumption = Some(resumption);
    let (s, events) = sign_in(&url, config).await;
    let resumed = events.iter().find_map(|e| match e {
        Event::Online { jid, resumed } => Some((jid.to_string(), *resumed)),
        _ => None,
    });
    assert_eq!(resumed, Some((jid, true)), "{events:?}");
    s.close().await;
}
