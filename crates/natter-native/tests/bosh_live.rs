//! natter-core driven over BOSH (XEP-0124/XEP-0206) against a live Prosody, next to WebSocket
//! sessions on the same server (see common/mod.rs for the environment).

mod common;

use std::time::Duration;

use common::{account, befriend, online, presence_from, WAIT};
use natter_native::natter_core::bosh::Settings;
use natter_native::natter_core::jid::Jid;
use natter_native::natter_core::{Command, Event, SessionState, Show, Subscription};
use natter_native::Session;

macro_rules! bosh_or_skip {
    () => {
        match common::bosh_server() {
            Some(urls) => urls,
            None => return,
        }
    };
}

/// Waits for the message with `body` and returns how many messages with that body came
/// within `extra` after it (duplicates).
async fn receive_once(s: &mut Session, body: &str, extra: Duration) -> usize {
    s.wait_for(WAIT, |e| matches!(e, Event::Message(m) if m.body == body))
        .await
        .unwrap_or_else(|e| panic!("{body:?} did not arrive: {e}"));
    let mut more = 0;
    let deadline = tokio::time::Instant::now() + extra;
    while let Ok(Some(e)) = tokio::time::timeout_at(deadline, s.next_event()).await {
        if matches!(&e, Event::Message(m) if m.body == body) {
            more += 1;
        }
    }
    more
}

#[tokio::test]
async fn signs_in_with_scram_over_bosh() {
    let (bosh, _) = bosh_or_skip!();
    let a = account("bosh-scram");
    let mut config = natter_native::config(&bosh, a.jid.clone(), &a.password);
    // An insecure transport forbids PLAIN: signing in proves SCRAM worked (and the restart).
    config.secure_transport = false;
    let mut s = natter_native::connect(&bosh, config)
        .await
        .expect("BOSH session created");
    let jid = s.online(WAIT).await.expect("online");
    assert_eq!(jid.to_bare(), a.jid);
    assert_eq!(s.state(), SessionState::Online);
    let rest = s.close().await;
    assert!(
        rest.contains(&Event::StateChanged(SessionState::Closed)),
        "a clean close ends in Closed: {rest:?}"
    );
    assert!(
        !rest.iter().any(|e| matches!(e, Event::Failed(_))),
        "{rest:?}"
    );
}

#[tokio::test]
async fn wrong_password_over_bosh_is_auth_failed() {
    let (bosh, _) = bosh_or_skip!();
    let a = account("bosh-wrongpw");
    let config = natter_native::config(&bosh, a.jid.clone(), "not the password");
    let mut s = natter_native::connect(&bosh, config)
        .await
        .expect("created");
    let e = s
        .wait_for(WAIT, |e| {
            matches!(e, Event::Failed(_) | Event::Online { .. })
        })
        .await
        .expect("sign-in ends");
    assert!(
        matches!(&e, Event::Failed(natter_native::natter_core::Error::AuthFailed { condition, .. }) if condition == "not-authorized"),
        "{e:?}"
    );
}

#[tokio::test]
async fn unknown_domain_and_unreachable_server_fail_to_connect() {
    let (bosh, _) = bosh_or_skip!();
    let jid = "someone@no-such-host.example".parse().unwrap();
    let err = natter_native::connect(&bosh, natter_native::config(&bosh, jid, "x"))
        .await
        .err()
        .expect("Prosody refuses a domain it does not serve");
    assert!(
        err.to_string().contains("does not serve this domain"),
        "{err}"
    );
    let url = "http://127.0.0.1:9/http-bind";
    let jid = "nobody@localhost".parse().unwrap();
    let err = natter_native::connect(url, natter_native::config(url, jid, "x"))
        .await
        .err()
        .expect("nothing listens on port 9");
    assert!(
        err.to_string().contains("could not reach the BOSH service"),
        "{err}"
    );
}

#[tokio::test]
async fn roster_over_bosh() {
    let (bosh, _) = bosh_or_skip!();
    let (a, b) = (account("bosh-roster-a"), account("bosh-roster-b"));
    befriend(&a, &b);
    let mut s = online(&bosh, &a).await;
    let e = s
        .wait_for(WAIT, |e| matches!(e, Event::RosterReset { .. }))
        .await
        .expect("a roster");
    let Event::RosterReset { items, .. } = e else {
        unreachable!()
    };
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].jid, b.jid);
    assert_eq!(items[0].subscription, Subscription::Both);
    assert_eq!(items[0].groups, vec!["Friends".to_string()]);
    s.close().await;
}

#[tokio::test]
async fn messages_between_bosh_and_websocket() {
    let (bosh, ws) = bosh_or_skip!();
    let (a, b) = (account("bosh-msg-a"), account("bosh-msg-b"));
    let mut sa = online(&bosh, &a).await;
    let mut sb = online(&ws, &b).await;

    let id = sa.send_message(Jid::from(b.jid.clone()), "from BOSH");
    sa.wait_for(WAIT, |e| matches!(e, Event::MessageSent(m) if m.id == id))
        .await
        .expect("MessageSent");
    let got = sb
        .wait_for(WAIT, |e| matches!(e, Event::Message(_)))
        .await
        .expect("the WebSocket side receives");
    let Event::Message(m) = got else {
        unreachable!()
    };
    assert_eq!(
        (m.peer.clone(), m.body.as_str()),
        (a.jid.clone(), "from BOSH")
    );
    assert_eq!(m.id, id);

    // Several at once, and markup-like text, come back in order over the long-poll.
    for n in 0..5 {
        sb.send_message(
            Jid::from(a.jid.clone()),
            format!("to BOSH <&> {n} \u{1F600}"),
        );
    }
    for n in 0..5 {
        let want = format!("to BOSH <&> {n} \u{1F600}");
        let got = sa
            .wait_for(WAIT, |e| matches!(e, Event::Message(_)))
            .await
            .expect("the BOSH side receives");
        let Event::Message(m) = got else {
            unreachable!()
        };
        assert_eq!(m.peer, b.jid);
        assert_eq!(m.body, want, "in order");
    }
    sa.close().await;
    sb.close().await;
}

#[tokio::test]
async fn presence_between_bosh_and_websocket() {
    let (bosh, ws) = bosh_or_skip!();
    let (a, b) = (account("bosh-pres-a"), account("bosh-pres-b"));
    befriend(&a, &b);
    let mut sa = online(&bosh, &a).await;
    let mut sb = online(&ws, &b).await;
    presence_from(&mut sa, &b.jid, "the BOSH side sees b online", |p| {
        p.available
    })
    .await;
    presence_from(&mut sb, &a.jid, "the WebSocket side sees a online", |p| {
        p.available
    })
    .await;
    sa.send(Command::SetPresence {
        show: Some(Show::Dnd),
        status: Some("in a meeting".into()),
    });
    let p = presence_from(&mut sb, &a.jid, "a's dnd", |p| p.show.is_some()).await;
    assert_eq!(p.show, Some(Show::Dnd));
    assert_eq!(p.status.as_deref(), Some("in a meeting"));
    sb.send(Command::SetPresence {
        show: Some(Show::Away),
        status: None,
    });
    presence_from(&mut sa, &b.jid, "b's away reaches the BOSH side", |p| {
        p.show == Some(Show::Away)
    })
    .await;
    sb.close().await;
    sa.close().await;
}

#[tokio::test]
async fn sign_out_terminates_the_bosh_session() {
    let (bosh, ws) = bosh_or_skip!();
    let (a, b) = (account("bosh-out-a"), account("bosh-out-b"));
    befriend(&a, &b);
    let sa = online(&bosh, &a).await;
    let mut sb = online(&ws, &b).await;
    presence_from(&mut sb, &a.jid, "a online", |p| p.available).await;
    let started = std::time::Instant::now();
    let rest = sa.close().await;
    assert!(
        rest.contains(&Event::StateChanged(SessionState::Closed)),
        "{rest:?}"
    );
    // The terminate request ended the session at once: no waiting for BOSH inactivity (60 s).
    sb.wait_for(
        Duration::from_secs(5),
        |e| matches!(e, Event::Presence(p) if p.from.to_bare() == a.jid && !p.available),
    )
    .await
    .expect("a's unavailable presence, promptly");
    assert!(started.elapsed() < Duration::from_secs(8));
    sb.close().await;
}

#[tokio::test]
async fn lost_answers_lose_no_stanza() {
    let (bosh, ws) = bosh_or_skip!();
    let (a, b) = (account("bosh-lost-a"), account("bosh-lost-b"));
    let mut sa = online(&bosh, &a).await;
    let mut sb = online(&ws, &b).await;
    // Let the sign-in traffic settle so the next answer is the long-poll's.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // In: the answer carrying the message is lost; the resend gets the server's replay.
    sa.lose_bosh_answers(1);
    sb.send_message(Jid::from(a.jid.clone()), "in despite a lost answer");
    let dups = receive_once(&mut sa, "in despite a lost answer", Duration::from_secs(2)).await;
    assert_eq!(dups, 0, "delivered exactly once");

    // Out: the answer to the request carrying our message (or to the poll it released) is
    // lost; the server must not route the message twice.
    sa.lose_bosh_answers(1);
    let id = sa.send_message(Jid::from(b.jid.clone()), "out despite a lost answer");
    sa.wait_for(WAIT, |e| matches!(e, Event::MessageSent(m) if m.id == id))
        .await
        .expect("sent");
    let dups = receive_once(&mut sb, "out despite a lost answer", Duration::from_secs(3)).await;
    assert_eq!(dups, 0, "routed exactly once");

    // Two answers in a row lost: still one copy, and the session is still there.
    sa.lose_bosh_answers(2);
    sb.send_message(Jid::from(a.jid.clone()), "after two losses");
    let dups = receive_once(&mut sa, "after two losses", Duration::from_secs(2)).await;
    assert_eq!(dups, 0);
    assert_eq!(sa.state(), SessionState::Online);
    sa.close().await;
    sb.close().await;
}

#[tokio::test]
async fn idle_bosh_session_renews_its_long_poll() {
    let (bosh, ws) = bosh_or_skip!();
    let (a, b) = (account("bosh-idle-a"), account("bosh-idle-b"));
    let config = natter_native::config(&bosh, a.jid.clone(), &a.password);
    // Prosody answers a held request after `wait` seconds: with 2 s, several rounds pass.
    let settings = Settings {
        wait_secs: 2,
        ..Settings::default()
    };
    let mut sa = natter_native::bosh::connect_with(&bosh, config, settings)
        .await
        .expect("created");
    sa.online(WAIT).await.expect("online");
    let r = sa
        .wait_for(Duration::from_secs(7), |e| matches!(e, Event::Failed(_)))
        .await;
    assert!(r.is_err(), "unexpected failure: {r:?}");
    assert_eq!(sa.state(), SessionState::Online);
    let sb = online(&ws, &b).await;
    sb.send_message(Jid::from(a.jid.clone()), "still there?");
    assert_eq!(
        receive_once(&mut sa, "still there?", Duration::from_millis(500)).await,
        0
    );
    sa.close().await;
    sb.close().await;
}
