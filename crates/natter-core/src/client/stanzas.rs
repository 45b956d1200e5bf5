//! Stanzas once the stream is authenticated: IQ requests we answer, answers to ours, messages
//! and presences.

use jid::Jid;
use minidom::Element;
use xmpp_parsers::disco::DiscoInfoQuery;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::ns;
use xmpp_parsers::presence::Presence;
use xmpp_parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};

use super::{Client, Phase};
use crate::iq::{self, describe, IqKind};
use crate::sender::{self, Own};
use crate::{Error, Event, Instant};

pub(super) const ROSTER_WHAT: &str = "Could not load the contact list";
const TIMED_OUT: &str = "the server did not answer in time";

impl Client {
    pub(super) fn on_stanza(&mut self, now: Instant, element: Element) {
        if element.ns() != ns::JABBER_CLIENT {
            return;
        }
        match element.name() {
            "iq" => self.on_iq(now, element),
            // Messages and presences before we are online would have nowhere to go.
            "message" if matches!(self.phase, Phase::Online) => self.on_message(now, element),
            "presence" if matches!(self.phase, Phase::Online) => {
                if let Ok(presence) = Presence::try_from(element) {
                    self.on_presence(now, presence);
                }
            }
            _ => {}
        }
    }

    fn on_iq(&mut self, now: Instant, element: Element) {
        // Kept aside so a request we cannot parse still gets an error reply.
        let id = element.attr("id").map(str::to_owned);
        let type_ = element.attr("type").map(str::to_owned);
        let from = element.attr("from").and_then(|f| Jid::new(f).ok());
        let iq = match Iq::try_from(element) {
            Ok(iq) => iq,
            Err(_) => {
                if let (Some(id), Some("get" | "set")) = (id, type_.as_deref()) {
                    let reply =
                        iq::error(from, &id, ErrorType::Modify, DefinedCondition::BadRequest);
                    self.send(reply);
                }
                return;
            }
        };
        match iq {
            Iq::Get {
                from, id, payload, ..
            } => self.on_get(from, &id, payload),
            Iq::Set {
                from, id, payload, ..
            } => self.on_set(from, &id, payload),
            Iq::Result {
                from, id, payload, ..
            } => {
                if let Some(kind) = self.take_answer(&id, from) {
                    self.request_answered(now, kind, payload);
                }
            }
            Iq::Error {
                from, id, error, ..
            } => {
                if let Some(kind) = self.take_answer(&id, from) {
                    self.request_failed(now, kind, &error);
                }
            }
        }
    }

    /// The request an answer is for; `None` (reported as dropped) for an answer to no request
    /// of ours or from someone we did not ask.
    fn take_answer(&mut self, id: &str, from: Option<Jid>) -> Option<IqKind> {
        let own = Own {
            bare: &self.account,
            full: self.bound.as_ref(),
        };
        match self.iqs.take_answer(id, from.as_ref(), &own) {
            Ok(kind) => Some(kind),
            Err(reason) => {
                self.events
                    .push_back(sender::dropped(from.as_ref(), reason));
                None
            }
        }
    }

    fn on_get(&mut self, from: Option<Jid>, id: &str, payload: Element) {
        let reply = if payload.is("ping", ns::PING) {
            iq::result(from, id, None)
        } else if payload.is("query", ns::DISCO_INFO) {
            match DiscoInfoQuery::try_from(payload)
                .ok()
                .map(|q| self.disco.answer(&q))
            {
                Some(Some(info)) => iq::result(from, id, Some(info)),
                Some(None) => {
                    iq::error(from, id, ErrorType::Cancel, DefinedCondition::ItemNotFound)
                }
                None => iq::error(from, id, ErrorType::Modify, DefinedCondition::BadRequest),
            }
        } else {
            iq::service_unavailable(from, id)
        };
        self.send(reply);
    }

    fn on_set(&mut self, from: Option<Jid>, id: &str, payload: Element) {
        if crate::blocking::is_push(&payload) {
            self.blocking_push(from, id, payload);
            return;
        }
        if !payload.is("query", ns::ROSTER) {
            self.send(iq::service_unavailable(from, id));
            return;
        }
        // RFC 6121 §2.1.6: a push from anyone but our own account is forged; ignore it.
        if !self.own().is_account(from.as_ref()) {
            self.events.push_back(sender::dropped(
                from.as_ref(),
                "a roster push not from our own account",
            ));
            return;
        }
        self.roster_push(from, id, payload);
    }

    fn request_answered(&mut self, now: Instant, kind: IqKind, payload: Option<Element>) {
        match kind {
            IqKind::Bind => self.bind_answered(now, payload),
            IqKind::Session => self.go_online(now),
            IqKind::RosterGet => {
                self.roster_answered(payload);
                self.roster_settled(now);
            }
            // The roster push that follows carries the change.
            IqKind::RosterSet { .. } => {}
            IqKind::ServerInfo => self.server_info(now, payload),
            IqKind::CarbonsEnable => self.events.push_back(Event::CarbonsEnabled),
            IqKind::Archive { queryid } => self.archive_answered(now, &queryid, payload),
            IqKind::Room(kind) => self.room_answered(now, kind, payload),
            IqKind::Profile(kind) => self.profile_answered(now, kind, payload),
            IqKind::Blocking(request) => self.blocking_answered(request, payload),
            IqKind::Upload(kind) => self.upload_answered(now, kind, payload),
        }
    }

    fn request_failed(&mut self, now: Instant, kind: IqKind, error: &StanzaError) {
        match kind {
            IqKind::Bind | IqKind::Session => self.login_refused(error),
            // The session works without carbons; there is nothing for the user to do.
            IqKind::ServerInfo | IqKind::CarbonsEnable => {}
            IqKind::Archive { queryid } => {
                let unknown_id = error.defined_condition == DefinedCondition::ItemNotFound;
                self.archive_failed(now, &queryid, describe(error), unknown_id);
            }
            IqKind::RosterGet => {
                self.events.push_back(Event::RequestFailed {
                    what: ROSTER_WHAT.into(),
                    reason: describe(error),
                });
                self.roster_settled(now);
            }
            IqKind::RosterSet { what } => self.events.push_back(Event::RequestFailed {
                what,
                reason: describe(error),
            }),
            IqKind::Room(kind) => self.room_failed(now, kind, Some(error)),
            IqKind::Profile(kind) => self.profile_failed(now, kind, Some(error)),
            IqKind::Blocking(request) => self.blocking_failed(request, Some(error)),
            IqKind::Upload(kind) => self.upload_failed(now, kind, Some(error)),
        }
    }

    pub(super) fn request_timed_out(&mut self, now: Instant, kind: IqKind) {
        match kind {
            IqKind::Bind | IqKind::Session => self.end(Err(Error::Timeout), true, true),
            IqKind::ServerInfo | IqKind::CarbonsEnable => {}
            IqKind::Archive { queryid } => {
                let events = self.archive.timed_out(&queryid, TIMED_OUT.into());
                self.events.extend(events);
            }
            IqKind::RosterGet => {
                self.events.push_back(Event::RequestFailed {
                    what: ROSTER_WHAT.into(),
                    reason: TIMED_OUT.into(),
                });
                self.roster_settled(now);
            }
            IqKind::RosterSet { what } => self.events.push_back(Event::RequestFailed {
                what,
                reason: TIMED_OUT.into(),
            }),
            IqKind::Room(kind) => self.room_failed(now, kind, None),
            IqKind::Profile(kind) => self.profile_failed(now, kind, None),
            IqKind::Blocking(request) => self.blocking_failed(request, None),
            IqKind::Upload(kind) => self.upload_failed(now, kind, None),
        }
    }
}
