//! Group chat in the session: joining (and rejoining after a fresh session or a failed
//! self-ping), leaving, nick changes, the rooms' presences, and XEP-0410 self-pings. Messages
//! in rooms are in `room_messages`, requests about rooms in `room_admin`, bookmarks in
//! `bookmarks`.

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::disco::DiscoInfoQuery;
use xmpp_parsers::ns;
use xmpp_parsers::presence::{Presence, Type};
use xmpp_parsers::stanza_error::StanzaError;

use super::{Client, Phase};
use crate::frame::xml_text;
use crate::iq::RoomIq;
use crate::muc::rooms::{JoinedRoom, Room, RoomFeatures, Stage};
use crate::muc::{self, admin, UserInfo};
use crate::room::{JoinError, LeaveReason, OccupantUpdate};
use crate::{presence, sender, Command, Event, Instant, Show};

/// At most this many group messages wait for a join to finish, per room.
pub(super) const OUTBOX: usize = 100;

impl Client {
    /// The group chat commands, once online (and those that may wait for it before).
    pub(super) fn room_command(&mut self, now: Instant, command: Command) {
        match command {
            Command::JoinRoom {
                room,
                nick,
                password,
                after,
                // A join that creates the room also unlocks it (see `Command::JoinRoom`).
            } => self.join_room(now, room, nick, password, after, true),
            Command::CreateInstantRoom { room, nick } => {
                self.join_room(now, room, nick, None, None, true)
            }
            Command::LeaveRoom { room } => self.leave_room(room),
            Command::ChangeNick { room, nick } => self.change_nick(room, nick),
            Command::SetSubject { room, subject } => self.set_subject(room, &subject),
            Command::SendGroupMessage { room, id, body } => self.send_group(room, id, body),
            Command::SendPrivateMessage {
                room,
                nick,
                id,
                body,
            } => self.send_private(room, &nick, &id, &body),
            Command::LoadRoomHistory { room, before, max } => {
                self.load_room_history(now, room, before, max)
            }
            Command::SetBookmark(bookmark) => self.set_bookmark(now, bookmark),
            Command::RemoveBookmark { room } => self.remove_bookmark(now, room),
            other => self.room_admin_command(now, other),
        }
    }

    /// Online and announced: rooms can be joined and messages sent. A join asked while the
    /// roster is on its way waits for `announce`, whose rejoin starts it (once), and a message
    /// waits behind the ones the announcement sends.
    pub(super) fn announced(&self) -> bool {
        matches!(self.phase, Phase::Online) && !self.awaiting_roster
    }

    /// `previous` rooms of the session before (a `Resumption`): in them still if the stream
    /// resumes, joined again otherwise.
    pub(super) fn carry_rooms(&mut self, previous: Vec<JoinedRoom>) {
        for carried in previous {
            if self.rooms.is_full() {
                break;
            }
            let (jid, room) = Room::from_carried(carried);
            self.rooms.insert(jid, room);
        }
    }

    fn join_room(
        &mut self,
        now: Instant,
        room: BareJid,
        nick: String,
        password: Option<String>,
        after: Option<String>,
        instant: bool,
    ) {
        let nick = xml_text(nick.trim());
        if muc::occupant(&room, &nick).is_none() {
            self.events.push_back(Event::RoomJoinFailed {
                room,
                reason: JoinError::NickNotAllowed,
            });
            return;
        }
        let mut last_id = after;
        if let Some(existing) = self.rooms.get(&room) {
            match existing.stage {
                Stage::Joined if existing.nick == nick => {
                    // Already in: say so again, for the app that asks twice.
                    self.events.push_back(Event::RoomJoined {
                        room: room.clone(),
                        nick,
                        occupant_id: existing.occupant_id.clone(),
                        subject: existing.subject.clone(),
                        created: false,
                    });
                    return;
                }
                Stage::Joined => {
                    self.change_nick(room, nick);
                    return;
                }
                Stage::Discovering | Stage::Joining { .. } if existing.nick == nick => return,
                _ => last_id = last_id.or_else(|| existing.last_id.clone()),
            }
        } else if self.rooms.is_full() {
            self.events.push_back(Event::RoomJoinFailed {
                room,
                reason: JoinError::Other("you are in too many rooms".into()),
            });
            return;
        }
        let features = self.rooms.get(&room).and_then(|r| r.features);
        let mut entry = Room::new(nick, password, last_id);
        entry.instant = instant;
        entry.features = features;
        self.rooms.insert(room.clone(), entry);
        if self.announced() {
            self.start_join(now, &room);
        }
    }

    /// Asks the room what it offers, unless known, then joins.
    pub(super) fn start_join(&mut self, now: Instant, room: &BareJid) {
        let Some(entry) = self.rooms.get_mut(room) else {
            return;
        };
        entry.pinging = false;
        entry.pending_nick = None;
        let known = entry.features.is_some();
        if !known {
            entry.stage = Stage::Discovering;
        }
        let nick = entry.nick.clone();
        self.events.push_back(Event::RoomJoining {
            room: room.clone(),
            nick,
        });
        if known {
            self.send_join(now, room);
        } else {
            let query = Element::from(DiscoInfoQuery { node: None });
            self.room_request(
                now,
                Jid::from(room.clone()),
                false,
                query,
                RoomIq::JoinInfo { room: room.clone() },
            );
        }
    }

    pub(super) fn send_join(&mut self, now: Instant, room: &BareJid) {
        let caps = self.disco.caps();
        let deadline = now.after(self.config.iq_timeout_ms);
        let Some(entry) = self.rooms.get_mut(room) else {
            return;
        };
        let Some(to) = muc::occupant(room, &entry.nick) else {
            return;
        };
        entry.stage = Stage::Joining { deadline };
        let archived = entry.features.is_some_and(|f| f.archived);
        entry.catch_up_sent = archived;
        let after = entry.last_id.clone();
        let presence = muc::join(to, entry.password.as_deref(), archived, caps);
        self.send(presence);
        // The archive query goes right behind the join instead of after the occupant list:
        // servers handle a session's stanzas in order, so it is answered as an occupant, and
        // a big room's history no longer waits for its hundreds of presences (about 0.4 s at
        // 500 occupants). Should the join fail, the query is forgotten and its results dropped.
        if archived {
            self.room_catch_up(now, room.clone(), after);
        }
    }

    /// The room's disco#info before joining came (or failed: `None`); join now.
    pub(super) fn join_info(&mut self, now: Instant, room: &BareJid, query: Option<Element>) {
        let Some(entry) = self.rooms.get_mut(room) else {
            return;
        };
        if let Some(query) = query {
            let info = admin::room_info(room, &query);
            entry.features = Some(RoomFeatures {
                archived: info.archived,
                occupant_ids: info.occupant_ids,
            });
        }
        if entry.stage == Stage::Discovering {
            self.send_join(now, room);
        }
    }

    /// Online after a fresh bind: every room of the session before is joined again (the room
    /// forgot us with that session), and rooms asked for before sign-in are joined.
    pub(super) fn rejoin_rooms(&mut self, now: Instant) {
        for room in self.rooms.staying() {
            if let Some(entry) = self.rooms.get_mut(&room) {
                entry.stage = Stage::Pending;
            }
            self.start_join(now, &room);
        }
    }

    /// The stream resumed: still in every room; only joins asked for meanwhile go out.
    pub(super) fn rooms_resumed(&mut self, now: Instant) {
        for room in self.rooms.staying() {
            let Some(entry) = self.rooms.get_mut(&room) else {
                continue;
            };
            match entry.stage {
                Stage::Joined => entry.heard = now,
                _ => self.start_join(now, &room),
            }
        }
    }

    fn leave_room(&mut self, room: BareJid) {
        let Some(entry) = self.rooms.get_mut(&room) else {
            return;
        };
        let outbox = std::mem::take(&mut entry.outbox);
        let to = muc::occupant(&room, &entry.nick);
        match (entry.stage, to) {
            (Stage::Joining { .. } | Stage::Joined, Some(to)) => {
                entry.stage = Stage::Leaving;
                self.send(muc::leave(to));
            }
            (Stage::Leaving, _) => return,
            _ => {
                self.rooms.remove(&room);
            }
        }
        for (id, _) in outbox {
            self.events.push_back(Event::MessageFailed {
                id,
                peer: room.clone(),
                reason: "not sent: you left the room".into(),
            });
        }
        self.events.push_back(Event::RoomLeft {
            room,
            reason: LeaveReason::Left,
            text: None,
        });
    }

    fn change_nick(&mut self, room: BareJid, nick: String) {
        let what = format!("Could not change your nickname in {room}");
        let nick = xml_text(nick.trim());
        let caps = self.disco.caps();
        let reason = match (self.rooms.get_mut(&room), muc::occupant(&room, &nick)) {
            (Some(entry), Some(to)) if entry.stage == Stage::Joined => {
                entry.pending_nick = Some(nick);
                self.send(muc::change_nick(to, caps));
                return;
            }
            (Some(entry), None) if entry.stage == Stage::Joined => "this nickname is not allowed",
            _ => "you are not in this room",
        };
        self.events.push_back(Event::RequestFailed {
            what,
            reason: reason.into(),
        });
    }

    /// `Command::SetPresence` reaches rooms only as directed presence (RFC 6121 §4.6).
    pub(super) fn rooms_presence(&mut self, show: Option<Show>, status: Option<&str>) {
        for room in self.rooms.staying() {
            let Some(entry) = self.rooms.get(&room) else {
                continue;
            };
            if entry.stage != Stage::Joined {
                continue;
            }
            let Some(to) = muc::occupant(&room, &entry.nick) else {
                continue;
            };
            let presence = presence::available(show.clone(), status, self.disco.caps());
            self.send(presence.with_to(to));
        }
    }

    // ---- presences from rooms ----

    /// Every presence once online: from a room we are in (or joining) it is an occupant's;
    /// one that claims to be a room's but comes from elsewhere is dropped; the rest are
    /// contacts'.
    pub(super) fn on_presence(&mut self, now: Instant, presence: Presence) {
        let Some(from) = presence.from.clone() else {
            return;
        };
        let room = from.to_bare();
        if !self.rooms.contains(&room) {
            if presence.payloads.iter().any(|p| p.is("x", ns::MUC_USER)) {
                self.events.push_back(sender::dropped(
                    Some(&from),
                    "a room presence from a room we are not in",
                ));
            } else {
                self.presence_avatar(&presence);
                if let Some(event) = presence::incoming(presence) {
                    self.events.push_back(event);
                }
            }
            return;
        }
        self.room_presence(now, room, from.resource().map(|r| r.to_string()), presence);
    }

    fn room_presence(
        &mut self,
        now: Instant,
        room: BareJid,
        nick: Option<String>,
        presence: Presence,
    ) {
        let Some(entry) = self.rooms.get_mut(&room) else {
            return;
        };
        match entry.stage {
            Stage::Pending | Stage::Discovering => {
                let from = presence.from.clone();
                self.events.push_back(sender::dropped(
                    from.as_ref(),
                    "a room presence before we asked to join",
                ));
                return;
            }
            Stage::Leaving => {
                // Our own last presence closes the room for good; the rest is its farewell.
                let info = UserInfo::read(&presence.payloads).unwrap_or_default();
                let own = info.has(110) || nick.as_deref() == Some(entry.nick.as_str());
                if presence.type_ == Type::Unavailable && own {
                    self.rooms.remove(&room);
                }
                return;
            }
            Stage::Joining { .. } | Stage::Joined => entry.heard = now,
        }
        match presence.type_ {
            Type::Error => self.room_presence_error(room, &presence),
            Type::None | Type::Unavailable => {
                if let Some(nick) = nick {
                    self.occupant_presence(now, room, nick, presence);
                }
            }
            _ => {}
        }
    }

    fn occupant_presence(&mut self, now: Instant, room: BareJid, nick: String, presence: Presence) {
        let Some(entry) = self.rooms.get_mut(&room) else {
            return;
        };
        let info = UserInfo::read(&presence.payloads).unwrap_or_default();
        let trusted = entry.features.is_some_and(|f| f.occupant_ids);
        let occupant_id = muc::occupant_id(&presence.payloads, trusted);
        let available = presence.type_ == Type::None;
        let me = info.has(110)
            || (entry.stage == Stage::Joined && nick == entry.nick)
            || (available && entry.pending_nick.as_deref() == Some(nick.as_str()));

        // §7.6: a nick change is an unavailable presence from the old nick with 303 and the
        // new nick, then an available one from the new nick.
        if !available && info.has(303) {
            if let Some(new) = info
                .nick
                .clone()
                .filter(|n| muc::occupant(&room, n).is_some())
            {
                if me {
                    entry.nick = new.clone();
                    entry.pending_nick = None;
                }
                self.events.push_back(Event::NickChanged {
                    room,
                    old: nick,
                    new,
                    occupant_id,
                    me,
                });
                return;
            }
        }
        let exit = (!available).then(|| info.exit()).flatten();
        let update = OccupantUpdate {
            room: room.clone(),
            nick: nick.clone(),
            role: info.role,
            affiliation: info.affiliation,
            jid: info.jid.clone(),
            occupant_id: occupant_id.clone(),
            show: presence.show.clone(),
            status: best_status(&presence),
            available,
            me,
            exit: exit.clone(),
        };
        if !me {
            self.events.push_back(Event::Occupant(update));
            return;
        }
        if !available {
            self.rooms.remove(&room);
            self.archive.forget_room(&room);
            self.events.push_back(Event::Occupant(update));
            self.events.push_back(Event::RoomLeft {
                room,
                reason: exit.unwrap_or(LeaveReason::Left),
                text: info.reason,
            });
            return;
        }
        let joining = matches!(entry.stage, Stage::Joining { .. });
        entry.nick = nick.clone();
        entry.pending_nick = None;
        if occupant_id.is_some() {
            entry.occupant_id = occupant_id.clone();
        }
        self.events.push_back(Event::Occupant(update));
        if joining {
            entry.stage = Stage::Joined;
            let subject = entry.was_joined.then(|| entry.subject.clone()).flatten();
            entry.was_joined = true;
            self.events.push_back(Event::RoomJoined {
                room: room.clone(),
                nick,
                occupant_id,
                subject,
                created: info.has(201),
            });
            self.joined(now, room, info.has(201));
        }
    }

    /// In the room: what follows a join.
    fn joined(&mut self, now: Instant, room: BareJid, created: bool) {
        let Some(entry) = self.rooms.get_mut(&room) else {
            return;
        };
        let instant = created && std::mem::take(&mut entry.instant);
        let catch_up_sent = std::mem::take(&mut entry.catch_up_sent);
        let features = entry.features;
        let after = entry.last_id.clone();
        let outbox = std::mem::take(&mut entry.outbox);
        let to = Jid::from(room.clone());
        if instant {
            let kind = RoomIq::ConfigSubmit {
                room: room.clone(),
                instant: true,
            };
            self.room_request(now, to.clone(), true, admin::instant_room(), kind);
        }
        match features {
            Some(features) if features.archived && !catch_up_sent => {
                self.room_catch_up(now, room.clone(), after)
            }
            Some(_) => {}
            // Not known before (a room that did not exist yet): ask now, for next time.
            None => {
                let query = Element::from(DiscoInfoQuery { node: None });
                let kind = RoomIq::JoinInfo { room: room.clone() };
                self.room_request(now, to, false, query, kind);
            }
        }
        for (id, body) in outbox {
            self.send_group(room.clone(), id, body);
        }
    }

    fn room_presence_error(&mut self, room: BareJid, presence: &Presence) {
        let error = presence
            .payloads
            .iter()
            .find(|p| p.is("error", ns::DEFAULT_NS))
            .and_then(|e| StanzaError::try_from(e.clone()).ok());
        let Some(entry) = self.rooms.get_mut(&room) else {
            return;
        };
        match entry.stage {
            Stage::Joining { .. } => {
                let outbox = self
                    .rooms
                    .remove(&room)
                    .map(|r| r.outbox)
                    .unwrap_or_default();
                let reason = muc::join_error(error.as_ref());
                self.archive.forget_room(&room);
                for (id, _) in outbox {
                    self.events.push_back(Event::MessageFailed {
                        id,
                        peer: room.clone(),
                        reason: format!("not sent: {reason}"),
                    });
                }
                self.events
                    .push_back(Event::RoomJoinFailed { room, reason });
            }
            Stage::Joined if entry.pending_nick.take().is_some() => {
                self.events.push_back(Event::RequestFailed {
                    what: format!("Could not change your nickname in {room}"),
                    reason: muc::join_error(error.as_ref()).to_string(),
                });
            }
            // An error about a presence update of ours: nothing the user can act on.
            _ => {}
        }
    }
}

/// The status without a language tag, else any.
fn best_status(presence: &Presence) -> Option<String> {
    presence
        .statuses
        .get("")
        .or_else(|| presence.statuses.values().next())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}
