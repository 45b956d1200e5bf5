//! Staying in rooms: joins the room never answers, and XEP-0410 self-pings of rooms that have
//! been quiet for a while (a room restarted, or a server-to-server link dropped, may have
//! forgotten us without a word); plus the IQ plumbing the group chat requests share.

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::ping::Ping;
use xmpp_parsers::stanza_error::{DefinedCondition, StanzaError};

use super::Client;
use crate::iq::{IqKind, RoomIq};
use crate::muc;
use crate::muc::rooms::Stage;
use crate::room::JoinError;
use crate::{Event, Instant};

impl Client {
    /// On every timeout: joins the room never answered, and XEP-0410 self-pings for rooms
    /// quiet for a while.
    pub(super) fn rooms_due(&mut self, now: Instant) {
        if !self.announced() {
            return;
        }
        let due = self.rooms.due(now, self.config.room_ping_ms);
        for room in due.join_timeout {
            self.archive.forget_room(&room);
            let outbox = self
                .rooms
                .remove(&room)
                .map(|r| r.outbox)
                .unwrap_or_default();
            for (id, _) in outbox {
                self.events.push_back(Event::MessageFailed {
                    id,
                    peer: room.clone(),
                    reason: "not sent: the room did not answer".into(),
                });
            }
            self.events.push_back(Event::RoomJoinFailed {
                room,
                reason: JoinError::Timeout,
            });
        }
        for room in due.ping {
            let Some(entry) = self.rooms.get_mut(&room) else {
                continue;
            };
            let Some(to) = muc::occupant(&room, &entry.nick) else {
                continue;
            };
            entry.pinging = true;
            self.room_request(
                now,
                Jid::from(to),
                false,
                Element::from(Ping),
                RoomIq::SelfPing { room },
            );
        }
    }

    /// XEP-0410 §3.2: what the answer to a self-ping says about our being in the room
    /// (`error: None` for a result, `timed_out` for silence).
    pub(super) fn self_ping_answered(
        &mut self,
        now: Instant,
        room: &BareJid,
        error: Option<&StanzaError>,
    ) {
        let Some(entry) = self.rooms.get_mut(room) else {
            return;
        };
        entry.pinging = false;
        entry.heard = now;
        if entry.stage != Stage::Joined {
            return;
        }
        use DefinedCondition as C;
        match error.map(|e| &e.defined_condition) {
            // In the room: answered by our own client or the room, or by a client of ours
            // that does not do pings, or the nick just changed.
            None | Some(C::ServiceUnavailable | C::FeatureNotImplemented | C::ItemNotFound) => {}
            // The room's server is unreachable: try again after another quiet while.
            Some(C::RemoteServerNotFound | C::RemoteServerTimeout) => {}
            // `not-acceptable` and the rest: the room does not know us any more.
            Some(_) => {
                entry.stage = Stage::Pending;
                self.start_join(now, room);
            }
        }
    }

    /// Sends an IQ about rooms to `to` (`get`: a get, else a set) and tracks its answer.
    pub(super) fn room_request(
        &mut self,
        now: Instant,
        to: Jid,
        set: bool,
        payload: Element,
        kind: RoomIq,
    ) {
        let id = self.ids.next();
        let iq = if set {
            Iq::Set {
                from: None,
                to: Some(to.clone()),
                id: id.clone(),
                payload,
            }
        } else {
            Iq::Get {
                from: None,
                to: Some(to.clone()),
                id: id.clone(),
                payload,
            }
        };
        self.send(iq);
        self.iqs.track(
            id,
            Some(to),
            now.after(self.config.iq_timeout_ms),
            IqKind::Room(kind),
        );
    }
}
