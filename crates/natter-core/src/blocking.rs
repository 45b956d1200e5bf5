//! XEP-0191 blocking command: the stanzas and the rules for reading them. The session side
//! (when to ask, who may push) is in `client/blocking.rs`.
//!
//! The blocklist lives on our server, which enforces it (it drops what blocked JIDs send and
//! hides our presence from them); the client only shows and edits it.

use jid::Jid;
use minidom::Element;
use xmpp_parsers::blocking::{Block, BlocklistRequest, BlocklistResult, Unblock};
use xmpp_parsers::disco::DiscoInfoResult;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::ns;

use crate::Event;

/// What a blocking request of ours was for, so its answer lands in the right place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// The blocklist, fetched once per fresh session.
    List,
    Block(Jid),
    Unblock(Jid),
}

impl Request {
    /// How a failure is named to the user ("…: reason").
    pub fn what(&self) -> String {
        match self {
            Request::List => "Could not load the blocked contacts".into(),
            Request::Block(jid) => format!("Could not block {jid}"),
            Request::Unblock(jid) => format!("Could not unblock {jid}"),
        }
    }

    /// What a successful answer means for the store. The server also pushes the change to
    /// every session (XEP-0191 §3.3), but not every server pushes to the one that asked: the
    /// answer itself is reported too, and the store applies both idempotently.
    pub fn answered(self, payload: Option<&Element>) -> Event {
        match self {
            Request::List => Event::BlockList(
                payload
                    .and_then(|p| BlocklistResult::try_from(p.clone()).ok())
                    .map(|r| dedup(r.items))
                    .unwrap_or_default(),
            ),
            Request::Block(jid) => Event::Blocked(vec![jid]),
            Request::Unblock(jid) => Event::Unblocked(vec![jid]),
        }
    }
}

/// Whether our server's disco#info lists the blocking command.
pub fn offered(info: &Element) -> bool {
    DiscoInfoResult::try_from(info.clone())
        .map(|info| info.features.iter().any(|f| f == ns::BLOCKING))
        .unwrap_or(false)
}

/// The IQ payload for `request`.
pub fn payload(request: &Request) -> Element {
    match request {
        Request::List => BlocklistRequest.into(),
        Request::Block(jid) => Block {
            items: vec![jid.clone()],
        }
        .into(),
        Request::Unblock(jid) => Unblock {
            items: vec![jid.clone()],
        }
        .into(),
    }
}

/// The IQ set for a change, to our own account (no `to`).
pub fn set(request: &Request) -> Iq {
    Iq::Set {
        from: None,
        to: None,
        id: String::new(),
        payload: payload(request),
    }
}

/// Whether an IQ set's payload is a blocklist push.
pub fn is_push(payload: &Element) -> bool {
    payload.is("block", ns::BLOCKING) || payload.is("unblock", ns::BLOCKING)
}

/// The event a push stands for; `None` for one we cannot read (a malformed JID in an item,
/// which `xmpp-parsers` refuses as a whole). An `<unblock/>` without items unblocks all
/// (`Unblocked(vec![])`); a `<block/>` without items changes nothing and reports nothing.
pub fn push(payload: Element) -> Option<Event> {
    if payload.is("block", ns::BLOCKING) {
        let items = dedup(Block::try_from(payload).ok()?.items);
        (!items.is_empty()).then_some(Event::Blocked(items))
    } else if payload.is("unblock", ns::BLOCKING) {
        Some(Event::Unblocked(dedup(
            Unblock::try_from(payload).ok()?.items,
        )))
    } else {
        None
    }
}

/// The list in the server's order, each JID once: the list is untrusted and may repeat items.
fn dedup(items: Vec<Jid>) -> Vec<Jid> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|j| seen.insert(j.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        s.parse().unwrap()
    }

    #[test]
    fn pushes_are_read() {
        let block = el("<block xmlns='urn:xmpp:blocking'><item jid='a@b'/><item jid='a@b'/><item jid='spam.example'/></block>");
        assert!(is_push(&block));
        assert_eq!(
            push(block),
            Some(Event::Blocked(vec![
                "a@b".parse().unwrap(),
                "spam.example".parse().unwrap()
            ]))
        );
        assert_eq!(
            push(el("<unblock xmlns='urn:xmpp:blocking'/>")),
            Some(Event::Unblocked(vec![]))
        );
        assert_eq!(push(el("<block xmlns='urn:xmpp:blocking'/>")), None);
        assert_eq!(
            push(el(
                "<block xmlns='urn:xmpp:blocking'><item jid='@@bad'/></block>"
            )),
            None
        );
        assert!(!is_push(&el("<query xmlns='jabber:iq:roster'/>")));
    }

    #[test]
    fn list_answer_without_payload_is_empty() {
        assert_eq!(Request::List.answered(None), Event::BlockList(vec![]));
        let list = el("<blocklist xmlns='urn:xmpp:blocking'><item jid='x@y/r'/></blocklist>");
        assert_eq!(
            Request::List.answered(Some(&list)),
            Event::BlockList(vec!["x@y/r".parse().unwrap()])
        );
    }
}
