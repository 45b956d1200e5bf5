//! Stream-level elements (RFC 7395 `<open/>`/`<close/>`, RFC 6120 stream errors) and what they
//! mean for the session.

use jid::BareJid;
use minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::stream_error::{DefinedCondition, StreamError};
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
pub fn error(condition: DefinedCondition, text: &str) -> Element {
    StreamError::new(condition, "en", text).into()
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

/// What a received `<stream:error/>` means for the user.
pub fn error_from(element: Element) -> Error {
    match StreamError::try_from(element.clone()) {
        Ok(StreamError {
            condition: DefinedCondition::SeeOtherHost(host),
            ..
        }) if !host.trim().is_empty() => Error::Redirect {
            to: host.trim().to_owned(),
        },
        Ok(err) => Error::StreamError {
            condition: condition_name(&err.condition),
            text: err.get_best_text(vec!["en"]).map(|(_, t)| t.clone()),
        },
        // An unknown condition or other oddity: still report the server's words.
        Err(_) => Error::StreamError {
            condition: element
                .children()
                .find(|c| c.ns() == ns::XMPP_STREAMS && c.name() != "text")
                .map_or_else(|| "undefined-condition".to_owned(), |c| c.name().to_owned()),
            text: element
                .children()
                .find(|c| c.is("text", ns::XMPP_STREAMS))
                .map(|t| t.text())
                .filter(|t| !t.is_empty()),
        },
    }
}

fn condition_name(condition: &DefinedCondition) -> String {
    match condition {
        // Its Display appends the host; the condition name alone is what we report.
        DefinedCondition::SeeOtherHost(_) => "see-other-host".to_owned(),
        other => other.to_string(),
    }
}
