//! Requests about rooms: discovery, owner configuration, moderation, invitations; and where
//! the answers to every group chat and bookmark request go.

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::disco::DiscoInfoQuery;
use xmpp_parsers::stanza_error::StanzaError;

use super::Client;
use crate::iq::{describe, RoomIq};
use crate::muc::admin::{self, Target};
use crate::muc::rooms::RoomFeatures;
use crate::room::{Affiliation, Role};
use crate::{Command, Event, Instant};

const TIMED_OUT: &str = "the server did not answer in time";

impl Client {
    pub(super) fn room_admin_command(&mut self, now: Instant, command: Command) {
        match command {
            Command::GetRoomConfig { room } => {
                let kind = RoomIq::ConfigGet { room: room.clone() };
                self.room_request(now, room.into(), false, admin::config_request(), kind);
            }
            Command::SubmitRoomConfig(config) => {
                let room = config.room.clone();
                let kind = RoomIq::ConfigSubmit {
                    room: room.clone(),
                    instant: false,
                };
                self.room_request(now, room.into(), true, admin::config_submit(&config), kind);
            }
            Command::Kick { room, nick, reason } => {
                let what = format!("Could not kick {nick} from {room}");
                let query = admin::admin_item(Target::Nick(&nick, Role::None), reason.as_deref());
                self.admin_request(now, room, query, what);
            }
            Command::SetRole {
                room,
                nick,
                role,
                reason,
            } => {
                let what = format!("Could not change the role of {nick} in {room}");
                let query = admin::admin_item(Target::Nick(&nick, role), reason.as_deref());
                self.admin_request(now, room, query, what);
            }
            Command::Ban { room, jid, reason } => {
                let what = format!("Could not ban {jid} from {room}");
                let target = Target::Jid(&jid, Affiliation::Outcast);
                let query = admin::admin_item(target, reason.as_deref());
                self.admin_request(now, room, query, what);
            }
            Command::SetAffiliation {
                room,
                jid,
                affiliation,
                reason,
            } => {
                let what = format!("Could not change the affiliation of {jid} in {room}");
                let query = admin::admin_item(Target::Jid(&jid, affiliation), reason.as_deref());
                self.admin_request(now, room, query, what);
            }
            Command::DeclineInvitation {
                room,
                inviter,
                reason,
            } => {
                self.send(admin::decline(&room, &inviter, reason.as_deref()));
            }
            Command::Invite {
                room,
                to,
                reason,
                direct,
            } => {
                let invite = if direct {
                    let password = self.rooms.get(&room).and_then(|r| r.password.clone());
                    admin::direct_invite(&to, &room, password.as_deref(), reason.as_deref())
                } else {
                    admin::mediated_invite(&room, &to, reason.as_deref())
                };
                self.send(invite);
            }
            Command::ListRooms { service } => {
                let query = admin::items_request();
                let kind = RoomIq::List {
                    service: service.clone(),
                };
                self.room_request(now, service.into(), false, query, kind);
            }
            Command::RoomInfo { room } => {
                let query = Element::from(DiscoInfoQuery { node: None });
                let kind = RoomIq::Info { room: room.clone() };
                self.room_request(now, room.into(), false, query, kind);
            }
            _ => {}
        }
    }

    fn admin_request(&mut self, now: Instant, room: BareJid, query: Element, what: String) {
        self.room_request(now, Jid::from(room), true, query, RoomIq::Admin { what });
    }

    pub(super) fn room_answered(&mut self, now: Instant, kind: RoomIq, payload: Option<Element>) {
        match kind {
            RoomIq::JoinInfo { room } => self.join_info(now, &room, payload),
            RoomIq::Info { room } => {
                let info = admin::room_info(&room, &payload.unwrap_or_else(empty_query));
                if let Some(entry) = self.rooms.get_mut(&room) {
                    entry.features = Some(RoomFeatures {
                        archived: info.archived,
                        occupant_ids: info.occupant_ids,
                    });
                }
                self.events.push_back(Event::RoomInfo(info));
            }
            RoomIq::List { service } => {
                let items = payload.as_ref().map(admin::room_list).unwrap_or_default();
                self.events.push_back(Event::RoomList { service, items });
            }
            RoomIq::SelfPing { room } => self.self_ping_answered(now, &room, None),
            // The room's presences show the change.
            RoomIq::Admin { .. } => {}
            RoomIq::ConfigGet { room } => {
                match payload.as_ref().and_then(|p| admin::read_config(&room, p)) {
                    Some(config) => self.events.push_back(Event::RoomConfigForm(config)),
                    None => self.events.push_back(Event::RequestFailed {
                        what: format!("Could not load the settings of {room}"),
                        reason: "the room sent no settings form".into(),
                    }),
                }
            }
            RoomIq::ConfigSubmit { room, .. } => {
                self.events.push_back(Event::RoomConfigured { room })
            }
            RoomIq::AccountInfo => self.account_info(now, payload),
            RoomIq::BookmarksGet { pep } => self.bookmarks_loaded(now, pep, payload),
            RoomIq::BookmarkPublish { bookmark } => self.bookmark_stored(Some(bookmark), None),
            RoomIq::BookmarkRetract { room } => self.bookmark_stored(None, Some(room)),
            RoomIq::BookmarksStore { set } => self.bookmarks_replaced(set),
        }
    }

    /// A request failed (`error`) or was not answered (`None`).
    pub(super) fn room_failed(&mut self, now: Instant, kind: RoomIq, error: Option<&StanzaError>) {
        let reason = error.map(describe).unwrap_or_else(|| TIMED_OUT.into());
        let what = match kind {
            // The join goes ahead; its presence tells whether the room exists.
            RoomIq::JoinInfo { room } => return self.join_info(now, &room, None),
            RoomIq::SelfPing { room } if error.is_none() => {
                // Silence: the room (or its server) is unreachable now; ask again later.
                if let Some(entry) = self.rooms.get_mut(&room) {
                    entry.pinging = false;
                    entry.heard = now;
                }
                return;
            }
            RoomIq::SelfPing { room } => return self.self_ping_answered(now, &room, error),
            // Refused: an older server, which keeps bookmarks in private storage if anywhere.
            // Silence: leave them for this session rather than pile up more requests.
            RoomIq::AccountInfo if error.is_some() => return self.account_info(now, None),
            RoomIq::AccountInfo => return,
            RoomIq::BookmarksGet { pep } => return self.bookmarks_failed(now, pep, error),
            RoomIq::Info { room } => format!("Could not get the details of {room}"),
            RoomIq::List { service } => format!("Could not list the rooms of {service}"),
            RoomIq::Admin { what } => what,
            RoomIq::ConfigGet { room } => format!("Could not load the settings of {room}"),
            RoomIq::ConfigSubmit {
                room,
                instant: true,
            } => {
                format!("Could not open the new room {room}")
            }
            RoomIq::ConfigSubmit { room, .. } => format!("Could not change the settings of {room}"),
            RoomIq::BookmarkPublish { bookmark } => {
                format!("Could not bookmark {}", bookmark.room)
            }
            RoomIq::BookmarkRetract { room } => format!("Could not remove the bookmark {room}"),
            RoomIq::BookmarksStore { .. } => "Could not save the bookmarks".into(),
        };
        self.events.push_back(Event::RequestFailed { what, reason });
    }
}

fn empty_query() -> Element {
    Element::builder("query", xmpp_parsers::ns::DISCO_INFO).build()
}
