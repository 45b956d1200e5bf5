//! One room's messages in memory, in display order: live ones as they come, the join's archive
//! catch-up and replayed history by their stamps, and older pages of the room's archive
//! (`Command::LoadRoomHistory`) above everything shown. One line per message however many
//! copies arrive (stanza-id, origin-id, id); our own message shows at once, pending, and
//! becomes the room's reflection when that arrives. Gap markers where a catch-up fell short.
//!
//! Bounded: [`ROOM_MESSAGES`] lines, more only while older pages the reader asked for are
//! shown (at most [`MAX_LINES`]); [`RoomLog::trim`] goes back to the newest ones.

use std::collections::{HashMap, VecDeque};

use natter_core::room::RoomMessage;

use crate::conversation::Gap;

/// Most messages kept in memory per room (oldest go first), older pages aside.
pub const ROOM_MESSAGES: usize = 500;
/// Most messages in memory per room with older pages loaded: beyond it older pages are not
/// kept (the reader can still scroll back through `MAX_LINES` messages).
pub const MAX_LINES: usize = 20_000;

/// Where numbering starts; history pages take blocks below it, everything else counts up.
const SEQ_START: u64 = 1 << 40;
/// Numbers set aside for one page of history: far more than a page (at most 100) holds.
const BLOCK: u64 = 1 << 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomLine {
    pub msg: RoomMessage,
    /// Wall-clock time (Unix ms) it arrived, for messages without a delay stamp.
    pub at: u64,
    /// Display order: (time in Unix ms, sequence); unique within the room.
    pub order: (u64, u64),
    /// Our message, not yet reflected by the room.
    pub pending: bool,
}

impl RoomLine {
    /// A key unique within the room, stable while the line is in memory.
    pub fn key(&self) -> String {
        format!("{}:{}", self.order.0, self.order.1)
    }
}

/// What one copy did to the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    New,
    /// A copy of a line already here that changed it (our reflection, a stanza-id).
    Changed,
    Duplicate,
    /// Older than what memory may hold.
    Dropped,
}

/// What an archive query has brought so far (to place gap markers when it ends).
#[derive(Debug, Clone, Default)]
struct Track {
    /// Order and stanza-id of the oldest new line.
    oldest_new: Option<((u64, u64), Option<String>)>,
    /// Orders of lines the query brought again.
    known: Vec<(u64, u64)>,
    /// The page's next sequence number (history pages only).
    next_seq: Option<u64>,
}

impl Track {
    fn saw_new(&mut self, order: (u64, u64), stanza_id: Option<String>) {
        if self.oldest_new.as_ref().is_none_or(|(o, _)| order < *o) {
            self.oldest_new = Some((order, stanza_id));
        }
    }
}

#[derive(Debug, Clone)]
pub struct RoomLog {
    /// In display order (by [`RoomLine::order`]).
    pub lines: VecDeque<RoomLine>,
    /// Every dedup key of every line in memory, to that line's order.
    seen: HashMap<String, (u64, u64)>,
    /// Gap markers, oldest first: messages may be missing just before `(at, seq)`.
    pub gaps: Vec<Gap>,
    /// The room's archive has nothing older than the oldest line.
    pub exhausted: bool,
    /// How many history pages have ended (the view waits for one before asking again).
    pub pages: u32,
    limit: usize,
    high: u64,
    low: u64,
    /// The join's archive catch-up is running.
    catch_up: Option<Track>,
    /// A history page is being received.
    page: Option<Track>,
}

impl Default for RoomLog {
    fn default() -> Self {
        RoomLog {
            lines: VecDeque::new(),
            seen: HashMap::new(),
            gaps: Vec::new(),
            exhausted: false,
            pages: 0,
            limit: ROOM_MESSAGES,
            high: SEQ_START,
            low: SEQ_START,
            catch_up: None,
            page: None,
        }
    }
}

/// Keys the room, or the sender, gave the message: any one already seen is a duplicate.
fn keys(m: &RoomMessage) -> Vec<String> {
    let mut k = Vec::with_capacity(3);
    if let Some(s) = &m.stanza_id {
        k.push(format!("s:{s}"));
    }
    if let Some(o) = &m.origin_id {
        k.push(format!("o:{}:{o}", m.nick));
    }
    k.push(format!("i:{}:{}", m.nick, m.id));
    k
}

impl RoomLog {
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The join's archive catch-up is under way: older pages wait for it.
    pub fn catching_up(&self) -> bool {
        self.catch_up.is_some()
    }

    /// A join started: what the archive sends until [`RoomLog::caught_up`] is the catch-up.
    pub fn start_catch_up(&mut self) {
        self.catch_up = Some(Track::default());
        self.page = None;
    }

    /// We are out of the room: no query of ours is running any more.
    pub fn stop(&mut self) {
        self.catch_up = None;
        self.page = None;
    }

    /// The archive id to page back from for older messages: the oldest line's stanza-id.
    pub fn oldest_archive_id(&self) -> Option<String> {
        self.lines
            .iter()
            .take(crate::HISTORY_PAGE_MAX)
            .find_map(|l| l.msg.stanza_id.clone())
    }

    /// Adds one copy of a message; `ours`: our own, just sent (`GroupMessageSent`).
    pub fn add(&mut self, msg: RoomMessage, at: u64, ours: bool) -> Added {
        let keys = keys(&msg);
        let history = msg.archived && self.catch_up.is_none();
        if let Some(order) = keys.iter().find_map(|k| self.seen.get(k).copied()) {
            let track = if history {
                self.page.get_or_insert_with(Track::default)
            } else if msg.archived {
                self.catch_up.get_or_insert_with(Track::default)
            } else {
                return self.merge(order, msg, keys);
            };
            track.known.push(order);
            return self.merge(order, msg, keys);
        }
        let stamp = msg
            .delayed
            .as_deref()
            .and_then(crate::time::parse_rfc3339_ms);
        let order = if history {
            if self.lines.len() >= MAX_LINES {
                return Added::Dropped;
            }
            let low = &mut self.low;
            let page = self.page.get_or_insert_with(Track::default);
            let seq = *page.next_seq.get_or_insert_with(|| {
                *low = low.saturating_sub(BLOCK);
                *low
            });
            page.next_seq = Some(seq + 1);
            // The page grows the window rather than pushing the newest lines out.
            self.limit = (self.limit + 1).min(MAX_LINES);
            (stamp.unwrap_or(0), seq)
        } else {
            self.high += 1;
            match stamp {
                // Replayed or caught up: by its stamp, among what is here.
                Some(t) => (t, self.high),
                // Live: after everything shown, whatever the clocks say.
                None => (
                    at.max(self.lines.back().map_or(0, |l| l.order.0)),
                    self.high,
                ),
            }
        };
        if history {
            if let Some(p) = self.page.as_mut() {
                p.saw_new(order, msg.stanza_id.clone());
            }
        } else if msg.archived {
            if let Some(c) = self.catch_up.as_mut() {
                c.saw_new(order, msg.stanza_id.clone());
            }
        }
        for k in keys {
            self.seen.insert(k, order);
        }
        let i = self.lines.partition_point(|l| l.order < order);
        self.lines.insert(
            i,
            RoomLine {
                msg,
                at,
                order,
                pending: ours,
            },
        );
        self.evict();
        Added::New
    }

    /// A copy of the line at `order`: the room's reflection of our pending message makes it
    /// sent, and a stanza-id it brings is kept.
    fn merge(&mut self, order: (u64, u64), copy: RoomMessage, keys: Vec<String>) -> Added {
        let Some(i) = self.index_of(order) else {
            return Added::Duplicate;
        };
        let line = &mut self.lines[i];
        let mut changed = false;
        if line.pending && copy.from_me {
            line.pending = false;
            changed = true;
        }
        if line.msg.stanza_id.is_none() && copy.stanza_id.is_some() {
            line.msg.stanza_id = copy.stanza_id;
            changed = true;
        }
        for k in keys {
            self.seen.entry(k).or_insert(order);
        }
        if changed {
            Added::Changed
        } else {
            Added::Duplicate
        }
    }

    /// Index of the line at `order`.
    pub fn index_of(&self, order: (u64, u64)) -> Option<usize> {
        let i = self.lines.partition_point(|l| l.order < order);
        (self.lines.get(i)?.order == order).then_some(i)
    }

    fn evict(&mut self) {
        while self.lines.len() > self.limit {
            let Some(old) = self.lines.pop_front() else {
                break;
            };
            for k in keys(&old.msg) {
                if self.seen.get(&k) == Some(&old.order) {
                    self.seen.remove(&k);
                }
            }
            // Older messages than the oldest shown exist again.
            self.exhausted = false;
        }
    }

    /// Back to the newest [`ROOM_MESSAGES`] (the room was closed).
    pub fn trim(&mut self) {
        self.limit = ROOM_MESSAGES;
        self.evict();
        if let Some(front) = self.lines.front().map(|l| l.order) {
            self.gaps.retain(|g| (g.at, g.seq) >= front);
        }
    }

    /// The join's catch-up ended; `complete: false` marks a gap before the oldest message it
    /// brought (or at the end, when it brought none). Returns whether the log changed.
    pub fn caught_up(&mut self, complete: bool) -> bool {
        let track = self.catch_up.take().unwrap_or_default();
        if complete {
            return false;
        }
        let gap = match track.oldest_new {
            Some(((at, seq), before)) => Gap { at, seq, before },
            None => {
                let (at, seq) = self
                    .lines
                    .back()
                    .map_or((0, 0), |l| (l.order.0, l.order.1 + 1));
                Gap {
                    at,
                    seq,
                    before: None,
                }
            }
        };
        if self.gaps.iter().any(|g| (g.at, g.seq) == (gap.at, gap.seq)) {
            return false;
        }
        let i = self
            .gaps
            .partition_point(|g| (g.at, g.seq) < (gap.at, gap.seq));
        self.gaps.insert(i, gap);
        true
    }

    /// A history page ended. `complete`: the archive has nothing older, so every gap below
    /// the page is filled and the beginning of the room is in memory. Otherwise a gap the
    /// page reached across (it brought a message from before it again) goes, and one it did
    /// not moves up to the oldest message the page brought, paging on from `first`. Always a
    /// change: [`RoomLog::pages`] counts it.
    pub fn history_page(&mut self, first: Option<String>, complete: bool) -> bool {
        let track = self.page.take().unwrap_or_default();
        self.pages = self.pages.wrapping_add(1);
        if complete {
            self.exhausted = true;
        }
        let page_oldest = track
            .oldest_new
            .as_ref()
            .map(|(o, _)| *o)
            .into_iter()
            .chain(track.known.iter().copied())
            .min();
        let Some(i) = self
            .gaps
            .iter()
            .position(|g| page_oldest.is_none_or(|p| p < (g.at, g.seq)))
        else {
            return true;
        };
        let g = (self.gaps[i].at, self.gaps[i].seq);
        if complete {
            self.gaps.drain(..=i);
        } else if track.known.iter().any(|k| *k < g) {
            self.gaps.remove(i);
        } else if let Some(((at, seq), sid)) = track.oldest_new {
            let gap = &mut self.gaps[i];
            gap.at = at;
            gap.seq = seq;
            gap.before = first.or(sid);
        }
        true
    }
}

impl crate::rooms::Rooms {
    /// `Event::RoomCaughtUp`: returns whether the room's log changed.
    pub fn caught_up(
        &mut self,
        room: &natter_core::room::RoomJid,
        complete: bool,
        beginning: bool,
    ) -> bool {
        self.rooms.get_mut(room).is_some_and(|r| {
            let gap = r.log.caught_up(complete);
            // Everything the archive holds came with the newest page: nothing older to offer.
            let first = beginning && !r.log.exhausted;
            if first {
                r.log.exhausted = true;
            }
            gap || first
        })
    }

    /// `Event::RoomHistoryPage`: returns whether the room's log changed.
    pub fn history_page(
        &mut self,
        room: &natter_core::room::RoomJid,
        first: Option<String>,
        complete: bool,
    ) -> bool {
        self.rooms
            .get_mut(room)
            .is_some_and(|r| r.log.history_page(first, complete))
    }
}
