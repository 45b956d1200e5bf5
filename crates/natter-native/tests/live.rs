//! natter-core driven over a real WebSocket against a live Prosody (see common/mod.rs).

mod common;

use std::time::Duration;

use common::{account, befriend, online, presence_from, WAIT};
use natter_native::natter_core::jid::Jid;
use natter_native::natter_core::{Command, Error, Event, SessionState, Show, Subscription};

#[tokio::test]
async fn signs_in_with_scram() {
    let url = server_or_skip!();
    let a = account("scram");
    let mut config = natter_native::config(&url, a.jid.clone(), &a.password);
    // An insecure transport forbids PLAIN: signing in proves SCRAM worked.
    config.secure_transport = false;
    let mut s = natter_native::connect(&url, config)
        .await
        .expect("WebSocket opens");
    let jid = s.online(WAIT).await.expect("online");
    assert_eq!(jid.to_bare(), a.jid);
    assert_eq!(s.state(), SessionState::Online);
    let rest = s.close().await;
    assert!(
        rest.contains(&Event::StateChanged(SessionState::Closed)),
        "a clean close ends in Closed: {rest:?}"
    );
}

#[tokio::test]
async fn wrong_password_is_auth_failed() {
    let url = server_or_skip!();
    let a = account("wrongpw");
    let config = natter_native::config(&url, a.jid.clone(), "not the password");
    let mut s = natter_native::connect(&url, config)
        .await
        .expect("WebSocket opens");
    let e = s
        .wait_for(WAIT, |e| {
            matches!(e, Event::Failed(_) | Event::Online { .. })
        })
        .await
        .expect("sign-in ends");
    match e {
        Event::Failed(Error::AuthFailed { condition, .. }) => {
            assert_eq!(condition, "not-authorized")
        }
        other => panic!("expected AuthFailed, got {other:?}"),
    }
    assert_eq!(s.state(), SessionState::Failed);
    let msg = Error::AuthFailed {
        condition: "not-authorized".into(),
        text: None,
    }
    .to_string();
    assert!(msg.contains("wrong address or password"), "{msg}");
}

#[tokio::test]
async fn unreachable_server_fails_to_connect() {
    // Nothing listens on port 9 (discard) on loopback.
    let a_jid = "nobody@localhost".parse().unwrap();
    let url = "ws://127.0.0.1:9/xmpp-websocket";
    let err = natter_native::connect(url, natter_native::config(url, a_jid, "x")).await;
    assert!(err.is_err(), "connecting to a closed port must fail");
}

#[tokio::test]
async fn roster_is_fetched() {
    let url = server_or_skip!();
    let (a, b) = (account("roster-a"), account("roster-b"));
    befriend(&a, &b);
    let config = natter_native::config(&url, a.jid.clone(), &a.password);
    let mut s = natter_native::connect(&url, config)
        .await
        .expect("WebSocket opens");
    let e = s
        .wait_for(WAIT, |e| matches!(e, Event::RosterReset { .. }))
        .await
        .expect("a roster");
    let Event::RosterReset { items, .. } = e else {
        unreachable!()
    };
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].jid, b.jid);
    assert_eq!(items[0].name.as_deref(), Some(b.user.as_str()));
    assert_eq!(items[0].subscription, Subscription::Both);
    assert_eq!(items[0].groups, vec!["Friends".to_string()]);
    s.close().await;
}

#[tokio::test]
async fn messages_flow_both_ways() {
    let url = server_or_skip!();
    let (a, b) = (account("msg-a"), account("msg-b"));
    let mut sa = online(&url, &a).await;
    let mut sb = online(&url, &b).await;

    let id = sa.send_message(Jid::from(b.jid.clone()), "hello from a");
    let sent = sa
        .wait_for(WAIT, |e| matches!(e, Event::MessageSent(m) if m.id == id))
        .await
        .expect("MessageSent");
    let Event::MessageSent(m) = sent else {
        unreachable!()
    };
    assert_eq!(m.peer, b.jid);
    assert_eq!(m.body, "hello from a");

    let got = sb
        .wait_for(WAIT, |e| matches!(e, Event::Message(_)))
        .await
        .expect("b receives");
    let Event::Message(m) = got else {
        unreachable!()
    };
    assert_eq!(
        (m.peer.clone(), m.body.as_str(), m.id.as_str()),
        (a.jid.clone(), "hello from a", id.as_str())
    );

    sb.send_message(Jid::from(a.jid.clone()), "and back <&> \u{1F600}");
    let got = sa
        .wait_for(WAIT, |e| matches!(e, Event::Message(_)))
        .await
        .expect("a receives");
    let Event::Message(m) = got else {
        unreachable!()
    };
    assert_eq!(m.peer, b.jid);
    assert_eq!(m.body, "and back <&> \u{1F600}");
    sa.close().await;
    sb.close().await;
}

#[tokio::test]
async fn presence_change_is_seen_by_the_contact() {
    let url = server_or_skip!();
    let (a, b) = (account("pres-a"), account("pres-b"));
    befriend(&a, &b);
    let mut sa = online(&url, &a).await;
    let sb = online(&url, &b).await;
    // a first sees b come online …
    presence_from(&mut sa, &b.jid, "b's initial presence", |p| p.available).await;
    // … then away.
    sb.send(Command::SetPresence {
        show: Some(Show::Away),
        status: Some("lunch".into()),
    });
    let p = presence_from(&mut sa, &b.jid, "b's away presence", |p| p.show.is_some()).await;
    assert!(p.available);
    assert_eq!(p.show, Some(Show::Away));
    assert_eq!(p.status.as_deref(), Some("lunch"));
    // Signing out is seen as unavailable.
    sb.close().await;
    presence_from(&mut sa, &b.jid, "b's unavailable presence", |p| {
        !p.available
    })
    .await;
    sa.close().await;
}

#[tokio::test]
async fn add_contact_brings_a_roster_push() {
    let url = server_or_skip!();
    let a = account("push");
    let mut s = online(&url, &a).await;
    let x: natter_native::natter_core::jid::BareJid = "someone-else@localhost".parse().unwrap();
    s.send(Command::AddContact {
        jid: x.clone(),
        name: Some("Someone".into()),
    });
    let e = s
        .wait_for(WAIT, |e| matches!(e, Event::RosterUpdated(i) if i.jid == x))
        .await
        .expect("a roster push");
    let Event::RosterUpdated(item) = e else {
        unreachable!()
    };
    assert_eq!(item.name.as_deref(), Some("Someone"));
    assert!(matches!(item.subscription, Subscription::None), "{item:?}");
    s.send(Command::RemoveContact { jid: x.clone() });
    s.wait_for(WAIT, |e| matches!(e, Event::RosterRemoved(j) if *j == x))
        .await
        .expect("a removal push");
    s.close().await;
}

#[tokio::test]
async fn subscription_request_and_approval() {
    let url = server_or_skip!();
    let (a, b) = (account("sub-a"), account("sub-b"));
    let mut sa = online(&url, &a).await;
    let mut sb = online(&url, &b).await;

    sa.send(Command::AddContact {
        jid: b.jid.clone(),
        name: None,
    });
    let e = sb
        .wait_for(WAIT, |e| matches!(e, Event::SubscriptionRequest { .. }))
        .await
        .expect("b is asked");
    assert_eq!(
        e,
        Event::SubscriptionRequest {
            from: a.jid.clone()
        }
    );

    sb.send(Command::ApproveSubscription { jid: a.jid.clone() });
    sa.wait_for(
        WAIT,
        |e| matches!(e, Event::SubscriptionChanged { from, approved: true } if *from == b.jid),
    )
    .await
    .expect("a is told b approved");
    // a's roster now shows the subscription to b …
    sa.wait_for(WAIT, |e| {
        matches!(e, Event::RosterUpdated(i) if i.jid == b.jid && matches!(i.subscription, Subscription::To | Subscription::Both))
    })
    .await
    .expect("a's roster push with subscription to b");
    // … and a sees b's presence.
    presence_from(&mut sa, &b.jid, "b's presence reaches a", |p| p.available).await;
    sa.close().await;
    sb.close().await;
}

#[tokio::test]
async fn idle_session_stays_online() {
    let url = server_or_skip!();
    let a = account("idle");
    let mut s = online(&url, &a).await;
    // Nothing should end the session on its own within a few seconds.
    let r = s
        .wait_for(Duration::from_secs(3), |e| matches!(e, Event::Failed(_)))
        .await;
    assert!(r.is_err(), "unexpected failure: {r:?}");
    assert_eq!(s.state(), SessionState::Online);
    s.close().await;
}
