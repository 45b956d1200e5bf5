//! The XML of BOSH: the `<body/>` wrappers we send (XEP-0124 §7, XEP-0206 §5) and what we
//! read from the ones the connection manager answers with. Built with minidom's builders,
//! parsed through the core's bounded frame parser.

use minidom::rxml::{xml_ncname, Namespace};
use minidom::{Element, ElementBuilder};
use xmpp_parsers::ns;

use crate::frame::{self, FrameError};

/// XEP-0124's namespace, the `<body/>` wrapper.
pub const HTTPBIND: &str = "http://jabber.org/protocol/httpbind";
/// XEP-0206's namespace for the `xmpp:` attributes.
pub const XBOSH: &str = "urn:xmpp:xbosh";
/// The protocol version we speak.
pub const VERSION: &str = "1.6";
/// The MIME type of every request body (XEP-0124 §7).
pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

const XBOSH_NS: Namespace<'static> = Namespace::from_str(XBOSH);

fn body(rid: u64) -> ElementBuilder {
    Element::builder("body", HTTPBIND).attr(xml_ncname!("rid").into(), rid.to_string())
}

/// `xmlns:xmpp` declared under that very prefix: servers that read attributes by their
/// prefixed name (`xmpp:restart`, `xmpp:version`) find them.
fn with_xbosh(builder: ElementBuilder) -> ElementBuilder {
    match builder.prefix(Some("xmpp".into()), XBOSH) {
        Ok(builder) => builder,
        // Only a second declaration of the same prefix fails; there is none.
        Err(_) => Element::builder("body", HTTPBIND),
    }
}

fn lang(builder: ElementBuilder, lang: &str) -> ElementBuilder {
    builder.attr_ns(Namespace::XML, xml_ncname!("lang").into(), lang)
}

/// The session creation request (XEP-0124 §7.1, XEP-0206 §5).
pub fn create(rid: u64, to: &str, lang_tag: &str, wait_secs: u64, hold: u32) -> Element {
    let builder = body(rid)
        .attr(xml_ncname!("to").into(), to)
        .attr(xml_ncname!("wait").into(), wait_secs.to_string())
        .attr(xml_ncname!("hold").into(), hold.to_string())
        .attr(xml_ncname!("ver").into(), VERSION)
        .attr(xml_ncname!("content").into(), CONTENT_TYPE);
    with_xbosh(lang(builder, lang_tag))
        .attr_ns(XBOSH_NS, xml_ncname!("version").into(), "1.0")
        .build()
}

/// The stream restart after SASL (XEP-0206 §5): empty, `xmpp:restart='true'`.
pub fn restart(rid: u64, sid: &str, to: &str, lang_tag: &str) -> Element {
    let builder = body(rid)
        .attr(xml_ncname!("sid").into(), sid)
        .attr(xml_ncname!("to").into(), to);
    with_xbosh(lang(builder, lang_tag))
        .attr_ns(XBOSH_NS, xml_ncname!("restart").into(), "true")
        .build()
}

/// A request carrying `children` (possibly none: an empty long-poll), or the session's end.
pub fn payload(rid: u64, sid: &str, children: Vec<Element>, terminate: bool) -> Element {
    let mut builder = body(rid).attr(xml_ncname!("sid").into(), sid);
    if terminate {
        builder = builder.attr(xml_ncname!("type").into(), "terminate");
    }
    builder.append_all(children).build()
}

/// A response body, read.
#[derive(Debug)]
pub struct Response {
    pub attrs: Attrs,
    /// Its children, each re-serialized as a standalone RFC 7395 frame.
    pub frames: Vec<String>,
    /// The `<uri/>` of a `see-other-uri` termination.
    pub uri: Option<String>,
}

/// The attributes of a response body the session acts on.
#[derive(Debug, Default, Clone)]
pub struct Attrs {
    pub terminate: bool,
    pub condition: Option<String>,
    pub sid: Option<String>,
    pub from: Option<String>,
    pub wait: Option<u64>,
    pub hold: Option<u64>,
    pub requests: Option<u64>,
    pub polling: Option<u64>,
    pub inactivity: Option<u64>,
}

/// Why a response could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    TooLarge,
    /// Not UTF-8, not well-formed, too deep, or not a `<body/>` of XEP-0124.
    NotBosh,
}

impl From<FrameError> for BodyError {
    fn from(err: FrameError) -> Self {
        match err {
            FrameError::TooLarge => BodyError::TooLarge,
            _ => BodyError::NotBosh,
        }
    }
}

/// Numbers from the server: digits only, and no larger than any sane setting.
fn number(element: &Element, name: &str) -> Option<u64> {
    let text = element.attr(name)?.trim();
    if text.is_empty() || text.len() > 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Short attribute values only (ids, host names, condition names).
fn short(element: &Element, name: &str) -> Option<String> {
    element
        .attr(name)
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 1024)
        .map(str::to_owned)
}

/// Parses a response body with the core's frame limits (size, depth).
pub fn parse(bytes: &[u8]) -> Result<Response, BodyError> {
    let element = frame::parse(bytes)?.ok_or(BodyError::NotBosh)?;
    if !element.is("body", HTTPBIND) {
        return Err(BodyError::NotBosh);
    }
    let attrs = Attrs {
        terminate: element.attr("type") == Some("terminate"),
        condition: short(&element, "condition"),
        sid: short(&element, "sid"),
        from: short(&element, "from"),
        wait: number(&element, "wait"),
        hold: number(&element, "hold"),
        requests: number(&element, "requests"),
        polling: number(&element, "polling"),
        inactivity: number(&element, "inactivity"),
    };
    let mut uri = None;
    let mut frames = Vec::new();
    for child in element.children() {
        if child.is("uri", HTTPBIND) {
            uri = Some(child.text().trim().to_owned()).filter(|u| !u.is_empty());
            continue;
        }
        // Rebuilt, never cloned: a clone keeps the sender's prefix declarations, and
        // minidom 0.19's writer panics on some of them (a prefix declared again for another
        // namespace below an element using it), which would abort the app.
        let standalone = renamespace(child);
        if let Some(text) = frame::serialize(&standalone) {
            frames.push(text);
        }
    }
    Ok(Response { attrs, frames, uri })
}

/// A copy of `element` with every element in the httpbind namespace moved to `jabber:client`
/// (a stanza that relied on the wrapper's default namespace: XEP-0206 says stanzas are
/// `jabber:client`, which is what the core expects), and no prefix declarations: the writer
/// chooses its own. Recursion is bounded by the parser's depth limit.
fn renamespace(element: &Element) -> Element {
    let ns = if element.ns() == HTTPBIND {
        ns::DEFAULT_NS.to_owned()
    } else {
        element.ns()
    };
    let mut copy = Element::bare(element.name(), ns);
    for ((attr_ns, name), value) in element.attrs() {
        copy.attrs_mut()
            .insert(attr_ns.clone(), name.clone(), value.clone());
    }
    for node in element.nodes() {
        match node {
            minidom::Node::Element(child) => {
                copy.append_child(renamespace(child));
            }
            minidom::Node::Text(text) => copy.append_text(text.clone()),
        }
    }
    copy
}

/// A termination condition (XEP-0124 §17.2, XEP-0206 §7) in plain words, to follow "The
/// connection to the server was lost: ".
pub fn condition_reason(condition: &str) -> String {
    let what = match condition {
        "bad-request" => "the server rejected a request as malformed",
        "host-unknown" => "the server does not serve this domain",
        "improper-addressing" => "the server does not serve this domain, or no domain was given",
        "item-not-found" => "the server no longer knows this session",
        "other-request" => "the server ended the session because of another request",
        "policy-violation" => "the server ended the session because of too many requests",
        "remote-connection-failed" => "the server could not reach the XMPP service behind it",
        "remote-stream-error" => "the server ended the stream with an error",
        "see-other-uri" => "the server moved this connection to another address",
        "system-shutdown" => "the server is shutting down",
        "undefined-condition" => "the server ended the session",
        _ => "the server ended the session",
    };
    // Only a condition name's characters, bounded, into the message.
    let name: String = condition
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect();
    if name.is_empty() {
        what.to_owned()
    } else {
        format!("{what} ({name})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(element: &Element) -> String {
        frame::serialize(element).unwrap()
    }

    #[test]
    fn xbosh_attributes_keep_their_prefix() {
        let create = text(&create(7, "example.org", "en", 60, 1));
        assert!(create.contains("xmlns:xmpp='urn:xmpp:xbosh'"), "{create}");
        assert!(create.contains("xmpp:version='1.0'"), "{create}");
        assert!(create.contains("xml:lang='en'"), "{create}");
        let restart = text(&restart(8, "s", "example.org", "en"));
        assert!(restart.contains("xmpp:restart='true'"), "{restart}");
    }

    #[test]
    fn children_become_standalone_frames() {
        let r = parse(
            br#"<body xmlns="http://jabber.org/protocol/httpbind" xmlns:stream="http://etherx.jabber.org/streams" sid="s" wait="60"><stream:features><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></stream:features><message to="a@b"><body>x</body></message></body>"#,
        )
        .unwrap();
        assert_eq!(r.attrs.sid.as_deref(), Some("s"));
        assert_eq!(r.attrs.wait, Some(60));
        assert_eq!(r.frames.len(), 2);
        let features = frame::parse(r.frames[0].as_bytes()).unwrap().unwrap();
        assert!(features.is("features", ns::STREAM), "{}", r.frames[0]);
        assert!(features.has_child("bind", ns::BIND));
        let message = frame::parse(r.frames[1].as_bytes()).unwrap().unwrap();
        assert!(message.is("message", ns::DEFAULT_NS), "{}", r.frames[1]);
        assert!(message.has_child("body", ns::DEFAULT_NS), "{}", r.frames[1]);
    }

    #[test]
    fn not_bosh() {
        assert_eq!(parse(b"<html/>").unwrap_err(), BodyError::NotBosh);
        assert_eq!(parse(b"").unwrap_err(), BodyError::NotBosh);
        assert_eq!(
            parse(b"<body xmlns='http://jabber.org/protocol/httpbind'>").unwrap_err(),
            BodyError::NotBosh
        );
        assert_eq!(
            condition_reason("host-unknown"),
            "the server does not serve this domain (host-unknown)"
        );
        assert_eq!(
            condition_reason("<evil>"),
            "the server ended the session (evil)"
        );
    }
}
