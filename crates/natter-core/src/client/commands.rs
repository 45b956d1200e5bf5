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
        match command {
            Command::Disconnect => self.disconnect(),
            Command::SetActive(active) => self.set_active(active),
            Command::SendMessage { to, id, body } if online => self.send_chat(to, &id, &body),
            // Kept until online so nothing the user wrote while signing in is lost.
            Command::SendMessage { to, id, body } => self.queued.push_back(Queued { to, id, body }),
            other if !online => self.events.push_back(Event::RequestFailed {
                what: failure_what(&other),
                reason: "you are not signed in yet".into(),
            }),
            Command::SetPresence { show, status } => {
                self.send(presence::available(
                    show,
                    status.as_deref(),
                    self.disco.caps(),
                ));
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
            Command::CatchUp { after } => self.catch_up(now, after),
            Command::LoadHistory { with, before, max } => {
                self.load_history(now, with, before, max);
            }
        }
    }

    pub(super) fn send_chat(&mut self, to: Jid, id: &str, body: &str) {
        let peer: BareJid = to.to_bare();
        let Some(from) = self.bound.clone() else {
            return;
        };
        if self.send(message::chat(to, id, body)) {
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
    }
}
