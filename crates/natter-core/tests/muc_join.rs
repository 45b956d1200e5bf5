//! XEP-0045 joins: the room's disco#info first, then the join presence; occupants, our own
//! presence (status 110), the archive instead of replayed history, refusals in plain words,
//! instant rooms, leaving.

mod common;

use common::muc::*;
use common::*;
use natter_core::{
    Affiliation, Command, Event, JoinError, LeaveReason, OccupantUpdate, Role, SessionState,
};

#[test]
fn join_lists_occupants_then_us_and_pages_the_archive() {
    let mut h = online();
    let id = start_join(&mut h, "thirdwitch", None);
    let (join, sent) = discovered_out(&mut h, &id, MODERN, "thirdwitch");
    // The archive gives the history: the room must not replay it too.
    let x = child(&join, "x", MUC);
    assert_eq!(child(x, "history", MUC).attr("maxstanzas"), Some("0"));
    assert!(x.get_child("password", MUC).is_none());
    child(&join, "c", CAPS);

    let out = h.feed(&occupant(
        "firstwitch",
        "owner",
        "moderator",
        Some("crone@shakespeare.lit/desktop"),
        Some("oid-1"),
        "",
    ));
    assert_eq!(
        out.events,
        vec![Event::Occupant(OccupantUpdate {
            room: room(),
            nick: "firstwitch".into(),
            role: Role::Moderator,
            affiliation: Affiliation::Owner,
            jid: Some("crone@shakespeare.lit/desktop".parse().unwrap()),
            occupant_id: Some("oid-1".into()),
            show: None,
            status: None,
            available: true,
            me: false,
            exit: None,
        })]
    );
    let out = h.feed(&format!(
        r#"<presence xmlns="jabber:client" from="{ROOM}/secondwitch" to="{ME}"><show>away</show><status>stirring</status><x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="member" role="visitor"/></x></presence>"#
    ));
    let [o] = occupants(&out.events)[..] else {
        panic!("{out:?}")
    };
    assert_eq!(
        (o.role, o.affiliation),
        (Role::Visitor, Affiliation::Member)
    );
    assert_eq!(o.show, Some(natter_core::Show::Away));
    assert_eq!(o.status.as_deref(), Some("stirring"));
    assert_eq!((o.jid.as_ref(), o.occupant_id.as_ref()), (None, None));

    let out = h.feed(&self_presence("thirdwitch", Some("our-oid"), &[100]));
    let [Event::Occupant(me), Event::RoomJoined {
        room: joined_room,
        nick,
        occupant_id,
        subject,
        created,
    }] = out.events.as_slice()
    else {
        panic!("{out:?}")
    };
    assert!(me.me && me.available);
    assert_eq!(*joined_room, room());
    assert_eq!(nick, "thirdwitch");
    assert_eq!(occupant_id.as_deref(), Some("our-oid"));
    assert_eq!((subject, created), (&None, &false));

    // The newest page of the room's own archive, asked right behind the join (not again now).
    assert!(
        !out.frames.iter().any(|f| f.has_child("query", MAM)),
        "{out:?}"
    );
    let query = iq_to(&sent, ROOM, "query", MAM);
    assert_eq!(iq_type(query), Some("set"));
    let q = child(query, "query", MAM);
    assert!(
        q.get_child("x", DATA).is_none(),
        "no `with` filter in a room"
    );
    let set = child(q, "set", archive::RSM);
    assert_eq!(child(set, "before", archive::RSM).text(), "");
    // A screen's worth first (older pages follow on scroll).
    assert_eq!(child(set, "max", archive::RSM).text(), "50");
    let (iq, queryid) = (id_of(query), q.attr("queryid").unwrap().to_owned());
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="{ROOM}" to="{ME}"><result xmlns="urn:xmpp:mam:2" queryid="{queryid}" id="a1"><forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="2024-05-01T10:00:00Z"/><message xmlns="jabber:client" type="groupchat" from="{ROOM}/firstwitch" id="m1"><body>When shall we three meet again</body><occupant-id xmlns="urn:xmpp:occupant-id:0" id="oid-1"/></message></forwarded></result></message>"#
    ));
    let [m] = group_messages(&out.events)[..] else {
        panic!("{out:?}")
    };
    assert_eq!((m.nick.as_str(), m.id.as_str()), ("firstwitch", "m1"));
    assert_eq!(m.stanza_id.as_deref(), Some("a1"));
    assert_eq!(m.occupant_id.as_deref(), Some("oid-1"));
    assert_eq!(m.delayed.as_deref(), Some("2024-05-01T10:00:00+00:00"));
    assert!(m.archived && !m.from_me && !m.mentions_me);
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{iq}" from="{ROOM}"><fin xmlns="urn:xmpp:mam:2" complete="true"><set xmlns="http://jabber.org/protocol/rsm"><first index="0">a1</first><last>a1</last></set></fin></iq>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::RoomCaughtUp {
            room: room(),
            last: Some("a1".into()),
            complete: true,
            beginning: true
        }]
    );
    // The subject closes the join (§7.2.15): here, none.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" type="groupchat" from="{ROOM}" to="{ME}"><subject/></message>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::Subject {
            room: room(),
            subject: String::new(),
            by: None
        }]
    );
}

#[test]
fn without_an_archive_the_room_replays_its_history() {
    let mut h = online();
    let id = start_join(&mut h, "thirdwitch", Some("cauldron"));
    let join = discovered(&mut h, &id, PLAIN, "thirdwitch");
    let x = child(&join, "x", MUC);
    assert!(x.get_child("history", MUC).is_none());
    assert_eq!(child(x, "password", MUC).text(), "cauldron");
    let out = h.feed(&self_presence("thirdwitch", Some("claimed"), &[]));
    assert!(
        !out.frames.iter().any(|f| f.has_child("query", MAM)),
        "{out:?}"
    );
    // The room did not announce XEP-0421: an occupant-id proves nothing there.
    let [Event::Occupant(me), Event::RoomJoined { occupant_id, .. }] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!((&me.occupant_id, occupant_id), (&None, &None));
    let out = h.feed(&groupchat(
        "firstwitch",
        "h1",
        "Thrice the brinded cat hath mew'd",
        &format!(
            r#"<delay xmlns="urn:xmpp:delay" from="{ROOM}" stamp="2024-05-01T09:00:00Z"/><occupant-id xmlns="urn:xmpp:occupant-id:0" id="forged"/><stanza-id xmlns="urn:xmpp:sid:0" id="s1" by="{ROOM}"/>"#
        ),
    ));
    let [m] = group_messages(&out.events)[..] else {
        panic!("{out:?}")
    };
    assert_eq!(m.delayed.as_deref(), Some("2024-05-01T09:00:00+00:00"));
    assert!(!m.archived);
    assert_eq!(m.occupant_id, None);
    assert_eq!(m.stanza_id.as_deref(), Some("s1"));
}

#[test]
fn refusals_in_plain_words() {
    for (type_, condition, reason, words) in [
        (
            "cancel",
            "conflict",
            JoinError::NickInUse,
            "this nickname is already in use in the room",
        ),
        (
            "auth",
            "not-authorized",
            JoinError::PasswordRequired,
            "the room needs a password (or the password is wrong)",
        ),
        (
            "auth",
            "forbidden",
            JoinError::Banned,
            "you are banned from this room",
        ),
        (
            "auth",
            "registration-required",
            JoinError::MembersOnly,
            "this room is for members only",
        ),
        (
            "cancel",
            "item-not-found",
            JoinError::RoomGone,
            "the room does not exist (any more)",
        ),
        (
            "cancel",
            "gone",
            JoinError::RoomGone,
            "the room does not exist (any more)",
        ),
        (
            "wait",
            "service-unavailable",
            JoinError::RoomFull,
            "the room is full",
        ),
        (
            "cancel",
            "not-allowed",
            JoinError::CreationRestricted,
            "the room does not exist and you may not create it",
        ),
    ] {
        let mut h = online();
        let id = start_join(&mut h, "thirdwitch", None);
        discovered(&mut h, &id, PLAIN, "thirdwitch");
        let out = h.feed(&join_error("thirdwitch", type_, condition));
        assert_eq!(
            out.events,
            vec![Event::RoomJoinFailed {
                room: room(),
                reason: reason.clone()
            }],
            "{condition}"
        );
        assert_eq!(reason.to_string(), words);
        // Out of the room: what it sends next is not believed.
        let out = h.feed(&occupant(
            "firstwitch",
            "owner",
            "moderator",
            None,
            None,
            "",
        ));
        assert!(
            matches!(out.events.as_slice(), [Event::Dropped { .. }]),
            "{condition}: {out:?}"
        );
    }
}

#[test]
fn a_room_that_does_not_exist_yet_is_created_and_asked_again() {
    let mut h = online();
    let id = start_join(&mut h, "thirdwitch", None);
    let out = h.feed(&iq_error(&id, ROOM, "item-not-found"));
    assert!(out.events.is_empty(), "{out:?}");
    let join = presence_to(&out, &format!("{ROOM}/thirdwitch"));
    assert!(child(join, "x", MUC).get_child("history", MUC).is_none());
    let out = h.feed(&occupant(
        "thirdwitch",
        "owner",
        "moderator",
        Some(ME),
        None,
        r#"<status code="110"/><status code="201"/>"#,
    ));
    assert!(
        matches!(
            out.events.as_slice(),
            [Event::Occupant(_), Event::RoomJoined { created: true, .. }]
        ),
        "{out:?}"
    );
    // Now that it exists, what does it offer (for the next join)?
    iq_to(&out, ROOM, "query", DISCO_INFO);
    // Created, so locked until configured: the default configuration unlocks it for others.
    let submit = iq_to(&out, ROOM, "query", MUC_OWNER);
    assert_eq!(iq_type(submit), Some("set"));
    let form = child(child(submit, "query", MUC_OWNER), "x", DATA);
    assert_eq!(form.attr("type"), Some("submit"));
    let out = h.feed(&iq_result(&id_of(submit), ROOM));
    assert_eq!(out.events, vec![Event::RoomConfigured { room: room() }]);
}

#[test]
fn instant_room_accepts_the_default_configuration() {
    let mut h = online();
    let out = h.command(Command::CreateInstantRoom {
        room: room(),
        nick: "thirdwitch".into(),
    });
    let id = id_of(out.only_frame());
    let out = h.feed(&iq_error(&id, ROOM, "item-not-found"));
    presence_to(&out, &format!("{ROOM}/thirdwitch"));
    let out = h.feed(&occupant(
        "thirdwitch",
        "owner",
        "moderator",
        Some(ME),
        None,
        r#"<status code="110"/><status code="201"/>"#,
    ));
    let submit = iq_to(&out, ROOM, "query", MUC_OWNER);
    assert_eq!(iq_type(submit), Some("set"));
    let form = child(child(submit, "query", MUC_OWNER), "x", DATA);
    assert_eq!(form.attr("type"), Some("submit"));
    assert_eq!(form.children().count(), 0, "an empty submit (§10.1.2)");
    let out = h.feed(&iq_result(&id_of(submit), ROOM));
    assert_eq!(out.events, vec![Event::RoomConfigured { room: room() }]);

    // A room that already exists is just joined.
    let mut h = online();
    let out = h.command(Command::CreateInstantRoom {
        room: room(),
        nick: "thirdwitch".into(),
    });
    let id = id_of(out.only_frame());
    h.feed(&room_info(&id, ROOM, PLAIN, ""));
    let out = h.feed(&self_presence("thirdwitch", None, &[]));
    assert!(out.frames.is_empty(), "{out:?}");
}

#[test]
fn a_join_the_room_never_answers_fails() {
    let mut config = config();
    config.keepalive_ms = 10_000_000;
    let mut h = online_with(config);
    let id = start_join(&mut h, "thirdwitch", None);
    discovered(&mut h, &id, PLAIN, "thirdwitch");
    h.advance(29_000);
    assert!(!h
        .timeout()
        .events
        .iter()
        .any(|e| matches!(e, Event::RoomJoinFailed { .. })));
    h.advance(1_000);
    let out = h.timeout();
    assert!(
        out.events.contains(&Event::RoomJoinFailed {
            room: room(),
            reason: JoinError::Timeout
        }),
        "{out:?}"
    );
}

#[test]
fn a_join_asked_before_sign_in_waits_for_it() {
    let mut config = config();
    config.secure_transport = true;
    let mut h = Harness::new(config);
    let out = h.command(Command::JoinRoom {
        room: room(),
        nick: "thirdwitch".into(),
        password: None,
        after: None,
    });
    assert!(out.frames.is_empty() && out.events.is_empty(), "{out:?}");
    // A message to it waits too.
    let out = h.command(Command::SendGroupMessage {
        room: room(),
        id: "early".into(),
        body: "Hail!".into(),
    });
    assert!(out.frames.is_empty() && out.events.is_empty(), "{out:?}");
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["PLAIN"]));
    h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    h.feed(SERVER_OPEN);
    let bind = h.feed(BIND_FEATURES);
    let id = bind.only_frame().attr("id").unwrap().to_owned();
    let mut out = h.feed(&bind_result(&id, FULL_JID));
    assert!(out.has_state(SessionState::Online));
    h.answer_roster(&mut out);
    assert!(out.events.contains(&Event::RoomJoining {
        room: room(),
        nick: "thirdwitch".into()
    }));
    let disco = iq_to(&out, ROOM, "query", DISCO_INFO);
    discovered(&mut h, &id_of(disco), PLAIN, "thirdwitch");
    let out = h.feed(&self_presence("thirdwitch", None, &[]));
    let message = out
        .frames
        .iter()
        .find(|f| f.is("message", CLIENT))
        .expect("the waiting message");
    assert_eq!(message.attr("type"), Some("groupchat"));
    assert_eq!(message.attr("id"), Some("early"));
    assert!(out
        .events
        .iter()
        .any(|e| matches!(e, Event::GroupMessageSent(m) if m.id == "early")));
}

/// A join asked while the roster is on its way (online, not yet announced) goes out once,
/// after our initial presence: the announcement's rejoin starts it, nothing starts it twice.
#[test]
fn a_join_asked_while_the_roster_is_on_its_way_goes_out_once_after_presence() {
    let mut c = config();
    c.secure_transport = true;
    let (mut h, login) = Harness::login_plain(c);
    let out = h.command(Command::JoinRoom {
        room: room(),
        nick: "thirdwitch".into(),
        password: None,
        after: None,
    });
    assert!(out.frames.is_empty(), "{out:?}");
    let mut all = login;
    let announced = h.answer_roster(&mut all);
    let presence_at = announced
        .frames
        .iter()
        .position(|f| f.is("presence", CLIENT) && f.attr("to").is_none())
        .expect("the initial presence");
    let room_queries: Vec<usize> = announced
        .frames
        .iter()
        .enumerate()
        .filter(|(_, f)| f.attr("to") == Some(ROOM) && f.has_child("query", DISCO_INFO))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(room_queries.len(), 1, "{announced:?}");
    assert!(presence_at < room_queries[0], "{announced:?}");
}

#[test]
fn leaving_swallows_the_rooms_farewell() {
    let mut h = online();
    joined(&mut h, "thirdwitch", PLAIN);
    let out = h.command(Command::LeaveRoom { room: room() });
    let leave = presence_to(&out, &format!("{ROOM}/thirdwitch"));
    assert_eq!(leave.attr("type"), Some("unavailable"));
    assert_eq!(
        out.events,
        vec![Event::RoomLeft {
            room: room(),
            reason: LeaveReason::Left,
            text: None
        }]
    );
    // In flight when we left: nothing to report.
    let out = h.feed(&occupant(
        "firstwitch",
        "owner",
        "moderator",
        None,
        None,
        "",
    ));
    assert!(out.events.is_empty(), "{out:?}");
    let out = h.feed(&gone("thirdwitch", "", "", r#"<status code="110"/>"#));
    assert!(out.events.is_empty(), "{out:?}");
    // Now the room is forgotten.
    let out = h.feed(&groupchat("firstwitch", "x", "still here?", ""));
    assert!(
        matches!(out.events.as_slice(), [Event::Dropped { .. }]),
        "{out:?}"
    );
}

#[test]
fn a_nick_that_is_no_resource_is_refused_at_once() {
    let mut h = online();
    let out = h.command(Command::JoinRoom {
        room: room(),
        nick: "  ".into(),
        password: None,
        after: None,
    });
    assert_eq!(
        out.events,
        vec![Event::RoomJoinFailed {
            room: room(),
            reason: JoinError::NickNotAllowed
        }]
    );
    assert!(out.frames.is_empty());
}

#[test]
fn a_refused_join_drops_the_history_asked_with_it() {
    let mut h = online();
    let id = start_join(&mut h, "thirdwitch", None);
    let (_, sent) = discovered_out(&mut h, &id, MODERN, "thirdwitch");
    let query = iq_to(&sent, ROOM, "query", MAM);
    let queryid = child(query, "query", MAM)
        .attr("queryid")
        .unwrap()
        .to_owned();
    let out = h.feed(&join_error("thirdwitch", "cancel", "conflict"));
    assert!(
        matches!(out.events.as_slice(), [Event::RoomJoinFailed { .. }]),
        "{out:?}"
    );
    // A public room may still answer the query: nothing of it reaches the app.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="{ROOM}" to="{ME}"><result xmlns="urn:xmpp:mam:2" queryid="{queryid}" id="a1"><forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="2024-04-01T10:00:00Z"/><message xmlns="jabber:client" type="groupchat" from="{ROOM}/firstwitch" id="old"><body>before you came</body></message></forwarded></result></message>"#
    ));
    assert!(group_messages(&out.events).is_empty(), "{out:?}");
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{}" from="{ROOM}"><fin xmlns="urn:xmpp:mam:2" complete="true"><set xmlns="http://jabber.org/protocol/rsm"/></fin></iq>"#,
        id_of(query)
    ));
    assert!(
        !out.events
            .iter()
            .any(|e| matches!(e, Event::RoomCaughtUp { .. } | Event::GroupMessage(_))),
        "{out:?}"
    );
}

#[test]
fn a_newest_page_with_more_before_it_is_not_the_beginning() {
    let mut h = online();
    let id = start_join(&mut h, "thirdwitch", None);
    let (_, sent) = discovered_out(&mut h, &id, MODERN, "thirdwitch");
    let iq = id_of(iq_to(&sent, ROOM, "query", MAM));
    h.feed(&self_presence("thirdwitch", None, &[]));
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{iq}" from="{ROOM}"><fin xmlns="urn:xmpp:mam:2"><set xmlns="http://jabber.org/protocol/rsm"><first index="4900">a4901</first><last>a5000</last></set></fin></iq>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::RoomCaughtUp {
            room: room(),
            last: Some("a5000".into()),
            complete: true,
            beginning: false
        }]
    );
}
