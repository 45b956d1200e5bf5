//! Receipts, markers and chat states in the store: delivery states only move forward, a
//! marker reads everything before it, our own marker from another device clears the unread
//! count, and typing notices go stale.

use natter_core::jid::{BareJid, Jid};
use natter_core::{Awareness, ChatMessage, ChatState, Direction, Event, MessageExt};
use natter_store::{DeliveryState, Store, TYPING_STALE_MS};

const ROMEO: &str = "romeo@example.net";

fn bare(s: &str) -> BareJid {
    s.parse().unwrap()
}

fn message(id: &str, direction: Direction, peer: &str, markable: bool) -> ChatMessage {
    let from: Jid = match direction {
        Direction::Incoming => format!("{peer}/orchard").parse().unwrap(),
        Direction::Outgoing => "user@example.org/natter".parse().unwrap(),
    };
    ChatMessage {
        id: id.into(),
        direction,
        peer: bare(peer),
        from,
        body: format!("message {id}"),
        delayed: None,
        stanza_id: None,
        origin_id: None,
        archived: false,
        ext: MessageExt {
            markable,
            ..MessageExt::default()
        },
    }
}

/// A store with our messages `ids` to romeo on the wire, in that order.
fn sent(ids: &[&str]) -> Store {
    let mut s = Store::new();
    for (i, id) in ids.iter().enumerate() {
        s.clock_ms = 1_000 + i as u64;
        s.apply(Event::MessageSent(message(
            id,
            Direction::Outgoing,
            ROMEO,
            false,
        )));
    }
    s
}

fn state(s: &Store, id: &str) -> DeliveryState {
    let conv = &s.conversations[&bare(ROMEO)];
    conv.messages
        .iter()
        .find(|m| m.msg.id == id)
        .map(|m| m.state.clone())
        .expect("the message")
}

fn said(s: &mut Store, a: Awareness) {
    s.apply(Event::Awareness(a));
}

fn delivered(peer: &str, id: &str) -> Awareness {
    Awareness::Delivered {
        peer: bare(peer),
        id: id.into(),
    }
}

fn displayed(peer: &str, id: &str) -> Awareness {
    Awareness::Displayed {
        peer: bare(peer),
        id: id.into(),
    }
}

#[test]
fn states_only_move_forward() {
    let mut s = sent(&["m1"]);
    said(&mut s, delivered(ROMEO, "m1"));
    assert_eq!(state(&s, "m1"), DeliveryState::Delivered);
    // A late XEP-0198 ack does not undo the receipt.
    s.apply(Event::MessageAcked {
        id: "m1".into(),
        peer: bare(ROMEO),
    });
    assert_eq!(state(&s, "m1"), DeliveryState::Delivered);
    said(&mut s, displayed(ROMEO, "m1"));
    assert_eq!(state(&s, "m1"), DeliveryState::Read);
    // Nor does a late receipt undo the marker.
    said(&mut s, delivered(ROMEO, "m1"));
    assert_eq!(state(&s, "m1"), DeliveryState::Read);
    let order = [
        DeliveryState::Pending,
        DeliveryState::Sent,
        DeliveryState::Acked,
        DeliveryState::Delivered,
        DeliveryState::Read,
    ];
    for (i, a) in order.iter().enumerate() {
        for b in &order[i..] {
            assert_eq!(a.clone().merge(b.clone()), *b);
            assert_eq!(b.clone().merge(a.clone()), *b);
        }
        // A bounce is final.
        let failed = DeliveryState::Failed("x".into());
        assert_eq!(failed.clone().merge(a.clone()), failed);
    }
}

#[test]
fn tokens_round_trip() {
    for st in [
        DeliveryState::Pending,
        DeliveryState::Sent,
        DeliveryState::Acked,
        DeliveryState::Delivered,
        DeliveryState::Read,
    ] {
        assert_eq!(
            DeliveryState::from_token(st.token(), None),
            Some(st.clone())
        );
    }
    assert_eq!(DeliveryState::Delivered.token(), "delivered");
    assert_eq!(DeliveryState::Read.token(), "read");
}

#[test]
fn a_receipt_takes_the_message_out_of_the_outbox() {
    let mut s = Store::new();
    // Stream management on: a sent message stays in the outbox until the server acks it.
    s.acks = true;
    let from: Jid = "user@example.org/natter".parse().unwrap();
    s.add_pending(bare(ROMEO), "m1".into(), from, "hello".into());
    s.apply(Event::MessageSent(message(
        "m1",
        Direction::Outgoing,
        ROMEO,
        false,
    )));
    assert!(
        s.outbox.iter().any(|e| e.id == "m1"),
        "still owed to the server"
    );
    said(&mut s, delivered(ROMEO, "m1"));
    assert!(s.outbox.iter().all(|e| e.id != "m1"), "the peer has it");
    assert_eq!(state(&s, "m1"), DeliveryState::Delivered);
}

#[test]
fn a_marker_reads_every_earlier_message_of_ours() {
    let mut s = sent(&["m1", "m2", "m3"]);
    s.apply(Event::MessageFailed {
        id: "m1".into(),
        peer: bare(ROMEO),
        reason: "gone".into(),
    });
    said(&mut s, displayed(ROMEO, "m2"));
    assert!(matches!(state(&s, "m1"), DeliveryState::Failed(_)));
    assert_eq!(state(&s, "m2"), DeliveryState::Read);
    assert_eq!(state(&s, "m3"), DeliveryState::Sent);
}

#[test]
fn a_receipt_from_elsewhere_or_for_an_unknown_id_changes_nothing() {
    let mut s = sent(&["m1"]);
    said(&mut s, delivered("mallory@evil.example", "m1"));
    said(&mut s, displayed("mallory@evil.example", "m1"));
    said(&mut s, delivered(ROMEO, "nope"));
    said(&mut s, displayed(ROMEO, "nope"));
    assert_eq!(state(&s, "m1"), DeliveryState::Sent);
    assert!(!s.conversations.contains_key(&bare("mallory@evil.example")));
    // Their own message's id is not ours to mark.
    s.apply(Event::Message(message(
        "r1",
        Direction::Incoming,
        ROMEO,
        true,
    )));
    said(&mut s, displayed(ROMEO, "r1"));
    let conv = &s.conversations[&bare(ROMEO)];
    let r1 = conv.messages.iter().find(|m| m.msg.id == "r1").unwrap();
    assert_eq!(r1.state, DeliveryState::Sent);
}

#[test]
fn our_own_marker_from_another_device_clears_unread() {
    let mut s = Store::new();
    s.apply(Event::Message(message(
        "r1",
        Direction::Incoming,
        ROMEO,
        true,
    )));
    s.apply(Event::Message(message(
        "r2",
        Direction::Incoming,
        ROMEO,
        true,
    )));
    assert_eq!(s.unread(&bare(ROMEO)), 2);
    assert_eq!(s.unread_everywhere(), 2);
    said(
        &mut s,
        Awareness::ReadElsewhere {
            peer: bare(ROMEO),
            id: "r2".into(),
        },
    );
    assert_eq!(s.unread(&bare(ROMEO)), 0);
    assert_eq!(s.unread_everywhere(), 0);
}

#[test]
fn typing_shows_until_a_message_or_it_goes_stale() {
    let mut s = Store::new();
    let romeo = bare(ROMEO);
    assert!(!s.peers.speaks(&romeo));
    s.clock_ms = 10_000;
    said(
        &mut s,
        Awareness::ChatState {
            peer: romeo.clone(),
            state: ChatState::Composing,
        },
    );
    assert!(s.peers.speaks(&romeo));
    assert_eq!(s.peers.typing(&romeo, 10_000), Some(ChatState::Composing));
    assert_eq!(
        s.peers.typing(&romeo, 10_000 + TYPING_STALE_MS - 1),
        Some(ChatState::Composing)
    );
    assert_eq!(s.peers.typing(&romeo, 10_000 + TYPING_STALE_MS), None);
    // A refresh restarts the clock.
    s.clock_ms = 35_000;
    said(
        &mut s,
        Awareness::ChatState {
            peer: romeo.clone(),
            state: ChatState::Paused,
        },
    );
    assert_eq!(
        s.peers.typing(&romeo, 10_000 + TYPING_STALE_MS),
        Some(ChatState::Paused)
    );
    // The message they were typing ends it.
    s.apply(Event::Message(message(
        "r1",
        Direction::Incoming,
        ROMEO,
        false,
    )));
    assert_eq!(s.peers.typing(&romeo, 35_000), None);
    // `active` ends it too.
    said(
        &mut s,
        Awareness::ChatState {
            peer: romeo.clone(),
            state: ChatState::Composing,
        },
    );
    said(
        &mut s,
        Awareness::ChatState {
            peer: romeo.clone(),
            state: ChatState::Active,
        },
    );
    assert_eq!(s.peers.typing(&romeo, 35_000), None);
}

#[test]
fn a_message_makes_the_peer_one_who_speaks() {
    let mut s = Store::new();
    s.apply(Event::Message(message(
        "r1",
        Direction::Incoming,
        ROMEO,
        false,
    )));
    assert!(s.peers.speaks(&bare(ROMEO)));
    // Our own messages say nothing about them.
    s.apply(Event::MessageSent(message(
        "m1",
        Direction::Outgoing,
        "juliet@example.net",
        false,
    )));
    assert!(!s.peers.speaks(&bare("juliet@example.net")));
}

#[test]
fn the_newest_markable_message_is_marked_once() {
    let mut s = Store::new();
    let romeo = bare(ROMEO);
    assert_eq!(s.displayed_due(&romeo), None);
    s.apply(Event::Message(message(
        "r1",
        Direction::Incoming,
        ROMEO,
        true,
    )));
    s.apply(Event::Message(message(
        "r2",
        Direction::Incoming,
        ROMEO,
        false,
    )));
    assert_eq!(s.displayed_due(&romeo).as_deref(), Some("r1"));
    s.note_displayed(&romeo, "r1".into());
    assert_eq!(s.displayed_due(&romeo), None);
    s.apply(Event::Message(message(
        "r3",
        Direction::Incoming,
        ROMEO,
        true,
    )));
    assert_eq!(s.displayed_due(&romeo).as_deref(), Some("r3"));
}

#[test]
fn chat_states_from_many_strangers_stay_bounded() {
    let mut s = Store::new();
    for i in 0..(natter_store::MAX_PEERS + 50) {
        s.clock_ms = i as u64;
        said(
            &mut s,
            Awareness::ChatState {
                peer: bare(&format!("spam{i}@evil.example")),
                state: ChatState::Composing,
            },
        );
    }
    assert_eq!(s.peers.len(), natter_store::MAX_PEERS);
    // The newest are kept.
    let last = bare(&format!(
        "spam{}@evil.example",
        natter_store::MAX_PEERS + 49
    ));
    assert!(s.peers.speaks(&last));
}
