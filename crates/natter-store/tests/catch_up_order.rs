//! A catch-up after a reload puts what it brings where the archive has it, even when the server
//! delivered later messages first (offline storage, a stream of the old session) and the cache
//! missed the last moment before the reload. The inputs are those of the e2e test "the page
//! reloaded mid-conversation" against ejabberd over BOSH, whose log came out as
//! [1,2,4,5,6,3,7,8,9]: Bob's m3 was shown, then the page went away before the cache wrote it;
//! after the reload ejabberd handed over Bob's m4..m6 from offline storage first, stamped to
//! the microsecond, and the archive's m3 came right behind them.

mod common;

use natter_core::jid::{BareJid, FullJid, Jid};
use natter_core::{ChatMessage, Direction, Event};
use natter_store::{Dirty, Snapshot, Store};

/// 2026-11-26T21:04:05Z.
const T0: u64 = 1_795_727_045_000;

fn bob() -> BareJid {
    BareJid::new("bob@localhost").unwrap()
}

/// `T0 + ms` as the XEP-0082 stamp ejabberd writes (microseconds).
fn stamp(ms: u64) -> String {
    format!("{}.{:03}417Z", to_second(ms), ms % 1000)
}

/// Prosody's stamp of the same moment: to the second.
fn stamp_to_second(ms: u64) -> String {
    format!("{}Z", to_second(ms))
}

/// `T0 + ms` (the same day) to the second, without the zone.
fn to_second(ms: u64) -> String {
    let t = 21 * 3600 + 4 * 60 + 5 + ms / 1000;
    let (h, m, s) = (t / 3600, t / 60 % 60, t % 60);
    assert!(h < 24);
    format!("2026-11-26T{h:02}:{m:02}:{s:02}")
}

fn from_bob(n: u32) -> ChatMessage {
    ChatMessage {
        id: format!("b{n}"),
        direction: Direction::Incoming,
        peer: bob(),
        from: Jid::new("bob@localhost/bot").unwrap(),
        body: format!("m{n} B"),
        delayed: None,
        stanza_id: Some(format!("sb{n}")),
        origin_id: Some(format!("b{n}")),
        archived: false,
        ext: Default::default(),
    }
}

fn from_alice(n: u32) -> ChatMessage {
    ChatMessage {
        id: format!("a{n}"),
        direction: Direction::Outgoing,
        peer: bob(),
        from: Jid::new("alice@localhost/natter").unwrap(),
        body: format!("m{n} A"),
        delayed: None,
        stanza_id: None,
        origin_id: Some(format!("a{n}")),
        archived: false,
        ext: Default::default(),
    }
}

/// The copy the server held back (offline storage, or the old session's unacked stanzas).
fn delayed(mut m: ChatMessage, stamp: String) -> Event {
    m.delayed = Some(stamp);
    Event::Message(m)
}

/// The archive's copy, as a catch-up result.
fn archived(mut m: ChatMessage, sid: &str, stamp: String) -> Event {
    m.delayed = Some(stamp);
    m.stanza_id = Some(sid.into());
    m.archived = true;
    Event::Message(m)
}

fn online(resumed: bool) -> Event {
    Event::Online {
        jid: FullJid::new("alice@localhost/natter").unwrap(),
        resumed,
    }
}

/// Alice sends `n`: shown pending, on the wire, acknowledged.
fn alice_says(s: &mut Store, n: u32) {
    let m = from_alice(n);
    s.add_pending(bob(), m.id.clone(), m.from.clone(), m.body.clone());
    s.apply(Event::MessageSent(m.clone()));
    s.apply(Event::MessageAcked {
        id: m.id,
        peer: bob(),
    });
}

/// The numbers of `who`'s messages ("A" or "B") in the log, in display order.
fn numbers(s: &Store, who: &str) -> Vec<u32> {
    s.conversations[&bob()]
        .messages
        .iter()
        .filter_map(|m| {
            let (n, w) = m.msg.body.split_once(' ')?;
            (w == who).then(|| n[1..].parse().unwrap())
        })
        .collect()
}

/// The persistent cache taking one write batch (tests/common: records merged by key).
fn write(snap: &mut Snapshot, d: Dirty) {
    *snap = common::cache_after(snap, d);
}

/// The first page: m1, m2 both ways, then m3 both ways at the start of a second. What the
/// cache has of it: everything up to Alice's m3 (her outbox entry forces a write at once);
/// Bob's m3, shown 30 ms later, was in the batch the reload cut off unless `bob3`; Alice's m4
/// is written if `alice4`.
fn before_reload(bob3: bool, alice4: bool) -> Snapshot {
    let mut s = Store::new();
    s.enable_cache();
    s.open_conversation(bob());
    s.apply(online(false));
    s.apply(Event::CaughtUp {
        last: None,
        complete: true,
    });
    let mut cache = Snapshot::default();
    for (n, t) in [(1, 800), (2, 1010)] {
        s.clock_ms = T0 + t;
        alice_says(&mut s, n);
        s.clock_ms = T0 + t + 80;
        s.apply(Event::Message(from_bob(n)));
    }
    s.clock_ms = T0 + 2034;
    let a3 = from_alice(3);
    s.add_pending(bob(), a3.id.clone(), a3.from.clone(), a3.body.clone());
    s.apply(Event::MessageSent(a3));
    write(&mut cache, s.take_dirty().expect("a batch"));
    s.clock_ms = T0 + 2061;
    s.apply(Event::Message(from_bob(3)));
    assert_eq!(numbers(&s, "B"), [1, 2, 3], "shown before the reload");
    if bob3 {
        write(&mut cache, s.take_dirty().expect("a batch"));
    }
    s.clock_ms = T0 + 2204;
    alice_says(&mut s, 4);
    if alice4 {
        write(&mut cache, s.take_dirty().expect("a batch"));
    }
    // The page goes: what is left is never written.
    let _lost = s.take_dirty();
    cache
}

fn reloaded(cache: Snapshot) -> Store {
    let mut s = Store::new();
    s.enable_cache();
    s.open_conversation(bob());
    s.restore(cache);
    s
}

/// Alice's m5..m7 and Bob's m7..m9, live after the reload.
fn carry_on(s: &mut Store, t: u64) {
    for n in 5..=7 {
        s.clock_ms = T0 + t + u64::from(n) * 150;
        alice_says(s, n);
        s.clock_ms += 30;
        s.apply(Event::Message(from_bob(n + 2)));
    }
}

#[test]
fn a_message_the_cache_missed_comes_back_from_the_archive_in_its_place() {
    let cache = before_reload(false, false);
    let mut s = reloaded(cache.clone());
    assert_eq!(numbers(&s, "B"), [1, 2], "Bob's m3 is not in the cache");

    // The new session: offline storage first, in one BOSH body with the catch-up's results,
    // so one batch of events under one clock reading.
    s.apply(online(false));
    s.clock_ms = T0 + 2300;
    s.apply(delayed(from_bob(4), stamp(2287)));
    s.apply(delayed(from_bob(5), stamp(2289)));
    s.apply(delayed(from_bob(6), stamp(2289)));
    s.apply(archived(from_alice(3), "sa3", stamp(2044)));
    s.apply(archived(from_bob(3), "sb3", stamp(2060)));
    s.apply(archived(from_alice(4), "sa4", stamp(2231)));
    for n in 4..=6 {
        s.apply(archived(
            from_bob(n),
            &format!("sb{n}"),
            stamp(2280 + u64::from(n)),
        ));
    }
    s.apply(Event::CaughtUp {
        last: Some("sb6".into()),
        complete: true,
    });
    carry_on(&mut s, 2500);
    assert_eq!(numbers(&s, "B"), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(numbers(&s, "A"), [1, 2, 3, 4, 5, 6, 7]);

    // What the cache now holds puts every message back in the same place after another reload.
    let mut cache = cache;
    write(&mut cache, s.take_dirty().expect("a batch"));
    let again = reloaded(cache);
    assert_eq!(numbers(&again, "B"), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(numbers(&again, "A"), [1, 2, 3, 4, 5, 6, 7]);
}

/// The other shape of the same flake: Bob's m4 went to the dying page and was never handed
/// over again; his m5 and m6 came from offline storage, m4 only from the archive.
#[test]
fn a_message_only_the_archive_has_goes_before_later_ones_the_server_held_back() {
    let mut s = reloaded(before_reload(true, true));
    assert_eq!(numbers(&s, "B"), [1, 2, 3]);
    s.apply(online(false));
    s.clock_ms = T0 + 2270;
    s.apply(delayed(from_bob(5), stamp(2247)));
    s.apply(delayed(from_bob(6), stamp(2250)));
    s.apply(archived(from_alice(3), "sa3", stamp(2044)));
    s.apply(archived(from_bob(3), "sb3", stamp(2060)));
    s.apply(archived(from_alice(4), "sa4", stamp(2205)));
    s.apply(archived(from_bob(4), "sb4", stamp(2237)));
    s.apply(archived(from_bob(5), "sb5", stamp(2246)));
    s.apply(archived(from_bob(6), "sb6", stamp(2247)));
    s.apply(Event::CaughtUp {
        last: Some("sb6".into()),
        complete: true,
    });
    carry_on(&mut s, 2500);
    assert_eq!(numbers(&s, "B"), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(numbers(&s, "A"), [1, 2, 3, 4, 5, 6, 7]);
}

/// Prosody: stamps to the second, and the copies it held back all arrive in one batch under
/// one clock reading, so they share one `at`. What the archive lists between two of them
/// goes between them.
#[test]
fn archive_order_holds_between_copies_of_one_millisecond() {
    let mut s = reloaded(before_reload(false, false));
    s.apply(online(false));
    s.clock_ms = T0 + 2400;
    s.apply(delayed(from_bob(4), stamp_to_second(2100)));
    s.apply(delayed(from_bob(6), stamp_to_second(2200)));
    s.apply(archived(from_alice(3), "sa3", stamp_to_second(2044)));
    s.apply(archived(from_bob(3), "sb3", stamp_to_second(2060)));
    s.apply(archived(from_bob(4), "sb4", stamp_to_second(2100)));
    s.apply(archived(from_bob(5), "sb5", stamp_to_second(2150)));
    s.apply(archived(from_bob(6), "sb6", stamp_to_second(2200)));
    s.apply(Event::CaughtUp {
        last: Some("sb6".into()),
        complete: true,
    });
    carry_on(&mut s, 2500);
    assert_eq!(numbers(&s, "B"), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

/// Without a copy to go by (the catch-up's first result for the chat is new), the stream's
/// rule still holds: a copy stamped a moment before the newest message shown goes after it.
#[test]
fn a_catch_up_that_starts_with_a_new_message_keeps_the_stream_rule() {
    let mut s = Store::new();
    s.open_conversation(bob());
    s.apply(online(false));
    s.clock_ms = T0 + 5_060;
    s.apply(Event::Message(from_bob(1)));
    s.apply(archived(from_bob(2), "sb2", stamp(4_900)));
    assert_eq!(numbers(&s, "B"), [1, 2]);
}

/// The catch-up starts right after the last archive id the cache kept (Bob's m3, the last
/// message that came with one): when its first result is new to the chat (Alice's m4, lost
/// with the batch the reload cut off), it goes after that message, not after the later ones
/// the server held back and handed over first.
#[test]
fn the_first_result_goes_after_the_message_the_catch_up_starts_from() {
    let cache = before_reload(true, false);
    assert_eq!(cache.meta.last_archive_id.as_deref(), Some("sb3"));
    let mut s = reloaded(cache);
    s.apply(online(false));
    s.clock_ms = T0 + 2270;
    s.apply(delayed(from_bob(5), stamp(2247)));
    s.apply(delayed(from_bob(6), stamp(2250)));
    s.apply(archived(from_alice(4), "sa4", stamp(2205)));
    s.apply(archived(from_bob(4), "sb4", stamp(2237)));
    s.apply(archived(from_bob(5), "sb5", stamp(2246)));
    s.apply(archived(from_bob(6), "sb6", stamp(2247)));
    s.apply(Event::CaughtUp {
        last: Some("sb6".into()),
        complete: true,
    });
    carry_on(&mut s, 2500);
    assert_eq!(numbers(&s, "B"), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(numbers(&s, "A"), [1, 2, 3, 4, 5, 6, 7]);
}

/// Bodies in display order.
fn log(s: &Store) -> Vec<String> {
    s.conversations[&bob()]
        .messages
        .iter()
        .map(|m| m.msg.body.clone())
        .collect()
}

/// A catch-up after a long time away: the archive's copies of messages we had, however old,
/// say where the next new one goes; a history page the reader asked for meanwhile (older than
/// all of it) changes nothing.
#[test]
fn old_copies_lead_the_way_and_history_pages_amid_a_catch_up_do_not() {
    let hour = 3_600_000;
    let mut s = Store::new();
    s.open_conversation(bob());
    s.apply(online(false));
    s.apply(Event::CaughtUp {
        last: None,
        complete: true,
    });
    s.clock_ms = T0;
    s.apply(Event::Message(from_bob(1)));
    s.clock_ms = T0 + hour;
    alice_says(&mut s, 1);
    s.apply(online(false));
    // Held back by the server, handed over before the catch-up's results.
    s.clock_ms = T0 + hour + 21_000;
    s.apply(delayed(from_bob(3), stamp(hour + 20_005)));
    // Alice's m1 is older than what the stream shows, yet the archive lists it here.
    s.apply(archived(from_alice(1), "sa1", stamp(hour)));
    // A page of history the reader asked for.
    let mut old = from_bob(0);
    old.delayed = Some("2026-11-26T20:00:00Z".into());
    old.archived = true;
    s.apply(Event::Message(old));
    s.apply(archived(from_bob(2), "sb2", stamp(hour + 20_000)));
    s.apply(archived(from_bob(3), "sb3", stamp(hour + 20_005)));
    assert_eq!(log(&s), ["m0 B", "m1 B", "m1 A", "m2 B", "m3 B"]);
}
