//! Stream-level elements (RFC 7395 `<open/>`/`<close/>`, RFC 6120 stream errors) and what they
//! mean for the session.

use std::collections::BTreeSet;

use jid::BareJid;
use minidom::rxml::{xml_ncname, Namespace};
use minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::stream_error::DefinedCondition;
use xmpp_parsers::websocket::Open;

use crate::Error;

/// Our stream header: addressed to the account's domain (RFC 6120 §4.7.2), never the account.
pub fn open(account: &BareJid) -> Element {
    Open::new(BareJid::from_parts(None, account.domain())).into()
}

/// xmpp-parsers has no type for the RFC 7395 close element.
pub fn close() -> Element {
    Element::builder("close", ns::WEBSOCKET).build()
}

/// A stream error we send before closing, so the server's logs say why we left.
///
/// Built with minidom's element builder rather than `StreamError`'s serializer: the stream
/// error types' generated (de)serializers cost ~25 KB of wasm for two fixed-shape elements.
pub fn error(condition: DefinedCondition, text: &str) -> Element {
    Element::builder("error", ns::STREAM)
        .append(Element::builder(condition_name(&condition), ns::XMPP_STREAMS).build())
        .append(
            Element::builder("text", ns::XMPP_STREAMS)
                .attr_ns(Namespace::XML, xml_ncname!("lang").into(), "en")
                .append(text)
                .build(),
        )
        .build()
}

pub fn is_open(element: &Element) -> bool {
    element.is("open", ns::WEBSOCKET)
}

pub fn is_close(element: &Element) -> bool {
    element.is("close", ns::WEBSOCKET)
}

pub fn is_stream_error(element: &Element) -> bool {
    element.is("error", ns::STREAM)
}

/// RFC 3921 session establishment; RFC 6121 dropped it but some servers still require it.
pub const SESSION_NS: &str = "urn:ietf:params:xml:ns:xmpp-session";

/// The part of `<stream:features/>` the client acts on.
///
/// Read from the element directly instead of through `StreamFeatures`, whose generated parser
/// also handles STARTTLS, SASL2, Bind2, stream management, limits, … (~40 KB of wasm for
/// features a browser client never uses).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// RFC 6120 §6.4.1 `<mechanisms/>`.
    pub sasl_mechanisms: BTreeSet<String>,
    /// RFC 6120 §7.4 `<bind/>` is offered.
    pub bind: bool,
    /// RFC 3921 `<session/>` is offered and not marked `<optional/>`.
    pub session_required: bool,
    /// XEP-0198 stream management, version 3.
    pub sm: bool,
    /// XEP-0352 client state indication.
    pub csi: bool,
    /// RFC 6121 §2.6 roster versioning.
    pub roster_ver: bool,
}

/// RFC 6121 §2.6.1: the stream feature announcing roster versioning.
pub const ROSTER_VER_NS: &str = "urn:xmpp:features:rosterver";

/// `Some` if `element` is `<stream:features/>`.
pub fn features(element: &Element) -> Option<Features> {
    if !element.is("features", ns::STREAM) {
        return None;
    }
    let sasl_mechanisms = element
        .children()
        .filter(|c| c.is("mechanisms", ns::SASL))
        .flat_map(|m| m.children().filter(|c| c.is("mechanism", ns::SASL)))
        .map(Element::text)
        .collect();
    Some(Features {
        sasl_mechanisms,
        bind: element.has_child("bind", ns::BIND),
        session_required: element
            .get_child("session", SESSION_NS)
            .is_some_and(|s| !s.has_child("optional", SESSION_NS)),
        sm: element.has_child("sm", ns::SM),
        csi: element.has_child("csi", ns::CSI),
        roster_ver: element.has_child("ver", ROSTER_VER_NS),
    })
}

/// A server `<close/>`: `Some(Redirect)` when it carries `see-other-uri`, else `None` (a clean
/// close).
pub fn close_redirect(element: &Element) -> Option<Error> {
    element
        .attr("see-other-uri")
        .filter(|uri| !uri.trim().is_empty())
        .map(|uri| Error::Redirect {
            to: uri.trim().to_owned(),
        })
}

/// What a received `<stream:error/>` means for the user. Read straight from the element (the
/// condition is the one child in the streams namespace that is not `<text/>`): this also keeps
/// unknown conditions, and avoids `StreamError`'s generated parser (~20 KB of wasm).
pub fn error_from(element: Element) -> Error {
    let condition = element
        .children()
        .find(|c| c.ns() == ns::XMPP_STREAMS && c.name() != "text");
    if let Some(host) = condition
        .filter(|c| c.name() == "see-other-host")
        .map(|c| c.text())
        .filter(|host| !host.trim().is_empty())
    {
        return Error::Redirect {
            to: host.trim().to_owned(),
        };
    }
    Error::StreamError {
        condition: condition
            .map_or_else(|| "undefined-condition".to_owned(), |c| c.name().to_owned()),
        text: best_text(&element, ns::XMPP_STREAMS).filter(|t| !t.is_empty()),
    }
}

/// The text of the `<text/>` child in `ns` a user should read: English, else untagged, else
/// the first.
pub fn best_text(element: &Element, ns: &str) -> Option<String> {
    let texts = || element.children().filter(move |c| c.is("text", ns));
    fn lang(c: &Element) -> &str {
        c.attr_ns(&Namespace::XML, "lang").unwrap_or("")
    }
    texts()
        .find(|c| lang(c) == "en")
        .or_else(|| texts().find(|c| lang(c).is_empty()))
        .or_else(|| texts().next())
        .map(Element::text)
}

fn condition_name(condition: &DefinedCondition) -> String {
    match condition {
        // Its Display appends the host; the condition name alone is what we report.
        DefinedCondition::SeeOtherHost(_) => "see-other-host".to_owned(),
        other => other.to_string(),
    }
}
