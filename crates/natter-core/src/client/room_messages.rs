//! Messages in rooms: group chat in and out, subjects, private messages with occupants,
//! invitations, and the room's archive (catch-up after joining, older pages).

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::mam::Result_;
use xmpp_parsers::message::{Message, MessageType};
use xmpp_parsers::ns;

use super::Client;
use crate::frame::xml_text;
use crate::iq::IqKind;
use crate::muc::rooms::Stage;
use crate::muc::{self, admin, MessageIds};
use crate::room::{self, RoomMessage, RoomPrivateMessage};
use crate::{sender, Direction, Event, Instant};

impl Client {
    /// Takes the messages that belong to group chat: invitations, PEP notifications, group
    /// chat, and private messages from occupants of rooms we are in. Anything else is handed
    /// back for the one-to-one path.
    pub(super) fn room_message(&mut self, now: Instant, message: Message) -> Option<Message> {
        if message.type_ == MessageType::Error {
            return Some(message);
        }
        if admin::has_invitation(&message) {
            match admin::invitation(&message) {
                Some(invitation) => self.events.push_back(Event::Invitation(invitation)),
                None => self.events.push_back(sender::dropped(
                    message.from.as_ref(),
                    "a mediated invitation not from a room",
                )),
            }
            return None;
        }
        if message
            .payloads
            .iter()
            .any(|p| p.is("event", ns::PUBSUB_EVENT))
        {
            if !self.profile_event(&message) {
                self.on_pubsub_event(message);
            }
            return None;
        }
        let Some(from) = message.from.clone() else {
            return Some(message);
        };
        let room = from.to_bare();
        let nick = from.resource().map(|r| r.to_string());
        if message.type_ == MessageType::Groupchat {
            if self.rooms.contains(&room) {
                self.groupchat(now, room, nick, message);
            } else {
                self.events.push_back(sender::dropped(
                    Some(&from),
                    "a group chat message from a room we are not in",
                ));
            }
            return None;
        }
        match nick {
            Some(nick) if self.rooms.get(&room).is_some_and(|r| r.expects_traffic()) => {
                self.room_private(room, nick, message);
                None
            }
            _ => Some(message),
        }
    }

    fn groupchat(&mut self, now: Instant, room: BareJid, nick: Option<String>, message: Message) {
        let Some(entry) = self.rooms.get_mut(&room) else {
            return;
        };
        match entry.stage {
            Stage::Joining { .. } | Stage::Joined => entry.heard = now,
            Stage::Leaving => return,
            Stage::Pending | Stage::Discovering => {
                self.events.push_back(sender::dropped(
                    message.from.as_ref(),
                    "a group chat message before we asked to join",
                ));
                return;
            }
        }
        // §8.1: a subject change is a group chat message with a subject and no body; from
        // the room itself or one of its occupants, never from outside (checked above).
        if message.bodies.is_empty() {
            if let Some((_, subject)) = message.get_best_subject_cloned(vec!["en"]) {
                let subject = subject.trim().to_owned();
                entry.subject = Some(subject.clone()).filter(|s| !s.is_empty());
                self.events.push_back(Event::Subject {
                    room,
                    subject,
                    by: nick.filter(|n| !n.is_empty()),
                });
            }
            return;
        }
        let Some((_, body)) = message.get_best_body_cloned(vec!["en"]) else {
            return;
        };
        let trusted = entry.features.is_some_and(|f| f.occupant_ids);
        let ids = MessageIds::read(&message.payloads, &room, trusted);
        if ids.delay.is_none() {
            if let Some(stanza_id) = &ids.stanza_id {
                entry.last_id = Some(stanza_id.clone());
            }
        }
        let (our_nick, our_id) = (entry.nick.clone(), entry.occupant_id.clone());
        let ids_next = &mut self.ids;
        let id = muc::message_id(&message, &ids, ids.stanza_id.as_ref(), || ids_next.next());
        let event = room_message(RoomFrom {
            room,
            nick: nick.unwrap_or_default(),
            our_nick: &our_nick,
            our_occupant_id: our_id.as_deref(),
            id,
            body,
            stanza_id: ids.stanza_id.clone(),
            ids,
            archived: false,
        });
        self.events.push_back(Event::GroupMessage(event));
    }

    fn room_private(&mut self, room: BareJid, nick: String, message: Message) {
        let Some((_, body)) = message.get_best_body_cloned(vec!["en"]) else {
            // Chat states and receipts: nothing to show.
            return;
        };
        let trusted = self
            .rooms
            .get(&room)
            .and_then(|r| r.features)
            .is_some_and(|f| f.occupant_ids);
        let ids = MessageIds::read(&message.payloads, &room, trusted);
        let ids_next = &mut self.ids;
        let id = muc::message_id(&message, &ids, None, || ids_next.next());
        self.events
            .push_back(Event::PrivateMessage(RoomPrivateMessage {
                room,
                nick,
                occupant_id: ids.occupant_id,
                id,
                direction: Direction::Incoming,
                body,
                delayed: ids.delay.map(|d| d.stamp.0.to_rfc3339()),
            }));
    }

    pub(super) fn send_group(&mut self, room: BareJid, id: String, body: String) {
        let Some(entry) = self.rooms.get_mut(&room) else {
            self.group_failed(room, id, "you are not in this room");
            return;
        };
        match entry.stage {
            Stage::Joined => {}
            Stage::Pending | Stage::Discovering | Stage::Joining { .. }
                if entry.outbox.len() < super::muc::OUTBOX =>
            {
                entry.outbox.push((id, body));
                return;
            }
            Stage::Leaving => return self.group_failed(room, id, "you left this room"),
            _ => return self.group_failed(room, id, "too many messages wait for the room"),
        }
        let (nick, occupant_id) = (entry.nick.clone(), entry.occupant_id.clone());
        if !self.send(muc::groupchat(&room, &id, &body)) {
            self.group_failed(room, id, "the message could not be encoded");
            return;
        }
        self.sent.remember(&id, &room);
        self.events.push_back(Event::GroupMessageSent(RoomMessage {
            room,
            nick,
            occupant_id,
            origin_id: Some(xml_text(&id)),
            id,
            stanza_id: None,
            body: xml_text(&body),
            delayed: None,
            archived: false,
            mentions_me: false,
            from_me: true,
        }));
    }

    fn group_failed(&mut self, room: BareJid, id: String, reason: &str) {
        self.events.push_back(Event::MessageFailed {
            id,
            peer: room,
            reason: reason.into(),
        });
    }

    pub(super) fn send_private(&mut self, room: BareJid, nick: &str, id: &str, body: &str) {
        let joined = self
            .rooms
            .get(&room)
            .is_some_and(|r| r.stage == Stage::Joined);
        let Some(to) = muc::occupant(&room, nick).filter(|_| joined) else {
            self.group_failed(room, id.to_owned(), "you are not in this room");
            return;
        };
        if !self.send(muc::private(to, id, body)) {
            self.group_failed(room, id.to_owned(), "the message could not be encoded");
            return;
        }
        self.sent.remember(id, &room);
        self.events
            .push_back(Event::PrivateMessage(RoomPrivateMessage {
                room,
                nick: nick.to_owned(),
                occupant_id: None,
                id: id.to_owned(),
                direction: Direction::Outgoing,
                body: xml_text(body),
                delayed: None,
            }));
    }

    pub(super) fn set_subject(&mut self, room: BareJid, subject: &str) {
        if self
            .rooms
            .get(&room)
            .is_some_and(|r| r.stage == Stage::Joined)
        {
            self.send(muc::subject(&room, subject));
        } else {
            self.events.push_back(Event::RequestFailed {
                what: format!("Could not change the subject of {room}"),
                reason: "you are not in this room".into(),
            });
        }
    }

    // ---- the room's archive ----

    pub(super) fn room_catch_up(&mut self, now: Instant, room: BareJid, after: Option<String>) {
        let queryid = self.ids.next();
        let query = self
            .archive
            .room_catch_up(queryid.clone(), room.clone(), after);
        self.send_room_archive_query(now, room, queryid, query);
    }

    pub(super) fn load_room_history(
        &mut self,
        now: Instant,
        room: BareJid,
        before: Option<String>,
        max: usize,
    ) {
        let queryid = self.ids.next();
        let query = self
            .archive
            .room_history(queryid.clone(), room.clone(), before, max);
        self.send_room_archive_query(now, room, queryid, query);
    }

    pub(super) fn send_room_archive_query(
        &mut self,
        now: Instant,
        room: BareJid,
        queryid: String,
        query: Element,
    ) {
        let id = self.ids.next();
        let to = Jid::from(room);
        self.send(Iq::Set {
            from: None,
            to: Some(to.clone()),
            id: id.clone(),
            payload: query,
        });
        self.iqs.track(
            id,
            Some(to),
            now.after(self.config.iq_timeout_ms),
            IqKind::Archive { queryid },
        );
    }

    /// Whether an archive result from `from` is one of a room's (asked of it).
    pub(super) fn is_room_archive(&self, from: Option<&Jid>) -> Option<BareJid> {
        let from = from?;
        if from.resource().is_some() {
            return None;
        }
        let room = from.to_bare();
        (room != self.account && self.archive.asks_room(&room)).then_some(room)
    }

    /// One result of a query to `room`'s archive.
    pub(super) fn on_room_archive_result(&mut self, room: BareJid, mut message: Message) {
        let from = message.from.clone();
        let Ok(Some(result)) = message.extract_payload::<Result_>() else {
            return;
        };
        let queryid = result.queryid.as_ref().map(|q| q.0.as_str());
        if !self.archive.accept(Some(&room), queryid, &result.id) {
            self.events.push_back(sender::dropped(
                from.as_ref(),
                "an archive result for no query of ours",
            ));
            return;
        }
        let inner = result.forwarded.message;
        let Some(nick) = inner
            .from
            .as_ref()
            .filter(|f| f.to_bare() == room)
            .map(|f| f.resource().map(|r| r.to_string()).unwrap_or_default())
        else {
            self.events.push_back(sender::dropped(
                from.as_ref(),
                "an archived message not from the room's occupants",
            ));
            return;
        };
        let Some((_, body)) = inner.get_best_body_cloned(vec!["en"]) else {
            return;
        };
        let entry = self.rooms.get(&room);
        let trusted = entry
            .and_then(|r| r.features)
            .is_some_and(|f| f.occupant_ids);
        let our_nick = entry.map(|r| r.nick.clone()).unwrap_or_default();
        let our_id = entry.and_then(|r| r.occupant_id.clone());
        let mut ids = MessageIds::read(&inner.payloads, &room, trusted);
        ids.delay = result.forwarded.delay.or(ids.delay);
        let stanza_id = Some(result.id);
        let ids_next = &mut self.ids;
        let id = muc::message_id(&inner, &ids, stanza_id.as_ref(), || ids_next.next());
        let event = room_message(RoomFrom {
            room,
            nick,
            our_nick: &our_nick,
            our_occupant_id: our_id.as_deref(),
            id,
            body,
            stanza_id,
            ids,
            archived: true,
        });
        self.events.push_back(Event::GroupMessage(event));
    }

    /// A room's catch-up ended: the next one starts after its newest id.
    pub(super) fn note_room_events(&mut self, events: &[Event]) {
        for event in events {
            if let Event::RoomCaughtUp {
                room,
                last: Some(last),
                ..
            } = event
            {
                if let Some(entry) = self.rooms.get_mut(room) {
                    entry.last_id = Some(last.clone());
                }
            }
        }
    }
}

/// What [`room_message`] needs to know.
struct RoomFrom<'a> {
    room: BareJid,
    nick: String,
    our_nick: &'a str,
    our_occupant_id: Option<&'a str>,
    id: String,
    body: String,
    stanza_id: Option<String>,
    ids: MessageIds,
    archived: bool,
}

/// A room message as the store keeps it. Ours by occupant-id where the room gives them (nicks
/// change and can be taken over after we leave), else by nick.
fn room_message(from: RoomFrom) -> RoomMessage {
    let from_me = match (from.ids.occupant_id.as_deref(), from.our_occupant_id) {
        (Some(theirs), Some(ours)) => theirs == ours,
        _ => !from.nick.is_empty() && from.nick == from.our_nick,
    };
    let mentions_me = !from_me && room::mentions(&from.body, from.our_nick);
    RoomMessage {
        room: from.room,
        nick: from.nick,
        occupant_id: from.ids.occupant_id,
        id: from.id,
        stanza_id: from.stanza_id,
        origin_id: from.ids.origin_id,
        body: from.body,
        delayed: from.ids.delay.map(|d| d.stamp.0.to_rfc3339()),
        archived: from.archived,
        mentions_me,
        from_me,
    }
}
