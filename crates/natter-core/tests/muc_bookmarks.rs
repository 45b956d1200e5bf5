//! Bookmarks: XEP-0402 (PEP) when our account announces it, with autojoin at sign-in, changes
//! of ours and pushed from our other devices; XEP-0048 private storage otherwise.

mod common;

use common::muc::*;
use common::*;
use natter_core::{Bookmark, Command, Config, Event};

const OWN: &str = "user@example.org";
const NODE: &str = "urn:xmpp:bookmarks:1";

fn coven(autojoin: bool) -> Bookmark {
    Bookmark {
        room: room(),
        name: Some("The Coven".into()),
        nick: Some("hecate".into()),
        password: None,
        autojoin,
    }
}

fn heath() -> Bookmark {
    Bookmark {
        room: "heath@chat.example.org".parse().unwrap(),
        name: None,
        nick: None,
        password: Some("thunder".into()),
        autojoin: false,
    }
}

/// Signed in; the account's disco#info answered with `features`. Returns the request that
/// follows (the bookmarks' get).
fn signed_in(config: Config, features: &[&str]) -> (Harness, minidom::Element) {
    let (mut h, mut login) = Harness::login_plain(config);
    h.answer_roster(&mut login);
    let account = login
        .frames
        .iter()
        .find(|f| f.attr("to") == Some(OWN) && f.has_child("query", DISCO_INFO))
        .expect("the account's disco#info");
    let out = h.feed(&archive::disco_answer(&id_of(account), OWN, features));
    let get = out.only_frame().clone();
    assert_eq!(iq_type(&get), Some("get"));
    assert_eq!(get.attr("to"), None, "to our own account");
    (h, get)
}

fn pep_items(id: &str, items: &str) -> String {
    format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"><pubsub xmlns="{PUBSUB}"><items node="{NODE}">{items}</items></pubsub></iq>"#
    )
}

const COVEN_ITEM: &str = r#"<item id="coven@chat.example.org"><conference xmlns="urn:xmpp:bookmarks:1" name="The Coven" autojoin="true"><nick>hecate</nick></conference></item>"#;
const HEATH_ITEM: &str = r#"<item id="heath@chat.example.org"><conference xmlns="urn:xmpp:bookmarks:1"><password>thunder</password></conference></item>"#;

fn pep_online() -> Harness {
    let (mut h, get) = signed_in(config(), &["urn:xmpp:bookmarks:1#compat"]);
    let out = h.feed(&pep_items(&id_of(&get), ""));
    assert_eq!(out.events, vec![Event::Bookmarks(Vec::new())]);
    h
}

#[test]
fn pep_bookmarks_load_and_autojoin() {
    let (mut h, get) = signed_in(config(), &["urn:xmpp:bookmarks:1#compat"]);
    let items = child(child(&get, "pubsub", PUBSUB), "items", PUBSUB);
    assert_eq!(items.attr("node"), Some(NODE));
    let out = h.feed(&pep_items(
        &id_of(&get),
        &format!("{COVEN_ITEM}{HEATH_ITEM}<item id=\"not a jid@@\"><conference xmlns=\"{NODE}\"/></item>"),
    ));
    assert_eq!(
        out.events,
        vec![
            Event::Bookmarks(vec![coven(true), heath()]),
            Event::RoomJoining {
                room: room(),
                nick: "hecate".into()
            }
        ]
    );
    iq_to(&out, ROOM, "query", DISCO_INFO);
}

#[test]
fn autojoin_can_be_left_to_the_app() {
    let mut config = config();
    config.autojoin = false;
    let (mut h, get) = signed_in(config, &["urn:xmpp:bookmarks:1#compat"]);
    let out = h.feed(&pep_items(&id_of(&get), COVEN_ITEM));
    assert_eq!(out.events, vec![Event::Bookmarks(vec![coven(true)])]);
    assert!(out.frames.is_empty());
}

#[test]
fn no_bookmarks_node_yet() {
    let (mut h, get) = signed_in(config(), &["urn:xmpp:bookmarks:1#compat"]);
    let out = h.feed(&iq_error(&id_of(&get), OWN, "item-not-found"));
    assert_eq!(out.events, vec![Event::Bookmarks(Vec::new())]);
}

#[test]
fn pep_set_and_remove() {
    let mut h = pep_online();
    let out = h.command(Command::SetBookmark(coven(false)));
    let iq = out.only_frame();
    assert_eq!((iq_type(iq), iq.attr("to")), (Some("set"), None));
    let pubsub = child(iq, "pubsub", PUBSUB);
    let publish = child(pubsub, "publish", PUBSUB);
    assert_eq!(publish.attr("node"), Some(NODE));
    let item = child(publish, "item", PUBSUB);
    assert_eq!(item.attr("id"), Some(ROOM));
    let conference = child(item, "conference", NODE);
    assert_eq!(conference.attr("name"), Some("The Coven"));
    assert_ne!(conference.attr("autojoin"), Some("true"));
    assert_eq!(child(conference, "nick", NODE).text(), "hecate");
    let form = child(child(pubsub, "publish-options", PUBSUB), "x", DATA);
    let value = |var: &str| {
        form.children()
            .find(|f| f.attr("var") == Some(var))
            .map(|f| child(f, "value", DATA).text())
    };
    assert_eq!(value("pubsub#persist_items").as_deref(), Some("true"));
    assert_eq!(value("pubsub#max_items").as_deref(), Some("max"));
    assert_eq!(value("pubsub#access_model").as_deref(), Some("whitelist"));
    let out = h.feed(&iq_result(&id_of(iq), OWN));
    assert_eq!(out.events, vec![Event::Bookmarks(vec![coven(false)])]);
    // Our own notification of it changes nothing more.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="{OWN}" to="{ME}" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="{NODE}"><item id="{ROOM}"><conference xmlns="{NODE}" name="The Coven"><nick>hecate</nick></conference></item></items></event></message>"#
    ));
    assert!(out.events.is_empty(), "{out:?}");

    let out = h.command(Command::RemoveBookmark { room: room() });
    let iq = out.only_frame();
    let retract = child(child(iq, "pubsub", PUBSUB), "retract", PUBSUB);
    assert_eq!(retract.attr("node"), Some(NODE));
    assert_eq!(retract.attr("notify"), Some("true"));
    assert_eq!(child(retract, "item", PUBSUB).attr("id"), Some(ROOM));
    let out = h.feed(&iq_result(&id_of(iq), OWN));
    assert_eq!(out.events, vec![Event::Bookmarks(Vec::new())]);

    let out = h.command(Command::SetBookmark(heath()));
    let out = h.feed(&iq_error(&id_of(out.only_frame()), OWN, "not-allowed"));
    assert_eq!(
        out.events,
        vec![Event::RequestFailed {
            what: "Could not bookmark heath@chat.example.org".into(),
            reason: "this is not allowed".into()
        }]
    );
}

#[test]
fn another_devices_changes_appear_live() {
    let mut h = pep_online();
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="{OWN}" to="{ME}" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="{NODE}">{HEATH_ITEM}</items></event></message>"#
    ));
    assert_eq!(out.events, vec![Event::Bookmarks(vec![heath()])]);
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="{OWN}" to="{ME}" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="{NODE}"><retract id="heath@chat.example.org"/></items></event></message>"#
    ));
    assert_eq!(out.events, vec![Event::Bookmarks(Vec::new())]);
    // Anyone else pushing into our bookmarks is lying.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="mallory@evil.example" to="{ME}" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="{NODE}">{COVEN_ITEM}</items></event></message>"#
    ));
    assert!(
        matches!(out.events.as_slice(), [Event::Dropped { .. }]),
        "{out:?}"
    );
    assert!(out.frames.is_empty(), "no autojoin from a forged push");
    // A contact's other PEP data is no concern of the bookmarks.
    let out = h.feed(
        r#"<message xmlns="jabber:client" from="romeo@example.net" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="http://jabber.org/protocol/tune"/></event></message>"#,
    );
    assert!(out.events.is_empty(), "{out:?}");
}

#[test]
fn private_storage_when_the_server_lacks_pep_bookmarks() {
    let (mut h, get) = signed_in(config(), &[DISCO_INFO]);
    child(
        child(&get, "query", "jabber:iq:private"),
        "storage",
        "storage:bookmarks",
    );
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{}"><query xmlns="jabber:iq:private"><storage xmlns="storage:bookmarks"><conference jid="{ROOM}" name="The Coven" autojoin="1"><nick>hecate</nick></conference><conference name="broken"/><url url="https://example.org" name="x"/></storage></query></iq>"#,
        id_of(&get)
    ));
    assert_eq!(
        out.events,
        vec![
            Event::Bookmarks(vec![coven(true)]),
            Event::RoomJoining {
                room: room(),
                nick: "hecate".into()
            }
        ]
    );

    // Adding rewrites the whole storage.
    let out = h.command(Command::SetBookmark(heath()));
    let iq = out.only_frame();
    assert_eq!(iq_type(iq), Some("set"));
    let storage = child(
        child(iq, "query", "jabber:iq:private"),
        "storage",
        "storage:bookmarks",
    );
    let rooms: Vec<_> = storage
        .children()
        .map(|c| c.attr("jid").unwrap().to_owned())
        .collect();
    assert_eq!(
        rooms,
        vec![ROOM.to_owned(), "heath@chat.example.org".into()]
    );
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{}"/>"#,
        id_of(iq)
    ));
    assert_eq!(
        out.events,
        vec![Event::Bookmarks(vec![coven(true), heath()])]
    );

    let out = h.command(Command::RemoveBookmark { room: room() });
    let iq = out.only_frame();
    let storage = child(
        child(iq, "query", "jabber:iq:private"),
        "storage",
        "storage:bookmarks",
    );
    assert_eq!(storage.children().count(), 1);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{}"/>"#,
        id_of(iq)
    ));
    assert_eq!(out.events, vec![Event::Bookmarks(vec![heath()])]);
}

#[test]
fn refused_pep_falls_back_to_private_storage() {
    let (mut h, get) = signed_in(config(), &["urn:xmpp:bookmarks:1#compat"]);
    let out = h.feed(&iq_error(&id_of(&get), OWN, "feature-not-implemented"));
    let private = out.only_frame();
    child(private, "query", "jabber:iq:private");
    assert!(out.events.is_empty());
}

#[test]
fn bookmarks_before_they_are_loaded() {
    let mut h = Harness::online();
    let out = h.command(Command::SetBookmark(coven(true)));
    assert!(out.frames.is_empty());
    assert!(matches!(
        out.events.as_slice(),
        [Event::RequestFailed { .. }]
    ));
}

/// ejabberd 23.01 keeps XEP-0048 storage and mirrors it into the `storage:bookmarks` PEP
/// node: a change made on another device is pushed there, as the whole set.
#[test]
fn private_storage_changes_from_another_device_appear_live() {
    let (mut h, get) = signed_in(config(), &[DISCO_INFO]);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{}"><query xmlns="jabber:iq:private"><storage xmlns="storage:bookmarks"/></query></iq>"#,
        id_of(&get)
    ));
    assert_eq!(out.events, vec![Event::Bookmarks(Vec::new())]);
    let push = |from: &str, conferences: &str| {
        format!(
            r#"<message xmlns="jabber:client" from="{from}" to="{ME}" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="storage:bookmarks"><item id="current"><storage xmlns="storage:bookmarks">{conferences}</storage></item></items></event></message>"#
        )
    };
    let heath_xml =
        r#"<conference jid="heath@chat.example.org"><password>thunder</password></conference>"#;
    let out = h.feed(&push(OWN, heath_xml));
    assert_eq!(out.events, vec![Event::Bookmarks(vec![heath()])]);
    // The same set again (our own change echoed back): nothing new.
    assert!(h.feed(&push(OWN, heath_xml)).events.is_empty());
    // Only our own account speaks for our bookmarks.
    let out = h.feed(&push("mallory@evil.example", ""));
    assert!(
        matches!(out.events.as_slice(), [Event::Dropped { .. }]),
        "{out:?}"
    );
    let out = h.feed(&push(OWN, ""));
    assert_eq!(out.events, vec![Event::Bookmarks(Vec::new())]);
}

#[test]
fn the_legacy_mirror_is_ignored_where_pep_bookmarks_are_kept() {
    let mut h = pep_online();
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="{OWN}" to="{ME}" type="headline"><event xmlns="http://jabber.org/protocol/pubsub#event"><items node="storage:bookmarks"><item id="current"><storage xmlns="storage:bookmarks"><conference jid="{ROOM}"/></storage></item></items></event></message>"#
    ));
    assert!(out.events.is_empty(), "{out:?}");
}
