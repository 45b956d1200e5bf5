//! History pages into a full chat: a page the user asked for is shown whole (the window grows
//! until the chat is closed) and cached; a catch-up of newer messages still lets the oldest go.

use natter_core::jid::{BareJid, FullJid, Jid};
use natter_core::{ChatMessage, Direction, Event};
use natter_store::{Store, HISTORY_PAGE_MAX, MEMORY_LIMIT};

const T0: u64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn bob() -> BareJid {
    BareJid::new("bob@x").unwrap()
}

/// Bob's message `name` sent `secs` seconds after `T0`: live (stamped by the clock) or the
/// archive's copy (stamped by the archive).
fn message(name: &str, secs: u64, archived: bool) -> Event {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    Event::Message(ChatMessage {
        id: name.into(),
        direction: Direction::Incoming,
        peer: bob(),
        from: Jid::new("bob@x/phone").unwrap(),
        body: name.into(),
        delayed: archived.then(|| format!("2026-01-01T{h:02}:{m:02}:{s:02}Z")),
        stanza_id: Some(format!("S-{name}")),
        origin_id: None,
        archived,
        ext: Default::default(),
    })
}

fn page_end(first: &str, complete: bool) -> Event {
    Event::HistoryPage {
        with: bob(),
        first: Some(format!("S-{first}")),
        complete,
    }
}

fn shown(s: &Store) -> Vec<String> {
    s.conversations[&bob()]
        .messages
        .iter()
        .map(|m| m.msg.body.clone())
        .collect()
}

fn names(prefix: &str, range: std::ops::Range<u64>) -> Vec<String> {
    range.map(|i| format!("{prefix}{i:04}")).collect()
}

/// A store with a full chat with Bob, on screen: `live0000` … `live0499`, one a second from
/// 10,000 s, received live.
fn full_chat() -> Store {
    let mut s = Store::new();
    s.enable_cache();
    for i in 0..MEMORY_LIMIT as u64 {
        s.clock_ms = T0 + (10_000 + i) * 1000;
        s.apply(message(&format!("live{i:04}"), 10_000 + i, false));
    }
    s.open_conversation(bob());
    s.take_dirty();
    s
}

/// One history page of `n` messages `old0000` … sent from `from` seconds, oldest first as
/// the archive sends them.
fn history_page(s: &mut Store, prefix: &str, from: u64, n: u64) {
    for i in 0..n {
        s.apply(message(&format!("{prefix}{i:04}"), from + i, true));
    }
    s.apply(page_end(&format!("{prefix}0000"), false));
}

#[test]
fn a_history_page_into_a_full_chat_is_shown_whole_and_cached() {
    let mut s = full_chat();
    history_page(&mut s, "old", 1_000, 50);
    let mut expected = names("old", 0..50);
    expected.extend(names("live", 0..MEMORY_LIMIT as u64));
    assert_eq!(
        shown(&s),
        expected,
        "all 50, before the rest, in order, once"
    );
    let dirty = s.take_dirty().expect("the page is cached");
    let mut cached: Vec<String> = dirty.messages.iter().map(|m| m.msg.id.clone()).collect();
    cached.sort();
    assert_eq!(cached, names("old", 0..50));

    // An older page still: it goes before, and stays too.
    history_page(&mut s, "older", 100, 50);
    assert_eq!(shown(&s).len(), MEMORY_LIMIT + 100);
    assert_eq!(shown(&s)[..50], names("older", 0..50)[..]);

    // The same page again (scrolled back down and up): no copies.
    history_page(&mut s, "old", 1_000, 50);
    assert_eq!(shown(&s).len(), MEMORY_LIMIT + 100);

    s.close_conversation();
    assert_eq!(
        shown(&s),
        names("live", 0..MEMORY_LIMIT as u64),
        "back to the newest when closed"
    );
}

#[test]
fn a_catch_up_of_newer_messages_still_lets_the_oldest_go() {
    let mut s = full_chat();
    s.apply(Event::Online {
        jid: FullJid::new("alice@x/web").unwrap(),
        resumed: false,
    });
    for i in 0..30 {
        s.apply(message(&format!("new{i:04}"), 20_000 + i, true));
    }
    s.apply(Event::CaughtUp {
        last: Some("S-new0029".into()),
        complete: true,
    });
    let mut expected = names("live", 30..MEMORY_LIMIT as u64);
    expected.extend(names("new", 0..30));
    assert_eq!(shown(&s), expected);
    let dirty = s.take_dirty().expect("cached");
    assert_eq!(dirty.messages.len(), 30);
}

#[test]
fn history_asked_for_during_a_catch_up_is_kept_too() {
    let mut s = full_chat();
    s.apply(Event::Online {
        jid: FullJid::new("alice@x/web").unwrap(),
        resumed: false,
    });
    // The reader scrolls up while the catch-up runs: the history page comes first.
    history_page(&mut s, "old", 1_000, 20);
    let mut expected = names("old", 0..20);
    expected.extend(names("live", 0..MEMORY_LIMIT as u64));
    assert_eq!(shown(&s), expected);
    // Newer messages keep the window at its size (as while reading older pages).
    s.apply(message("new0000", 20_000, true));
    s.apply(Event::CaughtUp {
        last: Some("S-new0000".into()),
        complete: true,
    });
    assert_eq!(shown(&s).len(), MEMORY_LIMIT + 20);
    assert_eq!(shown(&s).last().map(String::as_str), Some("new0000"));
}

#[test]
fn an_oversized_page_grows_the_window_by_one_page_at_most() {
    // A server that ignores the page size: the window grows by one page, no more; the rest
    // is still cached.
    let mut s = full_chat();
    history_page(&mut s, "old", 1_000, 300);
    assert_eq!(s.take_dirty().expect("cached").messages.len(), 300);
    let mut expected = names("old", 300 - HISTORY_PAGE_MAX as u64..300);
    expected.extend(names("live", 0..MEMORY_LIMIT as u64));
    assert_eq!(shown(&s), expected);
}

#[test]
fn a_page_for_a_chat_not_on_screen_leaves_it_at_its_usual_size() {
    let mut s = full_chat();
    s.close_conversation();
    history_page(&mut s, "old", 1_000, 50);
    assert_eq!(shown(&s), names("live", 0..MEMORY_LIMIT as u64));
    assert_eq!(s.take_dirty().expect("cached").messages.len(), 50);
}
