//! What the user asks for, turned into stanzas.

use jid::{BareJid, Jid};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::presence::Type;

use super::{Client, Phase, Queued};
use crate::frame::xml_text;
use crate::iq::IqKind;
use crate::{message, presence, roster, ChatMessage, Command, Direction, Event, Instant};

impl Client {
    pub(super) fn command(&mut self, now: Instant, command: Command) {
        let online = matches!(self.phase, Phase::Online);
        // Messages wait behind the ones a fresh session sends once it has announced itself,
        // so that the peer gets them in the order they were written.
        let sending = self.announced();
        match command {
            Command::Disconnect => self.disconnect(),
            Command::SetActive(active) => self.set_active(active),
            Command::SendMessage { to, id, body, ext } if sending => {
                self.send_chat(to, &id, &body, ext)
            }
            // Kept until online so nothing the user wrote while signing in is lost.
            Command::SendMessage { to, id, body, ext } => {
                self.queued.push_back(Queued { to, id, body, ext })
            }
            command @ (Command::Correct { .. }
            | Command::Retract { .. }
            | Command::React { .. }) => self.send_edit(command, sending),
            // Joins wait for sign-in, and so do messages to rooms being joined.
            command @ (Command::JoinRoom { .. }
            | Command::CreateInstantRoom { .. }
            | Command::SendGroupMessage { .. }) => self.room_command(now, command),
            command @ (Command::SetReceipts(_)
            | Command::SendChatState { .. }
            | Command::MarkDisplayed { .. }) => self.awareness_command(command, online),
            other if !online => self.events.push_back(Event::RequestFailed {
                what: failure_what(&other),
                reason: "you are not signed in yet".into(),
            }),
            command @ (Command::FetchAvatar { .. }
            | Command::FetchProfile { .. }
            | Command::PublishAvatar { .. }
            | Command::SetNickname { .. }) => self.profile_command(now, command),
            Command::SetPresence { show, status } => {
                self.own_presence = (show.clone(), status.clone());
                // Before the initial presence the choice just waits to go out with it.
                if !self.awaiting_roster {
                    let presence =
                        presence::available(show.clone(), status.as_deref(), self.disco.caps());
                    self.send(self.with_nick(presence));
                }
                self.rooms_presence(show, status.as_deref());
            }
            Command::AddContact { jid, name } => {
                let what = format!("Could not add {jid}");
                self.send_request(
                    now,
                    Iq::from_set("", roster::set_item(jid.clone(), name)),
                    IqKind::RosterSet { what },
                );
                self.send(presence::directed(Type::Subscribe, &jid));
            }
            Command::RemoveContact { jid } => {
                let what = format!("Could not remove {jid}");
                self.send_request(
                    now,
                    Iq::from_set("", roster::remove_item(jid)),
                    IqKind::RosterSet { what },
                );
            }
            Command::ApproveSubscription { jid } => {
                self.send(presence::directed(Type::Subscribed, &jid));
                if self.roster.should_ask_back(&jid) {
                    self.send(presence::directed(Type::Subscribe, &jid));
                }
            }
            Command::DenySubscription { jid } => {
                self.send(presence::directed(Type::Unsubscribed, &jid));
            }
            command @ (Command::CatchUp { .. } | Command::LoadHistory { .. })
                if self.awaiting_roster =>
            {
                self.deferred_queries.push(command)
            }
            Command::CatchUp { after } => self.catch_up(now, after),
            Command::RequestUploadSlot {
                request,
                filename,
                size,
                content_type,
            } => self.request_upload_slot(
                now,
                crate::upload::Request {
                    request,
                    filename,
                    size,
                    content_type,
                },
            ),
            Command::Block { jid } => {
                self.blocking_request(now, crate::blocking::Request::Block(jid))
            }
            Command::Unblock { jid } => {
                self.blocking_request(now, crate::blocking::Request::Unblock(jid))
            }
            Command::LoadHistory { with, before, max } => {
                self.load_history(now, with, before, max);
            }
            room => self.room_command(now, room),
        }
    }

    pub(super) fn send_chat(&mut self, to: Jid, id: &str, body: &str, mut ext: crate::MessageExt) {
        if ext.nick.is_none() {
            ext.nick = self.config.nick.clone();
        }
        let peer: BareJid = to.to_bare();
        let Some(from) = self.bound.clone() else {
            return;
        };
        if self.send(message::chat(to, id, body, &ext)) {
            self.sent.remember(id, &peer);
            self.events.push_back(Event::MessageSent(ChatMessage {
                id: id.to_owned(),
                direction: Direction::Outgoing,
                peer,
                from: from.into(),
                body: xml_text(body),
                delayed: None,
                stanza_id: None,
                origin_id: Some(xml_text(id)),
                archived: false,
                ext,
            }));
        } else {
            self.events.push_back(Event::MessageFailed {
                id: id.to_owned(),
                peer,
                reason: "the message could not be encoded".into(),
            });
        }
    }

    fn disconnect(&mut self) {
        self.signed_out = true;
        let opened = !matches!(self.phase, Phase::Idle);
        if matches!(self.phase, Phase::Online) {
            self.send(presence::unavailable());
        }
        self.end(Ok(()), opened, true);
    }
}

/// How a refused command is named to the user ("… : reason").
fn failure_what(command: &Command) -> String {
    match command {
        Command::SetPresence { .. } => "Could not change your status".into(),
        Command::AddContact { jid, .. } => format!("Could not add {jid}"),
        Command::RemoveContact { jid } => format!("Could not remove {jid}"),
        Command::ApproveSubscription { jid } => format!("Could not approve {jid}"),
        Command::DenySubscription { jid } => format!("Could not deny {jid}"),
        Command::SendMessage { to, .. } => format!("Could not send to {to}"),
        Command::CatchUp { .. } => "Could not load missed messages".into(),
        Command::LoadHistory { with, .. } => crate::mam::history_what(with),
        Command::SetActive(_) => "Could not change activity".into(),
        Command::Disconnect => "Could not sign out".into(),
        Command::SendChatState { to, .. } | Command::MarkDisplayed { to, .. } => {
            format!("Could not send to {to}")
        }
        Command::SetReceipts(_) => "Could not change receipts".into(),
        Command::Block { jid } => crate::blocking::Request::Block(jid.clone()).what(),
        Command::RequestUploadSlot { filename, .. } => format!("Could not upload {filename}"),
        Command::Unblock { jid } => crate::blocking::Request::Unblock(jid.clone()).what(),
        Command::Correct { to, .. } | Command::Retract { to, .. } | Command::React { to, .. } => {
            format!("Could not change a message to {to}")
        }
        Command::JoinRoom { room, .. } | Command::CreateInstantRoom { room, .. } => {
            format!("Could not join {room}")
        }
        Command::LeaveRoom { room } => format!("Could not leave {room}"),
        Command::ChangeNick { room, .. } => format!("Could not change your nickname in {room}"),
        Command::SetSubject { room, .. } => format!("Could not change the subject of {room}"),
        Command::SendGroupMessage { room, .. } | Command::SendPrivateMessage { room, .. } => {
            format!("Could not send to {room}")
        }
        Command::GetRoomConfig { room } => format!("Could not load the settings of {room}"),
        Command::SubmitRoomConfig(config) => {
            format!("Could not change the settings of {}", config.room)
        }
        Command::Kick { room, nick, .. } => format!("Could not kick {nick} from {room}"),
        Command::Ban { room, jid, .. } => format!("Could not ban {jid} from {room}"),
        Command::SetRole { room, nick, .. } => {
            format!("Could not change the role of {nick} in {room}")
        }
        Command::SetAffiliation { room, jid, .. } => {
            format!("Could not change the affiliation of {jid} in {room}")
        }
        Command::Invite { room, to, .. } => format!("Could not invite {to} to {room}"),
        Command::DeclineInvitation { room, .. } => {
            format!("Could not decline the invitation to {room}")
        }
        Command::ListRooms { service } => format!("Could not list the rooms of {service}"),
        Command::RoomInfo { room } => format!("Could not get the details of {room}"),
        Command::SetBookmark(bookmark) => format!("Could not bookmark {}", bookmark.room),
        Command::RemoveBookmark { room } => format!("Could not remove the bookmark {room}"),
        Command::LoadRoomHistory { room, .. } => crate::mam::room_history_what(room),
        Command::FetchAvatar { jid, .. } => format!("Could not load the avatar of {jid}"),
        Command::FetchProfile { jid } => format!("Could not load the details of {jid}"),
        Command::PublishAvatar { .. } => "Could not change your avatar".into(),
        Command::SetNickname { .. } => "Could not change your nickname".into(),
    }
}
