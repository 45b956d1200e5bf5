//! Corrections, retractions and reactions applied by the store: only the original's sender's,
//! in any arrival order, each copy once, bounded, and kept by the cache.

use natter_core::edits::{Applied, Edits, ReactionSet, Reply};
use natter_core::jid::{BareJid, Jid};
use natter_core::{ChatMessage, Direction, Event, MessageExt};
use natter_store::{merge_cached, Store, MAX_PENDING_EDITS};

const ROMEO: &str = "romeo@example.net/orchard";
const ME: &str = "user@example.org/natter";

fn peer() -> BareJid {
    "romeo@example.net".parse().unwrap()
}

fn msg(id: &str, direction: Direction, body: &str, edits: Edits) -> ChatMessage {
    let (from, peer): (Jid, BareJid) = match direction {
        Direction::Incoming => (ROMEO.parse().unwrap(), peer()),
        Direction::Outgoing => (ME.parse().unwrap(), peer()),
    };
    ChatMessage {
        id: id.into(),
        direction,
        peer,
        from,
        body: body.into(),
        delayed: None,
        stanza_id: None,
        origin_id: None,
        archived: false,
        ext: MessageExt {
            edits: Box::new(edits),
            ..MessageExt::default()
        },
    }
}

fn plain(id: &str, direction: Direction, body: &str) -> ChatMessage {
    msg(id, direction, body, Edits::default())
}

fn correction(id: &str, direction: Direction, of: &str, body: &str) -> ChatMessage {
    msg(
        id,
        direction,
        body,
        Edits {
            replace: Some(of.into()),
            ..Edits::default()
        },
    )
}

fn retraction(id: &str, direction: Direction, of: &str) -> ChatMessage {
    msg(
        id,
        direction,
        "This person attempted to retract a previous message",
        Edits {
            retract: Some(of.into()),
            ..Edits::default()
        },
    )
}

fn reaction(id: &str, direction: Direction, of: &str, rs: &[&str]) -> ChatMessage {
    msg(
        id,
        direction,
        "",
        Edits {
            react: Some(ReactionSet {
                id: of.into(),
                reactions: rs.iter().map(|r| r.to_string()).collect(),
            }),
            ..Edits::default()
        },
    )
}

fn stamped(mut m: ChatMessage, stamp: &str, archive_id: &str) -> ChatMessage {
    m.delayed = Some(stamp.into());
    m.stanza_id = Some(archive_id.into());
    m.archived = true;
    m
}

/// (id, body, applied) of every message shown with romeo, in order.
fn shown(s: &Store) -> Vec<(String, String, Applied)> {
    s.conversations
        .get(&peer())
        .map(|c| {
            c.messages
                .iter()
                .map(|m| {
                    (
                        m.msg.id.clone(),
                        m.msg.body.clone(),
                        m.msg.ext.edits.applied.clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn body_of(s: &Store, id: &str) -> String {
    shown(s)
        .into_iter()
        .find(|(i, _, _)| i == id)
        .map(|(_, b, _)| b)
        .expect("the message")
}

fn applied(s: &Store, id: &str) -> Applied {
    shown(s)
        .into_iter()
        .find(|(i, _, _)| i == id)
        .map(|(_, _, a)| a)
        .expect("the message")
}

#[test]
fn peers_correction_replaces_their_message() {
    let mut s = Store::new();
    s.clock_ms = 1_000;
    s.apply(Event::Message(plain("m1", Direction::Incoming, "helo")));
    s.clock_ms = 2_000;
    let c = s.apply(Event::Message(correction(
        "m2",
        Direction::Incoming,
        "m1",
        "hello",
    )));
    assert!(c.messages);
    assert_eq!(
        shown(&s).len(),
        1,
        "a correction is not a message of its own"
    );
    assert_eq!(body_of(&s, "m1"), "hello");
    assert_eq!(applied(&s, "m1").edited_at, 2_000);
    // A correction of the correction names the original.
    s.clock_ms = 3_000;
    s.apply(Event::Message(correction(
        "m3",
        Direction::Incoming,
        "m1",
        "hello!",
    )));
    assert_eq!(body_of(&s, "m1"), "hello!");
    assert_eq!(shown(&s).len(), 1);
}

#[test]
fn our_corrections_apply_to_ours_from_every_route() {
    let mut s = Store::new();
    s.apply(Event::MessageSent(plain("o1", Direction::Outgoing, "tpyo")));
    s.apply(Event::MessageSent(correction(
        "o2",
        Direction::Outgoing,
        "o1",
        "typo",
    )));
    assert_eq!(body_of(&s, "o1"), "typo");
    // Another device of ours corrects again (a sent carbon is outgoing too).
    s.clock_ms = 5_000;
    s.apply(Event::Message(correction(
        "o3",
        Direction::Outgoing,
        "o1",
        "typo.",
    )));
    assert_eq!(body_of(&s, "o1"), "typo.");
    assert_eq!(shown(&s).len(), 1);
}

#[test]
fn a_correction_of_the_other_sides_message_is_a_message_of_its_own() {
    let mut s = Store::new();
    s.apply(Event::MessageSent(plain("o1", Direction::Outgoing, "mine")));
    s.apply(Event::Message(correction(
        "e1",
        Direction::Incoming,
        "o1",
        "pwned",
    )));
    assert_eq!(body_of(&s, "o1"), "mine");
    assert_eq!(body_of(&s, "e1"), "pwned");
    assert_eq!(applied(&s, "o1"), Applied::default());
    // Nor may a peer retract or correct our message through a retraction.
    s.apply(Event::Message(retraction("e2", Direction::Incoming, "o1")));
    assert_eq!(body_of(&s, "o1"), "mine");
    assert!(!applied(&s, "o1").retracted);
}

#[test]
fn someone_else_cannot_edit_a_contacts_message() {
    let mut s = Store::new();
    s.apply(Event::Message(plain("m1", Direction::Incoming, "original")));
    // Mallory's correction and retraction are filed under Mallory (the core files every
    // message under its sender): they never reach Romeo's message.
    let mallory: Jid = "mallory@evil.example/x".parse().unwrap();
    for mut m in [
        correction("x1", Direction::Incoming, "m1", "pwned"),
        retraction("x2", Direction::Incoming, "m1"),
        reaction("x3", Direction::Incoming, "m1", &["💩"]),
    ] {
        m.from = mallory.clone();
        m.peer = mallory.to_bare();
        s.apply(Event::Message(m));
    }
    assert_eq!(body_of(&s, "m1"), "original");
    assert_eq!(applied(&s, "m1"), Applied::default());
}

#[test]
fn a_correction_before_its_original_is_applied_when_it_comes() {
    let mut s = Store::new();
    // A history page: newest first.
    s.apply(Event::Message(stamped(
        correction("m2", Direction::Incoming, "m1", "fixed"),
        "2024-01-01T10:01:00Z",
        "a2",
    )));
    assert!(shown(&s).is_empty());
    assert_eq!(s.pending_edits(), 1);
    s.apply(Event::Message(stamped(
        plain("m1", Direction::Incoming, "broken"),
        "2024-01-01T10:00:00Z",
        "a1",
    )));
    assert_eq!(body_of(&s, "m1"), "fixed");
    assert_eq!(s.pending_edits(), 0);
}

#[test]
fn an_older_correction_arriving_late_loses() {
    let mut s = Store::new();
    s.apply(Event::Message(plain("m1", Direction::Incoming, "v1")));
    s.apply(Event::Message(stamped(
        correction("m3", Direction::Incoming, "m1", "v3"),
        "2024-01-01T10:03:00Z",
        "a3",
    )));
    s.apply(Event::Message(stamped(
        correction("m2", Direction::Incoming, "m1", "v2"),
        "2024-01-01T10:02:00Z",
        "a2",
    )));
    assert_eq!(body_of(&s, "m1"), "v3");
}

#[test]
fn retraction_drops_the_text_for_good() {
    let mut s = Store::new();
    s.apply(Event::Message(plain("m1", Direction::Incoming, "secret")));
    s.apply(Event::Message(reaction(
        "r1",
        Direction::Outgoing,
        "m1",
        &["👍"],
    )));
    s.apply(Event::Message(retraction("x1", Direction::Incoming, "m1")));
    let a = applied(&s, "m1");
    assert!(a.retracted);
    assert!(a.mine.is_empty());
    assert_eq!(body_of(&s, "m1"), "");
    // A later copy of the original or a correction does not bring the text back.
    s.apply(Event::Message(stamped(
        plain("m1", Direction::Incoming, "secret"),
        "2024-01-01T10:00:00Z",
        "a1",
    )));
    s.apply(Event::Message(correction(
        "m2",
        Direction::Incoming,
        "m1",
        "again",
    )));
    assert_eq!(body_of(&s, "m1"), "");
    assert_eq!(shown(&s).len(), 1);
}

#[test]
fn reactions_per_side_replace_and_toggle() {
    let mut s = Store::new();
    s.apply(Event::MessageSent(plain("o1", Direction::Outgoing, "hi")));
    s.clock_ms = 10;
    s.apply(Event::Message(reaction(
        "r1",
        Direction::Incoming,
        "o1",
        &["👍", "❤️"],
    )));
    s.clock_ms = 20;
    s.apply(Event::MessageSent(reaction(
        "r2",
        Direction::Outgoing,
        "o1",
        &["👍"],
    )));
    let a = applied(&s, "o1");
    assert_eq!(a.theirs, ["👍", "❤️"]);
    assert_eq!(a.mine, ["👍"]);
    // The peer's full set each time: ❤️ only now.
    s.clock_ms = 30;
    s.apply(Event::Message(reaction(
        "r3",
        Direction::Incoming,
        "o1",
        &["❤️"],
    )));
    assert_eq!(applied(&s, "o1").theirs, ["❤️"]);
    // An empty set removes ours.
    s.clock_ms = 40;
    s.apply(Event::MessageSent(reaction(
        "r4",
        Direction::Outgoing,
        "o1",
        &[],
    )));
    assert!(applied(&s, "o1").mine.is_empty());
    // The archive copy of our earlier reaction (stamped by a server clock that may be
    // ahead) must not bring it back: that copy was applied already.
    s.apply(Event::Message(stamped(
        reaction("r2", Direction::Outgoing, "o1", &["👍"]),
        "2030-01-01T00:00:00Z",
        "a2",
    )));
    assert!(applied(&s, "o1").mine.is_empty());
    assert_eq!(shown(&s).len(), 1, "reactions are not messages");
}

#[test]
fn reactions_are_checked_and_capped() {
    let mut s = Store::new();
    s.apply(Event::Message(plain("m1", Direction::Incoming, "hi")));
    let theirs: Vec<String> = (0..15).map(|i| format!("t{i}")).collect();
    let theirs: Vec<&str> = theirs.iter().map(String::as_str).collect();
    s.clock_ms = 1;
    s.apply(Event::Message(reaction(
        "r1",
        Direction::Incoming,
        "m1",
        &theirs,
    )));
    let mine: Vec<String> = (0..15)
        .map(|i| format!("m{i}"))
        .chain(["t0".to_string(), "a\u{202E}b".to_string(), "x".repeat(40)])
        .collect();
    let mine: Vec<&str> = mine.iter().map(String::as_str).collect();
    s.apply(Event::MessageSent(reaction(
        "r2",
        Direction::Outgoing,
        "m1",
        &mine,
    )));
    let a = applied(&s, "m1");
    let mut distinct: Vec<&String> = a.theirs.iter().chain(a.mine.iter()).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 20);
    assert!(
        a.mine.contains(&"t0".to_string()),
        "a shared one costs nothing"
    );
    assert!(a
        .mine
        .iter()
        .all(|r| !r.contains('\u{202E}') && r.len() <= 32));
}

#[test]
fn waiting_edits_are_bounded() {
    let mut s = Store::new();
    for i in 0..(MAX_PENDING_EDITS + 50) {
        s.apply(Event::Message(correction(
            &format!("c{i}"),
            Direction::Incoming,
            &format!("missing{i}"),
            "x",
        )));
    }
    assert_eq!(s.pending_edits(), MAX_PENDING_EDITS);
    assert!(shown(&s).is_empty());
    // The oldest went; the newest still wait for their message.
    let last = MAX_PENDING_EDITS + 49;
    s.apply(Event::Message(plain(
        &format!("missing{last}"),
        Direction::Incoming,
        "y",
    )));
    assert_eq!(body_of(&s, &format!("missing{last}")), "x");
    s.apply(Event::Message(plain("missing0", Direction::Incoming, "y")));
    assert_eq!(body_of(&s, "missing0"), "y");
}

#[test]
fn the_cache_gets_and_keeps_the_effect() {
    let mut s = Store::new();
    s.enable_cache();
    s.apply(Event::Message(plain("m1", Direction::Incoming, "secret")));
    let first = s.take_dirty().unwrap().messages.remove(0);
    s.apply(Event::Message(retraction("x1", Direction::Incoming, "m1")));
    let dirty = s.take_dirty().expect("the retraction is written");
    let written = dirty.messages.into_iter().next().unwrap();
    assert!(written.msg.ext.edits.applied.retracted);
    // Merged with the copy the cache holds, the text is gone too.
    let merged = merge_cached(Some(first.clone()), written.clone());
    assert_eq!(merged.msg.body, "");
    assert!(merged.msg.ext.edits.applied.retracted);
    // And an old copy written later (another tab) does not bring it back.
    let merged = merge_cached(Some(merged), first);
    assert_eq!(merged.msg.body, "");
}

#[test]
fn the_reply_of_our_message_reaches_its_echo() {
    let mut s = Store::new();
    s.add_pending(peer(), "o1".into(), ME.parse().unwrap(), "answer".into());
    let reply = Reply {
        to: Some(ROMEO.parse().unwrap()),
        id: "m1".into(),
        quote: Some("question".into()),
        fallback: None,
    };
    s.apply(Event::MessageSent(msg(
        "o1",
        Direction::Outgoing,
        "answer",
        Edits {
            reply: Some(reply.clone()),
            ..Edits::default()
        },
    )));
    let c = s.conversations.get(&peer()).unwrap();
    assert_eq!(c.messages.len(), 1);
    assert_eq!(c.messages[0].msg.ext.edits.reply, Some(reply));
}

#[test]
fn a_correction_naming_the_previous_correction_reaches_the_original() {
    let mut s = Store::new();
    s.clock_ms = 1;
    s.apply(Event::Message(plain("m1", Direction::Incoming, "v1")));
    s.clock_ms = 2;
    s.apply(Event::Message(correction(
        "m2",
        Direction::Incoming,
        "m1",
        "v2",
    )));
    // An older client names the correction it replaces, not the original.
    s.clock_ms = 3;
    s.apply(Event::Message(correction(
        "m3",
        Direction::Incoming,
        "m2",
        "v3",
    )));
    assert_eq!(body_of(&s, "m1"), "v3");
    assert_eq!(shown(&s).len(), 1);
    assert_eq!(s.pending_edits(), 0);
}
