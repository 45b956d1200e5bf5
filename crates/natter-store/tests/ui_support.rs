//! Store additions the web view relies on: message times, total unread, answered requests.

use natter_core::jid::{BareJid, Jid};
use natter_core::{ChatMessage, Direction, Event};
use natter_store::Store;

fn bare(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

fn incoming(id: &str, peer: &str, delayed: Option<&str>) -> Event {
    Event::Message(ChatMessage {
        id: id.into(),
        direction: Direction::Incoming,
        peer: bare(peer),
        from: Jid::new(&format!("{peer}/r")).unwrap(),
        body: "hi".into(),
        delayed: delayed.map(str::to_string),
        stanza_id: None,
        origin_id: None,
        archived: false,
        ext: Default::default(),
    })
}

#[test]
fn messages_are_stamped_with_the_clock_or_their_delay() {
    let mut s = Store::new();
    s.clock_ms = 1_700_000_000_000;
    s.apply(incoming("a", "bob@x", None));
    s.apply(incoming("b", "bob@x", Some("2002-09-10T23:08:25Z")));
    s.apply(incoming("c", "bob@x", Some("not a date")));
    s.add_pending(
        bare("bob@x"),
        "o".into(),
        Jid::new("me@x/w").unwrap(),
        "yo".into(),
    );
    let at: Vec<(&str, u64)> = s.conversations[&bare("bob@x")]
        .messages
        .iter()
        .map(|m| (m.msg.id.as_str(), m.at))
        .collect();
    // In time order: the delayed message slots in where it belongs (a stamp to the second
    // sorts at that second's end).
    assert_eq!(
        at,
        vec![
            ("b", 1_031_699_305_999),
            ("a", 1_700_000_000_000),
            ("c", 1_700_000_000_000),
            ("o", 1_700_000_000_000)
        ]
    );
}

#[test]
fn total_unread_sums_conversations() {
    let mut s = Store::new();
    s.apply(incoming("a", "bob@x", None));
    s.apply(incoming("b", "bob@x", None));
    s.apply(incoming("c", "carol@x", None));
    assert_eq!(s.total_unread(), 3);
    s.open_conversation(bare("bob@x"));
    assert_eq!(s.total_unread(), 1);
    s.close_conversation();
    assert_eq!(s.open, None);
    s.apply(incoming("d", "bob@x", None));
    assert_eq!(
        s.unread(&bare("bob@x")),
        1,
        "closed conversations count again"
    );
}

#[test]
fn answered_requests_disappear() {
    let mut s = Store::new();
    s.apply(Event::SubscriptionRequest {
        from: bare("eve@x"),
    });
    s.apply(Event::SubscriptionRequest {
        from: bare("mallory@x"),
    });
    assert!(s.answer_request(&bare("eve@x")));
    assert!(!s.answer_request(&bare("eve@x")));
    assert_eq!(s.requests, vec![bare("mallory@x")]);
}
