//! Group chats in the store: joining, occupant floods, nick changes, leaving, dedup, mentions.

use std::time::Instant;

use natter_core::jid::BareJid;
use natter_core::{
    Affiliation, Bookmark, Event, JoinError, LeaveReason, OccupantUpdate, Role, RoomMessage,
};
use natter_store::{Store, MAX_OCCUPANTS, ROOM_MESSAGES};

fn room() -> BareJid {
    BareJid::new("coven@conference.localhost").unwrap()
}

fn occupant(nick: &str, id: Option<&str>, available: bool) -> Event {
    Event::Occupant(OccupantUpdate {
        room: room(),
        nick: nick.into(),
        role: if available {
            Role::Participant
        } else {
            Role::None
        },
        affiliation: Affiliation::None,
        jid: None,
        occupant_id: id.map(str::to_string),
        show: None,
        status: None,
        available,
        me: false,
        exit: None,
    })
}

fn message(nick: &str, id: &str, stanza_id: Option<&str>, body: &str, mentions: bool) -> Event {
    Event::GroupMessage(RoomMessage {
        room: room(),
        nick: nick.into(),
        occupant_id: None,
        id: id.into(),
        stanza_id: stanza_id.map(str::to_string),
        origin_id: None,
        body: body.into(),
        delayed: None,
        archived: false,
        mentions_me: mentions,
        from_me: false,
    })
}

fn joined() -> Store {
    let mut s = Store::new();
    s.apply(Event::RoomJoining {
        room: room(),
        nick: "alice".into(),
    });
    s.apply(occupant("bob", Some("b1"), true));
    s.apply(Event::RoomJoined {
        room: room(),
        nick: "alice".into(),
        occupant_id: None,
        subject: None,
        created: false,
    });
    s.apply(Event::Subject {
        room: room(),
        subject: "Potions".into(),
        by: None,
    });
    s
}

#[test]
fn join_lists_the_room_with_subject_and_occupants() {
    let s = joined();
    let r = s.rooms.get(&room()).expect("room kept");
    assert!(r.joined);
    assert!(!r.joining);
    assert_eq!(r.nick.as_deref(), Some("alice"));
    assert_eq!(r.subject.as_deref(), Some("Potions"));
    assert_eq!(r.occupants.keys().collect::<Vec<_>>(), ["bob"]);
    assert_eq!(s.rooms.listed().len(), 1);
}

#[test]
fn join_failure_keeps_plain_words() {
    let mut s = Store::new();
    s.apply(Event::RoomJoining {
        room: room(),
        nick: "alice".into(),
    });
    s.apply(Event::RoomJoinFailed {
        room: room(),
        reason: JoinError::NickInUse,
    });
    let r = s.rooms.get(&room()).unwrap();
    assert!(!r.joined);
    assert_eq!(
        r.error.as_deref(),
        Some("this nickname is already in use in the room")
    );
}

#[test]
fn six_thousand_presences_are_bounded_and_fast() {
    let mut s = joined();
    let start = Instant::now();
    for i in 0..6_000 {
        s.apply(occupant(&format!("user{i}"), Some(&format!("id{i}")), true));
    }
    // The same presences again (a status change each): no duplicates.
    for i in 0..6_000 {
        s.apply(occupant(&format!("user{i}"), Some(&format!("id{i}")), true));
    }
    let took = start.elapsed();
    println!("12,000 occupant presences applied in {took:?}");
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!(r.occupants.len(), 6_001);
    assert!(took.as_secs() < 5, "too slow: {took:?}");
    // Beyond the bound nothing more is listed.
    for i in 6_000..MAX_OCCUPANTS + 10 {
        s.apply(occupant(&format!("user{i}"), None, true));
    }
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!(r.occupants.len(), MAX_OCCUPANTS);
    assert_eq!(r.occupants_dropped, 11);
}

#[test]
fn nick_change_keeps_the_entry_by_occupant_id() {
    let mut s = joined();
    s.apply(Event::NickChanged {
        room: room(),
        old: "bob".into(),
        new: "robert".into(),
        occupant_id: Some("b1".into()),
        me: false,
    });
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!(r.occupants.keys().collect::<Vec<_>>(), ["robert"]);
    assert_eq!(r.occupants["robert"].occupant_id.as_deref(), Some("b1"));
    // A presence under a new nick with the same occupant-id replaces the old entry.
    s.apply(occupant("bobby", Some("b1"), true));
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!(r.occupants.keys().collect::<Vec<_>>(), ["bobby"]);
    // Leaving removes it.
    s.apply(occupant("bobby", Some("b1"), false));
    assert!(s.rooms.get(&room()).unwrap().occupants.is_empty());
}

#[test]
fn leaving_forgets_the_room_and_kick_keeps_the_reason() {
    let mut s = joined();
    s.apply(Event::RoomLeft {
        room: room(),
        reason: LeaveReason::Left,
        text: None,
    });
    assert!(s.rooms.get(&room()).is_none());
    assert!(s.rooms.listed().is_empty());

    let mut s = joined();
    s.apply(Event::RoomLeft {
        room: room(),
        reason: LeaveReason::Kicked,
        text: Some("spam".into()),
    });
    let r = s.rooms.get(&room()).unwrap();
    assert!(!r.joined);
    assert!(r.occupants.is_empty());
    assert_eq!(
        r.error.as_deref(),
        Some("alice was kicked from the room: spam")
    );
}

#[test]
fn messages_dedup_by_stanza_id_and_id_and_stay_bounded() {
    let mut s = joined();
    s.apply(message("bob", "m1", Some("s1"), "hi", false));
    // The archived copy: another id, same stanza-id.
    s.apply(message("bob", "other", Some("s1"), "hi", false));
    // Same sender id without a stanza-id.
    s.apply(message("bob", "m1", None, "hi", false));
    assert_eq!(s.rooms.get(&room()).unwrap().messages.len(), 1);
    for i in 0..ROOM_MESSAGES + 20 {
        s.apply(message("bob", &format!("x{i}"), None, "more", false));
    }
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!(r.messages.len(), ROOM_MESSAGES);
    assert_eq!(
        r.messages.back().unwrap().msg.id,
        format!("x{}", ROOM_MESSAGES + 19)
    );
}

#[test]
fn mentions_and_unread_count_until_opened() {
    let mut s = joined();
    s.apply(message("bob", "m1", None, "hello all", false));
    s.apply(message("bob", "m2", None, "alice: look", true));
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!((r.unread, r.mentions), (2, 1));
    assert!(r.messages[1].msg.mentions_me);
    s.rooms.open(Some(room()));
    s.apply(message("bob", "m3", None, "alice again", true));
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!((r.unread, r.mentions), (0, 0));
    assert_eq!(r.messages.len(), 3);
}

#[test]
fn bookmarks_list_rooms_not_joined() {
    let mut s = Store::new();
    s.apply(Event::Bookmarks(vec![Bookmark {
        room: room(),
        name: Some("The Coven".into()),
        nick: Some("al".into()),
        password: None,
        autojoin: false,
    }]));
    let listed = s.rooms.listed();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].1.display_name(&listed[0].0), "The Coven");
    assert!(!listed[0].1.joined);
    s.apply(Event::Bookmarks(vec![]));
    assert!(s.rooms.listed().is_empty());
}
