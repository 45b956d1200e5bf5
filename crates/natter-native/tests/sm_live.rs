//! XEP-0198 against a live Prosody (mod_smacks): a session whose connection dies is resumed
//! with nothing lost and nothing doubled; one that cannot be resumed is replaced by a fresh
//! session that sends the unconfirmed message once. See common/mod.rs for the setup.

mod common;

use std::time::Duration;

use common::{account, befriend, online, Account, WAIT};
use natter_native::natter_core::jid::BareJid;
use natter_native::natter_core::{Error, Event, Resumption};
use natter_native::Session;

/// Every event within `time`, or until the session ends.
async fn collect(s: &mut Session, time: Duration) -> Vec<Event> {
    let deadline = tokio::time::Instant::now() + time;
    let mut seen = Vec::new();
    while let Ok(Some(e)) = tokio::time::timeout_at(deadline, s.next_event()).await {
        seen.push(e);
    }
    seen
}

/// Bodies of the messages from `from` among `events`.
fn bodies_from(events: &[Event], from: &BareJid) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) if m.peer == *from => Some(m.body.clone()),
            _ => None,
        })
        .collect()
}

/// Sends a message and waits until the server confirms it (XEP-0198 is on).
async fn send_acked(s: &mut Session, to: &BareJid, body: &str) {
    let id = s.send_message(to.clone(), body);
    s.wait_for(
        WAIT,
        |e| matches!(e, Event::MessageAcked { id: acked, .. } if *acked == id),
    )
    .await
    .unwrap_or_else(|e| panic!("{body:?} was not acknowledged: {e}"));
}

/// Waits until `s` gets a message with `body`.
async fn received(s: &mut Session, body: &str) {
    s.wait_for(WAIT, |e| matches!(e, Event::Message(m) if m.body == body))
        .await
        .unwrap_or_else(|e| panic!("{body:?} did not arrive: {e}"));
}

/// Waits for the session to end by a lost connection; returns what it hands on.
async fn lost(s: &mut Session) -> Resumption {
    let e = s
        .wait_for(WAIT, |e| matches!(e, Event::Failed(_)))
        .await
        .expect("the session ends");
    assert!(
        matches!(e, Event::Failed(Error::TransportClosed { .. })),
        "{e:?}"
    );
    s.take_resumption().expect("a resumption")
}

/// Connects with `resumption` and waits until online; returns the session and `resumed`.
async fn reconnect(url: &str, a: &Account, resumption: Resumption) -> (Session, bool) {
    let mut config = natter_native::config(url, a.jid.clone(), &a.password);
    config.resumption = Some(resumption);
    let mut s = natter_native::connect(url, config)
        .await
        .expect("WebSocket opens");
    let e = s
        .wait_for(WAIT, |e| {
            matches!(e, Event::Online { .. } | Event::Failed(_))
        })
        .await
        .expect("sign-in ends");
    match e {
        Event::Online { resumed, .. } => (s, resumed),
        other => panic!("{} did not come back: {other:?}", a.jid),
    }
}

#[tokio::test]
async fn a_dropped_connection_is_resumed_without_loss_or_duplicates() {
    let url = server_or_skip!();
    let (a, b) = (account("sm-a"), account("sm-b"));
    befriend(&a, &b);
    let mut sa = online(&url, &a).await;
    let mut sb = online(&url, &b).await;
    send_acked(&mut sa, &b.jid, "before").await;
    received(&mut sb, "before").await;

    // The network dies under A; what A writes now goes nowhere.
    sa.blackhole();
    let void = sa.send_message(b.jid.clone(), "written into the void");
    sa.drop_connection();
    let resumption = lost(&mut sa).await;
    let stream = resumption.stream.as_ref().expect("a resumable stream");
    assert!(!stream.id.is_empty());
    assert_eq!(
        resumption.pending_messages(),
        vec![(void.clone(), b.jid.clone())]
    );

    // B writes while A is away; Prosody keeps A's session (hibernation) and queues them.
    let sent: Vec<String> = (1..=5).map(|n| format!("while away {n}")).collect();
    for body in &sent {
        sb.send_message(a.jid.clone(), body.clone());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let (mut sa, resumed) = reconnect(&url, &a, resumption).await;
    assert!(resumed, "the session was resumed");
    let events = collect(&mut sa, Duration::from_secs(3)).await;
    assert_eq!(
        bodies_from(&events, &b.jid),
        sent,
        "each exactly once, in order: {events:?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::RosterReset { .. } | Event::RosterUnchanged)),
        "a resumed session does not fetch the roster: {events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::MessageAcked { id, .. } if *id == void)),
        "the retransmitted message is confirmed: {events:?}"
    );
    let at_b = collect(&mut sb, Duration::from_secs(1)).await;
    assert_eq!(
        bodies_from(&at_b, &a.jid),
        ["written into the void"],
        "{at_b:?}"
    );

    // The resumed session works as any other.
    send_acked(&mut sa, &b.jid, "after").await;
    sa.close().await;
    sb.close().await;
}

#[tokio::test]
async fn a_silent_connection_is_noticed_and_resumed() {
    let url = server_or_skip!();
    let (a, b) = (account("sm-dead-a"), account("sm-dead-b"));
    befriend(&a, &b);
    let mut config = natter_native::config(&url, a.jid.clone(), &a.password);
    config.keepalive_ms = 1_000;
    config.dead_after_ms = 1_000;
    let mut sa = natter_native::connect(&url, config)
        .await
        .expect("WebSocket opens");
    sa.online(WAIT).await.expect("online");
    let mut sb = online(&url, &b).await;
    send_acked(&mut sa, &b.jid, "before").await;
    received(&mut sb, "before").await;

    let started = std::time::Instant::now();
    sa.blackhole();
    let e = sa
        .wait_for(Duration::from_secs(5), |e| matches!(e, Event::Failed(_)))
        .await
        .expect("the dead connection is noticed");
    assert_eq!(
        e,
        Event::Failed(Error::TransportClosed {
            reason: Some("the server stopped answering".into())
        })
    );
    assert!(started.elapsed() < Duration::from_secs(4));
    let resumption = sa.take_resumption().expect("a resumption");
    sb.send_message(a.jid.clone(), "are you there?");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (mut sa, resumed) = reconnect(&url, &a, resumption).await;
    assert!(resumed);
    let events = collect(&mut sa, Duration::from_secs(2)).await;
    assert_eq!(
        bodies_from(&events, &b.jid),
        ["are you there?"],
        "{events:?}"
    );
    sa.close().await;
    sb.close().await;
}

#[tokio::test]
async fn a_failed_resumption_sends_the_unconfirmed_message_once() {
    let url = server_or_skip!();
    let (a, b) = (account("sm-bogus-a"), account("sm-bogus-b"));
    befriend(&a, &b);
    let mut sa = online(&url, &a).await;
    let mut sb = online(&url, &b).await;
    send_acked(&mut sa, &b.jid, "before").await;
    received(&mut sb, "before").await;

    sa.blackhole();
    let id = sa.send_message(b.jid.clone(), "unconfirmed");
    sa.drop_connection();
    let mut resumption = lost(&mut sa).await;
    // A session the server does not know (expired, or the server restarted).
    resumption.stream.as_mut().expect("resumable").id = "bogus-previd".into();

    let (mut sa, resumed) = reconnect(&url, &a, resumption).await;
    assert!(!resumed, "a fresh session");
    let events = collect(&mut sa, Duration::from_secs(2)).await;
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::RosterReset { .. })),
        "a fresh session loads the roster: {events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::MessageAcked { id: acked, .. } if *acked == id)),
        "{events:?}"
    );
    let at_b = collect(&mut sb, Duration::from_secs(1)).await;
    let got: Vec<_> = at_b
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) if m.peer == a.jid => Some((m.id.clone(), m.body.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(got, [(id, "unconfirmed".to_owned())], "{at_b:?}");
    sa.close().await;
    sb.close().await;
}
