//! The rooms this session is in or on its way into. Per room a few fields (our nick, where the
//! join is, what the room announced, the newest archive id); nothing per occupant: occupant
//! presences go straight out as events and the store keeps the list.

use std::collections::HashMap;

use jid::BareJid;

use crate::Instant;

/// More rooms than anyone follows; a cap so that a runaway script cannot grow the map.
pub const MAX_ROOMS: usize = 1_000;

/// What a room announced in disco#info that changes how we join and what we believe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoomFeatures {
    /// It keeps a XEP-0313 archive: join without replayed history and page the archive.
    pub archived: bool,
    /// It stamps XEP-0421 occupant-ids (and strips forged ones).
    pub occupant_ids: bool,
}

/// A room a session was in, handed to the next session through
/// [`crate::Resumption::rooms`] so that it joins again (a resumed stream stays in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinedRoom {
    pub room: BareJid,
    pub nick: String,
    pub password: Option<String>,
    /// `None`: not asked yet (asked before joining).
    pub features: Option<RoomFeatures>,
    /// The newest archive id seen in the room: the rejoin catches up after it.
    pub last_id: Option<String>,
    pub subject: Option<String>,
    /// XEP-0421 occupant-id the room gave us.
    pub occupant_id: Option<String>,
    /// Fully joined (not still on the way in).
    pub joined: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for the session to be online.
    Pending,
    /// Asking the room what it offers (disco#info) before joining.
    Discovering,
    /// Join presence sent; waiting for our own presence (status 110) until `deadline`.
    Joining {
        deadline: Instant,
    },
    Joined,
    /// We left: the room's last presences are swallowed until our own unavailable comes.
    Leaving,
}

pub struct Room {
    pub nick: String,
    pub password: Option<String>,
    pub stage: Stage,
    pub features: Option<RoomFeatures>,
    pub occupant_id: Option<String>,
    /// Where the archive catch-up after joining starts (the app's newest id, or ours).
    pub last_id: Option<String>,
    pub subject: Option<String>,
    /// A nick change sent and not yet answered.
    pub pending_nick: Option<String>,
    /// `CreateInstantRoom`: accept the default configuration if the join creates the room.
    pub instant: bool,
    /// Last time the room said anything to us; it is self-pinged after a quiet while.
    pub heard: Instant,
    /// A self-ping is in flight.
    pub pinging: bool,
    /// Joined once already in this chain of sessions (a rejoin, not a first join).
    pub was_joined: bool,
    /// Group messages the user wrote before the join finished (id, body), sent once in.
    pub outbox: Vec<(String, String)>,
    /// The archive catch-up went out right behind the join presence (see `send_join`).
    pub catch_up_sent: bool,
}

impl Room {
    pub fn new(nick: String, password: Option<String>, last_id: Option<String>) -> Room {
        Room {
            nick,
            password,
            stage: Stage::Pending,
            features: None,
            occupant_id: None,
            last_id,
            subject: None,
            pending_nick: None,
            instant: false,
            heard: Instant::default(),
            pinging: false,
            was_joined: false,
            outbox: Vec::new(),
            catch_up_sent: false,
        }
    }

    pub fn from_carried(carried: JoinedRoom) -> (BareJid, Room) {
        let mut room = Room::new(carried.nick, carried.password, carried.last_id);
        room.features = carried.features;
        room.subject = carried.subject;
        room.occupant_id = carried.occupant_id;
        room.was_joined = carried.joined;
        if carried.joined {
            // Loaded for a stream that may resume; a fresh session rejoins (see `Client`).
            room.stage = Stage::Joined;
        }
        (carried.room, room)
    }

    /// In the room or on the way: its presences and messages are expected.
    pub fn expects_traffic(&self) -> bool {
        matches!(self.stage, Stage::Joining { .. } | Stage::Joined)
    }
}

#[derive(Default)]
pub struct Rooms {
    map: HashMap<BareJid, Room>,
}

/// What is due in the rooms at some instant.
#[derive(Default)]
pub struct Due {
    /// Joined rooms quiet for long enough: self-ping them.
    pub ping: Vec<BareJid>,
    /// Joins the room never answered.
    pub join_timeout: Vec<BareJid>,
}

impl Rooms {
    pub fn get(&self, room: &BareJid) -> Option<&Room> {
        self.map.get(room)
    }

    pub fn get_mut(&mut self, room: &BareJid) -> Option<&mut Room> {
        self.map.get_mut(room)
    }

    pub fn contains(&self, room: &BareJid) -> bool {
        self.map.contains_key(room)
    }

    pub fn is_full(&self) -> bool {
        self.map.len() >= MAX_ROOMS
    }

    pub fn insert(&mut self, jid: BareJid, room: Room) {
        self.map.insert(jid, room);
    }

    pub fn remove(&mut self, room: &BareJid) -> Option<Room> {
        self.map.remove(room)
    }

    /// Every room that is not being left, sorted so that rejoins go out in a stable order.
    pub fn staying(&self) -> Vec<BareJid> {
        let mut rooms: Vec<BareJid> = self
            .map
            .iter()
            .filter(|(_, r)| r.stage != Stage::Leaving)
            .map(|(j, _)| j.clone())
            .collect();
        rooms.sort();
        rooms
    }

    pub fn next_deadline(&self, ping_ms: u64) -> Option<Instant> {
        self.map
            .values()
            .filter_map(|room| match room.stage {
                Stage::Joining { deadline } => Some(deadline),
                Stage::Joined if !room.pinging && room.pending_nick.is_none() => {
                    Some(room.heard.after(ping_ms))
                }
                _ => None,
            })
            .min()
    }

    pub fn due(&self, now: Instant, ping_ms: u64) -> Due {
        let mut due = Due::default();
        for (jid, room) in &self.map {
            match room.stage {
                Stage::Joining { deadline } if deadline <= now => {
                    due.join_timeout.push(jid.clone())
                }
                // XEP-0410 §3: not while a nick change is unanswered, its outcome would be
                // ambiguous.
                Stage::Joined
                    if !room.pinging
                        && room.pending_nick.is_none()
                        && room.heard.after(ping_ms) <= now =>
                {
                    due.ping.push(jid.clone())
                }
                _ => {}
            }
        }
        due.ping.sort();
        due.join_timeout.sort();
        due
    }

    /// What the next session needs to rejoin.
    pub fn carry(&self) -> Vec<JoinedRoom> {
        let mut carried: Vec<JoinedRoom> = self
            .map
            .iter()
            .filter(|(_, r)| r.stage != Stage::Leaving)
            .map(|(jid, r)| JoinedRoom {
                room: jid.clone(),
                nick: r.nick.clone(),
                password: r.password.clone(),
                features: r.features,
                last_id: r.last_id.clone(),
                subject: r.subject.clone(),
                occupant_id: r.occupant_id.clone(),
                joined: r.stage == Stage::Joined,
            })
            .collect();
        carried.sort_by(|a, b| a.room.cmp(&b.room));
        carried
    }
}
