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
        Some("You were kicked from the room: spam")
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
    assert_eq!(s.rooms.get(&room()).unwrap().log.len(), 1);
    for i in 0..ROOM_MESSAGES + 20 {
        s.apply(message("bob", &format!("x{i}"), None, "more", false));
    }
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!(r.log.len(), ROOM_MESSAGES);
    assert_eq!(
        r.log.lines.back().unwrap().msg.id,
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
    assert!(r.log.lines[1].msg.mentions_me);
    s.rooms.open(Some(room()));
    s.apply(message("bob", "m3", None, "alice again", true));
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!((r.unread, r.mentions), (0, 0));
    assert_eq!(r.log.len(), 3);
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

/// Archived message `k` of the room (1 = oldest), one a second, from bob.
fn archived(k: u64) -> RoomMessage {
    // 1_700_000_000 is 2023-11-14T22:13:20Z.
    let t = 22 * 3600 + 13 * 60 + 20 + k;
    let stamp = format!(
        "2023-11-14T{:02}:{:02}:{:02}Z",
        t / 3600,
        t / 60 % 60,
        t % 60
    );
    RoomMessage {
        room: room(),
        nick: "bob".into(),
        occupant_id: None,
        id: format!("a{k}"),
        stanza_id: Some(format!("arch-{k}")),
        origin_id: None,
        body: format!("archived #{k}#"),
        delayed: Some(stamp),
        archived: true,
        mentions_me: false,
        from_me: false,
    }
}

/// The `#k#` numbers of the room's lines, in display order.
fn numbers(s: &Store) -> Vec<u64> {
    s.rooms
        .get(&room())
        .unwrap()
        .log
        .lines
        .iter()
        .filter_map(|l| l.msg.body.split('#').nth(1)?.parse().ok())
        .collect()
}

fn history_page(s: &mut Store, ks: std::ops::RangeInclusive<u64>, complete: bool) -> bool {
    let first = Some(format!("arch-{}", ks.start()));
    for k in ks {
        s.apply(Event::GroupMessage(archived(k)));
    }
    s.apply(Event::RoomHistoryPage {
        room: room(),
        first,
        complete,
    })
    .messages
}

/// The join's catch-up brings the newest 100 of 1,000 archived messages (`joined()` has started
/// it); older pages come above them, newest page first, each in its own order, the window
/// growing past ROOM_MESSAGES to hold them, until the archive is exhausted.
fn caught_up_with_newest_page() -> Store {
    let mut s = joined();
    for k in 901..=1_000 {
        s.apply(Event::GroupMessage(archived(k)));
    }
    s.apply(Event::RoomCaughtUp {
        room: room(),
        last: Some("arch-1000".into()),
        complete: true,
        beginning: false,
    });
    s
}

#[test]
fn older_pages_go_above_in_order_and_grow_the_window_until_exhausted() {
    let mut s = caught_up_with_newest_page();
    s.rooms.open(Some(room()));
    assert_eq!(numbers(&s), (901..=1_000).collect::<Vec<_>>());
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!(r.log.oldest_archive_id().as_deref(), Some("arch-901"));
    assert!(!r.log.exhausted);
    assert_eq!((r.unread, r.mentions), (0, 0), "history is not unread");
    // Nine pages of 100, newest first: 801..=900, …, 1..=100; the last says complete.
    for p in (0..9).rev() {
        assert!(!s.rooms.get(&room()).unwrap().log.exhausted);
        history_page(&mut s, p * 100 + 1..=p * 100 + 100, p == 0);
    }
    assert_eq!(numbers(&s), (1..=1_000).collect::<Vec<_>>());
    let r = s.rooms.get(&room()).unwrap();
    assert!(r.log.exhausted);
    assert!(r.log.len() > ROOM_MESSAGES);
    // A live message still goes last, and the room's copy of a page again adds nothing.
    s.apply(message(
        "carol",
        "live1",
        Some("s-live"),
        "now #1001#",
        false,
    ));
    let pages = s.rooms.get(&room()).unwrap().log.pages;
    assert!(
        history_page(&mut s, 1..=100, true),
        "a page's end is a change"
    );
    assert_eq!(s.rooms.get(&room()).unwrap().log.pages, pages + 1);
    assert_eq!(numbers(&s).len(), 1_001);
    assert_eq!(numbers(&s).last(), Some(&1_001));
    // Leaving the room's pane trims it back to the newest messages.
    s.rooms.open(None);
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!(r.log.len(), ROOM_MESSAGES);
    assert!(!r.log.exhausted);
    assert_eq!(
        numbers(&s).first(),
        Some(&(1_001 - ROOM_MESSAGES as u64 + 1))
    );
}

#[test]
fn messages_of_the_same_second_keep_page_order_across_pages() {
    // An archive stamped to the second: every message in one second.
    let mut s = joined();
    let same = |k: u64| RoomMessage {
        delayed: Some("2026-01-01T00:00:00Z".into()),
        ..archived(k)
    };
    for k in 51..=60 {
        s.apply(Event::GroupMessage(same(k)));
    }
    s.apply(Event::RoomCaughtUp {
        room: room(),
        last: None,
        complete: true,
        beginning: false,
    });
    for range in [41..=50, 31..=40] {
        for k in range {
            s.apply(Event::GroupMessage(same(k)));
        }
        s.apply(Event::RoomHistoryPage {
            room: room(),
            first: None,
            complete: false,
        });
    }
    assert_eq!(numbers(&s), (31..=60).collect::<Vec<_>>());
}

#[test]
fn live_messages_during_the_catch_up_stay_after_it() {
    let mut s = Store::new();
    s.clock_ms = 1_700_000_000_000 + 10_000_000;
    s.apply(Event::RoomJoining {
        room: room(),
        nick: "alice".into(),
    });
    s.apply(message("carol", "l1", Some("s-l1"), "live #500#", false));
    for k in 1..=3 {
        s.apply(Event::GroupMessage(archived(k)));
    }
    s.apply(Event::RoomCaughtUp {
        room: room(),
        last: Some("arch-3".into()),
        complete: true,
        beginning: false,
    });
    assert_eq!(numbers(&s), vec![1, 2, 3, 500]);
}

#[test]
fn no_duplicate_of_what_the_room_replays_on_join() {
    let mut s = caught_up_with_newest_page();
    // A room replays its recent history with delay stamps and the same stanza-ids.
    for k in 990..=1_000 {
        s.apply(Event::GroupMessage(RoomMessage {
            archived: false,
            id: format!("replayed-{k}"),
            ..archived(k)
        }));
    }
    assert_eq!(numbers(&s), (901..=1_000).collect::<Vec<_>>());
}

#[test]
fn our_message_shows_pending_then_becomes_the_rooms_reflection_once() {
    let mut s = joined();
    let mine = RoomMessage {
        room: room(),
        nick: "alice".into(),
        occupant_id: None,
        id: "out-1".into(),
        stanza_id: None,
        origin_id: Some("out-1".into()),
        body: "brewing".into(),
        delayed: None,
        archived: false,
        mentions_me: false,
        from_me: true,
    };
    assert!(s.apply(Event::GroupMessageSent(mine.clone())).messages);
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!(r.log.len(), 1);
    assert!(r.log.lines[0].pending);
    // Someone answers before the reflection comes.
    s.apply(message("bob", "b1", Some("s-b1"), "ok", false));
    let reflection = RoomMessage {
        stanza_id: Some("s-out-1".into()),
        ..mine.clone()
    };
    assert!(s.apply(Event::GroupMessage(reflection.clone())).messages);
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!(r.log.len(), 2);
    assert!(!r.log.lines[0].pending);
    assert_eq!(r.log.lines[0].msg.stanza_id.as_deref(), Some("s-out-1"));
    assert_eq!(r.log.lines[1].msg.id, "b1");
    // Again (a second reflection, the archived copy): nothing changes.
    assert!(!s.apply(Event::GroupMessage(reflection)).messages);
    let archived_copy = RoomMessage {
        id: "arch-id".into(),
        archived: true,
        delayed: Some("2026-01-01T00:00:00Z".into()),
        stanza_id: Some("s-out-1".into()),
        ..mine
    };
    assert!(!s.apply(Event::GroupMessage(archived_copy)).messages);
    assert_eq!(s.rooms.get(&room()).unwrap().log.len(), 2);
}

#[test]
fn an_incomplete_catch_up_leaves_a_gap_that_a_page_fills() {
    // Earlier in the session: messages 1..=5; then a rejoin whose catch-up fell short.
    let mut s = joined();
    for k in 1..=5 {
        s.apply(Event::GroupMessage(archived(k)));
    }
    s.apply(Event::RoomCaughtUp {
        room: room(),
        last: Some("arch-5".into()),
        complete: true,
        beginning: false,
    });
    s.apply(Event::RoomJoining {
        room: room(),
        nick: "alice".into(),
    });
    for k in 301..=400 {
        s.apply(Event::GroupMessage(archived(k)));
    }
    assert!(
        s.apply(Event::RoomCaughtUp {
            room: room(),
            last: Some("arch-400".into()),
            complete: false,
            beginning: false,
        })
        .messages
    );
    let gaps = |s: &Store| s.rooms.get(&room()).unwrap().log.gaps.clone();
    assert_eq!(gaps(&s).len(), 1);
    assert_eq!(gaps(&s)[0].before.as_deref(), Some("arch-301"));
    // `Load missing messages`: a page before arch-301 that does not reach message 5 moves
    // the gap up to the oldest message it brought.
    assert!(history_page(&mut s, 201..=300, false));
    assert_eq!(gaps(&s).len(), 1);
    assert_eq!(gaps(&s)[0].before.as_deref(), Some("arch-201"));
    let expect: Vec<u64> = (1..=5).chain(201..=400).collect();
    assert_eq!(numbers(&s), expect);
    // The next page reaches back to 5: the gap is filled.
    assert!(history_page(&mut s, 5..=200, false));
    assert!(gaps(&s).is_empty());
    assert_eq!(numbers(&s), (1..=400).collect::<Vec<_>>());
}

#[test]
fn a_catch_up_that_brought_nothing_marks_the_end() {
    let mut s = caught_up_with_newest_page();
    s.apply(Event::RoomJoining {
        room: room(),
        nick: "alice".into(),
    });
    s.apply(Event::RoomCaughtUp {
        room: room(),
        last: None,
        complete: false,
        beginning: false,
    });
    let r = s.rooms.get(&room()).unwrap();
    assert_eq!(r.log.gaps.len(), 1);
    let last = r.log.lines.back().unwrap().order;
    assert!((r.log.gaps[0].at, r.log.gaps[0].seq) > last);
    assert_eq!(r.log.gaps[0].before, None);
}

#[test]
fn a_catch_up_that_reached_the_archives_beginning_offers_nothing_older() {
    let log = |s: &Store| s.rooms.get(&room()).unwrap().log.exhausted;
    // The newest page had more before it: older pages stay on offer.
    assert!(!log(&caught_up_with_newest_page()));

    let mut s = joined();
    for k in 1..=3 {
        s.apply(Event::GroupMessage(archived(k)));
    }
    let changed = s.apply(Event::RoomCaughtUp {
        room: room(),
        last: Some("arch-3".into()),
        complete: true,
        beginning: true,
    });
    assert!(changed.messages, "the log's head changes");
    assert!(log(&s), "the whole archive is in memory");
    assert_eq!(numbers(&s), vec![1, 2, 3]);
}
