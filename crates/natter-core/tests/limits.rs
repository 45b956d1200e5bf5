//! Hostile sizes that a real server relays (Prosody accepts stanzas up to its
//! `c2s_stanza_size_limit`, 256 KiB by default, 10 MiB in our test config) must not end the
//! session: anyone can send us a message, so a stanza that ends it is a remote disconnect.

mod common;

use common::*;
use natter_core::{Event, SessionState};

fn assert_online(h: &Harness, what: &str) {
    assert_eq!(
        h.client.state(),
        SessionState::Online,
        "{what} ended the session"
    );
}

/// rxml's default limit on one token (an attribute value, a name) is 8 KiB: a longer one
/// failed the whole frame, and the session with it.
#[test]
fn long_attribute_values_are_not_a_protocol_error() {
    let mut h = Harness::online();
    let id = "i".repeat(100_000);
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="chat" from="stranger@evil.example/x" id="{id}"><body>hi</body></message>"#
    ));
    assert_online(&h, "a 100 KB message id");
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::Message(m) if m.body == "hi")),
        "{:?}",
        out.events
            .iter()
            .map(|e| format!("{e:?}").chars().take(80).collect::<String>())
            .collect::<Vec<_>>()
    );

    let name = "N".repeat(60_000);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="set" id="push-1"><query xmlns="jabber:iq:roster"><item jid="romeo@example.net" name="{name}" subscription="both"/></query></iq>"#
    ));
    assert_online(&h, "a 60,000-character roster name");
    assert!(
        out.events.iter().any(|e| matches!(
            e,
            Event::RosterUpdated(item) if item.name.as_deref().map(str::len) == Some(60_000)
        )),
        "the roster push with a long name was not applied"
    );
}

#[test]
fn long_element_names_and_text_are_fine_too() {
    let mut h = Harness::online();
    let tag = format!("x{}", "y".repeat(20_000));
    h.feed(&format!(
        r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/o" id="m"><body>{}</body><{tag} xmlns="urn:example"/></message>"#,
        "b".repeat(200_000)
    ));
    assert_online(&h, "a 20,000-character element name");
}

/// A stanza nested deeper than the core keeps (64) used to end the session: Prosody relays
/// such a message from anyone. Now the part below the limit is cut off and the rest handled.
#[test]
fn deep_nesting_is_cut_off_not_a_disconnect() {
    let mut h = Harness::online();
    let deep = format!(
        "{}{}",
        "<x xmlns='urn:deep'>".repeat(500),
        "</x>".repeat(500)
    );
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="chat" from="stranger@evil.example/x" id="deep"><body>still here</body>{deep}</message>"#
    ));
    assert_online(&h, "a message nested 500 deep");
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::Message(m) if m.body == "still here")),
        "the message itself was lost: {:?}",
        out.events
    );
    // Past any sane depth (the parser's own stack would grow with it), the frame is refused.
    let absurd = format!(
        "<message xmlns='jabber:client'>{}{}</message>",
        "<x>".repeat(20_000),
        "</x>".repeat(20_000)
    );
    h.feed(&absurd);
    assert_eq!(h.client.state(), SessionState::Failed, "20,000 levels");
}
