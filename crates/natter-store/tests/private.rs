//! Private messages with room occupants: one thread per (room, nick), deduplicated, bounded,
//! unread per thread and in the room's count until the thread is opened.

use natter_core::jid::BareJid;
use natter_core::{Affiliation, Direction, Event, OccupantUpdate, Role, RoomPrivateMessage};
use natter_store::{Store, MAX_PRIVATE_THREADS, PRIVATE_MESSAGES};

fn room() -> BareJid {
    BareJid::new("coven@conference.localhost").unwrap()
}

fn other_room() -> BareJid {
    BareJid::new("moot@conference.localhost").unwrap()
}

fn pm(room: BareJid, nick: &str, id: &str, direction: Direction, body: &str) -> Event {
    Event::PrivateMessage(RoomPrivateMessage {
        room,
        nick: nick.into(),
        occupant_id: None,
        id: id.into(),
        direction,
        body: body.into(),
        delayed: None,
    })
}

fn incoming(nick: &str, id: &str, body: &str) -> Event {
    pm(room(), nick, id, Direction::Incoming, body)
}

fn joined() -> Store {
    let mut s = Store::new();
    for r in [room(), other_room()] {
        s.apply(Event::RoomJoining {
            room: r.clone(),
            nick: "alice".into(),
        });
        s.apply(Event::Occupant(OccupantUpdate {
            room: r.clone(),
            nick: "bob".into(),
            role: Role::Participant,
            affiliation: Affiliation::None,
            jid: Some("bob@localhost/bot".parse().unwrap()),
            occupant_id: None,
            show: None,
            status: None,
            available: true,
            me: false,
            exit: None,
        }));
        s.apply(Event::RoomJoined {
            room: r,
            nick: "alice".into(),
            occupant_id: None,
            subject: None,
            created: false,
        });
    }
    s
}

fn room_unread(s: &Store, r: &BareJid) -> u32 {
    s.rooms.get(r).unwrap().unread
}

#[test]
fn threads_are_per_room_and_nick_and_dedup_by_id() {
    let mut s = joined();
    assert!(s.apply(incoming("bob", "m1", "psst")).messages);
    // The same message again (a replay) is not shown twice and not counted twice.
    assert!(!s.apply(incoming("bob", "m1", "psst")).any());
    // Our own message with the same id is another message.
    s.apply(pm(room(), "bob", "m1", Direction::Outgoing, "what?"));
    s.apply(incoming("carol", "m1", "me too"));
    s.apply(pm(
        other_room(),
        "bob",
        "m9",
        Direction::Incoming,
        "elsewhere",
    ));

    let bob = s.private.get(&room(), "bob").unwrap();
    let bodies: Vec<_> = bob.messages.iter().map(|l| l.msg.body.as_str()).collect();
    assert_eq!(bodies, ["psst", "what?"]);
    assert_eq!(bob.unread, 1, "only incoming messages count");
    assert_eq!(s.private.get(&room(), "carol").unwrap().unread, 1);
    assert_eq!(s.private.get(&other_room(), "bob").unwrap().unread, 1);
    assert_eq!(s.private.room_unread(&room()), 2);
    assert_eq!(
        s.private
            .unread_by_nick(&room())
            .into_iter()
            .collect::<Vec<_>>(),
        [("bob".to_string(), 1), ("carol".to_string(), 1)]
    );
    // Counted into each room's unread, so the room list shows them.
    assert_eq!(room_unread(&s, &room()), 2);
    assert_eq!(room_unread(&s, &other_room()), 1);
}

#[test]
fn opening_the_room_keeps_private_unread_and_opening_the_thread_clears_it() {
    let mut s = joined();
    s.apply(incoming("bob", "m1", "one"));
    s.apply(incoming("bob", "m2", "two"));
    s.apply(incoming("carol", "m3", "three"));
    assert_eq!(room_unread(&s, &room()), 3);

    // The room on screen: its log is read, the private messages are not.
    s.open_room(Some(room()));
    assert_eq!(room_unread(&s, &room()), 3);
    // While the room is on screen a new private message still counts.
    s.apply(incoming("bob", "m4", "four"));
    assert_eq!(room_unread(&s, &room()), 4);

    s.open_private(Some((room(), "bob".into())));
    assert_eq!(s.private.get(&room(), "bob").unwrap().unread, 0);
    assert_eq!(room_unread(&s, &room()), 1, "carol's is still unread");
    assert_eq!(s.rooms.open, Some(room()));
    // Messages into the thread on screen are read at once.
    s.apply(incoming("bob", "m5", "five"));
    assert_eq!(s.private.get(&room(), "bob").unwrap().unread, 0);
    assert_eq!(room_unread(&s, &room()), 1);

    // Back to the room: bob's thread is closed again and counts.
    s.open_private(None);
    assert_eq!(s.private.open, None);
    s.apply(incoming("bob", "m6", "six"));
    assert_eq!(s.private.get(&room(), "bob").unwrap().unread, 1);
    assert_eq!(room_unread(&s, &room()), 2);

    // Opening a thread of another room puts that room on screen.
    s.open_private(Some((other_room(), "bob".into())));
    assert_eq!(s.rooms.open, Some(other_room()));
    s.open_room(Some(room()));
    assert_eq!(s.private.open, None, "another room closes the thread");
}

#[test]
fn archived_replays_do_not_count_and_threads_are_bounded() {
    let mut s = joined();
    s.apply(Event::PrivateMessage(RoomPrivateMessage {
        room: room(),
        nick: "bob".into(),
        occupant_id: None,
        id: "old".into(),
        direction: Direction::Incoming,
        body: "from before".into(),
        delayed: Some("2020-01-01T00:00:00Z".into()),
    }));
    assert_eq!(s.private.get(&room(), "bob").unwrap().unread, 0);

    for i in 0..PRIVATE_MESSAGES + 10 {
        s.apply(incoming("bob", &format!("b{i}"), "x"));
    }
    let bob = s.private.get(&room(), "bob").unwrap();
    assert_eq!(bob.messages.len(), PRIVATE_MESSAGES);
    assert_eq!(bob.messages.front().unwrap().msg.id, "b10");
    // An id that fell out of the window may come back (the store forgot it), a kept one not.
    assert!(!s.apply(incoming("bob", "b400", "x")).any());

    for i in 0..MAX_PRIVATE_THREADS + 5 {
        s.apply(incoming(&format!("n{i}"), "m", "hi"));
    }
    let threads: usize = s.private.threads.values().map(|t| t.len()).sum();
    assert_eq!(threads, MAX_PRIVATE_THREADS);
    assert!(s.private.get(&room(), "bob").is_some(), "old threads stay");
}

#[test]
fn removal_says_what_happened_in_plain_words() {
    use natter_core::LeaveReason;
    let mut s = joined();
    s.apply(Event::RoomLeft {
        room: room(),
        reason: LeaveReason::Banned,
        text: Some("  trolling ".into()),
    });
    assert_eq!(
        s.rooms.get(&room()).unwrap().error.as_deref(),
        Some("You were banned from the room: trolling")
    );
    s.apply(Event::RoomLeft {
        room: other_room(),
        reason: LeaveReason::Destroyed { alternate: None },
        text: None,
    });
    assert_eq!(
        s.rooms.get(&other_room()).unwrap().error.as_deref(),
        Some("The room was closed")
    );
}

#[test]
fn a_thread_follows_its_occupant_to_a_new_nick() {
    let mut s = joined();
    s.apply(incoming("bob", "m1", "hi"));
    s.open_private(Some((room(), "bob".into())));
    s.apply(Event::NickChanged {
        room: room(),
        old: "bob".into(),
        new: "robert".into(),
        occupant_id: None,
        me: false,
    });
    assert!(s.private.get(&room(), "bob").is_none());
    assert_eq!(s.private.get(&room(), "robert").unwrap().messages.len(), 1);
    assert_eq!(s.private.open, Some((room(), "robert".to_string())));
    // A nick that already has a thread keeps its own.
    s.apply(incoming("carol", "c1", "yo"));
    s.apply(Event::NickChanged {
        room: room(),
        old: "robert".into(),
        new: "carol".into(),
        occupant_id: None,
        me: false,
    });
    let carol = s.private.get(&room(), "carol").unwrap();
    assert_eq!(carol.messages[0].msg.body, "yo");
}
