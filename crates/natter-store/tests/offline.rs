//! "Never lose a message": dedup across live, carbon and archive copies, time order, delivery
//! states and the outbox, the last archive id, gap markers, bounded memory, roster versions,
//! and the changes the store hands the persistent cache.

mod common;

use common::cache_after;
use natter_core::jid::{BareJid, FullJid, Jid};
use natter_core::{ChatMessage, Direction, Event, RosterItem, SessionState, Subscription};
use natter_store::{
    merge_cached, DeliveryState, Dirty, Inserted, LogItem, Meta, Snapshot, Store, StoredMessage,
    MEMORY_LIMIT,
};

fn bare(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

fn me() -> Jid {
    Jid::new("alice@x/web").unwrap()
}

/// An RFC 3339 stamp `secs` seconds after 2026-01-01T00:00:00Z.
fn stamp(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    assert!(h < 24);
    format!("2026-01-01T{h:02}:{m:02}:{s:02}Z")
}

const T0: u64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

#[derive(Clone)]
struct Msg(ChatMessage);

impl Msg {
    fn incoming(id: &str, peer: &str, body: &str) -> Msg {
        Msg(ChatMessage {
            id: id.into(),
            direction: Direction::Incoming,
            peer: bare(peer),
            from: Jid::new(&format!("{peer}/phone")).unwrap(),
            body: body.into(),
            delayed: None,
            stanza_id: None,
            origin_id: None,
            archived: false,
            ext: Default::default(),
        })
    }
    fn outgoing(id: &str, peer: &str, body: &str) -> Msg {
        Msg(ChatMessage {
            id: id.into(),
            direction: Direction::Outgoing,
            peer: bare(peer),
            from: me(),
            body: body.into(),
            delayed: None,
            stanza_id: None,
            origin_id: None,
            archived: false,
            ext: Default::default(),
        })
    }
    fn stanza(mut self, s: &str) -> Msg {
        self.0.stanza_id = Some(s.into());
        self
    }
    fn origin(mut self, o: &str) -> Msg {
        self.0.origin_id = Some(o.into());
        self
    }
    fn archived(mut self) -> Msg {
        self.0.archived = true;
        self
    }
    fn at(mut self, secs: u64) -> Msg {
        self.0.delayed = Some(stamp(secs));
        self
    }
    fn ev(self) -> Event {
        Event::Message(self.0)
    }
    fn sent(self) -> Event {
        Event::MessageSent(self.0)
    }
}

fn online(resumed: bool) -> Event {
    Event::Online {
        jid: FullJid::new("alice@x/web").unwrap(),
        resumed,
    }
}

fn bodies(s: &Store, peer: &str) -> Vec<String> {
    s.conversations[&bare(peer)]
        .messages
        .iter()
        .map(|m| m.msg.body.clone())
        .collect()
}

fn state_of(s: &Store, peer: &str, id: &str) -> DeliveryState {
    s.conversations[&bare(peer)]
        .messages
        .iter()
        .find(|m| m.msg.id == id)
        .unwrap_or_else(|| panic!("{id} not shown"))
        .state
        .clone()
}

fn outbox_ids(s: &Store) -> Vec<String> {
    s.outbox.iter().map(|e| e.id.clone()).collect()
}

fn item(jid: &str) -> RosterItem {
    RosterItem {
        jid: bare(jid),
        name: None,
        subscription: Subscription::Both,
        ask: false,
        groups: vec![],
    }
}

#[test]
fn live_carbon_and_archive_copies_are_one_message() {
    let mut s = Store::new();
    s.clock_ms = T0;
    // Live copy: the sender's id and origin-id, our server's stanza-id.
    s.apply(Msg::incoming("m1", "bob@x", "hi").origin("m1").ev());
    // A carbon of the same message (another resource of ours received it): same id, and
    // now the stanza id.
    s.apply(Msg::incoming("m1", "bob@x", "hi").stanza("S1").ev());
    // The archive's copy: the archive id as stanza id, a delay stamp, `archived`.
    s.apply(
        Msg::incoming("m1", "bob@x", "hi")
            .stanza("S1")
            .at(5)
            .archived()
            .ev(),
    );
    assert_eq!(bodies(&s, "bob@x"), vec!["hi"]);
    let m = &s.conversations[&bare("bob@x")].messages[0];
    assert_eq!(
        m.msg.stanza_id.as_deref(),
        Some("S1"),
        "the stanza id a later copy brought is kept"
    );
    assert_eq!(s.unread(&bare("bob@x")), 1);

    // A copy that shares only the stanza id (a client that derived another id) is the same
    // message too; so is one sharing only the origin-id.
    s.apply(Msg::incoming("other-id", "bob@x", "hi").stanza("S1").ev());
    s.apply(Msg::incoming("third-id", "bob@x", "hi").origin("m1").ev());
    assert_eq!(bodies(&s, "bob@x"), vec!["hi"]);

    // The archive copy arriving first, then the live one with the stanza id.
    s.apply(
        Msg::incoming("m2", "carol@x", "yo")
            .stanza("S2")
            .at(10)
            .archived()
            .ev(),
    );
    s.apply(Msg::incoming("m2", "carol@x", "yo").stanza("S2").ev());
    assert_eq!(bodies(&s, "carol@x"), vec!["yo"]);
}

#[test]
fn our_own_message_and_its_server_copies_are_one_message() {
    let mut s = Store::new();
    let bob = bare("bob@x");
    s.add_pending(bob.clone(), "o1".into(), me(), "hello".into());
    assert_eq!(state_of(&s, "bob@x", "o1"), DeliveryState::Pending);
    s.apply(Msg::outgoing("o1", "bob@x", "hello").origin("o1").sent());
    assert_eq!(state_of(&s, "bob@x", "o1"), DeliveryState::Sent);
    // The archive's copy of our message: the server has it.
    s.apply(
        Msg::outgoing("o1", "bob@x", "hello")
            .origin("o1")
            .stanza("S9")
            .archived()
            .ev(),
    );
    assert_eq!(bodies(&s, "bob@x"), vec!["hello"]);
    assert_eq!(state_of(&s, "bob@x", "o1"), DeliveryState::Acked);
    // A late MessageSent (a resend) never moves it back.
    s.apply(Msg::outgoing("o1", "bob@x", "hello").sent());
    assert_eq!(state_of(&s, "bob@x", "o1"), DeliveryState::Acked);

    // A message from bob that reuses our id is a different message, and does not make ours
    // look delivered.
    s.add_pending(bob.clone(), "o2".into(), me(), "second".into());
    s.apply(Msg::incoming("o2", "bob@x", "spoof").ev());
    assert_eq!(bodies(&s, "bob@x"), vec!["hello", "second", "spoof"]);
    assert_eq!(state_of(&s, "bob@x", "o2"), DeliveryState::Pending);

    // A sent carbon (another device of ours wrote to bob) is shown as ours, delivered.
    s.apply(Msg::outgoing("d1", "bob@x", "from my phone").ev());
    assert_eq!(state_of(&s, "bob@x", "d1"), DeliveryState::Acked);
}

#[test]
fn messages_are_ordered_by_time_and_delayed_ones_slot_in() {
    let mut s = Store::new();
    s.clock_ms = T0 + 10_000;
    s.apply(Msg::incoming("a", "bob@x", "at 10").ev());
    s.clock_ms = T0 + 30_000;
    s.apply(Msg::incoming("c", "bob@x", "at 30").ev());
    // Delivered late (offline storage, or the archive): it belongs between the two.
    s.apply(Msg::incoming("b", "bob@x", "at 20").at(20).archived().ev());
    s.apply(Msg::incoming("z", "bob@x", "at 5").at(5).ev());
    // Same time: arrival order.
    s.apply(Msg::incoming("d", "bob@x", "at 30 too").ev());
    assert_eq!(
        bodies(&s, "bob@x"),
        vec!["at 5", "at 10", "at 20", "at 30", "at 30 too"]
    );
    let ats: Vec<u64> = s.conversations[&bare("bob@x")]
        .messages
        .iter()
        .map(|m| m.at)
        .collect();
    assert!(ats.windows(2).all(|w| w[0] <= w[1]), "{ats:?}");
}

#[test]
fn outbox_without_stream_management_empties_when_sent() {
    let mut s = Store::new();
    let bob = bare("bob@x");
    s.add_pending(bob.clone(), "o1".into(), me(), "one".into());
    assert_eq!(outbox_ids(&s), vec!["o1"]);
    s.apply(Msg::outgoing("o1", "bob@x", "one").sent());
    assert!(
        s.outbox.is_empty(),
        "no acks from this server: sent is final"
    );
    // A bounce takes a message out of the outbox too.
    s.add_pending(bob.clone(), "o2".into(), me(), "two".into());
    s.apply(Event::MessageFailed {
        id: "o2".into(),
        peer: bob,
        reason: "no such user".into(),
    });
    assert!(s.outbox.is_empty());
    assert_eq!(
        state_of(&s, "bob@x", "o2"),
        DeliveryState::Failed("no such user".into())
    );
}

#[test]
fn outbox_with_stream_management_waits_for_the_ack() {
    let mut s = Store::new();
    let bob = bare("bob@x");
    s.add_pending(bob.clone(), "o1".into(), me(), "one".into());
    s.apply(Msg::outgoing("o1", "bob@x", "one").sent());
    s.apply(Event::MessageAcked {
        id: "o1".into(),
        peer: bob.clone(),
    });
    assert!(s.acks, "the first ack shows the server acks");
    assert_eq!(state_of(&s, "bob@x", "o1"), DeliveryState::Acked);
    s.add_pending(bob.clone(), "o2".into(), me(), "two".into());
    s.apply(Msg::outgoing("o2", "bob@x", "two").sent());
    assert_eq!(outbox_ids(&s), vec!["o2"], "sent but not acked: still owed");
    assert_eq!(state_of(&s, "bob@x", "o2"), DeliveryState::Sent);
    s.apply(Event::MessageAcked {
        id: "o2".into(),
        peer: bob,
    });
    assert!(s.outbox.is_empty());
    assert_eq!(state_of(&s, "bob@x", "o2"), DeliveryState::Acked);
}

#[test]
fn a_reload_restores_the_outbox() {
    let mut a = Store::new();
    a.enable_cache();
    a.clock_ms = T0;
    let bob = bare("bob@x");
    a.apply(Event::MessageAcked {
        id: "none".into(),
        peer: bob.clone(),
    });
    a.add_pending(bob.clone(), "o1".into(), me(), "sent, not acked".into());
    a.apply(Msg::outgoing("o1", "bob@x", "sent, not acked").sent());
    // Written while offline: never sent.
    a.add_pending(bob.clone(), "o2".into(), me(), "never sent".into());
    let dirty = a.take_dirty().expect("changes to write");
    let snap = cache_after(&Snapshot::default(), dirty);
    assert_eq!(snap.outbox.len(), 2);

    // The reloaded page: both shown, both owed (the new session sends them once).
    let mut b = Store::new();
    b.restore(snap);
    assert!(b.acks);
    assert_eq!(bodies(&b, "bob@x"), vec!["sent, not acked", "never sent"]);
    assert_eq!(state_of(&b, "bob@x", "o1"), DeliveryState::Sent);
    assert_eq!(state_of(&b, "bob@x", "o2"), DeliveryState::Pending);
    assert_eq!(outbox_ids(&b), vec!["o1", "o2"]);
    // Sent again under the same ids: still one message each.
    b.apply(Msg::outgoing("o1", "bob@x", "sent, not acked").sent());
    b.apply(Msg::outgoing("o2", "bob@x", "never sent").sent());
    assert_eq!(bodies(&b, "bob@x").len(), 2);
    assert_eq!(outbox_ids(&b), vec!["o1", "o2"], "until acked");
    for id in ["o1", "o2"] {
        b.apply(Event::MessageAcked {
            id: id.into(),
            peer: bob.clone(),
        });
    }
    assert!(b.outbox.is_empty());
}

#[test]
fn last_archive_id_follows_live_copies_but_not_history_or_a_running_catch_up() {
    let mut s = Store::new();
    s.apply(online(false));
    // During the catch-up a live message must not move the mark past unfetched archive.
    s.apply(Msg::incoming("l1", "bob@x", "live").stanza("L1").ev());
    assert_eq!(s.last_archive_id, None);
    s.apply(
        Msg::incoming("a1", "bob@x", "old")
            .stanza("A1")
            .archived()
            .ev(),
    );
    s.apply(Event::CaughtUp {
        last: Some("A1".into()),
        complete: true,
    });
    assert_eq!(s.last_archive_id.as_deref(), Some("A1"));
    s.apply(Msg::incoming("l2", "bob@x", "live").stanza("L2").ev());
    assert_eq!(s.last_archive_id.as_deref(), Some("L2"));
    // History pages (older messages) leave it alone.
    s.apply(
        Msg::incoming("h1", "bob@x", "older")
            .stanza("H1")
            .at(1)
            .archived()
            .ev(),
    );
    s.apply(Event::HistoryPage {
        with: bare("bob@x"),
        first: Some("H1".into()),
        complete: false,
    });
    assert_eq!(s.last_archive_id.as_deref(), Some("L2"));
    // A resumed session runs no catch-up: live ids count at once.
    s.apply(online(true));
    s.apply(Msg::incoming("l3", "bob@x", "live").stanza("L3").ev());
    assert_eq!(s.last_archive_id.as_deref(), Some("L3"));
}

#[test]
fn caught_up_counts_unread_but_history_pages_do_not() {
    let mut s = Store::new();
    s.apply(online(false));
    s.apply(
        Msg::incoming("a1", "bob@x", "missed")
            .stanza("A1")
            .at(50)
            .archived()
            .ev(),
    );
    s.apply(Event::CaughtUp {
        last: Some("A1".into()),
        complete: true,
    });
    assert_eq!(s.unread(&bare("bob@x")), 1);
    s.apply(
        Msg::incoming("h1", "bob@x", "old")
            .stanza("H1")
            .at(1)
            .archived()
            .ev(),
    );
    s.apply(Event::HistoryPage {
        with: bare("bob@x"),
        first: Some("H1".into()),
        complete: true,
    });
    assert_eq!(s.unread(&bare("bob@x")), 1);
    assert!(s.conversations[&bare("bob@x")].archive_exhausted);
}

fn gaps(s: &Store, peer: &str) -> Vec<Option<String>> {
    s.conversations[&bare(peer)]
        .gaps
        .iter()
        .map(|g| g.before.clone())
        .collect()
}

/// The log as text: bodies, and `GAP` for a marker.
fn log(s: &Store, peer: &str) -> Vec<String> {
    s.conversations[&bare(peer)]
        .log()
        .into_iter()
        .map(|i| match i {
            LogItem::Message(m) => m.msg.body,
            LogItem::Gap(_) => "GAP".into(),
        })
        .collect()
}

#[test]
fn an_incomplete_catch_up_marks_a_gap_that_history_fills() {
    let mut s = Store::new();
    s.clock_ms = T0 + 100_000;
    s.apply(
        Msg::incoming("k1", "bob@x", "known")
            .stanza("K1")
            .at(100)
            .ev(),
    );
    s.apply(Msg::incoming("c0", "carol@x", "carol known").at(100).ev());
    s.apply(online(false));
    // The archive could not start at our id: only the newest page came.
    s.apply(
        Msg::incoming("n1", "bob@x", "new 1")
            .stanza("N1")
            .at(500)
            .archived()
            .ev(),
    );
    s.apply(
        Msg::incoming("n2", "bob@x", "new 2")
            .stanza("N2")
            .at(600)
            .archived()
            .ev(),
    );
    s.apply(Event::CaughtUp {
        last: Some("N2".into()),
        complete: false,
    });
    assert_eq!(log(&s, "bob@x"), vec!["known", "GAP", "new 1", "new 2"]);
    assert_eq!(gaps(&s, "bob@x"), vec![Some("N1".to_string())]);
    assert!(gaps(&s, "carol@x").is_empty(), "nothing came for carol");

    // "Load missing messages": a page before N1 that does not reach "known" yet.
    s.apply(
        Msg::incoming("g3", "bob@x", "gap 3")
            .stanza("G3")
            .at(400)
            .archived()
            .ev(),
    );
    s.apply(Event::HistoryPage {
        with: bare("bob@x"),
        first: Some("G3".into()),
        complete: false,
    });
    assert_eq!(
        log(&s, "bob@x"),
        vec!["known", "GAP", "gap 3", "new 1", "new 2"]
    );
    assert_eq!(gaps(&s, "bob@x"), vec![Some("G3".to_string())]);

    // The next page reaches a message we had: the gap is filled.
    s.apply(
        Msg::incoming("g2", "bob@x", "gap 2")
            .stanza("G2")
            .at(300)
            .archived()
            .ev(),
    );
    s.apply(
        Msg::incoming("k1", "bob@x", "known")
            .stanza("K1")
            .at(100)
            .archived()
            .ev(),
    );
    s.apply(Event::HistoryPage {
        with: bare("bob@x"),
        first: Some("K1".into()),
        complete: false,
    });
    assert_eq!(
        log(&s, "bob@x"),
        vec!["known", "gap 2", "gap 3", "new 1", "new 2"]
    );
    assert_eq!(
        s.unread(&bare("bob@x")),
        3,
        "the live one and the caught-up ones; not those loaded into the gap"
    );
}

#[test]
fn a_complete_history_page_removes_the_gap() {
    let mut s = Store::new();
    s.apply(online(false));
    s.apply(
        Msg::incoming("n1", "bob@x", "new")
            .stanza("N1")
            .at(500)
            .archived()
            .ev(),
    );
    s.apply(Event::CaughtUp {
        last: Some("N1".into()),
        complete: false,
    });
    assert_eq!(log(&s, "bob@x"), vec!["GAP", "new"]);
    s.apply(Event::HistoryPage {
        with: bare("bob@x"),
        first: None,
        complete: true,
    });
    assert_eq!(log(&s, "bob@x"), vec!["new"]);
}

#[test]
fn a_gap_with_no_messages_goes_to_the_open_chat_or_the_next_one_opened() {
    let mut s = Store::new();
    s.apply(Msg::incoming("k1", "bob@x", "known").ev());
    s.open_conversation(bare("bob@x"));
    s.apply(online(false));
    s.apply(Event::CaughtUp {
        last: None,
        complete: false,
    });
    assert_eq!(log(&s, "bob@x"), vec!["known", "GAP"]);
    assert_eq!(gaps(&s, "bob@x"), vec![None], "load from the newest");

    let mut s = Store::new();
    s.apply(online(false));
    s.apply(Event::CaughtUp {
        last: None,
        complete: false,
    });
    s.open_conversation(bare("carol@x"));
    assert_eq!(log(&s, "carol@x"), vec!["GAP"]);
    s.open_conversation(bare("dave@x"));
    assert!(log(&s, "dave@x").is_empty(), "one marker, not one per chat");
}

#[test]
fn one_hundred_thousand_messages_stay_bounded_and_deduplicated() {
    let mut s = Store::new();
    let n: u64 = 100_000;
    for i in 0..n {
        s.clock_ms = T0 + i;
        s.apply(
            Msg::incoming(&format!("m{i}"), "bob@x", &format!("body {i}"))
                .stanza(&format!("S{i}"))
                .ev(),
        );
    }
    let conv = &s.conversations[&bare("bob@x")];
    assert_eq!(conv.messages.len(), MEMORY_LIMIT);
    assert!(conv.truncated);
    assert!(
        conv.key_count() <= 2 * MEMORY_LIMIT,
        "dedup keys are bounded too: {}",
        conv.key_count()
    );
    assert_eq!(conv.messages.last().unwrap().msg.id, format!("m{}", n - 1));
    assert_eq!(
        conv.messages[0].msg.id,
        format!("m{}", n - MEMORY_LIMIT as u64)
    );
    assert_eq!(s.unread(&bare("bob@x")), n as u32);

    // Copies of recent messages (live again, by stanza id, from the archive) add nothing.
    for i in (n - 50)..n {
        s.apply(Msg::incoming(&format!("m{i}"), "bob@x", "dup").ev());
        s.apply(
            Msg::incoming(&format!("x{i}"), "bob@x", "dup")
                .stanza(&format!("S{i}"))
                .ev(),
        );
        s.apply(
            Msg::incoming(&format!("m{i}"), "bob@x", "dup")
                .stanza(&format!("S{i}"))
                .at(1)
                .archived()
                .ev(),
        );
    }
    let conv = s.conversations.get_mut(&bare("bob@x")).unwrap();
    assert_eq!(conv.messages.len(), MEMORY_LIMIT);
    assert!(conv.messages.iter().all(|m| m.msg.body != "dup"));
    assert_eq!(s.unread(&bare("bob@x")), n as u32, "no copy counted twice");

    // A live copy of a long-evicted message stays out of memory (the cache merges it by key).
    let conv = s.conversations.get_mut(&bare("bob@x")).unwrap();
    let old = Msg::incoming("m5", "bob@x", "body 5").at(0).0;
    let (outcome, _) = conv.insert_copy(old, DeliveryState::Sent, T0);
    assert_eq!(outcome, Inserted::Older);
    assert_eq!(conv.messages.len(), MEMORY_LIMIT);
}

#[test]
fn older_pages_grow_the_window_until_the_chat_is_closed() {
    let mut s = Store::new();
    let bob = bare("bob@x");
    for i in 0..(MEMORY_LIMIT as u64 + 10) {
        s.clock_ms = T0 + 1_000 + i;
        s.apply(Msg::incoming(&format!("m{i}"), "bob@x", "x").ev());
    }
    s.open_conversation(bob.clone());
    let older: Vec<StoredMessage> = (0..20)
        .map(|i| StoredMessage {
            msg: Msg::incoming(&format!("p{i}"), "bob@x", "paged").0,
            state: DeliveryState::Sent,
            at: T0 + i,
            seq: 0,
        })
        .collect();
    assert_eq!(s.insert_older(&bob, older.clone()), 20);
    assert_eq!(s.conversations[&bob].messages.len(), MEMORY_LIMIT + 20);
    assert_eq!(s.insert_older(&bob, older), 0, "paged twice: no copies");
    s.close_conversation();
    assert_eq!(s.conversations[&bob].messages.len(), MEMORY_LIMIT);
    assert_eq!(
        s.conversations[&bob].messages.last().unwrap().msg.id,
        format!("m{}", MEMORY_LIMIT + 9)
    );
}

#[test]
fn roster_version_is_kept_with_the_roster() {
    let mut s = Store::new();
    s.enable_cache();
    s.apply(Event::RosterReset {
        items: vec![item("bob@x"), item("carol@x")],
        ver: Some("v1".into()),
    });
    assert_eq!(s.roster_ver.as_deref(), Some("v1"));
    s.apply(Event::RosterUpdated(item("dave@x")));
    s.apply(Event::RosterVersion("v2".into()));
    assert_eq!(s.roster_ver.as_deref(), Some("v2"));
    let snap = cache_after(&Snapshot::default(), s.take_dirty().unwrap());
    assert_eq!(snap.meta.roster_ver.as_deref(), Some("v2"));
    assert_eq!(snap.roster.len(), 3);

    // Next page load: the cached roster shows at once; the server says it is current.
    let mut t = Store::new();
    t.restore(snap);
    assert_eq!(t.roster.len(), 3);
    assert_eq!(t.roster_ver.as_deref(), Some("v2"));
    t.apply(Event::RosterUnchanged);
    assert_eq!(t.roster.len(), 3);
    assert_eq!(t.roster_ver.as_deref(), Some("v2"));
}

#[test]
fn a_late_cache_restore_never_replaces_what_the_server_said() {
    let mut s = Store::new();
    s.apply(Event::RosterReset {
        items: vec![item("bob@x")],
        ver: Some("v9".into()),
    });
    s.apply(Msg::incoming("m1", "bob@x", "live").stanza("S1").ev());
    let snap = Snapshot {
        meta: Meta {
            roster_ver: Some("v1".into()),
            last_archive_id: Some("OLD".into()),
            acks: true,
        },
        roster: vec![item("old@x"), item("older@x")],
        messages: vec![StoredMessage {
            msg: Msg::incoming("m1", "bob@x", "live").0,
            state: DeliveryState::Sent,
            at: 1,
            seq: 0,
        }],
        ..Snapshot::default()
    };
    s.restore(snap);
    assert_eq!(s.roster.len(), 1);
    assert_eq!(s.roster_ver.as_deref(), Some("v9"));
    assert_eq!(bodies(&s, "bob@x"), vec!["live"], "merged by id");
    assert!(s.acks);
}

#[test]
fn the_cache_gets_one_coalesced_batch() {
    let mut s = Store::new();
    assert!(
        s.take_dirty().is_none(),
        "no cache enabled: nothing recorded"
    );
    s.enable_cache();
    s.clock_ms = T0;
    let items: Vec<RosterItem> = (0..2000).map(|i| item(&format!("c{i}@x"))).collect();
    s.apply(Event::RosterReset {
        items,
        ver: Some("v1".into()),
    });
    s.add_pending(bare("bob@x"), "o1".into(), me(), "hi".into());
    s.apply(Msg::outgoing("o1", "bob@x", "hi").sent());
    s.apply(Msg::incoming("m1", "bob@x", "yo").ev());
    s.apply(Msg::incoming("m1", "bob@x", "yo").stanza("S1").ev());
    let d = s.take_dirty().unwrap();
    assert_eq!(d.roster_all.as_ref().map(Vec::len), Some(2000));
    assert_eq!(d.messages.len(), 2, "one record per message, latest state");
    let o1 = d.messages.iter().find(|m| m.msg.id == "o1").unwrap();
    assert_eq!(o1.state, DeliveryState::Sent);
    let m1 = d.messages.iter().find(|m| m.msg.id == "m1").unwrap();
    assert_eq!(m1.msg.stanza_id.as_deref(), Some("S1"));
    assert_eq!(
        d.outbox_del,
        vec!["o1"],
        "sent, no acks: it left the outbox"
    );
    assert_eq!(d.chats.len(), 1);
    assert_eq!(d.chats[0].unread, 1);
    assert!(s.take_dirty().is_none());
    // A duplicate changes nothing: nothing to write.
    s.apply(Msg::incoming("m1", "bob@x", "yo").stanza("S1").ev());
    assert!(s.take_dirty().is_none());
}

#[test]
fn cached_records_merge_by_id_across_tabs() {
    let a = StoredMessage {
        msg: Msg::outgoing("o1", "bob@x", "hi").0,
        state: DeliveryState::Acked,
        at: 5,
        seq: 1,
    };
    let mut b = a.clone();
    b.state = DeliveryState::Sent;
    b.msg.stanza_id = Some("S1".into());
    b.at = 9;
    let merged = merge_cached(Some(a.clone()), b.clone());
    assert_eq!(
        merged.state,
        DeliveryState::Acked,
        "a stale tab never undoes an ack"
    );
    assert_eq!(merged.msg.stanza_id.as_deref(), Some("S1"));
    assert_eq!(merged.at, 5);
    assert_eq!(merge_cached(None, b.clone()), b);

    let mut first = Dirty {
        messages: vec![b],
        ..Dirty::default()
    };
    first.absorb(Dirty {
        messages: vec![a],
        outbox_del: vec!["o1".into()],
        ..Dirty::default()
    });
    assert_eq!(first.messages.len(), 1);
    assert_eq!(first.messages[0].state, DeliveryState::Acked);
    assert_eq!(first.outbox_del, vec!["o1"]);
}

#[test]
fn going_offline_keeps_the_roster_and_chats() {
    let mut s = Store::new();
    s.apply(Event::RosterReset {
        items: vec![item("bob@x")],
        ver: None,
    });
    s.apply(Msg::incoming("m1", "bob@x", "hi").ev());
    s.apply(Event::StateChanged(SessionState::Failed));
    assert_eq!(s.roster.len(), 1);
    assert_eq!(bodies(&s, "bob@x"), vec!["hi"]);
}

#[test]
fn older_pages_go_before_messages_of_the_same_millisecond() {
    let mut s = Store::new();
    let bob = bare("bob@x");
    s.clock_ms = T0;
    for id in ["c", "d"] {
        s.apply(Msg::incoming(id, "bob@x", id).ev());
    }
    // From the cache, in cached order (their `seq` as written then).
    let page: Vec<StoredMessage> = [("a", 7), ("b", 9)]
        .into_iter()
        .map(|(id, seq)| StoredMessage {
            msg: Msg::incoming(id, "bob@x", id).0,
            state: DeliveryState::Sent,
            at: T0,
            seq,
        })
        .collect();
    assert_eq!(s.insert_older(&bob, page), 2);
    assert_eq!(bodies(&s, "bob@x"), vec!["a", "b", "c", "d"]);
    s.apply(Msg::incoming("e", "bob@x", "e").ev());
    assert_eq!(bodies(&s, "bob@x"), vec!["a", "b", "c", "d", "e"]);
}
