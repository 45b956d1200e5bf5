//! Group chats as the view needs them: per room, whether we are in, our nick, the subject,
//! the occupants and the recent messages with unread and mention counts.
//!
//! Everything here is bounded: a room can send any number of presences and messages, and the
//! store must not grow without limit because of them.

use std::collections::{BTreeMap, HashMap};

use jid::Jid;
use natter_core::room::{Affiliation, Bookmark, OccupantUpdate, Role, RoomJid, RoomMessage, Show};

use crate::room_log::{Added, RoomLog};
pub use crate::room_log::{RoomLine, MAX_LINES, ROOM_MESSAGES};

/// Most occupants kept per room: beyond it new arrivals are not listed (the count still says
/// how many the room has sent us, see [`Room::occupants_dropped`]).
pub const MAX_OCCUPANTS: usize = 10_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Occupant {
    pub nick: String,
    pub role: Role,
    pub affiliation: Affiliation,
    pub show: Option<Show>,
    pub occupant_id: Option<String>,
    pub me: bool,
    /// The occupant's real JID, when the room discloses it (needed to ban).
    pub jid: Option<Jid>,
}

#[derive(Debug, Clone, Default)]
pub struct Room {
    pub joined: bool,
    /// A join is under way.
    pub joining: bool,
    pub nick: Option<String>,
    pub subject: Option<String>,
    /// From a bookmark.
    pub name: Option<String>,
    pub bookmarked: bool,
    /// By nick, sorted for a stable list.
    pub occupants: BTreeMap<String, Occupant>,
    /// occupant-id -> nick, so a presence under a new nick finds the old entry without a scan
    /// (joins to big rooms bring thousands of presences).
    by_id: HashMap<String, String>,
    /// Arrivals not listed because the room was at [`MAX_OCCUPANTS`].
    pub occupants_dropped: usize,
    /// The messages in memory, with gap markers (see [`crate::room_log`]).
    pub log: RoomLog,
    pub unread: u32,
    pub mentions: u32,
    /// Why the last join failed, or why we were removed, in plain words.
    pub error: Option<String>,
}

impl Room {
    /// The name to show: the bookmark's, else the room's local part.
    pub fn display_name(&self, jid: &RoomJid) -> String {
        self.name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| {
                jid.node()
                    .map_or_else(|| jid.to_string(), |n| n.to_string())
            })
    }

    fn occupant(&mut self, u: OccupantUpdate) -> bool {
        if !u.available {
            return self.remove(&u.nick);
        }
        // Same occupant under another nick (a nick change whose presences we see apart):
        // keep one entry.
        if let Some(id) = &u.occupant_id {
            if let Some(old) = self.by_id.get(id).filter(|n| **n != u.nick).cloned() {
                self.remove(&old);
            }
        }
        if !self.occupants.contains_key(&u.nick) && self.occupants.len() >= MAX_OCCUPANTS {
            self.occupants_dropped += 1;
            return false;
        }
        if let Some(prev) = self.occupants.get(&u.nick) {
            if let Some(id) = prev.occupant_id.clone() {
                self.by_id.remove(&id);
            }
        }
        if let Some(id) = &u.occupant_id {
            self.by_id.insert(id.clone(), u.nick.clone());
        }
        self.occupants.insert(
            u.nick.clone(),
            Occupant {
                nick: u.nick,
                role: u.role,
                affiliation: u.affiliation,
                show: u.show,
                occupant_id: u.occupant_id,
                me: u.me,
                jid: u.jid,
            },
        );
        true
    }

    fn remove(&mut self, nick: &str) -> bool {
        match self.occupants.remove(nick) {
            Some(o) => {
                if let Some(id) = o.occupant_id {
                    self.by_id.remove(&id);
                }
                true
            }
            None => false,
        }
    }

    fn clear_occupants(&mut self) {
        self.occupants.clear();
        self.by_id.clear();
        self.occupants_dropped = 0;
    }

    fn rename(&mut self, old: &str, new: &str, occupant_id: Option<String>, me: bool) {
        if let Some(mut o) = self.occupants.remove(old) {
            if let Some(id) = &o.occupant_id {
                self.by_id.remove(id);
            }
            o.nick = new.to_string();
            if occupant_id.is_some() {
                o.occupant_id = occupant_id;
            }
            if let Some(id) = &o.occupant_id {
                self.by_id.insert(id.clone(), new.to_string());
            }
            self.occupants.insert(new.to_string(), o);
        }
        if me {
            self.nick = Some(new.to_string());
        }
    }

    /// Returns whether the log changed. `ours`: our own message, just sent.
    fn message(&mut self, msg: RoomMessage, at: u64, open: bool, ours: bool) -> bool {
        // Live messages from others count while the room is not on screen; replayed history
        // and archive pages do not.
        let counts = !open && !msg.from_me && !msg.archived && msg.delayed.is_none();
        let mentions = msg.mentions_me;
        match self.log.add(msg, at, ours) {
            Added::New => {
                if counts {
                    self.unread += 1;
                    if mentions {
                        self.mentions += 1;
                    }
                }
                true
            }
            Added::Changed => true,
            Added::Duplicate | Added::Dropped => false,
        }
    }
}

/// Every room we are in, joining, or have bookmarked.
#[derive(Debug, Default)]
pub struct Rooms {
    pub rooms: HashMap<RoomJid, Room>,
    /// The room on screen, if any.
    pub open: Option<RoomJid>,
    /// The page is hidden: the room on screen counts unread too.
    pub hidden: bool,
}

impl Rooms {
    pub fn get(&self, jid: &RoomJid) -> Option<&Room> {
        self.rooms.get(jid)
    }

    /// Rooms to list: joined, joining or bookmarked, by name.
    pub fn listed(&self) -> Vec<(RoomJid, &Room)> {
        let mut v: Vec<_> = self
            .rooms
            .iter()
            .filter(|(_, r)| r.joined || r.joining || r.bookmarked)
            .map(|(j, r)| (j.clone(), r))
            .collect();
        v.sort_by_cached_key(|(j, r)| (r.display_name(j).to_lowercase(), j.to_string()));
        v
    }

    pub fn open(&mut self, jid: Option<RoomJid>) {
        // Older pages read in the room left behind go: it reopens at its newest messages.
        if let Some(prev) = self.open.as_ref().filter(|p| Some(*p) != jid.as_ref()) {
            if let Some(r) = self.rooms.get_mut(prev) {
                r.log.trim();
            }
        }
        if let Some(j) = &jid {
            let r = self.rooms.entry(j.clone()).or_default();
            r.unread = 0;
            r.mentions = 0;
        }
        self.open = jid;
    }

    pub fn total_unread(&self) -> u32 {
        self.rooms.values().map(|r| r.unread).sum()
    }

    pub fn joining(&mut self, room: RoomJid, nick: String) {
        let r = self.rooms.entry(room).or_default();
        r.joining = true;
        r.error = None;
        r.nick = Some(nick);
        // The room sends its occupant list anew.
        r.clear_occupants();
        r.log.start_catch_up();
    }

    pub fn joined(&mut self, room: RoomJid, nick: String, subject: Option<String>) {
        let r = self.rooms.entry(room).or_default();
        r.joined = true;
        r.joining = false;
        r.error = None;
        r.nick = Some(nick);
        if subject.is_some() {
            r.subject = subject;
        }
    }

    pub fn join_failed(&mut self, room: RoomJid, reason: String) {
        let r = self.rooms.entry(room).or_default();
        r.joining = false;
        r.joined = false;
        r.error = Some(reason);
    }

    /// We are out: left, kicked, banned, … `reason` in plain words (`None`: left on purpose).
    pub fn left(&mut self, room: &RoomJid, reason: Option<String>) {
        let Some(r) = self.rooms.get_mut(room) else {
            return;
        };
        r.joined = false;
        r.joining = false;
        r.clear_occupants();
        r.log.stop();
        r.error = reason;
        if !r.bookmarked && r.error.is_none() {
            self.rooms.remove(room);
            if self.open.as_ref() == Some(room) {
                self.open = None;
            }
        }
    }

    pub fn occupant(&mut self, u: OccupantUpdate) -> bool {
        match self.rooms.get_mut(&u.room) {
            Some(r) => r.occupant(u),
            // Presences for a room we are not in are stale (we left meanwhile).
            None => false,
        }
    }

    pub fn nick_changed(
        &mut self,
        room: &RoomJid,
        old: &str,
        new: &str,
        id: Option<String>,
        me: bool,
    ) {
        if let Some(r) = self.rooms.get_mut(room) {
            r.rename(old, new, id, me);
        }
    }

    pub fn subject(&mut self, room: RoomJid, subject: String) {
        let r = self.rooms.entry(room).or_default();
        r.subject = (!subject.trim().is_empty()).then_some(subject);
    }

    /// A message to the room; `ours`: our own, just sent (shown pending until the room
    /// reflects it). Returns whether the room's log changed.
    pub fn message(&mut self, msg: RoomMessage, at: u64, ours: bool) -> bool {
        let open = self.open.as_ref() == Some(&msg.room) && !self.hidden;
        match self.rooms.get_mut(&msg.room) {
            Some(r) => r.message(msg, at, open, ours),
            None => false,
        }
    }

    /// The full set of bookmarks: rooms no longer bookmarked stay only while joined.
    pub fn bookmarks(&mut self, marks: Vec<Bookmark>) {
        for r in self.rooms.values_mut() {
            r.bookmarked = false;
        }
        for b in marks {
            let r = self.rooms.entry(b.room).or_default();
            r.bookmarked = true;
            r.name = b.name;
            if r.nick.is_none() {
                r.nick = b.nick;
            }
        }
        self.rooms
            .retain(|_, r| r.bookmarked || r.joined || r.joining || r.error.is_some());
    }
}
