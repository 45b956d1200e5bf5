//! Private messages with occupants of rooms (XEP-0045 §7.5): one thread per (room, nick),
//! apart from one-to-one chats because the peer is a nickname in a room, not an account.
//!
//! Bounded like everything else fed by the network: messages per thread, threads overall,
//! ids remembered for deduplication.

use std::collections::{BTreeMap, HashSet, VecDeque};

use natter_core::room::{RoomJid, RoomPrivateMessage};
use natter_core::Direction;

use crate::Store;

/// Most messages kept per thread (oldest go first).
pub const PRIVATE_MESSAGES: usize = 500;
/// Most threads kept overall: past it, messages from new occupants are dropped (anyone in a
/// room can write to us under ever new nicks).
pub const MAX_PRIVATE_THREADS: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateLine {
    pub msg: RoomPrivateMessage,
    /// Wall-clock time (Unix ms) it arrived, for messages without a delay stamp.
    pub at: u64,
}

/// The messages with one occupant.
#[derive(Debug, Clone, Default)]
pub struct PrivateThread {
    pub messages: VecDeque<PrivateLine>,
    /// Incoming messages since the thread was last on screen.
    pub unread: u32,
    /// `(direction, id)` of the messages held: the same message seen twice (a resend, a
    /// replay after a reconnection) shows once.
    seen: HashSet<(bool, String)>,
}

impl PrivateThread {
    fn key(m: &RoomPrivateMessage) -> (bool, String) {
        (m.direction == Direction::Outgoing, m.id.clone())
    }

    /// Returns whether the message is new.
    fn push(&mut self, msg: RoomPrivateMessage, at: u64, open: bool) -> bool {
        if !self.seen.insert(Self::key(&msg)) {
            return false;
        }
        if !open && msg.direction == Direction::Incoming && msg.delayed.is_none() {
            self.unread += 1;
        }
        if self.messages.len() >= PRIVATE_MESSAGES {
            if let Some(old) = self.messages.pop_front() {
                self.seen.remove(&Self::key(&old.msg));
            }
        }
        self.messages.push_back(PrivateLine { msg, at });
        true
    }
}

/// Every private thread, and the one on screen.
#[derive(Debug, Default)]
pub struct PrivateChats {
    /// By room, then by nick.
    pub threads: BTreeMap<RoomJid, BTreeMap<String, PrivateThread>>,
    count: usize,
    /// The thread on screen (its room is the open room).
    pub open: Option<(RoomJid, String)>,
}

impl PrivateChats {
    pub fn get(&self, room: &RoomJid, nick: &str) -> Option<&PrivateThread> {
        self.threads.get(room)?.get(nick)
    }

    /// Unread private messages in `room`, over all its threads.
    pub fn room_unread(&self, room: &RoomJid) -> u32 {
        self.threads
            .get(room)
            .map_or(0, |t| t.values().map(|t| t.unread).sum())
    }

    /// Unread private messages by nick in `room` (only threads with some).
    pub fn unread_by_nick(&self, room: &RoomJid) -> BTreeMap<String, u32> {
        self.threads.get(room).map_or_else(BTreeMap::new, |t| {
            t.iter()
                .filter(|(_, t)| t.unread > 0)
                .map(|(n, t)| (n.clone(), t.unread))
                .collect()
        })
    }

    fn is_open(&self, room: &RoomJid, nick: &str) -> bool {
        self.open
            .as_ref()
            .is_some_and(|(r, n)| r == room && n == nick)
    }

    /// Returns whether the message is new, and whether it counts as unread.
    fn message(&mut self, msg: RoomPrivateMessage, at: u64) -> (bool, bool) {
        let open = self.is_open(&msg.room, &msg.nick);
        let full = self.count >= MAX_PRIVATE_THREADS;
        let room = self.threads.entry(msg.room.clone()).or_default();
        if !room.contains_key(&msg.nick) {
            if full {
                return (false, false);
            }
            self.count += 1;
        }
        let thread = room.entry(msg.nick.clone()).or_default();
        let before = thread.unread;
        let new = thread.push(msg, at, open);
        (new, thread.unread > before)
    }

    /// An occupant took another nick: its thread follows it (unless the new nick already has
    /// one, from someone who had it before).
    pub fn renamed(&mut self, room: &RoomJid, old: &str, new: &str) {
        let Some(threads) = self.threads.get_mut(room) else {
            return;
        };
        if threads.contains_key(new) {
            return;
        }
        if let Some(t) = threads.remove(old) {
            threads.insert(new.to_owned(), t);
            if self.is_open(room, old) {
                self.open = Some((room.clone(), new.to_owned()));
            }
        }
    }

    /// Take the thread's unread count away (it is on screen); returns how many it had.
    fn read(&mut self, room: &RoomJid, nick: &str) -> u32 {
        self.threads
            .get_mut(room)
            .and_then(|t| t.get_mut(nick))
            .map_or(0, |t| std::mem::take(&mut t.unread))
    }
}

impl Store {
    /// A private message either way (`Event::PrivateMessage`); returns whether it is new.
    /// An unread one also counts in its room's unread count, so the room list shows it.
    pub fn on_private(&mut self, msg: RoomPrivateMessage) -> bool {
        let room = msg.room.clone();
        let (new, unread) = self.private.message(msg, self.clock_ms);
        if unread {
            if let Some(r) = self.rooms.rooms.get_mut(&room) {
                r.unread += 1;
            }
        }
        new
    }

    /// Put a room on screen (`None`: back to the list). Its unread count keeps the private
    /// messages not read yet: they are read in their own thread, not in the room's log.
    pub fn open_room(&mut self, room: Option<RoomJid>) {
        self.private.open = None;
        self.rooms.open(room.clone());
        if let Some(room) = room {
            let pending = self.private.room_unread(&room);
            if let Some(r) = self.rooms.rooms.get_mut(&room) {
                r.unread = pending;
            }
        }
    }

    /// Put the private thread with `nick` in `room` on screen (its room is then the open
    /// room) and mark it read; `None`: back to the room.
    pub fn open_private(&mut self, thread: Option<(RoomJid, String)>) {
        let Some((room, nick)) = thread else {
            self.private.open = None;
            return;
        };
        if self.rooms.open.as_ref() != Some(&room) {
            self.close_conversation();
            self.open_room(Some(room.clone()));
        }
        let read = self.private.read(&room, &nick);
        if let Some(r) = self.rooms.rooms.get_mut(&room) {
            r.unread = r.unread.saturating_sub(read);
        }
        self.private.open = Some((room, nick));
    }
}
