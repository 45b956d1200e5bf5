//! One-to-one conversations: messages in time order, one entry per message however many copies
//! of it arrive (live, carbon, archive), a bounded window in memory, and gap markers.

use std::cmp::Ordering;
use std::collections::HashMap;

use natter_core::{ChatMessage, Direction};

use crate::keys;
use crate::order::{self, Numbering};

mod catch_up;

/// How much earlier than the newest message shown a message from the stream may be stamped
/// and still count as arriving after it (second-granular stamps, clock differences).
pub const STREAM_SLACK_MS: u64 = 10_000;

/// Messages kept in memory per conversation; older ones live only in the persistent cache
/// (and the server's archive) and are paged in on demand.
pub const MEMORY_LIMIT: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryState {
    /// Shown locally, not yet handed to the wire (in the outbox).
    Pending,
    /// Written to the stream (or received, for incoming messages).
    Sent,
    /// The server acknowledged it (XEP-0198), or a server copy of it (carbon, archive) came
    /// back: it is safe on the server.
    Acked,
    /// The peer's client received it (XEP-0184 receipt).
    Delivered,
    /// The peer displayed it, or a later message of ours (XEP-0333 marker).
    Read,
    /// Bounced; the reason in plain words.
    Failed(String),
}

impl DeliveryState {
    /// States only move forward: a late or repeated event never undoes a later one. A bounce
    /// is final.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            DeliveryState::Pending => 0,
            DeliveryState::Sent => 1,
            DeliveryState::Acked => 2,
            DeliveryState::Delivered => 3,
            DeliveryState::Read => 4,
            DeliveryState::Failed(_) => 5,
        }
    }

    /// The more advanced of two states.
    pub fn merge(self, other: DeliveryState) -> DeliveryState {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// Short token for `data-state` and for the persistent cache.
    pub fn token(&self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sent => "sent",
            DeliveryState::Acked => "acked",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Read => "read",
            DeliveryState::Failed(_) => "failed",
        }
    }

    /// The inverse of [`DeliveryState::token`]; `reason` is used for `failed`.
    pub fn from_token(token: &str, reason: Option<String>) -> Option<DeliveryState> {
        Some(match token {
            "pending" => DeliveryState::Pending,
            "sent" => DeliveryState::Sent,
            "acked" => DeliveryState::Acked,
            "delivered" => DeliveryState::Delivered,
            "read" => DeliveryState::Read,
            "failed" => DeliveryState::Failed(reason.unwrap_or_default()),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub msg: ChatMessage,
    pub state: DeliveryState,
    /// When it was sent, as Unix milliseconds: the XEP-0203 delay stamp if any, else the
    /// store's clock when it arrived (0 when the driver never set the clock).
    pub at: u64,
    /// Orders messages with the same `at`. Given when the message first arrives and kept
    /// for good, in the cache too (see [`crate::order`]); 0: unknown.
    pub seq: u64,
}

impl StoredMessage {
    /// The key this message is cached under (see [`keys::primary`]).
    pub fn key(&self) -> String {
        keys::primary(&self.msg)
    }

    /// When it was sent, for display: the XEP-0203 stamp if the server delayed it, else
    /// `at` (which may be later than the stamp: see [`Conversation::insert_copy_as`]).
    pub fn sent_at(&self) -> u64 {
        self.msg
            .delayed
            .as_deref()
            .and_then(crate::time::parse_rfc3339_ms)
            .unwrap_or(self.at)
    }

    /// Display order (the cache's order too): by `at`, then `seq`, then [`Self::key`].
    pub fn cmp_order(&self, other: &StoredMessage) -> Ordering {
        order::cmp(self, other)
    }

    fn order(&self) -> (u64, u64) {
        (self.at, self.seq)
    }
}

/// Where a catch-up could not reach: messages may be missing just before `at`/`seq` (the
/// oldest message the catch-up brought into this chat, or the end of the chat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub at: u64,
    pub seq: u64,
    /// The archive id to page back from (`Command::LoadHistory { before }`): the stanza id
    /// of the first message after the gap. `None`: from the newest message.
    pub before: Option<String>,
}

/// One row of the chat log: a message or a gap marker, in display order.
#[derive(Debug, Clone, PartialEq, Eq)]
// Rows are short-lived (built for one render) and nearly all messages: boxing each message to
// spare a gap marker's bytes would cost an allocation per row instead.
#[allow(clippy::large_enum_variant)]
pub enum LogItem {
    Message(StoredMessage),
    Gap(Gap),
}

/// What [`Conversation::insert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// A new message, now in memory; `newest`: it sorts after every other message.
    New { newest: bool },
    /// Another copy of a message already here; `changed`: it brought something (a later
    /// delivery state, a stanza id).
    Duplicate { changed: bool },
    /// A new message older than the whole in-memory window of a full conversation: not kept
    /// in memory (only in the persistent cache).
    Older,
}

/// How a new message came: where it goes among messages of the same `at`, and whether it may
/// push the oldest message out of a full window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Live (received, sent, a carbon): after every message of its `at`. A full window lets
    /// its oldest message go.
    Latest,
    /// A copy from the server's archive. History (a page the user asked for, or a catch-up
    /// copy older than the newest message here) sorts before the messages of its `at` from
    /// later pages, and never pushes a message out: the window grows to hold it (up to
    /// [`HISTORY_PAGE_MAX`] per page) until [`Conversation::trim`]. A catch-up copy at the
    /// end is [`Arrival::Latest`].
    Archive { catching_up: bool },
}

/// The most messages one history page may grow the window by: the core asks the archive for
/// at most this many per page, so only a server that ignores the limit sends more.
pub const HISTORY_PAGE_MAX: usize = 100;

#[derive(Debug, Clone)]
pub struct Conversation {
    /// In display order (see [`StoredMessage::cmp_order`]).
    pub messages: Vec<StoredMessage>,
    /// Every dedup key of every message in memory, to that message's `(at, seq)`.
    keys: HashMap<String, (u64, u64)>,
    pub unread: u32,
    /// Gap markers, oldest first.
    pub gaps: Vec<Gap>,
    /// Older messages exist outside memory (evicted, or never loaded from the cache).
    pub truncated: bool,
    /// The server's archive has nothing older than what was paged in (`HistoryPage {
    /// complete: true }`).
    pub archive_exhausted: bool,
    /// How many messages may be in memory now: [`MEMORY_LIMIT`], more while older pages are
    /// shown (see [`Conversation::insert_older`], [`Arrival::Archive`]).
    limit: usize,
    /// How much the history page being received has grown the window.
    page_grown: usize,
    seqs: Numbering,
    /// The key of the copy the running catch-up brought last into this chat: the archive
    /// lists oldest first, so a copy new to the chat goes right after it (see
    /// [`Conversation::after_catch_up_anchor`]).
    catch_up_anchor: Option<String>,
}

impl Default for Conversation {
    fn default() -> Self {
        Conversation {
            messages: Vec::new(),
            keys: HashMap::new(),
            unread: 0,
            gaps: Vec::new(),
            truncated: false,
            archive_exhausted: false,
            limit: MEMORY_LIMIT,
            page_grown: 0,
            seqs: Numbering::default(),
            catch_up_anchor: None,
        }
    }
}

impl Conversation {
    /// Adds a message as `Sent` unless it is already here. Returns whether it was added.
    pub fn insert(&mut self, msg: ChatMessage) -> bool {
        self.insert_at(msg, 0)
    }

    /// [`Conversation::insert`] with the arrival time (Unix ms); a delay stamp on the message
    /// takes precedence.
    pub fn insert_at(&mut self, msg: ChatMessage, now_ms: u64) -> bool {
        let (outcome, _) = self.insert_copy(msg, DeliveryState::Sent, now_ms);
        matches!(outcome, Inserted::New { .. })
    }

    /// Adds one copy of a message that arrives live. `state` is what this copy says about
    /// delivery (a copy from the server's archive means the server has it). A copy of a
    /// message already here merges into it: the later state wins, a stanza id or origin id
    /// it brings is kept. Returns what happened and the message as it now stands.
    pub fn insert_copy(
        &mut self,
        msg: ChatMessage,
        state: DeliveryState,
        now_ms: u64,
    ) -> (Inserted, StoredMessage) {
        self.insert_copy_as(msg, state, now_ms, Arrival::Latest)
    }

    /// [`Conversation::insert_copy`] for a copy that came as `arrival`.
    pub fn insert_copy_as(
        &mut self,
        msg: ChatMessage,
        state: DeliveryState,
        now_ms: u64,
        arrival: Arrival,
    ) -> (Inserted, StoredMessage) {
        // A stamp to the second (Prosody's) says the message came some time within that
        // second: it sorts at the second's end, after what this client saw arrive in it (a
        // message shown live at 12:00:05.060 and one stamped 12:00:05 that was sent after it).
        let sent = msg
            .delayed
            .as_deref()
            .and_then(|s| {
                let ms = crate::time::parse_rfc3339_ms(s)?;
                Some(if s.contains('.') { ms } else { ms + 999 })
            })
            .unwrap_or(now_ms);
        let older_than_stream = self
            .messages
            .last()
            .is_some_and(|l| sent.saturating_add(STREAM_SLACK_MS) < l.at);
        let catching_up = arrival == Arrival::Archive { catching_up: true };
        let keys = keys::all(&msg);
        if let Some(i) = keys.iter().find_map(|k| self.find(k)) {
            let (changed, m) = self.merge_copy(i, msg, state, keys);
            if catching_up {
                self.advance_catch_up_anchor(&m, older_than_stream);
            }
            return (Inserted::Duplicate { changed }, m);
        }
        let history = match arrival {
            Arrival::Latest => false,
            Arrival::Archive { catching_up } => !catching_up || older_than_stream,
        };
        // What the stream brings now (live, replayed after a resumption, held offline by the
        // server, or caught up from the archive after a reconnect) and is stamped just before
        // the newest message shown goes after it, in
        // arrival order: servers stamp `<delay/>` to the second (Prosody) and clocks differ, so
        // by stamp a replayed message would slip above one that arrived live a moment before
        // it. Anything older, and history, slots in by time. The stamp itself stays in
        // `msg.delayed` for display ([`StoredMessage::sent_at`]). A catch-up copy that follows
        // another copy of the same catch-up goes by the archive's order instead.
        let at = match self.messages.last() {
            Some(last) if !history && last.at.saturating_sub(sent) <= STREAM_SLACK_MS => {
                sent.max(last.at)
            }
            _ => sent,
        };
        let anchored = if catching_up {
            self.after_catch_up_anchor(sent)
        } else {
            None
        };
        let (at, seq) = match anchored {
            Some(order) => order,
            None if history => (at, self.seqs.history()),
            None => (at, self.seqs.latest()),
        };
        let m = StoredMessage {
            msg,
            state,
            at,
            seq,
        };
        if history && self.messages.len() >= self.limit && self.page_grown < HISTORY_PAGE_MAX {
            self.limit += 1;
            self.page_grown += 1;
        }
        let outcome = self.place(m.clone(), keys);
        if catching_up {
            self.advance_catch_up_anchor(&m, older_than_stream);
        }
        (outcome, m)
    }

    /// The history page being received (see [`Arrival::Archive`]) ended: the next one is
    /// older and numbered below it.
    pub fn end_history_page(&mut self) {
        self.seqs.end_page();
        self.page_grown = 0;
    }

    /// Shows a message the user just wrote (not yet confirmed by the core).
    pub fn insert_pending(&mut self, msg: ChatMessage) {
        self.insert_pending_at(msg, 0);
    }

    pub fn insert_pending_at(&mut self, msg: ChatMessage, now_ms: u64) {
        // The user's own message always goes at the end, whatever the clock says.
        let at = self.messages.last().map_or(now_ms, |m| m.at.max(now_ms));
        let keys = keys::all(&msg);
        if keys.iter().any(|k| self.keys.contains_key(k)) {
            return;
        }
        let seq = self.seqs.latest();
        let m = StoredMessage {
            msg,
            state: DeliveryState::Pending,
            at,
            seq,
        };
        self.place(m, keys);
    }

    /// Puts back messages from the persistent cache (on load, or older pages on scroll-up).
    /// They keep their times, states and `seq` (so their order); one with no `seq` (an
    /// outbox entry) is numbered as the latest. The window grows to hold them when `grow`
    /// (paging up), else it stays bounded (a restore keeps the newest). Returns how many
    /// were new.
    pub fn restore(&mut self, mut messages: Vec<StoredMessage>, grow: bool) -> usize {
        messages.sort_by(order::cmp);
        let mut added = 0;
        for mut m in messages {
            let keys = keys::all(&m.msg);
            if let Some(i) = keys.iter().find_map(|k| self.find(k)) {
                let StoredMessage { msg, state, .. } = m;
                self.merge_copy(i, msg, state, keys);
                continue;
            }
            if m.seq == 0 && !grow {
                m.seq = self.seqs.latest();
            }
            self.seqs.seen(m.seq);
            if grow && self.messages.len() >= self.limit {
                self.limit += 1;
            }
            if matches!(self.place(m, keys), Inserted::New { .. }) {
                added += 1;
            }
        }
        added
    }

    /// Older messages paged in from the cache on scroll-up: shown in addition to the newest
    /// [`MEMORY_LIMIT`] until [`Conversation::trim`].
    pub fn insert_older(&mut self, messages: Vec<StoredMessage>) -> usize {
        self.restore(messages, true)
    }

    /// Back to the newest [`MEMORY_LIMIT`] messages (the chat was closed, or the reader is
    /// back at the bottom).
    pub fn trim(&mut self) {
        self.limit = MEMORY_LIMIT;
        self.evict();
    }

    pub fn last(&self) -> Option<&StoredMessage> {
        self.messages.last()
    }

    /// The oldest message in memory: the cache is paged back from there.
    pub fn oldest(&self) -> Option<&StoredMessage> {
        self.messages.first()
    }

    pub fn get(&self, key: &str) -> Option<&StoredMessage> {
        self.find(key).map(|i| &self.messages[i])
    }

    /// Sets the delivery state of our message `id` (never backwards). Returns the updated
    /// message if it is in memory and changed.
    pub fn set_state(&mut self, id: &str, state: DeliveryState) -> Option<&StoredMessage> {
        let i = self.find(&keys::local(Direction::Outgoing, id))?;
        let m = &mut self.messages[i];
        let merged = m.state.clone().merge(state);
        if merged == m.state {
            return None;
        }
        m.state = merged;
        Some(m)
    }

    pub fn mark_failed(&mut self, id: &str, reason: String) {
        self.set_state(id, DeliveryState::Failed(reason));
    }

    /// Messages and gap markers in display order (a marker just before the message it
    /// precedes).
    pub fn log(&self) -> Vec<LogItem> {
        let mut out = Vec::with_capacity(self.messages.len() + self.gaps.len());
        let mut gaps = self.gaps.iter().peekable();
        for m in &self.messages {
            while let Some(g) = gaps.next_if(|g| (g.at, g.seq) <= m.order()) {
                out.push(LogItem::Gap(g.clone()));
            }
            out.push(LogItem::Message(m.clone()));
        }
        out.extend(gaps.cloned().map(LogItem::Gap));
        out
    }

    /// Marks possibly missing messages just before `(at, seq)`.
    pub fn add_gap(&mut self, gap: Gap) {
        if self.gaps.iter().any(|g| (g.at, g.seq) == (gap.at, gap.seq)) {
            return;
        }
        let i = self
            .gaps
            .partition_point(|g| (g.at, g.seq) < (gap.at, gap.seq));
        self.gaps.insert(i, gap);
    }

    /// A gap marker at the end of the chat: missing messages may come after everything shown.
    pub fn add_gap_at_end(&mut self) {
        let (at, seq) = self.messages.last().map_or((0, 0), |m| (m.at, m.seq + 1));
        self.add_gap(Gap {
            at,
            seq,
            before: None,
        });
    }

    pub fn remove_gaps(&mut self) -> bool {
        let had = !self.gaps.is_empty();
        self.gaps.clear();
        had
    }

    /// Where the message with dedup key `key` is in `messages`.
    fn find(&self, key: &str) -> Option<usize> {
        let order = *self.keys.get(key)?;
        let start = self.messages.partition_point(|m| m.order() < order);
        let same = self.messages[start..]
            .iter()
            .take_while(|m| m.order() == order)
            .count();
        match same {
            0 => None,
            1 => Some(start),
            // Two messages of one `(at, seq)` (numbered by two tabs, say): the one with the key.
            _ => (start..start + same)
                .find(|&i| keys::all(&self.messages[i].msg).iter().any(|k| k == key)),
        }
    }

    fn place(&mut self, m: StoredMessage, keys: Vec<String>) -> Inserted {
        if self.is_older_than_window(&m) {
            self.truncated = true;
            return Inserted::Older;
        }
        let i = self
            .messages
            .partition_point(|x| order::cmp(x, &m) == Ordering::Less);
        let newest = i == self.messages.len();
        for k in keys {
            self.keys.entry(k).or_insert(m.order());
        }
        self.messages.insert(i, m);
        self.evict();
        Inserted::New { newest }
    }

    fn evict(&mut self) {
        let excess = self.messages.len().saturating_sub(self.limit);
        if excess == 0 {
            return;
        }
        for m in self.messages.drain(..excess) {
            for k in keys::all(&m.msg) {
                if self.keys.get(&k) == Some(&m.order()) {
                    self.keys.remove(&k);
                }
            }
        }
        self.truncated = true;
    }

    /// Merges a copy into the message at `i`.
    fn merge_copy(
        &mut self,
        i: usize,
        copy: ChatMessage,
        state: DeliveryState,
        keys: Vec<String>,
    ) -> (bool, StoredMessage) {
        let m = &mut self.messages[i];
        let mut changed = false;
        let merged = m.state.clone().merge(state);
        if merged != m.state {
            m.state = merged;
            changed = true;
        }
        changed |= keys::adopt_ids(&mut m.msg, copy);
        let m = m.clone();
        for k in keys {
            self.keys.entry(k).or_insert(m.order());
        }
        (changed, m)
    }

    fn is_older_than_window(&self, m: &StoredMessage) -> bool {
        self.messages.len() >= self.limit
            && self
                .messages
                .first()
                .is_some_and(|f| order::cmp(m, f) == Ordering::Less)
    }

    /// Where the message with dedup key `key` is (for [`crate::edits`]).
    pub(crate) fn find_key(&self, key: &str) -> Option<usize> {
        self.find(key)
    }

    /// Changes the message at `i` in place, never its ids (its keys stay valid); the
    /// message as it now stands when `f` says it changed.
    pub(crate) fn edit(
        &mut self,
        i: usize,
        f: impl FnOnce(&mut StoredMessage) -> bool,
    ) -> Option<StoredMessage> {
        let m = self.messages.get_mut(i)?;
        f(m).then(|| m.clone())
    }

    /// Number of dedup keys held (for the memory bound).
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }
}
