//! The roster as the server sends it: the answer to our roster get (RFC 6121 §2.1.3, with
//! §2.6 versioning) and roster pushes (§2.1.6).

use jid::Jid;
use minidom::Element;
use xmpp_parsers::roster::Roster;
use xmpp_parsers::stanza_error::{DefinedCondition, ErrorType};

use super::stanzas::ROSTER_WHAT;
use super::Client;
use crate::roster::{self, Push};
use crate::{iq, Event, Instant};

impl Client {
    /// The roster get of this session is answered one way or another: time to announce
    /// ourselves, if that waited for it.
    pub(super) fn roster_settled(&mut self, now: Instant) {
        if self.awaiting_roster {
            self.announce(now);
        }
    }

    pub(super) fn roster_answered(&mut self, payload: Option<Element>) {
        let roster = match payload.map(Roster::try_from) {
            // RFC 6121 §2.6.3: an empty result to a versioned get means "what you have is
            // current".
            None if self.roster_versioned => {
                self.events.push_back(Event::RosterUnchanged);
                return;
            }
            // Without versioning an empty result is an empty roster.
            None => Roster {
                ver: None,
                items: Vec::new(),
            },
            Some(Ok(roster)) => roster,
            Some(Err(_)) => {
                self.events.push_back(Event::RequestFailed {
                    what: ROSTER_WHAT.into(),
                    reason: "the server's answer was not understood".into(),
                });
                return;
            }
        };
        let items: Vec<_> = roster
            .items
            .into_iter()
            .map(roster::to_event_item)
            .collect();
        self.roster.reset(&items);
        self.events.push_back(Event::RosterReset {
            items,
            ver: roster.ver.filter(|v| !v.is_empty()),
        });
    }

    /// A push from our own account (checked by the caller). With versioning each push carries
    /// the roster's new version, reported after the change it belongs to.
    pub(super) fn roster_push(&mut self, from: Option<Jid>, id: &str, payload: Element) {
        let Ok(mut push) = Roster::try_from(payload) else {
            self.send(iq::error(
                from,
                id,
                ErrorType::Modify,
                DefinedCondition::BadRequest,
            ));
            return;
        };
        let ver = push.ver.take().filter(|v| !v.is_empty());
        match roster::push(push) {
            Some(Push::Updated(item)) => {
                self.roster.upsert(&item);
                self.events.push_back(Event::RosterUpdated(item));
            }
            Some(Push::Removed(jid)) => {
                self.roster.remove(&jid);
                self.events.push_back(Event::RosterRemoved(jid));
            }
            None => {
                self.send(iq::error(
                    from,
                    id,
                    ErrorType::Modify,
                    DefinedCondition::BadRequest,
                ));
                return;
            }
        }
        if let Some(ver) = ver {
            self.events.push_back(Event::RosterVersion(ver));
        }
        self.send(iq::result(from, id, None));
    }
}
