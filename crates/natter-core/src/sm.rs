//! XEP-0198 stream management: the stanza counters, the queue of stanzas the server has not yet
//! acknowledged, and [`Resumption`], what a lost session hands to the next one.
//!
//! Counters are XEP-0198 `h` values: unsigned 32-bit, wrapping at 2^32 (§4), so every
//! comparison is a wrapping difference.

use std::collections::VecDeque;

use jid::{BareJid, FullJid, Jid};
use minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::sm::{Enable, Enabled, HandledCountTooHigh, Resume, StreamId, A, R};

/// A session that sent this many stanzas without a single acknowledgement is not doing stream
/// management; keeping more would only let a broken server grow our memory.
pub const MAX_UNACKED: usize = 5_000;

/// What a session that ended by accident hands to the next [`crate::Client`] through
/// [`crate::Config::resumption`]: the XEP-0198 session to resume, the stanzas the server never
/// confirmed, the messages that never reached the wire and the rooms to be in. Holds no account
/// credentials (only the passwords of the rooms in `rooms`); the fields are public so the app
/// may keep it (e.g. across a page reload) as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumption {
    /// The account it belongs to: a `Client` for any other account ignores it, so nothing
    /// written as one account is ever sent as another.
    pub account: BareJid,
    /// The stream to resume with `<resume/>`; `None` when stream management was off or the
    /// server did not allow resumption. Without it the next session binds afresh and sends
    /// the messages in `unacked` and `queued` again.
    pub stream: Option<ResumableStream>,
    /// Stanzas sent but never acknowledged, oldest first. After a successful resumption all of
    /// them that the server did not get are sent again; after a fresh bind only the messages.
    pub unacked: Vec<PendingStanza>,
    /// Messages the user wrote that never went on the wire (the session was not online yet).
    pub queued: Vec<QueuedMessage>,
    /// The group chats the session was in (or joining): a resumed stream is still in them, a
    /// fresh session joins them again.
    pub rooms: Vec<crate::muc::rooms::JoinedRoom>,
}

impl Resumption {
    /// Where the server prefers the resumption to connect (`<enabled location/>`), verbatim:
    /// usually `host:port` of a plain XMPP socket, which a WebSocket driver cannot use as is.
    pub fn location(&self) -> Option<&str> {
        self.stream.as_ref().and_then(|s| s.location.as_deref())
    }

    /// The messages (id, conversation) this resumption will deliver: unacknowledged ones first,
    /// then the never-sent ones. The app can mark them pending instead of sending them itself.
    pub fn pending_messages(&self) -> Vec<(String, BareJid)> {
        let unacked = self
            .unacked
            .iter()
            .filter_map(|s| s.message.as_ref())
            .map(|m| (m.id.clone(), m.peer.clone()));
        let queued = self.queued.iter().map(|q| (q.id.clone(), q.to.to_bare()));
        unacked.chain(queued).collect()
    }

    /// Nothing to resume, nothing to send.
    pub(crate) fn is_empty(&self) -> bool {
        self.stream.is_none()
            && self.unacked.is_empty()
            && self.queued.is_empty()
            && self.rooms.is_empty()
    }
}

/// The server-side state of a stream-managed session, as far as the client knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumableStream {
    /// `<enabled id/>`: the `previd` to resume with.
    pub id: String,
    /// `<enabled location/>`, if the server named one.
    pub location: Option<String>,
    /// The full JID the session was bound to; a resumed session keeps it.
    pub jid: FullJid,
    /// How many stanzas we handled from the server (our `h`).
    pub inbound: u32,
    /// How many of our stanzas the server had acknowledged; `unacked` follows on from there.
    pub acked: u32,
    /// What XEP-0352 state the server holds for the session (`true` = inactive).
    pub inactive: bool,
}

/// One stanza kept until the server acknowledges it: its frame exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingStanza {
    pub frame: String,
    /// Set for a message with a body (what `MessageAcked` reports and a fresh session resends).
    pub message: Option<PendingMessage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMessage {
    pub id: String,
    pub peer: BareJid,
}

/// A message the user wrote before the session was online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMessage {
    pub to: Jid,
    pub id: String,
    pub body: String,
    pub ext: crate::MessageExt,
}

/// The server acknowledged more stanzas than we sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyAcked {
    pub h: u32,
    pub sent: u32,
}

impl TooManyAcked {
    /// Plain words for `Error::Protocol`.
    pub fn describe(&self) -> String {
        format!(
            "it confirmed {} stanzas when only {} had been sent",
            self.h, self.sent
        )
    }

    /// XEP-0198 §4: `<undefined-condition/>` with `<handled-count-too-high/>`.
    pub fn stream_error(&self) -> Element {
        let mut error = crate::stream::error(
            xmpp_parsers::stream_error::DefinedCondition::UndefinedCondition,
            &format!(
                "You acknowledged {} stanzas; {} were sent.",
                self.h, self.sent
            ),
        );
        error.append_child(
            HandledCountTooHigh {
                h: self.h,
                send_count: self.sent,
            }
            .into(),
        );
        error
    }
}

/// Stream management for one session.
#[derive(Default)]
pub struct StreamManagement {
    /// `<enable/>` or `<resume/>` went out: our stanzas count from here on.
    counting: bool,
    /// `<enabled/>` or `<resumed/>` came back: the server's stanzas count, `<r/>` may be sent.
    enabled: bool,
    /// Resumption id, location and bound JID; set by `<enabled resume/>` or a loaded
    /// [`ResumableStream`].
    resumable: Option<(String, Option<String>, FullJid)>,
    inbound: u32,
    acked: u32,
    unacked: VecDeque<PendingStanza>,
    /// An `<r/>` is out and its `<a/>` not yet in: never more than one at a time.
    requested: bool,
}

impl StreamManagement {
    /// Picks up a previous session's state for `<resume/>`.
    pub fn load(stream: &ResumableStream, unacked: Vec<PendingStanza>) -> Self {
        StreamManagement {
            resumable: Some((
                stream.id.clone(),
                stream.location.clone(),
                stream.jid.clone(),
            )),
            inbound: stream.inbound,
            acked: stream.acked,
            unacked: unacked.into(),
            ..Default::default()
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn has_resumable(&self) -> bool {
        self.resumable.is_some()
    }

    /// `<enable resume='true'/>`; stanzas sent after it are counted (§4).
    pub fn enable(&mut self) -> Element {
        *self = StreamManagement {
            counting: true,
            ..Default::default()
        };
        Enable::new().with_resume().into()
    }

    /// `<enabled/>`: the server counts from here, so do we. The bound JID is what a resumed
    /// session will be.
    pub fn on_enabled(&mut self, enabled: Enabled, jid: FullJid) {
        if !self.counting || self.enabled {
            return;
        }
        self.enabled = true;
        self.inbound = 0;
        self.resumable = match enabled.id {
            Some(StreamId(id)) if enabled.resume && !id.is_empty() => {
                Some((id, enabled.location.filter(|l| !l.is_empty()), jid))
            }
            _ => None,
        };
    }

    /// `<resume previd h/>` for the loaded session; outbound counting goes on from its `acked`.
    pub fn resume(&mut self) -> Option<Element> {
        let (id, _, _) = self.resumable.as_ref()?;
        let element = Resume {
            h: self.inbound,
            previd: StreamId(id.clone()),
        }
        .into();
        self.counting = true;
        Some(element)
    }

    /// `<resumed h/>`: the stanzas it covers are confirmed and returned; the rest, still queued,
    /// are what to send again ([`Self::retransmit`]).
    pub fn on_resumed(&mut self, h: u32) -> Result<Vec<PendingStanza>, TooManyAcked> {
        let acked = self.ack(h)?;
        self.enabled = true;
        Ok(acked)
    }

    /// The full JID of the loaded or enabled resumable session.
    pub fn jid(&self) -> Option<&FullJid> {
        self.resumable.as_ref().map(|(_, _, jid)| jid)
    }

    /// The frames to send again after `<resumed/>`, oldest first.
    pub fn retransmit(&self) -> Vec<String> {
        self.unacked.iter().map(|s| s.frame.clone()).collect()
    }

    /// The stream cannot be (or was not) resumed. Returns the stanzas `<failed h/>` (what the
    /// server says it handled, if it said so and it makes sense) confirms, and the messages it
    /// did not, to send once more in a fresh session.
    pub fn fail(&mut self, h: Option<u32>) -> (Vec<PendingStanza>, Vec<PendingStanza>) {
        let confirmed = match h.map(|h| self.ack(h)) {
            Some(Ok(confirmed)) => confirmed,
            _ => Vec::new(),
        };
        let resend = std::mem::take(&mut self.unacked)
            .into_iter()
            .filter(|s| s.message.is_some())
            .collect();
        *self = StreamManagement::default();
        (confirmed, resend)
    }

    /// `<failed/>` to our `<enable/>`: the session goes on without stream management.
    pub fn disable(&mut self) {
        *self = StreamManagement::default();
    }

    /// Waiting for `<enabled/>` or `<failed/>` to an `<enable/>`.
    pub fn enabling(&self) -> bool {
        self.counting && !self.enabled
    }

    /// A stanza from the server (§4: only stanzas count, never nonzas).
    pub fn count_inbound(&mut self) {
        if self.enabled {
            self.inbound = self.inbound.wrapping_add(1);
        }
    }

    /// Keeps a copy of a stanza we just sent, until it is acknowledged.
    pub fn sent(&mut self, element: &Element, frame: &str) {
        if self.counting && is_stanza(element) {
            self.unacked.push_back(PendingStanza {
                frame: frame.to_owned(),
                message: message_of(element),
            });
        }
    }

    /// `<a h/>`: drops and returns what it newly covers. An `h` beyond what we sent (including
    /// one that went backwards, which wraps to a huge difference) is the server's error.
    pub fn ack(&mut self, h: u32) -> Result<Vec<PendingStanza>, TooManyAcked> {
        let covered = h.wrapping_sub(self.acked) as usize;
        if covered > self.unacked.len() {
            return Err(TooManyAcked {
                h,
                sent: self.acked.wrapping_add(self.unacked.len() as u32),
            });
        }
        self.requested = false;
        self.acked = h;
        Ok(self.unacked.drain(..covered).collect())
    }

    /// `<a h/>` answering the server's `<r/>`.
    pub fn answer(&self) -> Element {
        A::new(self.inbound).into()
    }

    /// An `<r/>` if stanzas wait for confirmation and none is asked for yet.
    pub fn request_if_needed(&mut self) -> Option<Element> {
        if !self.enabled || self.requested || self.unacked.is_empty() {
            return None;
        }
        Some(self.request())
    }

    /// An `<r/>` regardless (keepalive: any answer proves the server alive).
    pub fn request(&mut self) -> Element {
        self.requested = true;
        R.into()
    }

    pub fn unacked_len(&self) -> usize {
        self.unacked.len()
    }

    /// What this session hands on: the resumable stream if there is one (then every unacked
    /// stanza), else only the messages among the unacked stanzas.
    pub fn hand_over(&mut self, inactive: bool) -> (Option<ResumableStream>, Vec<PendingStanza>) {
        let unacked: Vec<_> = std::mem::take(&mut self.unacked).into();
        match self.resumable.take() {
            Some((id, location, jid)) => (
                Some(ResumableStream {
                    id,
                    location,
                    jid,
                    inbound: self.inbound,
                    acked: self.acked,
                    inactive,
                }),
                unacked,
            ),
            None => (
                None,
                unacked
                    .into_iter()
                    .filter(|s| s.message.is_some())
                    .collect(),
            ),
        }
    }
}

/// RFC 6120 stanzas; XEP-0198 counts these and nothing else.
pub fn is_stanza(element: &Element) -> bool {
    element.ns() == ns::JABBER_CLIENT && matches!(element.name(), "message" | "presence" | "iq")
}

/// A message with a body, an id and a recipient: one the user wrote.
fn message_of(element: &Element) -> Option<PendingMessage> {
    if !element.is("message", ns::JABBER_CLIENT)
        || element.attr("type") == Some("error")
        || !element.has_child("body", ns::JABBER_CLIENT)
    {
        return None;
    }
    let id = element.attr("id").filter(|id| !id.is_empty())?;
    let peer = element.attr("to").and_then(|to| Jid::new(to).ok())?;
    Some(PendingMessage {
        id: id.to_owned(),
        peer: peer.into_bare(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stanza(n: u32) -> Element {
        Element::builder("iq", ns::JABBER_CLIENT)
            .attr(minidom::rxml::xml_ncname!("id").into(), n.to_string())
            .build()
    }

    fn enabled(resume: bool) -> Enabled {
        Enabled {
            id: Some(StreamId("s1".into())),
            location: None,
            max: None,
            resume,
        }
    }

    fn jid() -> FullJid {
        "u@example.org/r".parse().unwrap()
    }

    #[test]
    fn counts_wrap_at_two_to_the_32() {
        let mut sm = StreamManagement::load(
            &ResumableStream {
                id: "s1".into(),
                location: None,
                jid: jid(),
                inbound: u32::MAX,
                acked: u32::MAX - 1,
                inactive: false,
            },
            Vec::new(),
        );
        sm.resume().unwrap();
        sm.on_resumed(u32::MAX - 1).unwrap();
        assert_eq!(sm.jid(), Some(&jid()));
        for n in 0..3 {
            sm.sent(&stanza(n), "x");
        }
        sm.count_inbound();
        assert_eq!(A::try_from(sm.answer()).unwrap().h, 0);
        assert_eq!(sm.ack(0).unwrap().len(), 2);
        assert_eq!(sm.ack(1).unwrap().len(), 1);
        assert_eq!(sm.ack(2), Err(TooManyAcked { h: 2, sent: 1 }));
    }

    #[test]
    fn nonzas_and_stanzas_before_enable_are_not_counted() {
        let mut sm = StreamManagement::default();
        sm.sent(&stanza(1), "x");
        assert_eq!(sm.unacked_len(), 0);
        sm.enable();
        sm.sent(&R.into(), "r");
        sm.sent(&stanza(2), "y");
        assert_eq!(sm.unacked_len(), 1);
        sm.count_inbound();
        sm.on_enabled(enabled(true), jid());
        sm.count_inbound();
        assert_eq!(A::try_from(sm.answer()).unwrap().h, 1);
        // A stale ack (h going backwards) is as wrong as one from the future.
        sm.ack(1).unwrap();
        assert!(sm.ack(0).is_err());
    }

    #[test]
    fn one_request_at_a_time() {
        let mut sm = StreamManagement::default();
        sm.enable();
        sm.on_enabled(enabled(false), jid());
        assert!(sm.request_if_needed().is_none());
        sm.sent(&stanza(1), "x");
        assert!(sm.request_if_needed().is_some());
        sm.sent(&stanza(2), "y");
        assert!(sm.request_if_needed().is_none());
        sm.ack(1).unwrap();
        assert!(sm.request_if_needed().is_some());
        let (stream, unacked) = sm.hand_over(false);
        assert!(stream.is_none(), "not resumable");
        assert!(
            unacked.is_empty(),
            "only messages are handed on without a stream"
        );
    }
}
