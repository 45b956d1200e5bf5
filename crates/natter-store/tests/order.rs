//! The order of a conversation is total and the same everywhere: in memory, in the persistent
//! cache, after a reload, after pages from the cache or the server's archive, however many
//! messages share one millisecond. A stand-in for the IndexedDB cache (same record keys, same
//! index order, same merge) lets a long random life of one chat run natively.

use std::collections::{BTreeMap, HashSet};

use natter_core::jid::{BareJid, FullJid, Jid};
use natter_core::{ChatMessage, Direction, Event, SessionState};
use natter_store::{merge_cached, Dirty, Meta, Snapshot, Store, StoredMessage, MEMORY_LIMIT};

const T0: u64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn bob() -> BareJid {
    BareJid::new("bob@x").unwrap()
}

/// The cache as the IndexedDB layer keeps it (`src/persist/db.rs`): records keyed by chat and
/// message key, merged on write; a chat read through its `[peer, at, seq]` index, whose ties
/// IndexedDB breaks by record key.
#[derive(Default)]
struct Cache {
    records: BTreeMap<String, StoredMessage>,
    meta: Meta,
}

impl Cache {
    fn write(&mut self, d: Dirty) {
        for m in d.messages {
            let k = m.key();
            let old = self.records.remove(&k);
            self.records.insert(k, merge_cached(old, m));
        }
        if let Some(meta) = d.meta {
            self.meta = meta;
        }
    }

    fn in_index_order(&self) -> Vec<StoredMessage> {
        let mut v: Vec<StoredMessage> = self.records.values().cloned().collect();
        v.sort_by_key(|m| (m.at, m.seq, m.key()));
        v
    }

    /// `Db::load`: the newest `n`.
    fn load(&self, n: usize) -> Snapshot {
        let v = self.in_index_order();
        Snapshot {
            messages: v[v.len().saturating_sub(n)..].to_vec(),
            meta: self.meta.clone(),
            ..Snapshot::default()
        }
    }

    /// `AppState::load_older` + `Db::older`: up to `n` at or before the oldest shown, leaving
    /// out what is shown of that millisecond; then `Store::insert_older`.
    fn page_in(&self, s: &mut Store, n: usize) -> usize {
        let c = &s.conversations[&bob()];
        let Some(at) = c.oldest().map(|m| m.at) else {
            return 0;
        };
        let shown: HashSet<String> = c
            .messages
            .iter()
            .take_while(|m| m.at == at)
            .map(StoredMessage::key)
            .collect();
        let v: Vec<StoredMessage> = self
            .in_index_order()
            .into_iter()
            .filter(|m| m.at <= at && !shown.contains(&m.key()))
            .collect();
        let page = v[v.len().saturating_sub(n)..].to_vec();
        s.insert_older(&bob(), page)
    }
}

/// Bob's message `i`, sent at `t`: live, or the archive's copy.
fn message(i: usize, t: u64, archived: bool) -> Event {
    let stamp = {
        let ms = t - T0;
        let secs = ms / 1000;
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        format!("2026-01-01T{h:02}:{m:02}:{s:02}.{:03}Z", ms % 1000)
    };
    Event::Message(ChatMessage {
        id: format!("m{i}"),
        direction: Direction::Incoming,
        peer: bob(),
        from: Jid::new("bob@x/phone").unwrap(),
        body: i.to_string(),
        delayed: archived.then_some(stamp),
        stanza_id: Some(format!("s{i}")),
        origin_id: None,
        archived,
        ext: Default::default(),
    })
}

/// Bob's messages as shown, by number.
fn shown(s: &Store) -> Vec<usize> {
    s.conversations.get(&bob()).map_or(Vec::new(), |c| {
        c.messages
            .iter()
            .map(|m| m.msg.body.parse().unwrap())
            .collect()
    })
}

fn assert_in_order(s: &Store, what: &str) {
    let v = shown(s);
    let wrong: Vec<&[usize]> = v.windows(2).filter(|w| w[0] >= w[1]).collect();
    assert!(
        wrong.is_empty(),
        "{what}: {} out of order (or twice), first {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(3)]
    );
}

/// Deterministic randomness (a 64-bit LCG): the same life every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// One account's page and the server's archive of the chat with Bob.
struct Life {
    store: Store,
    cache: Cache,
    /// Every message Bob sent: its time.
    archive: Vec<u64>,
    online: bool,
    now: u64,
}

impl Life {
    fn new() -> Life {
        let mut store = Store::new();
        store.enable_cache();
        Life {
            store,
            cache: Cache::default(),
            archive: Vec::new(),
            online: true,
            now: T0 + 1_000,
        }
    }

    fn apply(&mut self, e: Event) {
        self.store.clock_ms = self.now;
        self.store.apply(e);
    }

    fn flush(&mut self) {
        if let Some(d) = self.store.take_dirty() {
            self.cache.write(d);
        }
    }

    /// Bob sends `k` messages in the same millisecond; the page goes offline after `cut`.
    fn burst(&mut self, k: usize, cut: Option<usize>) {
        self.now += 1;
        for j in 0..k {
            if cut == Some(j) {
                self.disconnect();
            }
            let i = self.archive.len();
            self.archive.push(self.now);
            if self.online {
                self.apply(message(i, self.now, false));
            }
        }
    }

    fn disconnect(&mut self) {
        if self.online {
            self.online = false;
            self.apply(Event::StateChanged(SessionState::Closed));
        }
    }

    /// A fresh session: catch up from the last archive id (forward, oldest first), or, with
    /// none, the newest page.
    fn connect(&mut self) {
        if self.online {
            return;
        }
        self.online = true;
        self.apply(Event::Online {
            jid: FullJid::new("alice@x/web").unwrap(),
            resumed: false,
        });
        let from = self
            .store
            .last_archive_id
            .as_deref()
            .map_or(self.archive.len().saturating_sub(100), |s| {
                s[1..].parse::<usize>().unwrap() + 1
            });
        for i in from..self.archive.len() {
            self.apply(message(i, self.archive[i], true));
        }
        let last = self.archive.len().checked_sub(1).map(|i| format!("s{i}"));
        self.apply(Event::CaughtUp {
            last,
            complete: true,
        });
    }

    /// A new page (same account): the cache's newest messages, then the network.
    fn reload(&mut self) {
        self.flush();
        self.store = Store::new();
        self.store.enable_cache();
        self.store.restore(self.cache.load(100));
        self.online = false;
        self.connect();
    }

    /// Scroll-up in the open chat: the cache first (once what is pending is written, as
    /// `Cache::older` does), then the server's archive (one page of up to 100 before the
    /// oldest shown, oldest first).
    fn scroll_up(&mut self) -> bool {
        self.flush();
        if self.cache.page_in(&mut self.store, 100) > 0 {
            return true;
        }
        let before = self.store.conversations[&bob()]
            .oldest()
            .and_then(|m| m.msg.stanza_id.clone())
            .map_or(self.archive.len(), |s| s[1..].parse().unwrap());
        if before == 0 {
            return false;
        }
        let first = before.saturating_sub(100);
        for i in first..before {
            self.apply(message(i, self.archive[i], true));
        }
        self.apply(Event::HistoryPage {
            with: bob(),
            first: Some(format!("s{first}")),
            complete: first == 0,
        });
        true
    }
}

#[test]
fn a_burst_split_by_history_pages_stays_in_order_after_a_reload() {
    // A new browser: 700 messages on the server, 7 to a millisecond; the catch-up brings the
    // newest 100, pages of 100 from the archive the rest, splitting millisecond runs.
    let mut life = Life::new();
    life.disconnect();
    for _ in 0..100 {
        life.burst(7, None);
    }
    life.connect();
    life.store.open_conversation(bob());
    assert_eq!(shown(&life.store), (600..700).collect::<Vec<_>>());
    let mut pages = 0;
    while life.scroll_up() {
        pages += 1;
        assert_in_order(&life.store, &format!("after page {pages}"));
    }
    assert_eq!(pages, 6);
    assert_eq!(
        shown(&life.store),
        (0..700).collect::<Vec<_>>(),
        "every page shown"
    );

    life.reload();
    life.store.open_conversation(bob());
    assert_eq!(shown(&life.store), (600..700).collect::<Vec<_>>());
    while life.cache.page_in(&mut life.store, 100) > 0 {
        assert_in_order(&life.store, "paged in from the cache");
    }
    assert_eq!(shown(&life.store), (0..700).collect::<Vec<_>>());
}

#[test]
fn a_burst_split_by_a_reload_stays_in_order() {
    // Enough messages that the first page numbered well past what a reload restores; the
    // last millisecond's burst is cut by a reload: part live, part caught up after it, then
    // more live in that same millisecond.
    let mut life = Life::new();
    for _ in 0..19 {
        life.burst(30, None);
    }
    life.burst(30, Some(12));
    life.reload();
    assert_in_order(&life.store, "caught up");
    for _ in 0..5 {
        let i = life.archive.len();
        life.archive.push(life.now);
        life.apply(message(i, life.now, false));
    }
    life.reload();
    life.store.open_conversation(bob());
    while life.scroll_up() {}
    assert_eq!(shown(&life.store), (0..605).collect::<Vec<_>>());
}

#[test]
fn a_long_random_life_keeps_one_order() {
    let mut rng = Rng(0x5eed);
    let mut life = Life::new();
    for step in 0..400 {
        match rng.below(10) {
            0..=3 => {
                let k = 1 + rng.below(40) as usize;
                let cut = (rng.below(6) == 0).then(|| rng.below(k as u64) as usize);
                life.burst(k, cut);
            }
            4 => life.disconnect(),
            5 => life.connect(),
            6 => life.reload(),
            7 => life.store.open_conversation(bob()),
            8 => life.store.close_conversation(),
            _ => {
                if life.store.open.is_some() && life.store.conversations.contains_key(&bob()) {
                    for _ in 0..1 + rng.below(4) {
                        life.scroll_up();
                    }
                }
            }
        }
        if rng.below(3) != 0 {
            life.flush();
        }
        assert_in_order(&life.store, &format!("step {step}"));
        if life.store.open.is_none() {
            assert!(shown(&life.store).len() <= MEMORY_LIMIT, "step {step}");
        }
    }
    // Everything, once each, in order: from the cache, then the archive.
    life.reload();
    life.store.open_conversation(bob());
    while life.scroll_up() {
        assert_in_order(&life.store, "the final scroll-up");
    }
    assert_eq!(
        shown(&life.store),
        (0..life.archive.len()).collect::<Vec<_>>()
    );
}
