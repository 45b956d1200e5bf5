//! XEP-0393 on the wire: the sender's `<unstyled/>` opt-out read from incoming messages
//! (live and carbons) and written into ours, and the feature in our disco#info.

mod common;

use common::archive::*;
use common::*;
use natter_core::{Command, Event, MessageExt};

const STYLING: &str = "urn:xmpp:styling:0";

fn ext_of(out: &Output) -> &MessageExt {
    match out.events.as_slice() {
        [Event::Message(m)] => &m.ext,
        other => panic!("expected one message, got {other:?}"),
    }
}

#[test]
fn unstyled_is_read_from_live_messages_and_carbons() {
    // Carbons from our own account are read whether or not this session enabled them.
    let mut h = Harness::online();
    let plain = h.feed(&chat("romeo@example.net/o", FULL_JID, "m1", "*hi*", ""));
    assert!(!ext_of(&plain).unstyled);
    let marked = h.feed(&chat(
        "romeo@example.net/o",
        FULL_JID,
        "m2",
        "*hi*",
        r#"<unstyled xmlns="urn:xmpp:styling:0"/>"#,
    ));
    assert!(ext_of(&marked).unstyled);
    // The same name in another namespace is not the opt-out.
    let other = h.feed(&chat(
        "romeo@example.net/o",
        FULL_JID,
        "m3",
        "*hi*",
        r#"<unstyled xmlns="urn:example:other"/>"#,
    ));
    assert!(!ext_of(&other).unstyled);
    let inner = chat(
        "romeo@example.net/o",
        "user@example.org/phone",
        "m4",
        "_x_",
        r#"<unstyled xmlns="urn:xmpp:styling:0"/>"#,
    );
    let carbon = h.feed(&carbon("received", Some(OWN), &inner));
    assert!(ext_of(&carbon).unstyled);
}

#[test]
fn unstyled_is_written_only_when_asked() {
    let mut h = Harness::online();
    for unstyled in [false, true] {
        let id = h.client.next_id();
        let out = h.command(Command::SendMessage {
            to: "juliet@example.com".parse().unwrap(),
            id,
            body: "*as is*".into(),
            ext: MessageExt {
                unstyled,
                ..Default::default()
            },
        });
        let message = out
            .frames
            .iter()
            .find(|f| f.is("message", CLIENT))
            .expect("the message");
        assert_eq!(message.has_child("unstyled", STYLING), unstyled);
    }
}

#[test]
fn styling_is_in_our_features() {
    let mut h = Harness::online();
    let out = h.feed(
        r#"<iq xmlns="jabber:client" type="get" id="d1" from="romeo@example.net/o"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>"#,
    );
    let features: Vec<_> = child(out.only_frame(), "query", DISCO_INFO)
        .children()
        .filter(|c| c.is("feature", DISCO_INFO))
        .filter_map(|c| c.attr("var"))
        .collect();
    assert!(features.contains(&STYLING), "{features:?}");
}
