//! Avatars: XEP-0084 (metadata notifications from PEP, data fetched by hash, our own
//! published), the XEP-0153 hash in presence, and the checks every image passes before the
//! app sees it. The image comes from someone else's account through a server we do not
//! control: it is believed only when its SHA-1 is the hash that was announced, it is small,
//! and its first bytes say it is a raster image (the MIME type is read from the bytes, never
//! taken from the sender).
//!
//! The pubsub wrappers are built with minidom, as in `bookmarks` (xmpp-parsers' `PubSub` enum
//! drags every pubsub operation into the wasm); the payloads are xmpp-parsers' types.

use jid::BareJid;
use minidom::rxml::xml_ncname;
use minidom::Element;
use xmpp_parsers::avatar::{Data, Info, Metadata};
use xmpp_parsers::caps::hash_caps;
use xmpp_parsers::hashes::{Algo, Sha1HexAttribute};
use xmpp_parsers::ns;
use xmpp_parsers::presence::Presence;
use xmpp_parsers::vcard_update::VCardUpdate;

use crate::forms::{self, Value};

/// What an avatar or profile request of ours was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileIq {
    /// `Command::FetchAvatar` from the contact's XEP-0084 data node.
    AvatarData {
        jid: BareJid,
        hash: String,
    },
    /// The same image from the contact's vCard-temp (XEP-0153), after the data node failed.
    AvatarVCard {
        jid: BareJid,
        hash: String,
    },
    /// `Command::FetchProfile`: the XEP-0292 vCard4 first…
    VCard4 {
        jid: BareJid,
    },
    /// … then vCard-temp.
    VCardTemp {
        jid: BareJid,
    },
    /// `Command::PublishAvatar`, step one: the image (`options`: with publish-options).
    PublishData {
        hash: String,
        mime: String,
        bytes: Vec<u8>,
        width: u16,
        height: u16,
        options: bool,
    },
    /// Step two: the metadata that announces it.
    PublishMetadata {
        hash: String,
        mime: String,
        len: usize,
        width: u16,
        height: u16,
        options: bool,
    },
    /// `Command::SetNickname`: the XEP-0172 nick…
    PublishNick,
    /// … and our vCard-temp, read to be written back with the new nickname.
    OwnVCard {
        nickname: String,
    },
    OwnVCardSet,
}

/// The largest image accepted (decoded bytes). A 96×96 PNG is a few KiB; this leaves room for
/// other clients' larger ones without letting a contact fill the cache.
pub const MAX_AVATAR_BYTES: usize = 256 * 1024;

/// Avatar fetches in flight at once; the rest wait in order. At sign-in a large roster's
/// announcements arrive together, and each fetch is a request the contact's server answers
/// with up to [`MAX_AVATAR_BYTES`] of base64.
pub const MAX_FETCHES: usize = 4;
/// Fetches kept waiting; beyond, the oldest wait is dropped (the view asks again on the next
/// announcement).
pub const MAX_QUEUED_FETCHES: usize = 1_000;

/// What we ask for in caps: our server pushes contacts' avatar changes to us.
pub const METADATA_NOTIFY: &str = "urn:xmpp:avatar:metadata+notify";

/// The SHA-1 of `data` (also XEP-0392's colour hash).
pub fn sha1(data: &[u8]) -> Vec<u8> {
    hash_caps(data, Algo::Sha_1)
        .map(|h| h.hash)
        .unwrap_or_default()
}

/// The SHA-1 of `data` as lowercase hex (the XEP-0084 / XEP-0153 avatar id).
pub fn sha1_hex(data: &[u8]) -> String {
    hash_caps(data, Algo::Sha_1)
        .map(|h| h.to_hex())
        .unwrap_or_default()
}

/// A hash as announced, normalised to lowercase hex; `None` unless it is 40 hex digits.
pub fn normalise_hash(text: &str) -> Option<String> {
    let text = text.trim();
    (text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| text.to_ascii_lowercase())
}

/// The image type by its signature: the few formats every browser shows in an `<img>`. SVG
/// and anything else is refused, whatever the sender called it.
pub fn sniff_mime(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// The image, if it is the one `hash` names and fit to show: (MIME type, bytes).
pub fn verified(hash: &str, bytes: Vec<u8>) -> Option<(String, Vec<u8>)> {
    if bytes.is_empty() || bytes.len() > MAX_AVATAR_BYTES || sha1_hex(&bytes) != hash {
        return None;
    }
    let mime = sniff_mime(&bytes)?;
    Some((mime.to_owned(), bytes))
}

/// What a metadata notification says: `Some(None)` the avatar was removed, `Some(Some(h))`
/// the avatar is now `h`, `None` the event is not about avatars.
pub fn read_event(event: &Element) -> Option<Option<String>> {
    let mut said = None;
    for child in event.children() {
        if child.ns() != ns::PUBSUB_EVENT || child.attr("node") != Some(ns::AVATAR_METADATA) {
            continue;
        }
        match child.name() {
            "items" => {
                if let Some(item) = child.children().find(|i| i.is("item", ns::PUBSUB_EVENT)) {
                    said = Some(item_hash(item));
                } else if child.children().any(|r| r.is("retract", ns::PUBSUB_EVENT)) {
                    said = Some(None);
                }
            }
            "purge" | "delete" => said = Some(None),
            _ => {}
        }
    }
    said
}

/// The hash of the image stored in the data node that an `<item>` announces. An empty
/// `<metadata/>` disables the avatar (XEP-0084 §4.2); infos with a `url` point at images
/// elsewhere, which are never fetched.
fn item_hash(item: &Element) -> Option<String> {
    let metadata = item.get_child("metadata", ns::AVATAR_METADATA)?;
    let metadata = Metadata::try_from(metadata.clone()).ok()?;
    let stored = |i: &&Info| i.url.is_none() && i.id.algo == Algo::Sha_1;
    let info = metadata
        .infos
        .iter()
        .filter(stored)
        .find(|i| i.type_ == "image/png")
        .or_else(|| metadata.infos.iter().find(stored))?;
    Some(info.id.to_hex())
}

/// The avatar hash a presence announces (XEP-0153). An empty `<photo/>` ("no avatar" in the
/// XEP) is not believed: servers that add the element themselves (Prosody's vcard_legacy)
/// replay a presence stamped before the account published its XEP-0084 avatar, and that stale
/// copy must not hide the current face. Removal is learnt from the PEP metadata instead.
pub fn presence_hash(presence: &Presence) -> Option<String> {
    let x = presence
        .payloads
        .iter()
        .find(|p| p.is("x", ns::VCARD_UPDATE))?;
    let update = VCardUpdate::try_from(x.clone()).ok()?;
    let hash = update.photo?.data?;
    Some(hash.iter().fold(String::with_capacity(40), |mut s, b| {
        s.push_str(&format!("{b:02x}"));
        s
    }))
}

/// The request for one image from `urn:xmpp:avatar:data` (XEP-0084 §4.3).
pub fn data_request(hash: &str) -> Element {
    let item = Element::builder("item", ns::PUBSUB)
        .attr(xml_ncname!("id").into(), hash)
        .build();
    pubsub(
        Element::builder("items", ns::PUBSUB)
            .attr(xml_ncname!("node").into(), ns::AVATAR_DATA)
            .append(item)
            .build(),
    )
}

/// The image bytes in an answer to [`data_request`], before any check.
pub fn read_data(payload: &Element, hash: &str) -> Option<Vec<u8>> {
    let items = payload.get_child("items", ns::PUBSUB)?;
    let item = items
        .children()
        .filter(|i| i.is("item", ns::PUBSUB))
        .find(|i| i.attr("id").is_none_or(|id| id.eq_ignore_ascii_case(hash)))?;
    let data = item.get_child("data", ns::AVATAR_DATA)?;
    Data::try_from(data.clone()).ok().map(|d| d.data)
}

/// Publishes the image itself (XEP-0084 §4.1), readable by anyone who has the hash: avatars
/// are shown in rooms and to people not (yet) in the roster.
pub fn publish_data(hash: &str, bytes: &[u8], with_options: bool) -> Element {
    let data = Element::from(Data {
        data: bytes.to_vec(),
    });
    publish(ns::AVATAR_DATA, hash, data, with_options)
}

/// Announces the image (XEP-0084 §4.2) once the data is stored.
pub fn publish_metadata(
    hash: &str,
    mime: &str,
    len: usize,
    width: u16,
    height: u16,
    with_options: bool,
) -> Option<Element> {
    let id: Sha1HexAttribute = hash.parse().ok()?;
    let metadata = Metadata {
        infos: vec![Info {
            bytes: u32::try_from(len).ok()?,
            width: Some(width),
            height: Some(height),
            id,
            type_: mime.to_owned(),
            url: None,
        }],
    };
    Some(publish(
        ns::AVATAR_METADATA,
        hash,
        Element::from(metadata),
        with_options,
    ))
}

/// One item into one of our own PEP nodes, with the node kept open to anyone (`open`: the
/// XEP-0084 §7 recommendation for avatars, which rooms and strangers show too).
pub fn publish(node: &str, id: &str, payload: Element, with_options: bool) -> Element {
    let mut item = Element::builder("item", ns::PUBSUB);
    if !id.is_empty() {
        item = item.attr(xml_ncname!("id").into(), id);
    }
    let publish = Element::builder("publish", ns::PUBSUB)
        .attr(xml_ncname!("node").into(), node)
        .append(item.append(payload).build())
        .build();
    let mut pubsub = Element::builder("pubsub", ns::PUBSUB).append(publish);
    if with_options {
        let options = forms::submit(
            Some("http://jabber.org/protocol/pubsub#publish-options"),
            vec![
                Value::text("pubsub#persist_items", "true"),
                Value::text("pubsub#access_model", "open"),
            ],
        );
        pubsub = pubsub.append(
            Element::builder("publish-options", ns::PUBSUB)
                .append(options)
                .build(),
        );
    }
    pubsub.build()
}

/// A node configured otherwise than our publish-options asked (XEP-0060 §7.1.5): publishing
/// again without them keeps the user's own choice of access.
pub fn precondition_failed(error: &xmpp_parsers::stanza_error::StanzaError) -> bool {
    error
        .other
        .as_ref()
        .is_some_and(|o| o.is("precondition-not-met", ns::PUBSUB_ERRORS))
}

pub fn pubsub(child: Element) -> Element {
    Element::builder("pubsub", ns::PUBSUB).append(child).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_matches_the_known_digest() {
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn only_raster_images_pass() {
        let png = b"\x89PNG\r\n\x1a\n rest".to_vec();
        let hash = sha1_hex(&png);
        assert_eq!(
            verified(&hash, png.clone()),
            Some(("image/png".into(), png.clone()))
        );
        assert_eq!(verified(&sha1_hex(b"x"), png), None, "wrong hash");
        let svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec();
        assert_eq!(verified(&sha1_hex(&svg), svg), None, "not a raster image");
        let big = [b"GIF89a".as_slice(), &vec![0; MAX_AVATAR_BYTES]].concat();
        assert_eq!(verified(&sha1_hex(&big), big), None, "too large");
        assert_eq!(
            normalise_hash(" ABCDEF0123456789abcdef0123456789ABCDEF01 ").as_deref(),
            Some("abcdef0123456789abcdef0123456789abcdef01")
        );
        assert_eq!(normalise_hash("../etc"), None);
    }
}
