//! Strangers' chats (an anonymous visitor from the chat widget writing to the support account):
//! named by the XEP-0172 nick in their messages, listed newest first, never renaming a contact.

use natter_core::jid::{BareJid, Jid};
use natter_core::{ChatMessage, Direction, Event, MessageExt, RosterItem, Subscription};
use natter_store::Store;

fn bare(s: &str) -> BareJid {
    s.parse().unwrap()
}

fn from(peer: &str, id: &str, nick: Option<&str>) -> Event {
    let from: Jid = format!("{peer}/widget").parse().unwrap();
    Event::Message(ChatMessage {
        id: id.into(),
        direction: Direction::Incoming,
        peer: bare(peer),
        from,
        body: format!("message {id}"),
        delayed: None,
        stanza_id: None,
        origin_id: None,
        archived: false,
        ext: MessageExt {
            nick: nick.map(str::to_owned),
            ..MessageExt::default()
        },
    })
}

const ANN: &str = "1a2b3c@anon.localhost";
const BEN: &str = "4d5e6f@anon.localhost";

#[test]
fn a_visitor_is_named_by_the_nick_in_its_messages() {
    let mut s = Store::new();
    // On screen: no unread count to redraw the contacts pane for, only the name.
    s.open = Some(bare(ANN));
    assert_eq!(s.display_name(&bare(ANN)), ANN);
    let c = s.apply(from(ANN, "1", Some("Ann")));
    assert!(c.roster, "the contacts pane redraws with the new name");
    assert_eq!(s.display_name(&bare(ANN)), "Ann");
    // Sent again: nothing changes.
    assert!(!s.apply(from(ANN, "2", Some("Ann"))).roster);
    // A message without a nick keeps the name; a new nick replaces it, cleaned again here.
    s.apply(from(ANN, "3", None));
    assert_eq!(s.display_name(&bare(ANN)), "Ann");
    s.apply(from(ANN, "4", Some(" Annie\u{202E} ")));
    assert_eq!(s.display_name(&bare(ANN)), "Annie");
    // Our own messages carry our nick, not theirs.
    let mut out = match from(ANN, "5", Some("Support")) {
        Event::Message(m) => m,
        _ => unreachable!(),
    };
    out.direction = Direction::Outgoing;
    s.apply(Event::MessageSent(out));
    assert_eq!(s.display_name(&bare(ANN)), "Annie");
}

#[test]
fn a_contact_keeps_its_roster_name() {
    let mut s = Store::new();
    s.apply(Event::RosterReset {
        items: vec![RosterItem {
            jid: bare("romeo@example.net"),
            name: Some("Romeo".into()),
            subscription: Subscription::Both,
            ask: false,
            groups: vec![],
        }],
        ver: None,
    });
    s.apply(from("romeo@example.net", "1", Some("The Admin")));
    assert_eq!(s.display_name(&bare("romeo@example.net")), "Romeo");
    assert!(s.stranger_chats().is_empty());
}

#[test]
fn strangers_chats_are_listed_newest_first() {
    let mut s = Store::new();
    s.clock_ms = 1_000;
    s.apply(from(ANN, "1", Some("Ann")));
    s.clock_ms = 2_000;
    s.apply(from(BEN, "2", Some("Ben")));
    assert_eq!(s.stranger_chats(), vec![bare(BEN), bare(ANN)]);
    s.clock_ms = 3_000;
    s.apply(from(ANN, "3", None));
    assert_eq!(s.stranger_chats(), vec![bare(ANN), bare(BEN)]);
}
