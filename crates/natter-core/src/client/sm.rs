//! XEP-0198 in the session: enabling after bind, resuming after SASL, acks both ways, and what
//! an ended session hands to the next one.

use minidom::Element;
use xmpp_parsers::sm::{Enabled, Resumed, A};
use xmpp_parsers::stream_error::DefinedCondition as StreamCondition;

use super::{Client, Phase, Transmit};
use crate::sm::{PendingStanza, StreamManagement, TooManyAcked, MAX_UNACKED};
use crate::stream::Features;
use crate::{Error, Event, Instant, Resumption};

/// How long to wait for `<resumed/>` or `<failed/>` before giving the stream up. A server
/// answers `<resume/>` at once (one round trip); giving up only costs a fresh bind, the
/// messages resent under their ids and an archive catch-up, while waiting keeps the user
/// offline.
const RESUME_WAIT_MS: u64 = 3_000;

impl Client {
    /// `Client::new`: what the previous session left. A resumable stream is loaded for
    /// `<resume/>`; without one, its unconfirmed messages wait to be sent again once online.
    pub(super) fn take_over(&mut self, prior: Resumption) {
        let Resumption {
            account,
            stream,
            unacked,
            queued,
            rooms,
        } = prior;
        if account != self.config.jid {
            return;
        }
        // An anonymous sign-in makes a new account each time, and servers resume a stream only
        // for the account that owned it: asking would only cost a round trip (or, with
        // Prosody 0.12 over BOSH, the whole resume wait). Its unconfirmed messages still go.
        let stream = stream.filter(|_| !self.is_anonymous());
        self.carry_rooms(rooms);
        match stream {
            Some(stream) => {
                self.sm = StreamManagement::load(&stream, unacked);
                self.server_inactive = stream.inactive;
            }
            None => {
                self.resend = unacked
                    .into_iter()
                    .filter(|s| s.message.is_some())
                    .collect()
            }
        }
        self.queued.extend(queued);
    }

    /// Authenticated, stream restarted: resume the previous session if the server can, else
    /// bind a new one.
    pub(super) fn after_auth(&mut self, now: Instant, features: Features) {
        self.features = features;
        if self.features.sm {
            if let Some(resume) = self.sm.resume() {
                self.send(resume);
                // A server that cannot resume should say `<failed/>`; Prosody 0.12's smacks
                // crashes on `<resume/>` over BOSH and says nothing. Waiting the whole sign-in
                // timeout for it, every time, would keep the user offline.
                let deadline = now.after(RESUME_WAIT_MS);
                self.login_deadline =
                    Some(self.login_deadline.map_or(deadline, |d| d.min(deadline)));
                self.set_phase(Phase::Resuming);
                return;
            }
        }
        self.forget_stream(None);
        let features = self.features.clone();
        self.bind(now, &features);
    }

    /// Enables stream management for a freshly bound session, if the server offers it. Stanzas
    /// sent from here on are counted, even before `<enabled/>` comes back (§4).
    /// Not for anonymous visitors: a new sign-in is a new account that cannot resume the old
    /// one's stream (servers key resumption by account), and a BOSH session continued on the
    /// next page ([`Client::attach`]) could not know the counts the old page's core kept.
    pub(super) fn enable_sm(&mut self) {
        if self.features.sm && !self.is_anonymous() {
            let enable = self.sm.enable();
            self.send(enable);
        }
    }

    /// Messages a lost session never got confirmed, sent again with their original ids (the
    /// recipients and the store deduplicate by id).
    pub(super) fn resend_unconfirmed(&mut self) {
        for stanza in std::mem::take(&mut self.resend) {
            // Our own serialization; should it not parse (edited by hand), nothing can be sent.
            let Ok(element) = stanza.frame.parse::<Element>() else {
                continue;
            };
            if let Some(message) = &stanza.message {
                self.sent.remember(&message.id, &message.peer);
            }
            self.send(element);
        }
    }

    pub(super) fn on_sm(&mut self, now: Instant, element: Element) {
        match element.name() {
            "r" if self.sm.enabled() => {
                let answer = self.sm.answer();
                self.send(answer);
            }
            "a" if self.sm.enabled() => match A::try_from(element) {
                Ok(a) => match self.sm.ack(a.h) {
                    Ok(confirmed) => self.report_acked(confirmed),
                    Err(err) => self.too_many_acked(err),
                },
                Err(_) => self.protocol_failure(
                    StreamCondition::InvalidXml,
                    "it sent an unreadable stream management count".into(),
                ),
            },
            "enabled" if self.sm.enabling() && matches!(self.phase, Phase::Online) => {
                match (Enabled::try_from(element), self.bound.clone()) {
                    (Ok(enabled), Some(jid)) => self.sm.on_enabled(enabled, jid),
                    _ => self.protocol_failure(
                        StreamCondition::InvalidXml,
                        "it sent an unreadable answer to enabling stream management".into(),
                    ),
                }
            }
            "resumed" if matches!(self.phase, Phase::Resuming) => self.resumed(now, element),
            "failed" if matches!(self.phase, Phase::Resuming) => {
                // Read by hand: servers add a `<text/>` that xmpp-parsers' `Failed` rejects.
                let h = element.attr("h").and_then(|h| h.trim().parse().ok());
                self.resume_failed(now, h);
            }
            // The session goes on without stream management.
            "failed" if self.sm.enabling() => self.sm.disable(),
            _ => {}
        }
    }

    fn resumed(&mut self, now: Instant, element: Element) {
        let Ok(resumed) = Resumed::try_from(element) else {
            self.protocol_failure(
                StreamCondition::InvalidXml,
                "it sent an unreadable answer to resuming the session".into(),
            );
            return;
        };
        let confirmed = match self.sm.on_resumed(resumed.h) {
            Ok(confirmed) => confirmed,
            Err(err) => {
                self.too_many_acked(err);
                return;
            }
        };
        let Some(jid) = self.sm.jid().cloned() else {
            return;
        };
        self.report_acked(confirmed);
        self.account = jid.to_bare();
        self.bound = Some(jid.clone());
        // Already counted and queued in the old session: send as they were, not counted again.
        for frame in self.sm.retransmit() {
            self.transmits.push_back(Transmit::Frame(frame));
        }
        self.login_deadline = None;
        self.events.push_back(Event::Online { jid, resumed: true });
        self.set_phase(Phase::Online);
        self.keepalive.start(now);
        self.sync_activity();
        self.rooms_resumed(now);
        for queued in std::mem::take(&mut self.queued) {
            self.send_chat(queued.to, &queued.id, &queued.body, queued.ext);
        }
    }

    /// `<failed/>` to `<resume/>`: the old session is gone. What `h` confirms is confirmed; the
    /// other messages go out again in a new session.
    fn resume_failed(&mut self, now: Instant, h: Option<u32>) {
        self.forget_stream(h);
        self.server_inactive = false;
        let features = self.features.clone();
        self.bind(now, &features);
    }

    fn forget_stream(&mut self, h: Option<u32>) {
        let (confirmed, resend) = self.sm.fail(h);
        self.report_acked(confirmed);
        self.resend.extend(resend);
    }

    fn report_acked(&mut self, confirmed: Vec<PendingStanza>) {
        for message in confirmed.into_iter().filter_map(|s| s.message) {
            self.events.push_back(Event::MessageAcked {
                id: message.id,
                peer: message.peer,
            });
        }
    }

    fn too_many_acked(&mut self, err: TooManyAcked) {
        self.send(err.stream_error());
        self.end(
            Err(Error::Protocol(format!(
                "its stream management count is wrong: {}",
                err.describe()
            ))),
            true,
            true,
        );
    }

    /// After every input: ask for an acknowledgement of what went out (one request at a time,
    /// so a burst of stanzas costs one `<r/>`).
    pub(super) fn after_input(&mut self) {
        if matches!(self.phase, Phase::Ended(_)) {
            return;
        }
        if self.sm.unacked_len() > MAX_UNACKED {
            self.protocol_failure(
                StreamCondition::PolicyViolation,
                format!("it confirmed none of the last {MAX_UNACKED} stanzas"),
            );
            return;
        }
        if let Some(request) = self.sm.request_if_needed() {
            self.send(request);
        }
    }

    /// The session ended: build the [`Resumption`] if a next session can deliver what this
    /// one could not; otherwise report the messages that never went out as failed.
    pub(super) fn hand_over(&mut self, error: Option<&Error>) {
        let carry = !self.signed_out
            && !matches!(
                error,
                Some(Error::AuthFailed { .. } | Error::NoUsableMechanism { .. })
            )
            && !matches!(error, Some(Error::StreamError { condition, .. }) if condition == "conflict");
        // The server closed (or we broke) a stream that carried the session: it is gone there.
        let server_ended = matches!(
            error,
            None | Some(Error::StreamError { .. } | Error::Redirect { .. } | Error::Protocol(_))
        );
        let live = self.sm.enabled();
        // Loaded from the previous session and never resumed: nothing of it went out here.
        let from_before = self.sm.has_resumable() && !live;
        // `<resume/>` went unanswered: this server will not resume it (see `after_auth`), so
        // the next session binds afresh and resends the messages instead of asking again.
        let resume_ignored =
            matches!(self.phase, Phase::Resuming) && matches!(error, Some(Error::Timeout));
        let (mut stream, mut unacked) = self.sm.hand_over(self.server_inactive);
        if stream.is_some() && ((live && server_ended) || resume_ignored) {
            stream = None;
            unacked.retain(|s| s.message.is_some());
        }
        if !from_before && !carry {
            // Unconfirmed stanzas of this very session did go out.
            unacked.clear();
        }
        unacked.append(&mut self.resend);
        let queued: Vec<_> = std::mem::take(&mut self.queued).into();
        if carry {
            let resumption = Resumption {
                account: self.config.jid.clone(),
                stream,
                unacked,
                queued,
                rooms: self.rooms.carry(),
            };
            self.resumption = (!resumption.is_empty()).then_some(resumption);
            return;
        }
        let never_sent = queued.into_iter().map(|q| {
            let reason = "not sent: the session ended before it was online";
            (q.id, q.to.into_bare(), reason)
        });
        let unconfirmed = unacked.into_iter().filter_map(|s| s.message).map(|m| {
            let reason = "not confirmed by the server, and signing in again failed";
            (m.id, m.peer, reason)
        });
        for (id, peer, reason) in unconfirmed.chain(never_sent) {
            self.events.push_back(Event::MessageFailed {
                id,
                peer,
                reason: reason.into(),
            });
        }
    }
}
