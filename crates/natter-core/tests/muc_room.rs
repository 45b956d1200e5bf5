//! In a room: nick changes (303) keeping the occupant-id, subjects, group messages and
//! mentions, private messages, kicks and bans (307/301) of us and of others, presence to
//! rooms. Requests about rooms are in muc_requests.rs.

mod common;

use common::muc::*;
use common::*;
use natter_core::{Command, Direction, Event, JoinError, LeaveReason, Show};

fn in_room(offers: Offers) -> Harness {
    let mut h = online();
    joined(&mut h, "thirdwitch", offers);
    h
}

#[test]
fn our_nick_change_keeps_our_occupant_id() {
    let mut h = in_room(MODERN);
    let out = h.command(Command::ChangeNick {
        room: room(),
        nick: "hecate".into(),
    });
    let presence = presence_to(&out, &format!("{ROOM}/hecate"));
    assert!(presence.get_child("x", MUC).is_none(), "no join element");
    assert!(out.events.is_empty());
    let out = h.feed(&format!(
        r#"<presence xmlns="jabber:client" type="unavailable" from="{ROOM}/thirdwitch" to="{ME}"><occupant-id xmlns="urn:xmpp:occupant-id:0" id="our-oid"/><x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="member" role="participant" nick="hecate"/><status code="303"/><status code="110"/></x></presence>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::NickChanged {
            room: room(),
            old: "thirdwitch".into(),
            new: "hecate".into(),
            occupant_id: Some("our-oid".into()),
            me: true
        }]
    );
    let out = h.feed(&self_presence("hecate", Some("our-oid"), &[]));
    let [Event::Occupant(me)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert!(me.me && me.available && me.nick == "hecate");
    // Our messages now come from the new nick.
    let out = h.feed(&groupchat("hecate", "m1", "Hail", ""));
    assert!(group_messages(&out.events)[0].from_me);
}

#[test]
fn another_occupants_nick_change() {
    let mut h = in_room(MODERN);
    h.feed(&occupant(
        "firstwitch",
        "owner",
        "moderator",
        None,
        Some("oid-1"),
        "",
    ));
    let out = h.feed(&format!(
        r#"<presence xmlns="jabber:client" type="unavailable" from="{ROOM}/firstwitch" to="{ME}"><occupant-id xmlns="urn:xmpp:occupant-id:0" id="oid-1"/><x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="owner" role="moderator" nick="crone"/><status code="303"/></x></presence>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::NickChanged {
            room: room(),
            old: "firstwitch".into(),
            new: "crone".into(),
            occupant_id: Some("oid-1".into()),
            me: false
        }]
    );
    let out = h.feed(&occupant(
        "crone",
        "owner",
        "moderator",
        None,
        Some("oid-1"),
        "",
    ));
    let [o] = occupants(&out.events)[..] else {
        panic!("{out:?}")
    };
    assert_eq!(
        (o.nick.as_str(), o.occupant_id.as_deref()),
        ("crone", Some("oid-1"))
    );
    assert!(!o.me);
}

#[test]
fn a_nick_in_use_is_refused_and_we_stay() {
    let mut h = in_room(PLAIN);
    h.command(Command::ChangeNick {
        room: room(),
        nick: "firstwitch".into(),
    });
    let out = h.feed(&join_error("firstwitch", "cancel", "conflict"));
    assert_eq!(
        out.events,
        vec![Event::RequestFailed {
            what: format!("Could not change your nickname in {ROOM}"),
            reason: JoinError::NickInUse.to_string(),
        }]
    );
    let out = h.command(Command::SendGroupMessage {
        room: room(),
        id: "g1".into(),
        body: "still here".into(),
    });
    assert!(
        matches!(out.events.as_slice(), [Event::GroupMessageSent(m)] if m.nick == "thirdwitch"),
        "{out:?}"
    );
}

#[test]
fn subjects_from_the_room_and_its_occupants() {
    let mut h = in_room(PLAIN);
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="groupchat" from="{ROOM}/firstwitch" to="{ME}"><subject>Fire Burn and Cauldron Bubble!</subject></message>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::Subject {
            room: room(),
            subject: "Fire Burn and Cauldron Bubble!".into(),
            by: Some("firstwitch".into())
        }]
    );
    let out = h.command(Command::SetSubject {
        room: room(),
        subject: "Toil and trouble".into(),
    });
    let m = out.only_frame();
    assert_eq!(m.attr("to"), Some(ROOM));
    assert_eq!(m.attr("type"), Some("groupchat"));
    assert_eq!(child(m, "subject", CLIENT).text(), "Toil and trouble");
    assert!(m.get_child("body", CLIENT).is_none());
    // A "subject" in a private message is no room subject.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="chat" from="{ROOM}/firstwitch" to="{ME}"><subject>Hijacked</subject></message>"#
    ));
    assert!(out.events.is_empty(), "{out:?}");
}

#[test]
fn group_messages_mentions_and_our_own() {
    let mut h = in_room(PLAIN);
    let out = h.feed(&groupchat(
        "firstwitch",
        "m1",
        "Thirdwitch, stir the pot!",
        &format!(
            r#"<stanza-id xmlns="urn:xmpp:sid:0" id="forged" by="firstwitch@example.net"/><stanza-id xmlns="urn:xmpp:sid:0" id="s1" by="{ROOM}"/><origin-id xmlns="urn:xmpp:sid:0" id="o1"/>"#
        ),
    ));
    let [m] = group_messages(&out.events)[..] else {
        panic!("{out:?}")
    };
    assert_eq!(m.room, room());
    assert_eq!((m.nick.as_str(), m.id.as_str()), ("firstwitch", "m1"));
    assert_eq!(m.body, "Thirdwitch, stir the pot!");
    assert_eq!(m.stanza_id.as_deref(), Some("s1"), "only the room's");
    assert_eq!(m.origin_id.as_deref(), Some("o1"));
    assert!(m.mentions_me && !m.from_me && !m.archived);
    assert_eq!(m.delayed, None);

    let out = h.feed(&groupchat("firstwitch", "m2", "thirdwitches unite", ""));
    assert!(!group_messages(&out.events)[0].mentions_me);

    let out = h.command(Command::SendGroupMessage {
        room: room(),
        id: "g1".into(),
        body: "I, thirdwitch, come".into(),
    });
    let sent = out.only_frame();
    assert_eq!(
        (sent.attr("to"), sent.attr("type"), sent.attr("id")),
        (Some(ROOM), Some("groupchat"), Some("g1"))
    );
    assert_eq!(child(sent, "body", CLIENT).text(), "I, thirdwitch, come");
    assert_eq!(
        child(sent, "origin-id", "urn:xmpp:sid:0").attr("id"),
        Some("g1")
    );
    let [Event::GroupMessageSent(mine)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert!(mine.from_me && !mine.mentions_me && mine.nick == "thirdwitch");
    // The room's reflection: ours, no mention of ourselves.
    let out = h.feed(&groupchat("thirdwitch", "g1", "I, thirdwitch, come", ""));
    let m = group_messages(&out.events)[0];
    assert!(m.from_me && !m.mentions_me);
    // From the room itself.
    let out = h.feed(&groupchat("", "r1", "The room is now archived", ""));
    assert_eq!(group_messages(&out.events)[0].nick, "");
    // A bounce marks our message failed, in the room's conversation.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="error" from="{ROOM}" to="{ME}" id="g1"><error type="cancel"><not-acceptable xmlns="{STANZAS}"/></error></message>"#
    ));
    assert!(
        matches!(out.events.as_slice(), [Event::MessageFailed { id, peer, .. }] if id == "g1" && *peer == room()),
        "{out:?}"
    );
}

#[test]
fn private_messages_with_occupants() {
    let mut h = in_room(MODERN);
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="chat" from="{ROOM}/firstwitch" to="{ME}" id="p1"><body>psst</body><x xmlns="http://jabber.org/protocol/muc#user"/><occupant-id xmlns="urn:xmpp:occupant-id:0" id="oid-1"/></message>"#
    ));
    let [Event::PrivateMessage(pm)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!((pm.room.clone(), pm.nick.as_str()), (room(), "firstwitch"));
    assert_eq!((pm.id.as_str(), pm.body.as_str()), ("p1", "psst"));
    assert_eq!(pm.direction, Direction::Incoming);
    assert_eq!(pm.occupant_id.as_deref(), Some("oid-1"));

    let out = h.command(Command::SendPrivateMessage {
        room: room(),
        nick: "firstwitch".into(),
        id: "p2".into(),
        body: "what?".into(),
    });
    let m = out.only_frame();
    assert_eq!(m.attr("to"), Some(&*format!("{ROOM}/firstwitch")));
    assert_eq!(m.attr("type"), Some("chat"));
    child(m, "x", MUC_USER);
    let [Event::PrivateMessage(pm)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(pm.direction, Direction::Outgoing);

    // Not in the room: refused, nothing sent.
    let out = h.command(Command::SendPrivateMessage {
        room: "elsewhere@chat.example.org".parse().unwrap(),
        nick: "x".into(),
        id: "p3".into(),
        body: "hi".into(),
    });
    assert!(out.frames.is_empty());
    assert!(matches!(
        out.events.as_slice(),
        [Event::MessageFailed { .. }]
    ));
}

#[test]
fn others_kicked_and_banned() {
    let mut h = in_room(PLAIN);
    for (code, reason) in [(307, LeaveReason::Kicked), (301, LeaveReason::Banned)] {
        let out = h.feed(&gone(
            "secondwitch",
            "",
            r#"<actor nick="firstwitch"/><reason>Avaunt!</reason>"#,
            &format!(r#"<status code="{code}"/>"#),
        ));
        let [o] = occupants(&out.events)[..] else {
            panic!("{out:?}")
        };
        assert!(!o.available && !o.me);
        assert_eq!(o.exit, Some(reason));
    }
    // A plain leave has no exit reason.
    let out = h.feed(&gone("secondwitch", "", "", ""));
    assert_eq!(occupants(&out.events)[0].exit, None);
}

#[test]
fn we_are_kicked_banned_or_the_room_is_destroyed() {
    for (extra, item_extra, reason, text) in [
        (
            r#"<status code="110"/><status code="307"/>"#,
            "<reason>Avaunt!</reason>",
            LeaveReason::Kicked,
            Some("Avaunt!"),
        ),
        (
            r#"<status code="110"/><status code="301"/>"#,
            "",
            LeaveReason::Banned,
            None,
        ),
        (
            r#"<status code="110"/><destroy jid="heath@chat.example.org"><reason>Moving</reason></destroy>"#,
            "",
            LeaveReason::Destroyed {
                alternate: Some("heath@chat.example.org".parse().unwrap()),
            },
            Some("Moving"),
        ),
        (
            r#"<status code="110"/><status code="332"/>"#,
            "",
            LeaveReason::Shutdown,
            None,
        ),
    ] {
        let mut h = in_room(PLAIN);
        let out = h.feed(&gone("thirdwitch", "", item_extra, extra));
        let [Event::Occupant(me), Event::RoomLeft {
            room: left,
            reason: why,
            text: said,
        }] = out.events.as_slice()
        else {
            panic!("{out:?}")
        };
        assert!(me.me && !me.available);
        assert_eq!(*left, room());
        assert_eq!(*why, reason);
        assert_eq!(said.as_deref(), text);
        let out = h.feed(&groupchat("firstwitch", "x", "gone?", ""));
        assert!(matches!(out.events.as_slice(), [Event::Dropped { .. }]));
    }
}

#[test]
fn our_status_reaches_the_rooms_we_are_in() {
    let mut h = in_room(PLAIN);
    let out = h.command(Command::SetPresence {
        show: Some(Show::Away),
        status: Some("brewing".into()),
    });
    let to_room = presence_to(&out, &format!("{ROOM}/thirdwitch"));
    assert_eq!(child(to_room, "show", CLIENT).text(), "away");
    assert_eq!(child(to_room, "status", CLIENT).text(), "brewing");
    assert_eq!(out.frames.len(), 2, "the broadcast and the room's");
}
