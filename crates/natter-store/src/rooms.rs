//! Group chats as the view needs them: per room, whether we are in, our nick, the subject,
//! the occupants and the recent messages with unread and mention counts.
//!
//! Everything here is bounded: a room can send any number of presences and messages, and the
//! store must not grow without limit because of them.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use natter_core::room::{Affiliation, Bookmark, OccupantUpdate, Role, RoomJid, RoomMessage, Show};

/// Most occupants kept per room: beyond it new arrivals are not listed (the count still says
/// how many the room has sent us, see [`Room::occupants_dropped`]).
pub const MAX_OCCUPANTS: usize = 10_000;
/// Most messages kept in memory per room (oldest go first).
pub const ROOM_MESSAGES: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub struct Occupant {
    pub nick: String,
    pub role: Role,
    pub affiliation: Affiliation,
    pub show: Option<Show>,
    pub occupant_id: Option<String>,
    pub me: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomLine {
    pub msg: RoomMessage,
    /// Wall-clock time (Unix ms) it arrived, for messages without a delay stamp.
    pub at: u64,
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
    pub messages: VecDeque<RoomLine>,
    seen: HashSet<String>,
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

    /// Returns whether the message is new.
    fn message(&mut self, msg: RoomMessage, at: u64, open: bool) -> bool {
        let keys = Room::keys(&msg);
        if keys.iter().any(|k| self.seen.contains(k)) {
            // Our own message reflected by the room after `GroupMessageSent`: take the room's
            // copy (it carries the stanza-id) without showing it twice.
            if msg.from_me {
                if let Some(line) = self
                    .messages
                    .iter_mut()
                    .find(|l| l.msg.id == msg.id && l.msg.from_me)
                {
                    if line.msg.stanza_id.is_none() {
                        line.msg.stanza_id = msg.stanza_id.clone();
                    }
                }
                self.seen.extend(keys);
            }
            return false;
        }
        self.seen.extend(keys);
        // Live messages from others count while the room is not on screen; replayed history
        // and archive pages do not.
        if !open && !msg.from_me && !msg.archived && msg.delayed.is_none() {
            self.unread += 1;
            if msg.mentions_me {
                self.mentions += 1;
            }
        }
        if self.messages.len() >= ROOM_MESSAGES {
            if let Some(old) = self.messages.pop_front() {
                for k in Room::keys(&old.msg) {
                    self.seen.remove(&k);
                }
            }
        }
        self.messages.push_back(RoomLine { msg, at });
        true
    }
}

/// Every room we are in, joining, or have bookmarked.
#[derive(Debug, Default)]
pub struct Rooms {
    pub rooms: HashMap<RoomJid, Room>,
    /// The room on screen, if any.
    pub open: Option<RoomJid>,
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

    pub fn message(&mut self, msg: RoomMessage, at: u64) -> bool {
        let open = self.open.as_ref() == Some(&msg.room);
        match self.rooms.get_mut(&msg.room) {
            Some(r) => r.message(msg, at, open),
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
