//! XEP-0191 in the store: whether blocking is offered, the blocked set, and live messages
//! from blocked JIDs kept out of the log.

use natter_core::jid::{BareJid, Jid};
use natter_core::{ChatMessage, Direction, Event};
use natter_store::Store;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

fn incoming(id: &str, from: &str, archived: bool) -> Event {
    let from = jid(from);
    Event::Message(ChatMessage {
        id: id.into(),
        direction: Direction::Incoming,
        peer: from.to_bare(),
        from,
        body: format!("message {id}"),
        delayed: None,
        stanza_id: archived.then(|| format!("arch-{id}")),
        origin_id: None,
        archived,
        ext: Default::default(),
    })
}

fn log_len(s: &Store, peer: &str) -> usize {
    let peer: BareJid = peer.parse().unwrap();
    s.conversations
        .get(&peer)
        .map_or(0, |c| c.last().map_or(0, |_| c.log().len()))
}

fn listed(s: &Store) -> Vec<String> {
    s.blocking.iter().map(|j| j.to_string()).collect()
}

#[test]
fn unsupported_until_a_blocklist_comes() {
    let mut s = Store::new();
    assert!(!s.blocking.supported);
    let c = s.apply(Event::BlockList(vec![]));
    assert!(s.blocking.supported && c.roster);
    assert!(listed(&s).is_empty());
}

#[test]
fn the_list_follows_the_events() {
    let mut s = Store::new();
    s.apply(Event::BlockList(vec![jid("b@x"), jid("a@x")]));
    assert_eq!(listed(&s), ["a@x", "b@x"]);
    assert!(s.apply(Event::Blocked(vec![jid("c@x")])).roster);
    // The answer and the push both report the same change: the second changes nothing.
    assert!(!s.apply(Event::Blocked(vec![jid("c@x")])).roster);
    assert!(s.apply(Event::Unblocked(vec![jid("a@x")])).roster);
    assert_eq!(listed(&s), ["b@x", "c@x"]);
    assert!(s.blocking.has_bare(&"b@x".parse().unwrap()));
    s.apply(Event::Unblocked(vec![]));
    assert!(listed(&s).is_empty());
    // A fresh session's list replaces the old one.
    s.apply(Event::Blocked(vec![jid("stale@x")]));
    s.apply(Event::BlockList(vec![jid("new@x")]));
    assert_eq!(listed(&s), ["new@x"]);
}

#[test]
fn live_messages_from_blocked_jids_stay_out_of_the_log() {
    let mut s = Store::new();
    s.apply(Event::BlockList(vec![jid("bob@x"), jid("spam.example")]));
    let c = s.apply(incoming("1", "bob@x/phone", false));
    assert!(!c.messages);
    s.apply(incoming("2", "anyone@spam.example/r", false));
    assert_eq!(log_len(&s, "bob@x"), 0);
    assert_eq!(log_len(&s, "anyone@spam.example"), 0);
    assert_eq!(s.total_unread(), 0);
    // History from before the block is still history.
    s.apply(incoming("3", "bob@x/phone", true));
    assert_eq!(log_len(&s, "bob@x"), 1);
    // Others are not affected; once unblocked, Bob's messages arrive again.
    s.apply(incoming("4", "carol@x/laptop", false));
    assert_eq!(log_len(&s, "carol@x"), 1);
    s.apply(Event::Unblocked(vec![jid("bob@x")]));
    s.apply(incoming("5", "bob@x/phone", false));
    assert_eq!(log_len(&s, "bob@x"), 2);
}
