//! Avatar and profile transcripts: XEP-0084 notifications and fetches (with the hash check),
//! the XEP-0153 vCard fallback, names from vCard4 / vCard-temp / XEP-0172, and what we
//! publish ourselves.

mod common;

use common::*;
use minidom::Element;
use natter_core::{Command, Event};

const PUBSUB: &str = "http://jabber.org/protocol/pubsub";
const DATA: &str = "urn:xmpp:avatar:data";
const METADATA: &str = "urn:xmpp:avatar:metadata";
const VCARD: &str = "vcard-temp";
// A PNG signature and some bytes; its SHA-1 and base64 computed outside the code under test.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnatter avatar test";
const PNG_SHA1: &str = "8bd217066b456c0a5c02b1727322bc2f3ec5d100";
const PNG_B64: &str = "iVBORw0KGgpuYXR0ZXIgYXZhdGFyIHRlc3Q=";

fn metadata_event(from: &str, hash: &str) -> String {
    format!(
        r#"<message xmlns="jabber:client" from="{from}" to="{FULL_JID}" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="{METADATA}"><item id="{hash}"><metadata xmlns="{METADATA}"><info bytes="26" id="{hash}" height="96" width="96" type="image/png"/></metadata></item></items></event></message>"#
    )
}

fn avatar_changed(out: &Output) -> Vec<(String, Option<String>)> {
    out.events
        .iter()
        .filter_map(|e| match e {
            Event::AvatarChanged { jid, hash } => Some((jid.to_string(), hash.clone())),
            _ => None,
        })
        .collect()
}

fn avatars(out: &Output) -> Vec<(String, String, String, Vec<u8>)> {
    out.events
        .iter()
        .filter_map(|e| match e {
            Event::Avatar {
                jid,
                hash,
                mime,
                bytes,
            } => Some((jid.to_string(), hash.clone(), mime.clone(), bytes.clone())),
            _ => None,
        })
        .collect()
}

fn dropped(out: &Output) -> usize {
    out.events
        .iter()
        .filter(|e| matches!(e, Event::Dropped { .. }))
        .count()
}

fn result(to_id: &Element, from: &str, payload: &str) -> String {
    let id = to_id.attr("id").unwrap();
    format!(r#"<iq xmlns="jabber:client" type="result" id="{id}" from="{from}">{payload}</iq>"#)
}

fn error(to_id: &Element, from: &str) -> String {
    let id = to_id.attr("id").unwrap();
    format!(
        r#"<iq xmlns="jabber:client" type="error" id="{id}" from="{from}"><error type="cancel"><item-not-found xmlns="{STANZAS}"/></error></iq>"#
    )
}

fn fetch(h: &mut Harness, jid: &str, hash: &str) -> Output {
    h.command(Command::FetchAvatar {
        jid: jid.parse().unwrap(),
        hash: hash.into(),
    })
}

fn data_result(request: &Element, from: &str, base64: &str) -> String {
    result(
        request,
        from,
        &format!(
            r#"<pubsub xmlns="{PUBSUB}"><items node="{DATA}"><item id="{PNG_SHA1}"><data xmlns="{DATA}">{base64}</data></item></items></pubsub>"#
        ),
    )
}

#[test]
fn caps_ask_for_avatar_and_nick_notifications() {
    let mut h = Harness::online();
    let out = h.feed(r#"<iq xmlns="jabber:client" type="get" id="d1" from="example.org"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>"#);
    let features: Vec<_> = child(
        out.only_frame(),
        "query",
        "http://jabber.org/protocol/disco#info",
    )
    .children()
    .filter_map(|f| f.attr("var"))
    .collect();
    assert!(
        features.contains(&"urn:xmpp:avatar:metadata+notify"),
        "{features:?}"
    );
    assert!(
        features.contains(&"http://jabber.org/protocol/nick+notify"),
        "{features:?}"
    );
}

#[test]
fn a_contacts_notification_announces_the_avatar() {
    let mut h = Harness::online();
    let out = h.feed(&metadata_event("juliet@example.com", PNG_SHA1));
    assert_eq!(
        avatar_changed(&out),
        vec![("juliet@example.com".into(), Some(PNG_SHA1.into()))]
    );
    // An empty <metadata/> disables it.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="juliet@example.com" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="{METADATA}"><item id="x"><metadata xmlns="{METADATA}"/></item></items></event></message>"#
    ));
    assert_eq!(
        avatar_changed(&out),
        vec![("juliet@example.com".into(), None)]
    );
    // Only infos stored in the data node count: a URL-only avatar is not fetched.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="juliet@example.com" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="{METADATA}"><item id="{PNG_SHA1}"><metadata xmlns="{METADATA}"><info bytes="1" id="{PNG_SHA1}" type="image/png" url="https://evil.example/x.png"/></metadata></item></items></event></message>"#
    ));
    assert_eq!(
        avatar_changed(&out),
        vec![("juliet@example.com".into(), None)]
    );
}

#[test]
fn a_notification_from_a_full_jid_is_dropped() {
    let mut h = Harness::online();
    // Any client can send a message from its full JID; only the account's PEP (bare JID)
    // speaks for the account.
    let out = h.feed(&metadata_event("mallory@evil.example/bot", PNG_SHA1));
    assert!(avatar_changed(&out).is_empty(), "{out:?}");
    assert_eq!(dropped(&out), 1, "{out:?}");
    let out = h.feed(&metadata_event("juliet@example.com/balcony", PNG_SHA1));
    assert!(avatar_changed(&out).is_empty(), "{out:?}");
}

#[test]
fn the_image_is_fetched_by_hash_and_checked() {
    let mut h = Harness::online();
    let out = fetch(&mut h, "juliet@example.com", &PNG_SHA1.to_uppercase());
    let request = out.only_frame();
    assert_eq!(request.attr("to"), Some("juliet@example.com"));
    assert_eq!(iq_type(request), Some("get"));
    let items = child(child(request, "pubsub", PUBSUB), "items", PUBSUB);
    assert_eq!(items.attr("node"), Some(DATA));
    assert_eq!(child(items, "item", PUBSUB).attr("id"), Some(PNG_SHA1));
    // Asking again while it runs sends nothing more.
    assert!(fetch(&mut h, "juliet@example.com", PNG_SHA1)
        .frames
        .is_empty());

    // An answer from someone else is not believed.
    let out = h.feed(&data_result(request, "mallory@evil.example", PNG_B64));
    assert!(avatars(&out).is_empty());
    assert_eq!(dropped(&out), 1);

    let out = h.feed(&data_result(request, "juliet@example.com", PNG_B64));
    assert_eq!(
        avatars(&out),
        vec![(
            "juliet@example.com".into(),
            PNG_SHA1.into(),
            "image/png".into(),
            PNG.to_vec()
        )]
    );
    assert!(out.frames.is_empty());
}

#[test]
fn an_image_that_does_not_match_its_hash_is_dropped() {
    let mut h = Harness::online();
    let out = fetch(&mut h, "juliet@example.com", PNG_SHA1);
    let request = out.only_frame().clone();
    // Another valid PNG, but not the one announced.
    let other = "iVBORw0KGgpvdGhlciBpbWFnZQ==";
    let out = h.feed(&data_result(&request, "juliet@example.com", other));
    assert!(avatars(&out).is_empty(), "{out:?}");
    assert_eq!(dropped(&out), 1);
    // The vCard is tried next, and checked the same way.
    let vcard_get = out.only_frame();
    assert!(vcard_get.has_child("vCard", VCARD), "{vcard_get:?}");
    let out = h.feed(&result(
        vcard_get,
        "juliet@example.com",
        &format!(r#"<vCard xmlns="{VCARD}"><PHOTO><TYPE>image/png</TYPE><BINVAL>{other}</BINVAL></PHOTO></vCard>"#),
    ));
    assert!(avatars(&out).is_empty(), "{out:?}");
    assert_eq!(dropped(&out), 1);
}

#[test]
fn vcard_temp_fallback_from_presence() {
    let mut h = Harness::online();
    let out = h.feed(&format!(
        r#"<presence xmlns="jabber:client" from="romeo@example.net/orchard"><x xmlns="vcard-temp:x:update"><photo>{}</photo></x></presence>"#,
        PNG_SHA1.to_uppercase()
    ));
    assert_eq!(
        avatar_changed(&out),
        vec![("romeo@example.net".into(), Some(PNG_SHA1.into()))]
    );
    assert!(out.events.iter().any(|e| matches!(e, Event::Presence(_))));
    // <photo/> empty (which servers replay from before a PEP avatar was set) and <x/>
    // without <photo/> say nothing.
    let out = h.feed(r#"<presence xmlns="jabber:client" from="romeo@example.net/orchard"><x xmlns="vcard-temp:x:update"><photo/></x></presence>"#);
    assert!(avatar_changed(&out).is_empty(), "{out:?}");
    let out = h.feed(r#"<presence xmlns="jabber:client" from="romeo@example.net/orchard"><x xmlns="vcard-temp:x:update"/></presence>"#);
    assert!(avatar_changed(&out).is_empty());

    let out = fetch(&mut h, "romeo@example.net", PNG_SHA1);
    let out = h.feed(&error(out.only_frame(), "romeo@example.net"));
    let vcard_get = out.only_frame();
    assert_eq!(vcard_get.attr("to"), Some("romeo@example.net"));
    let out = h.feed(&result(
        vcard_get,
        "romeo@example.net",
        &format!(r#"<vCard xmlns="{VCARD}"><FN>Romeo</FN><PHOTO><TYPE>text/html</TYPE><BINVAL>{PNG_B64}</BINVAL></PHOTO></vCard>"#),
    ));
    // The type is read from the bytes, not from what the vCard claims.
    assert_eq!(
        avatars(&out),
        vec![(
            "romeo@example.net".into(),
            PNG_SHA1.into(),
            "image/png".into(),
            PNG.to_vec()
        )]
    );
}

#[test]
fn publishing_our_avatar_stores_the_data_then_announces_it() {
    let mut h = Harness::online();
    let out = h.command(Command::PublishAvatar {
        mime: "image/png".into(),
        bytes: PNG.to_vec(),
        width: 96,
        height: 96,
    });
    let set = out.only_frame().clone();
    assert_eq!(iq_type(&set), Some("set"));
    assert_eq!(set.attr("to"), None, "to our own account");
    let pubsub = child(&set, "pubsub", PUBSUB);
    let publish = child(pubsub, "publish", PUBSUB);
    assert_eq!(publish.attr("node"), Some(DATA));
    let item = child(publish, "item", PUBSUB);
    assert_eq!(item.attr("id"), Some(PNG_SHA1));
    assert_eq!(child(item, "data", DATA).text(), PNG_B64);
    let form = child(
        child(pubsub, "publish-options", PUBSUB),
        "x",
        "jabber:x:data",
    );
    let access = form
        .children()
        .find(|f| f.attr("var") == Some("pubsub#access_model"))
        .expect("access model");
    assert_eq!(
        access.children().next().map(|v| v.text()).as_deref(),
        Some("open")
    );

    let out = h.feed(&result(&set, "user@example.org", ""));
    assert_eq!(avatars(&out).len(), 1);
    let meta = out.only_frame().clone();
    let publish = child(child(&meta, "pubsub", PUBSUB), "publish", PUBSUB);
    assert_eq!(publish.attr("node"), Some(METADATA));
    let item = child(publish, "item", PUBSUB);
    assert_eq!(item.attr("id"), Some(PNG_SHA1));
    let info = child(child(item, "metadata", METADATA), "info", METADATA);
    assert_eq!(info.attr("id"), Some(PNG_SHA1));
    assert_eq!(info.attr("bytes"), Some(PNG.len().to_string().as_str()));
    assert_eq!(info.attr("width"), Some("96"));
    assert_eq!(info.attr("type"), Some("image/png"));
    let out = h.feed(&result(&meta, "user@example.org", ""));
    assert_eq!(
        avatar_changed(&out),
        vec![("user@example.org".into(), Some(PNG_SHA1.into()))]
    );

    // Not an image: refused before anything is sent.
    let out = h.command(Command::PublishAvatar {
        mime: "image/png".into(),
        bytes: b"<svg/>".to_vec(),
        width: 1,
        height: 1,
    });
    assert!(out.frames.is_empty());
    assert!(
        matches!(out.events.as_slice(), [Event::RequestFailed { .. }]),
        "{out:?}"
    );
}

#[test]
fn a_node_configured_otherwise_is_published_without_options() {
    let mut h = Harness::online();
    let out = h.command(Command::PublishAvatar {
        mime: "image/png".into(),
        bytes: PNG.to_vec(),
        width: 96,
        height: 96,
    });
    let id = out.only_frame().attr("id").unwrap().to_owned();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="error" id="{id}"><error type="cancel"><conflict xmlns="{STANZAS}"/><precondition-not-met xmlns="http://jabber.org/protocol/pubsub#errors"/></error></iq>"#
    ));
    let again = child(out.only_frame(), "pubsub", PUBSUB);
    assert!(again.has_child("publish", PUBSUB));
    assert!(!again.has_child("publish-options", PUBSUB));
}

#[test]
fn nickname_goes_to_pep_and_into_the_vcard() {
    let mut h = Harness::online();
    let out = h.command(Command::SetNickname {
        nickname: " Ali\u{0}ce ".into(),
    });
    assert_eq!(out.frames.len(), 2, "{out:?}");
    let publish = child(child(&out.frames[0], "pubsub", PUBSUB), "publish", PUBSUB);
    assert_eq!(
        publish.attr("node"),
        Some("http://jabber.org/protocol/nick")
    );
    let nick = child(
        child(publish, "item", PUBSUB),
        "nick",
        "http://jabber.org/protocol/nick",
    );
    assert_eq!(nick.text(), "Alice");
    let get = &out.frames[1];
    assert_eq!(iq_type(get), Some("get"));
    let out = h.feed(&result(
        get,
        "user@example.org",
        &format!(
            r#"<vCard xmlns="{VCARD}"><FN>Alice Liddell</FN><NICKNAME>old</NICKNAME></vCard>"#
        ),
    ));
    let set = out.only_frame();
    assert_eq!(iq_type(set), Some("set"));
    let card = child(set, "vCard", VCARD);
    assert_eq!(child(card, "FN", VCARD).text(), "Alice Liddell");
    let nicks: Vec<_> = card
        .children()
        .filter(|c| c.name() == "NICKNAME")
        .map(|c| c.text())
        .collect();
    assert_eq!(nicks, vec!["Alice".to_string()]);

    // Contacts' nicknames arrive through PEP.
    let out = h.feed(r#"<message xmlns="jabber:client" from="juliet@example.com" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="http://jabber.org/protocol/nick"><item id="current"><nick xmlns="http://jabber.org/protocol/nick">Jul&#10;iet</nick></item></items></event></message>"#);
    assert_eq!(
        out.events,
        vec![Event::Nickname {
            jid: "juliet@example.com".parse().unwrap(),
            nickname: Some("Jul iet".into())
        }]
    );
}

#[test]
fn profile_from_vcard4_else_vcard_temp() {
    let mut h = Harness::online();
    let out = h.command(Command::FetchProfile {
        jid: "juliet@example.com".parse().unwrap(),
    });
    let get = out.only_frame().clone();
    let items = child(child(&get, "pubsub", PUBSUB), "items", PUBSUB);
    assert_eq!(items.attr("node"), Some("urn:xmpp:vcard4"));
    let long = "J".repeat(1000);
    let out = h.feed(&result(
        &get,
        "juliet@example.com",
        &format!(r#"<pubsub xmlns="{PUBSUB}"><items node="urn:xmpp:vcard4"><item id="current"><vcard xmlns="urn:ietf:params:xml:ns:vcard-4.0"><fn><text>{long}</text></fn><nickname><text>&lt;b&gt;Jules</text></nickname></vcard></item></items></pubsub>"#),
    ));
    match out.events.as_slice() {
        [Event::Profile {
            jid,
            full_name,
            nickname,
        }] => {
            assert_eq!(jid.to_string(), "juliet@example.com");
            assert_eq!(full_name.as_ref().map(|n| n.chars().count()), Some(100));
            assert_eq!(nickname.as_deref(), Some("<b>Jules"));
        }
        other => panic!("{other:?}"),
    }

    let out = h.command(Command::FetchProfile {
        jid: "romeo@example.net".parse().unwrap(),
    });
    let out = h.feed(&error(out.only_frame(), "romeo@example.net"));
    let out = h.feed(&result(
        out.only_frame(),
        "romeo@example.net",
        &format!(
            r#"<vCard xmlns="{VCARD}"><FN>Romeo Montague</FN><NICKNAME>Ro</NICKNAME></vCard>"#
        ),
    ));
    assert_eq!(
        out.events,
        vec![Event::Profile {
            jid: "romeo@example.net".parse().unwrap(),
            full_name: Some("Romeo Montague".into()),
            nickname: Some("Ro".into()),
        }]
    );
}

#[test]
fn a_burst_of_fetches_goes_out_a_few_at_a_time() {
    let mut h = Harness::online();
    let mut first = Vec::new();
    for n in 0..6 {
        let out = fetch(&mut h, &format!("c{n}@example.com"), &format!("{n:040x}"));
        first.extend(out.frames);
    }
    let to: Vec<_> = first.iter().filter_map(|f| f.attr("to")).collect();
    assert_eq!(
        to,
        [
            "c0@example.com",
            "c1@example.com",
            "c2@example.com",
            "c3@example.com"
        ],
        "four at a time"
    );
    // A queued one asked again is not queued twice.
    assert!(fetch(&mut h, "c4@example.com", &format!("{:040x}", 4))
        .frames
        .is_empty());
    // c0 has no avatar node: its vCard is asked, still within the four.
    let out = h.feed(&error(&first[0], "c0@example.com"));
    assert_eq!(out.only_frame().attr("to"), Some("c0@example.com"));
    // c1 answers with nothing usable: its vCard is tried, in c1's place.
    let vcard = h.feed(&result(&first[1], "c1@example.com", ""));
    assert_eq!(vcard.only_frame().attr("to"), Some("c1@example.com"));
    // c0's vCard fails: c0 is done, and the next waiting fetch starts.
    let c0_vcard = out.only_frame().clone();
    let out = h.feed(&error(&c0_vcard, "c0@example.com"));
    assert_eq!(out.only_frame().attr("to"), Some("c4@example.com"));
    // A timeout frees a place too.
    h.advance(60_000);
    let out = h.timeout();
    let to: Vec<_> = out.frames.iter().filter_map(|f| f.attr("to")).collect();
    assert!(to.contains(&"c5@example.com"), "{to:?}");
}
