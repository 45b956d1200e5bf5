//! XEP-0191 in the session: the blocklist is fetched once per fresh session when our server
//! offers it, changed by `Command::Block`/`Unblock`, and kept current by the server's pushes,
//! which only our own account (the server on its behalf) may send.

use jid::Jid;
use minidom::Element;
use xmpp_parsers::stanza_error::StanzaError;

use super::Client;
use crate::blocking::{self, Request};
use crate::iq::{self, describe, IqKind};
use crate::{sender, Event, Instant};

impl Client {
    /// Our server's disco#info came back: fetch the blocklist if it offers one. Without it
    /// no blocking event comes, which the store reads as "not supported".
    pub(super) fn blocking_server_info(&mut self, now: Instant, info: Option<&Element>) {
        if info.is_some_and(blocking::offered) {
            self.blocking_request(now, Request::List);
        }
    }

    pub(super) fn blocking_request(&mut self, now: Instant, request: Request) {
        let iq = match &request {
            Request::List => xmpp_parsers::iq::Iq::Get {
                from: None,
                to: None,
                id: String::new(),
                payload: blocking::payload(&request),
            },
            _ => blocking::set(&request),
        };
        self.send_request(now, iq, IqKind::Blocking(request));
    }

    /// A `<block/>` or `<unblock/>` IQ set.
    pub(super) fn blocking_push(&mut self, from: Option<Jid>, id: &str, payload: Element) {
        // XEP-0191 §3.3: pushes come from our own account; from anyone else they are forged,
        // and answered as any request we do not take from them.
        if !self.own().is_account(from.as_ref()) {
            self.events.push_back(sender::dropped(
                from.as_ref(),
                "a blocklist push not from our own account",
            ));
            self.send(iq::service_unavailable(from, id));
            return;
        }
        self.send(iq::result(from, id, None));
        if let Some(event) = blocking::push(payload) {
            self.events.push_back(event);
        }
    }

    pub(super) fn blocking_answered(&mut self, request: Request, payload: Option<Element>) {
        let event = request.answered(payload.as_ref());
        self.events.push_back(event);
    }

    /// `error`: `None` for a timeout.
    pub(super) fn blocking_failed(&mut self, request: Request, error: Option<&StanzaError>) {
        self.events.push_back(Event::RequestFailed {
            what: request.what(),
            reason: error
                .map(describe)
                .unwrap_or_else(|| "the server did not answer in time".into()),
        });
    }
}
