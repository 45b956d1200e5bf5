//! The copies of messages that reach us other than live: XEP-0280 carbons (what our other
//! devices send and receive) and XEP-0313 archive results, plus the requests that start them.
//! Every message stanza passes through [`Client::on_message`], which decides by the sender
//! (`sender`) whether a wrapper may be believed before unwrapping it.

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::disco::DiscoInfoQuery;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::mam::{Fin, Result_};
use xmpp_parsers::message::Message;
use xmpp_parsers::ns;

use super::awareness::Route;
use super::Client;
use crate::carbons::{self, Carbon};
use crate::iq::IqKind;
use crate::mam::Next;
use crate::message::{self, Copy};
use crate::sender;
use crate::{Direction, Event, Instant};

impl Client {
    /// Any message stanza once online.
    pub(super) fn on_message(&mut self, now: Instant, element: Element) {
        let Ok(message) = Message::try_from(element) else {
            return;
        };
        let is_result = message.payloads.iter().any(|p| p.is("result", ns::MAM));
        if is_result {
            if let Some(room) = self.is_room_archive(message.from.as_ref()) {
                self.on_room_archive_result(room, message);
                return;
            }
        }
        let Some(message) = (if is_result {
            Some(message)
        } else {
            self.room_message(now, message)
        }) else {
            return;
        };
        if is_result {
            self.on_archive_result(message);
        } else if carbons::is_carbon(&message) {
            self.on_carbon(message);
        } else if message.bodies.is_empty()
            && message
                .payloads
                .iter()
                .any(|p| p.is("forwarded", ns::FORWARD))
        {
            // A bare XEP-0297 forward proves nothing about who wrote what is inside; it is
            // believed only inside a carbon or an archive result, checked above.
            self.events.push_back(sender::dropped(
                message.from.as_ref(),
                "a forwarded message outside a carbon or an archive result",
            ));
        } else {
            self.awareness_live(&message);
            let Client {
                ids,
                sent,
                account,
                bound,
                ..
            } = self;
            let own = sender::Own {
                bare: account,
                full: bound.as_ref(),
            };
            if let Some(event) = message::incoming(message, &own, sent, || ids.next()) {
                self.events.push_back(event);
            }
        }
    }

    fn on_carbon(&mut self, message: Message) {
        let from = message.from.clone();
        if !self.own().is_own_bare(from.as_ref()) {
            self.drop_stanza(from, "a carbon not from our own account");
            return;
        }
        let (forwarded, direction) = match carbons::unwrap(message) {
            Some(Carbon::Received(forwarded)) => (forwarded, Direction::Incoming),
            Some(Carbon::Sent(forwarded)) => (forwarded, Direction::Outgoing),
            None => return,
        };
        // The copy must be of a message to us (received) or from us (sent); our server would
        // never wrap anything else.
        let ours = match direction {
            Direction::Incoming => &forwarded.message.to,
            Direction::Outgoing => &forwarded.message.from,
        };
        if ours.as_ref().is_some_and(|j| j.to_bare() != self.account) {
            self.drop_stanza(from, "a carbon of someone else's message");
            return;
        }
        self.awareness_copy(&forwarded.message, direction, Route::Carbon);
        let copy = Copy {
            delay: forwarded.delay,
            archive_id: None,
        };
        self.report_copy(forwarded.message, direction, copy);
    }

    fn on_archive_result(&mut self, mut message: Message) {
        let from = message.from.clone();
        if !self.own().is_own_bare(from.as_ref()) {
            self.drop_stanza(from, "an archive result not from our own account");
            return;
        }
        let Ok(Some(result)) = message.extract_payload::<Result_>() else {
            return;
        };
        let queryid = result.queryid.as_ref().map(|q| q.0.as_str());
        if !self.archive.accept(None, queryid, &result.id) {
            self.drop_stanza(from, "an archive result for no query of ours");
            return;
        }
        let inner = result.forwarded.message;
        // In our own archive, what we sent carries our JID as `from`; the rest was sent to us.
        let direction = if inner
            .from
            .as_ref()
            .is_some_and(|f| f.to_bare() == self.account)
        {
            Direction::Outgoing
        } else {
            Direction::Incoming
        };
        self.awareness_copy(&inner, direction, Route::Archive);
        let copy = Copy {
            delay: result.forwarded.delay,
            archive_id: Some(result.id),
        };
        self.report_copy(inner, direction, copy);
    }

    fn report_copy(&mut self, inner: Message, direction: Direction, copy: Copy) {
        let Client { ids, account, .. } = self;
        if let Some(m) = message::chat_message(inner, direction, account, Some(copy), || ids.next())
        {
            self.events.push_back(Event::Message(m));
        }
    }

    fn drop_stanza(&mut self, from: Option<Jid>, reason: &str) {
        self.events
            .push_back(sender::dropped(from.as_ref(), reason));
    }

    // ---- carbons ----

    /// Asks our server what it offers (XEP-0280 §3), to turn carbons on if it copies.
    pub(super) fn discover_server(&mut self, now: Instant) {
        let server = Jid::from(BareJid::from_parts(None, self.account.domain()));
        let id = self.ids.next();
        self.send(Iq::from_get(id.clone(), DiscoInfoQuery { node: None }).with_to(server.clone()));
        self.iqs.track(
            id,
            Some(server),
            now.after(self.config.iq_timeout_ms),
            IqKind::ServerInfo,
        );
    }

    pub(super) fn server_info(&mut self, now: Instant, payload: Option<Element>) {
        self.blocking_server_info(now, payload.as_ref());
        self.upload_server_info(now, payload.as_ref());
        if payload.as_ref().is_some_and(carbons::offered) {
            self.send_request(now, carbons::enable(), IqKind::CarbonsEnable);
        }
    }

    // ---- archive ----

    pub(super) fn catch_up(&mut self, now: Instant, after: Option<String>) {
        let queryid = self.ids.next();
        let query = self.archive.catch_up(queryid.clone(), after);
        self.send_archive_query(now, queryid, query);
    }

    pub(super) fn load_history(
        &mut self,
        now: Instant,
        with: BareJid,
        before: Option<String>,
        max: usize,
    ) {
        let queryid = self.ids.next();
        let query = self.archive.history(queryid.clone(), with, before, max);
        self.send_archive_query(now, queryid, query);
    }

    fn send_archive_query(&mut self, now: Instant, queryid: String, query: Element) {
        // To our own account: no `to` (XEP-0313 §4).
        let iq = Iq::Set {
            from: None,
            to: None,
            id: String::new(),
            payload: query,
        };
        self.send_request(now, iq, IqKind::Archive { queryid });
    }

    pub(super) fn archive_answered(
        &mut self,
        now: Instant,
        queryid: &str,
        payload: Option<Element>,
    ) {
        let fin = payload.and_then(|p| Fin::try_from(p).ok());
        let Client { archive, ids, .. } = self;
        let next = archive.finished(queryid, fin, || ids.next());
        self.archive_next(now, next);
    }

    /// A page failed; `unknown_id`: `item-not-found`, the archive does not know where we
    /// paged from.
    pub(super) fn archive_failed(
        &mut self,
        now: Instant,
        queryid: &str,
        reason: String,
        unknown_id: bool,
    ) {
        let Client { archive, ids, .. } = self;
        let next = archive.failed(queryid, reason, unknown_id, || ids.next());
        self.archive_next(now, next);
    }

    fn archive_next(&mut self, now: Instant, next: Next) {
        match next {
            Next::Page { queryid, query } => match self.archive.room_of(&queryid) {
                Some(room) => self.send_room_archive_query(now, room, queryid, query),
                None => self.send_archive_query(now, queryid, query),
            },
            Next::Done(events) => {
                self.note_room_events(&events);
                self.events.extend(events);
            }
        }
    }
}
