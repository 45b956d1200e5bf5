//! Carbons (XEP-0280) and archive catch-up (XEP-0313) against a live Prosody (see
//! common/mod.rs): several sessions of one account, messages while offline.

mod common;

use std::time::Duration;

use common::{account, Account, WAIT};
use natter_native::natter_core::jid::{FullJid, Jid};
use natter_native::natter_core::{ChatMessage, Command, Direction, Event};
use natter_native::Session;

/// Signs in; returns the session and its bound JID.
async fn sign_in(url: &str, a: &Account) -> (Session, FullJid) {
    let config = natter_native::config(url, a.jid.clone(), &a.password);
    let mut s = natter_native::connect(url, config)
        .await
        .expect("WebSocket opens");
    match s.online(WAIT).await {
        Ok(jid) => (s, jid),
        Err(e) => panic!("{} did not come online: {e}", a.jid),
    }
}

/// Signs in and waits until the server copies this session's messages.
async fn sign_in_with_carbons(url: &str, a: &Account) -> (Session, FullJid) {
    let (mut s, jid) = sign_in(url, a).await;
    s.wait_for(WAIT, |e| matches!(e, Event::CarbonsEnabled))
        .await
        .unwrap_or_else(|e| panic!("{jid}: carbons not enabled: {e}"));
    (s, jid)
}

/// The next message (live or archived) with this id.
async fn message(s: &mut Session, id: &str, what: &str) -> ChatMessage {
    match s
        .wait_for(WAIT, |e| matches!(e, Event::Message(m) if m.id == id))
        .await
    {
        Ok(Event::Message(m)) => m,
        other => panic!("{what}: {other:?}"),
    }
}

#[tokio::test]
async fn carbons_reach_the_other_session() {
    let url = server_or_skip!();
    let (a, b) = (account("carbons-a"), account("carbons-b"));
    let (mut a1, a1_jid) = sign_in_with_carbons(&url, &a).await;
    let (mut a2, _) = sign_in_with_carbons(&url, &a).await;
    let (mut sb, b_jid) = sign_in(&url, &b).await;

    // To session 1 only: it gets the message, session 2 a received carbon of it.
    let id = sb.send_message(Jid::from(a1_jid.clone()), "to your first device");
    let direct = message(&mut a1, &id, "session 1 receives").await;
    let copy = message(&mut a2, &id, "session 2 gets a carbon").await;
    for m in [&direct, &copy] {
        assert_eq!(m.direction, Direction::Incoming);
        assert_eq!(m.peer, b.jid);
        assert_eq!(m.from, Jid::from(b_jid.clone()));
        assert_eq!(m.body, "to your first device");
        assert!(!m.archived);
    }
    // Both copies carry the id our archive gave it: the key to deduplicate by.
    assert!(direct.stanza_id.is_some(), "{direct:?}");
    assert_eq!(copy.stanza_id, direct.stanza_id);
    assert_eq!(copy.origin_id.as_deref(), Some(id.as_str()));

    // From session 1: session 2 sees it as an outgoing (sent) carbon.
    let id = a1.send_message(Jid::from(b.jid.clone()), "from my first device");
    let sent = message(&mut a2, &id, "session 2 gets a sent carbon").await;
    assert_eq!(sent.direction, Direction::Outgoing);
    assert_eq!(sent.peer, b.jid);
    assert_eq!(sent.from, Jid::from(a1_jid.clone()));
    assert_eq!(sent.body, "from my first device");
    assert_eq!(sent.origin_id.as_deref(), Some(id.as_str()));
    let got = message(&mut sb, &id, "b receives").await;
    assert_eq!(got.peer, a.jid);
    // Session 1 is not copied its own message.
    let echo = a1
        .wait_for(
            Duration::from_millis(500),
            |e| matches!(e, Event::Message(m) if m.id == id),
        )
        .await;
    assert!(
        echo.is_err(),
        "session 1 got its own message back: {echo:?}"
    );
    // No forged or misrouted stanza on the way.
    for (name, s) in [("a1", &mut a1), ("a2", &mut a2), ("b", &mut sb)] {
        let dropped = s
            .wait_for(Duration::from_millis(100), |e| {
                matches!(e, Event::Dropped { .. })
            })
            .await;
        assert!(dropped.is_err(), "{name}: {dropped:?}");
    }
    a1.close().await;
    a2.close().await;
    sb.close().await;
}

#[tokio::test]
async fn catch_up_brings_what_came_while_offline() {
    let url = server_or_skip!();
    let (a, b) = (account("catchup-a"), account("catchup-b"));
    let (mut sa, _) = sign_in(&url, &a).await;
    let (mut sb, _) = sign_in(&url, &b).await;

    // The last archive id a has: from a message it got live.
    let id = sb.send_message(Jid::from(a.jid.clone()), "before");
    let before = message(&mut sa, &id, "a receives the first message").await;
    let last = before
        .stanza_id
        .clone()
        .expect("the archive's id on a live message");
    sa.close().await;

    let sent: Vec<String> = (0..30)
        .map(|i| sb.send_message(Jid::from(a.jid.clone()), format!("while offline {i}")))
        .collect();
    // Stanzas of one session are handled in order: once b's own archive query is answered,
    // all 30 are stored.
    sb.send(Command::CatchUp { after: None });
    sb.wait_for(WAIT, |e| matches!(e, Event::CaughtUp { .. }))
        .await
        .expect("b's query is answered");

    let (mut sa, _) = sign_in(&url, &a).await;
    sa.send(Command::CatchUp {
        after: Some(last.clone()),
    });
    let mut live = Vec::new();
    let mut archived = Vec::new();
    let end = loop {
        match sa.wait_for(WAIT, |_| true).await {
            Ok(Event::Message(m)) if m.archived => archived.push(m),
            Ok(Event::Message(m)) => live.push(m),
            Ok(e @ Event::CaughtUp { .. }) => break e,
            Ok(Event::Dropped { from, reason }) => panic!("dropped from {from:?}: {reason}"),
            Ok(_) => {}
            Err(e) => panic!("no CaughtUp: {e}"),
        }
    };

    // Exactly those 30, in order, each once.
    let ids: Vec<&str> = archived.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, sent.iter().map(String::as_str).collect::<Vec<_>>());
    for (i, m) in archived.iter().enumerate() {
        assert_eq!(m.body, format!("while offline {i}"));
        assert_eq!(m.direction, Direction::Incoming);
        assert_eq!(m.peer, b.jid);
        assert!(m.delayed.is_some(), "the archive's time: {m:?}");
    }
    let archive_ids: Vec<&str> = archived
        .iter()
        .map(|m| m.stanza_id.as_deref().expect("an archive id"))
        .collect();
    let mut unique = archive_ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 30);
    assert!(!archive_ids.contains(&last.as_str()));
    assert_eq!(
        end,
        Event::CaughtUp {
            last: archive_ids.last().map(|s| s.to_string()),
            complete: true
        }
    );

    // Prosody also delivered them from offline storage (after the initial presence, before
    // the query): the same messages under the same archive ids, so a store keeps each once.
    let deadline = tokio::time::Instant::now() + WAIT;
    while live.len() < 30 && tokio::time::Instant::now() < deadline {
        match sa.wait_for(WAIT, |e| matches!(e, Event::Message(_))).await {
            Ok(Event::Message(m)) => live.push(m),
            _ => break,
        }
    }
    let live_ids: Vec<(&str, Option<&str>)> = live
        .iter()
        .map(|m| (m.id.as_str(), m.stanza_id.as_deref()))
        .collect();
    let archived_ids: Vec<(&str, Option<&str>)> = archived
        .iter()
        .map(|m| (m.id.as_str(), m.stanza_id.as_deref()))
        .collect();
    assert_eq!(live_ids, archived_ids);
    assert!(live.iter().all(|m| m.delayed.is_some()));
    sa.close().await;
    sb.close().await;
}

#[tokio::test]
async fn history_pages_backwards() {
    let url = server_or_skip!();
    let (a, b) = (account("history-a"), account("history-b"));
    let (mut sa, _) = sign_in(&url, &a).await;
    let (sb, _) = sign_in(&url, &b).await;
    let mut last = String::new();
    for i in 0..5 {
        last = sb.send_message(Jid::from(a.jid.clone()), format!("h{i}"));
    }
    message(&mut sa, &last, "a receives the last one").await;

    let mut bodies = Vec::new();
    let mut before = None;
    loop {
        sa.send(Command::LoadHistory {
            with: b.jid.clone(),
            before: before.clone(),
            max: 2,
        });
        let mut page = Vec::new();
        let (first, complete) = loop {
            match sa.wait_for(WAIT, |_| true).await {
                Ok(Event::Message(m)) if m.archived => page.push(m.body),
                Ok(Event::HistoryPage {
                    with,
                    first,
                    complete,
                }) => {
                    assert_eq!(with, b.jid);
                    break (first, complete);
                }
                Ok(_) => {}
                Err(e) => panic!("no HistoryPage: {e}"),
            }
        };
        assert!(page.len() <= 2, "{page:?}");
        // Each page is in order; older pages go in front.
        page.append(&mut bodies);
        bodies = page;
        if complete {
            break;
        }
        before = Some(first.expect("a page that is not the last names its first id"));
    }
    assert_eq!(bodies, vec!["h0", "h1", "h2", "h3", "h4"]);
    sa.close().await;
    sb.close().await;
}
