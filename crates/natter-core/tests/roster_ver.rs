//! RFC 6121 §2.6 roster versioning transcripts: the version in the roster get, "unchanged",
//! a full roster with its version, pushes carrying versions.

mod common;
mod session_support;

use common::*;
use natter_core::{Config, Event, RosterItem, Subscription};
use session_support::*;

fn roster_get_ver(config: Config, extra: &str) -> (Harness, String, Option<String>) {
    let (h, out) = login_with(config, extra);
    let id = roster_get_id(&out);
    let get = out
        .frames
        .iter()
        .find(|f| f.attr("id") == Some(id.as_str()))
        .unwrap();
    let ver = child(get, "query", ROSTER).attr("ver").map(str::to_owned);
    (h, id, ver)
}

fn cached(ver: &str) -> Config {
    let mut c = config();
    c.roster_ver = Some(ver.into());
    c
}

#[test]
fn no_version_unless_the_server_versions_rosters() {
    let (_, _, ver) = roster_get_ver(cached("v1"), "");
    assert_eq!(ver, None);
}

#[test]
fn empty_version_without_a_cached_roster() {
    let (_, _, ver) = roster_get_ver(config(), ROSTER_VER_FEATURE);
    assert_eq!(ver.as_deref(), Some(""));
}

#[test]
fn unchanged_roster() {
    let (mut h, id, ver) = roster_get_ver(cached("v1"), ROSTER_VER_FEATURE);
    assert_eq!(ver.as_deref(), Some("v1"));
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#
    ));
    assert_eq!(out.events, vec![Event::RosterUnchanged]);
}

#[test]
fn empty_result_without_versioning_is_an_empty_roster() {
    let (mut h, id, _) = roster_get_ver(cached("v1"), "");
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::RosterReset {
            items: Vec::new(),
            ver: None
        }]
    );
}

#[test]
fn changed_roster_comes_whole_with_its_version() {
    let (mut h, id, _) = roster_get_ver(cached("v1"), ROSTER_VER_FEATURE);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"><query xmlns="jabber:iq:roster" ver="v2"><item jid="romeo@example.net" subscription="both"/></query></iq>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::RosterReset {
            items: vec![RosterItem {
                jid: "romeo@example.net".parse().unwrap(),
                name: None,
                subscription: Subscription::Both,
                ask: false,
                groups: Vec::new(),
            }],
            ver: Some("v2".into())
        }]
    );
    // A versioned empty roster is a roster, not "unchanged".
    let (mut h, id, _) = roster_get_ver(cached("v1"), ROSTER_VER_FEATURE);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"><query xmlns="jabber:iq:roster" ver="v3"/></iq>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::RosterReset {
            items: Vec::new(),
            ver: Some("v3".into())
        }]
    );
}

#[test]
fn pushes_carry_the_new_version_after_the_change() {
    let (mut h, id, _) = roster_get_ver(cached("v1"), ROSTER_VER_FEATURE);
    h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#
    ));
    let out = h.feed(r#"<iq xmlns="jabber:client" type="set" id="p1"><query xmlns="jabber:iq:roster" ver="v4"><item jid="nurse@example.com" subscription="none"/></query></iq>"#);
    assert!(
        matches!(out.events.as_slice(), [Event::RosterUpdated(item), Event::RosterVersion(v)]
            if item.jid.to_string() == "nurse@example.com" && v == "v4"),
        "{out:?}"
    );
    let result = out.only_frame();
    assert_eq!(
        (result.attr("type"), result.attr("id")),
        (Some("result"), Some("p1"))
    );

    let out = h.feed(r#"<iq xmlns="jabber:client" type="set" id="p2"><query xmlns="jabber:iq:roster" ver="v5"><item jid="nurse@example.com" subscription="remove"/></query></iq>"#);
    assert!(
        matches!(out.events.as_slice(), [Event::RosterRemoved(_), Event::RosterVersion(v)] if v == "v5"),
        "{out:?}"
    );
    // No version: no version event; an invalid push: neither the change nor its version.
    let out = h.feed(r#"<iq xmlns="jabber:client" type="set" id="p3"><query xmlns="jabber:iq:roster"><item jid="tybalt@example.com"/></query></iq>"#);
    assert!(
        matches!(out.events.as_slice(), [Event::RosterUpdated(_)]),
        "{out:?}"
    );
    let out = h.feed(r#"<iq xmlns="jabber:client" type="set" id="p4"><query xmlns="jabber:iq:roster" ver="v6"><item jid="a@example.com"/><item jid="b@example.com"/></query></iq>"#);
    assert!(out.events.is_empty(), "{out:?}");
    assert_eq!(out.only_frame().attr("type"), Some("error"));
}
