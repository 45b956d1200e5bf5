//! XEP-0388 (SASL2) with XEP-0386 (Bind2) and XEP-0484 (FAST): what the server offers, the
//! `<authenticate/>` we send, and what its `<success/>` tells us. Elements are xmpp-parsers'
//! types; the state machine that drives them is `client::sasl`.

use std::collections::BTreeSet;

use jid::{BareJid, Jid};
use minidom::Element;
use sasl::common::scram::{ScramProvider, Sha256};
use xmpp_parsers::bind2::{BindQuery, Bound};
use xmpp_parsers::fast::{FastQuery, FastResponse, RequestToken, Token};
use xmpp_parsers::ns;
use xmpp_parsers::sasl2::{Authenticate, Authentication, Success, UserAgent};

use crate::credential::FastToken;

/// The SASL2 part of `<stream:features/>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Offer {
    pub mechanisms: BTreeSet<String>,
    /// Bind2 can bind our resource inside the authentication.
    pub bind2: bool,
    /// What Bind2 could enable inline (`urn:xmpp:sm:3`, `urn:xmpp:csi:0`, …): also what the
    /// bound session supports, since no stream features need to follow a Bind2 success.
    pub bind2_features: BTreeSet<String>,
    /// XEP-0198 is offered inline (resumption inside `<authenticate/>`).
    pub sm: bool,
    /// FAST mechanisms, if the server issues and takes tokens.
    pub fast: BTreeSet<String>,
}

/// `Some` if the features offer SASL2 in a form we understand. A malformed offer counts as
/// none: RFC 6120 SASL is still there to fall back on.
pub fn offer(features: &Element) -> Option<Offer> {
    let element = features.get_child("authentication", ns::SASL2)?;
    let authentication = Authentication::try_from(element.clone()).ok()?;
    let mut offer = Offer {
        mechanisms: authentication.mechanisms.into_iter().collect(),
        ..Offer::default()
    };
    if let Some(inline) = authentication.inline {
        offer.sm = inline.sm.is_some();
        if let Some(bind2) = inline.bind2 {
            offer.bind2 = true;
            offer.bind2_features = bind2.inline_features.into_iter().collect();
        }
        offer.fast = inline
            .payloads
            .into_iter()
            .filter(|p| p.is("fast", ns::FAST))
            .filter_map(|p| FastQuery::try_from(p).ok())
            .flat_map(|q| q.mechanisms.into_iter().map(|m| m.0))
            .collect();
    }
    Some(offer)
}

/// What goes into `<authenticate/>` besides the mechanism's initial response.
pub struct Request<'a> {
    pub mechanism: &'a str,
    pub initial: Vec<u8>,
    pub client_id: uuid::Uuid,
    pub software: &'a str,
    /// Ask for Bind2 with this tag (the client's name; the server picks the resource).
    pub bind_tag: Option<&'a str>,
    /// Ask for a FAST token for this mechanism.
    pub request_token: Option<&'a str>,
    /// We authenticate with a FAST token.
    pub fast: bool,
}

pub fn authenticate(request: Request<'_>) -> Element {
    let mut payloads: Vec<Element> = Vec::new();
    if let Some(tag) = request.bind_tag {
        payloads.push(
            BindQuery {
                tag: Some(tag.to_owned()),
                payloads: Vec::new(),
            }
            .into(),
        );
    }
    if let Some(mechanism) = request.request_token {
        payloads.push(
            RequestToken {
                mechanism: mechanism.to_owned(),
            }
            .into(),
        );
    }
    if request.fast {
        // `count` guards TLS 0-RTT replays, which a browser never sends; the type wants one.
        payloads.push(
            FastResponse {
                count: 1,
                invalidate: false,
            }
            .into(),
        );
    }
    Authenticate {
        mechanism: request.mechanism.to_owned(),
        initial_response: Some(request.initial),
        user_agent: UserAgent {
            id: request.client_id,
            software: Some(request.software.to_owned()),
            device: None,
        },
        payloads,
    }
    .into()
}

/// What a SASL2 `<success/>` carried.
#[derive(Debug)]
pub struct Outcome {
    /// The mechanism's final data (SCRAM `v=`, HT's responder hash); empty if none.
    pub additional_data: Vec<u8>,
    pub authorized: Jid,
    /// Bind2 bound a resource: `authorized` is then our full JID.
    pub bound: bool,
    pub token: Option<(String, String)>,
}

/// `None` if the success is not one we can read.
pub fn success(element: Element) -> Option<Outcome> {
    let success = Success::try_from(element).ok()?;
    let mut outcome = Outcome {
        additional_data: success.additional_data.unwrap_or_default(),
        authorized: success.authorization_identifier,
        bound: false,
        token: None,
    };
    for payload in success.payloads {
        if payload.is("bound", ns::BIND2) {
            outcome.bound = Bound::try_from(payload).is_ok();
        } else if payload.is("token", ns::FAST) {
            // The expiry is kept as the server wrote it; an unreadable one means no token.
            let expiry = payload.attr("expiry").map(str::to_owned);
            if let (Ok(token), Some(expiry)) = (Token::try_from(payload), expiry) {
                outcome.token = Some((token.token, expiry));
            }
        }
    }
    Some(outcome)
}

/// Our XEP-0388 user-agent id: stable for one account and resource, so that a reload of the
/// same tab gets the same Bind2 resource and finds its FAST token, while two tabs (two
/// resources) are two clients that never take each other's resource or token.
pub fn client_id(account: &BareJid, resource: Option<&str>) -> uuid::Uuid {
    let mut input = b"natter sasl2 user-agent\0".to_vec();
    input.extend(account.as_str().as_bytes());
    input.push(0);
    input.extend(resource.unwrap_or("").as_bytes());
    let digest = Sha256::hash(&input);
    let mut bytes = [0u8; 16];
    for (b, d) in bytes.iter_mut().zip(&digest) {
        *b = *d;
    }
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// A FAST token from the server, for `client_id`.
pub fn fast_token(
    mechanism: &str,
    (token, expiry): (String, String),
    client_id: uuid::Uuid,
) -> FastToken {
    FastToken {
        mechanism: mechanism.to_owned(),
        token,
        expiry,
        client_id: client_id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> Element {
        xml.parse().unwrap()
    }

    #[test]
    fn reads_prosodys_offer() {
        let features = parse(
            "<features xmlns='http://etherx.jabber.org/streams'>\
             <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>\
             <authentication xmlns='urn:xmpp:sasl:2'><mechanism>SCRAM-SHA-1</mechanism>\
             <mechanism>SCRAM-SHA-256</mechanism><inline>\
             <bind xmlns='urn:xmpp:bind:0'><inline><feature var='urn:xmpp:carbons:2'/></inline></bind>\
             <sm xmlns='urn:xmpp:sm:3'/>\
             <fast xmlns='urn:xmpp:fast:0'><mechanism>HT-SHA-256-NONE</mechanism></fast>\
             </inline></authentication></features>",
        );
        let offer = offer(&features).unwrap();
        assert!(offer.mechanisms.contains("SCRAM-SHA-256"));
        assert!(!offer.mechanisms.contains("PLAIN"));
        assert!(offer.bind2);
        assert!(offer.sm);
        assert!(offer.bind2_features.contains("urn:xmpp:carbons:2"));
        assert_eq!(
            offer.fast.into_iter().collect::<Vec<_>>(),
            ["HT-SHA-256-NONE"]
        );

        let plain = parse("<features xmlns='http://etherx.jabber.org/streams'/>");
        assert_eq!(super::offer(&plain), None);
    }

    #[test]
    fn client_id_is_stable_per_account_and_resource() {
        let a: BareJid = "a@example.org".parse().unwrap();
        let b: BareJid = "b@example.org".parse().unwrap();
        assert_eq!(client_id(&a, Some("tab1")), client_id(&a, Some("tab1")));
        assert_ne!(client_id(&a, Some("tab1")), client_id(&a, Some("tab2")));
        assert_ne!(client_id(&a, None), client_id(&b, None));
    }
}
