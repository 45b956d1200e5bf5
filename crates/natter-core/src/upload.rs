//! XEP-0363 HTTP File Upload (finding the service, asking for slots) and XEP-0066 out-of-band
//! URLs on messages. The bytes themselves never pass through the core: the app `PUT`s them to
//! the slot's URL over HTTP and sends the `get` URL as an ordinary message (body = URL, plus
//! `<x xmlns='jabber:x:oob'>`, as Conversations and Gajim do).
//!
//! Slot URLs must be fetchable by [`crate::file_url`]'s rule (`https`, or `http` to a loopback
//! host for local test servers): a slot pointing anywhere else is refused, so the app never
//! sends a file over plain HTTP across a network.

use jid::BareJid;
use minidom::rxml::xml_ncname;
use minidom::Element;
use xmpp_parsers::http_upload::{SlotRequest, SlotResult};
use xmpp_parsers::message::Message;
use xmpp_parsers::ns;
use xmpp_parsers::oob::Oob;

use crate::file_url;

pub const NS: &str = "urn:xmpp:http:upload:0";
/// A server may list many items (rooms services, gateways, pubsub…); asking each about
/// itself is one IQ per item, so only the first few are asked.
const MAX_ITEMS_ASKED: usize = 16;
/// XEP-0363 §5: the only headers a client passes on to the `PUT`.
const ALLOWED_HEADERS: &[&str] = &["Authorization", "Cookie", "Expires"];

/// An XEP-0066 URL a message points at (a shared file), with its optional description.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutOfBand {
    pub url: String,
    pub desc: Option<String>,
}

/// The upload service found on our server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub jid: BareJid,
    /// The largest file it takes, in bytes, if it says (XEP-0363 §2, XEP-0128 form).
    pub max_size: Option<u64>,
}

/// What an upload IQ of ours was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadIq {
    /// disco#info to our own server (it may be the service itself).
    ServerInfo,
    /// disco#items to our own server.
    Items,
    /// disco#info to one of its items.
    ItemInfo { jid: BareJid },
    /// A slot request, known by the app's request id.
    Slot { request: String },
}

/// A slot request from the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub request: String,
    pub filename: String,
    pub size: u64,
    pub content_type: Option<String>,
}

/// Where discovery stands in this session.
#[derive(Debug, Default)]
pub struct Uploads {
    started: bool,
    /// disco#items or disco#info answers still to come.
    outstanding: usize,
    pub service: Option<Service>,
    /// Slot requests that came before discovery finished.
    pub waiting: Vec<Request>,
}

impl Uploads {
    /// Marks discovery as started; `false` if it already was (once per session).
    pub fn start(&mut self) -> bool {
        !std::mem::replace(&mut self.started, true)
    }

    pub fn started(&self) -> bool {
        self.started
    }

    /// Whether discovery is over (found, or every item answered or failed).
    pub fn settled(&self) -> bool {
        self.started && (self.service.is_some() || self.outstanding == 0)
    }

    pub fn expect(&mut self, answers: usize) {
        self.outstanding += answers;
    }

    pub fn answered(&mut self) {
        self.outstanding = self.outstanding.saturating_sub(1);
    }
}

pub fn info_query() -> Element {
    Element::builder("query", ns::DISCO_INFO).build()
}

pub fn items_query() -> Element {
    Element::builder("query", ns::DISCO_ITEMS).build()
}

/// The items of a disco#items answer worth asking about (plain JIDs, no nodes), deduplicated.
pub fn items(payload: &Element) -> Vec<BareJid> {
    let mut out: Vec<BareJid> = Vec::new();
    if !payload.is("query", ns::DISCO_ITEMS) {
        return out;
    }
    for item in payload.children().filter(|i| i.is("item", ns::DISCO_ITEMS)) {
        if item.attr("node").is_some() {
            continue;
        }
        let Some(jid) = item.attr("jid").and_then(|j| j.parse::<BareJid>().ok()) else {
            continue;
        };
        if !out.contains(&jid) {
            out.push(jid);
        }
        if out.len() == MAX_ITEMS_ASKED {
            break;
        }
    }
    out
}

/// `Some(max_size)` when a disco#info answer offers HTTP upload. Read off the element: the
/// `DiscoInfoResult` parser would pull in the whole XEP-0004 one (see `forms`). ejabberd sends
/// one form per namespace it speaks (`urn:xmpp:http:upload`, `…:0`): only ours counts.
pub fn offered(info: &Element) -> Option<Option<u64>> {
    if !info.is("query", ns::DISCO_INFO)
        || !info
            .children()
            .any(|f| f.is("feature", ns::DISCO_INFO) && f.attr("var") == Some(NS))
    {
        return None;
    }
    let max = info
        .children()
        .filter(|x| x.is("x", ns::DATA_FORMS))
        .map(crate::forms::fields)
        .find(|fields| crate::forms::form_type(fields) == Some(NS))
        .and_then(|fields| {
            fields
                .into_iter()
                .find(|(var, _)| var == "max-file-size")
                .and_then(|(_, values)| values.first()?.trim().parse::<u64>().ok())
        });
    Some(max)
}

/// The `<request/>` for a slot. The name is the user's file name, cleaned of what XML cannot
/// carry and of path separators (a server puts it in the URL).
pub fn slot_request(request: &Request) -> Element {
    let name: String = crate::frame::xml_text(&request.filename)
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let name = if name.trim().is_empty() {
        "file".to_owned()
    } else {
        name
    };
    SlotRequest {
        filename: name,
        size: request.size,
        content_type: request
            .content_type
            .as_deref()
            .map(crate::frame::xml_text)
            .filter(|t| !t.is_empty() && t.len() <= 255),
    }
    .into()
}

/// A slot the app may use: both URLs fetchable, only the headers XEP-0363 allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub put_url: String,
    pub put_headers: Vec<(String, String)>,
    pub get_url: String,
}

/// Reads a slot answer; `Err` in plain words when it cannot be used.
pub fn read_slot(payload: Option<&Element>) -> Result<Slot, String> {
    let Some(payload) = payload.filter(|p| p.is("slot", NS)) else {
        return Err("the upload service sent no upload address".into());
    };
    // §5: other headers are to be ignored, not to fail the slot; xmpp-parsers refuses any
    // other name, so they are taken out first. A header value with a line break would let
    // the server smuggle a second header into our request: dropped.
    let mut cleaned = Element::builder("slot", NS).build();
    for child in payload.children() {
        if child.is("put", NS) {
            let mut put = Element::builder("put", NS)
                .attr(
                    xml_ncname!("url").into(),
                    child.attr("url").unwrap_or_default(),
                )
                .build();
            for header in child.children().filter(|h| h.is("header", NS)) {
                let Some(name) = ALLOWED_HEADERS.iter().find(|n| {
                    header
                        .attr("name")
                        .is_some_and(|a| a.eq_ignore_ascii_case(n))
                }) else {
                    continue;
                };
                let value = header.text();
                if value.contains(['\r', '\n']) {
                    continue;
                }
                put.append_child(
                    Element::builder("header", NS)
                        .attr(xml_ncname!("name").into(), *name)
                        .append(value)
                        .build(),
                );
            }
            cleaned.append_child(put);
        } else if child.is("get", NS) {
            cleaned.append_child(child.clone());
        }
    }
    let slot = SlotResult::try_from(cleaned)
        .map_err(|_| "the upload service sent an upload address that cannot be read".to_owned())?;
    if !file_url::fetchable(&slot.put.url) || !file_url::fetchable(&slot.get.url) {
        return Err("the upload service offered an address that is not secure (https)".into());
    }
    Ok(Slot {
        put_url: slot.put.url,
        put_headers: slot
            .put
            .headers
            .into_iter()
            .map(|h| (h.name.as_str().to_owned(), h.value))
            .collect(),
        get_url: slot.get.url,
    })
}

/// `n` bytes in megabytes (MiB, as servers configure their limits), with one decimal when
/// not whole. Integer arithmetic: no float formatting in the wasm.
pub fn megabytes(n: u64) -> String {
    const MB: u64 = 1024 * 1024;
    let whole = n / MB;
    let tenth = (n % MB) * 10 / MB;
    if tenth == 0 {
        format!("{whole}")
    } else {
        format!("{whole}.{tenth}")
    }
}

/// The reason a file bigger than the service's limit is refused before asking.
pub fn too_large(max: u64) -> String {
    format!("the server accepts up to {} MB", megabytes(max))
}

// ---- XEP-0066 on messages ----

pub fn add_oob(mut message: Message, oob: Option<&OutOfBand>) -> Message {
    if let Some(oob) = oob {
        message.payloads.push(
            Oob {
                url: crate::frame::xml_text(&oob.url),
                desc: oob.desc.as_deref().map(crate::frame::xml_text),
            }
            .into(),
        );
    }
    message
}

/// The first `<x xmlns='jabber:x:oob'/>` with a URL. Whether it may be fetched is the
/// renderer's call ([`crate::file_url`]); this only reads it.
pub fn read_oob(message: &Message) -> Option<OutOfBand> {
    message
        .payloads
        .iter()
        .filter(|p| p.is("x", ns::OOB))
        .find_map(|p| Oob::try_from(p.clone()).ok())
        .map(|oob| OutOfBand {
            url: oob.url.trim().to_owned(),
            desc: oob.desc.filter(|d| !d.trim().is_empty()),
        })
        .filter(|oob| !oob.url.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(xml: &str) -> Element {
        xml.parse().unwrap()
    }

    #[test]
    fn the_limit_comes_from_our_form_only() {
        let info = el("<query xmlns='http://jabber.org/protocol/disco#info'>\
            <feature var='urn:xmpp:http:upload:0'/>\
            <x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:http:upload</value></field>\
            <field var='max-file-size'><value>5</value></field></x>\
            <x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:http:upload:0</value></field>\
            <field var='max-file-size'><value>10485760</value></field></x></query>");
        assert_eq!(offered(&info), Some(Some(10_485_760)));
        let bare = el("<query xmlns='http://jabber.org/protocol/disco#info'><feature var='urn:xmpp:http:upload:0'/></query>");
        assert_eq!(offered(&bare), Some(None));
        let legacy = el("<query xmlns='http://jabber.org/protocol/disco#info'><feature var='urn:xmpp:http:upload'/></query>");
        assert_eq!(offered(&legacy), None);
    }

    #[test]
    fn slots_keep_only_allowed_headers_and_fetchable_urls() {
        let slot = el("<slot xmlns='urn:xmpp:http:upload:0'>\
            <put url='https://up.example/p/a.png'><header name='authorization'>Bearer x</header>\
            <header name='X-Evil'>1</header><header name='Cookie'>a&#10;Evil: 1</header></put>\
            <get url='https://up.example/g/a.png'/></slot>");
        let slot = read_slot(Some(&slot)).unwrap();
        assert_eq!(
            slot.put_headers,
            vec![("Authorization".into(), "Bearer x".into())]
        );
        assert_eq!(slot.get_url, "https://up.example/g/a.png");
        let plain = el("<slot xmlns='urn:xmpp:http:upload:0'><put url='http://up.example/p'/><get url='https://up.example/g'/></slot>");
        assert!(read_slot(Some(&plain)).unwrap_err().contains("not secure"));
        let script = el("<slot xmlns='urn:xmpp:http:upload:0'><put url='https://up.example/p'/><get url='javascript:alert(1)'/></slot>");
        assert!(read_slot(Some(&script)).is_err());
        assert!(read_slot(None).is_err());
    }

    #[test]
    fn sizes_read_in_megabytes() {
        assert_eq!(megabytes(10 * 1024 * 1024), "10");
        assert_eq!(megabytes(1024 * 1024 + 512 * 1024), "1.5");
        assert_eq!(megabytes(1000), "0");
    }

    #[test]
    fn file_names_lose_path_separators() {
        let request = Request {
            request: "r".into(),
            filename: "../../etc/passwd".into(),
            size: 1,
            content_type: Some("text/plain".into()),
        };
        let element = slot_request(&request);
        assert_eq!(element.attr("filename"), Some(".._.._etc_passwd"));
        assert_eq!(element.attr("content-type"), Some("text/plain"));
    }
}
