//! Staying in rooms: XEP-0410 self-pings of quiet rooms (and the rejoin when the room forgot
//! us), rooms carried to the next session (rejoined after a fresh bind, kept when the stream
//! resumes, catching up from the newest archive id), and older pages of a room's archive.

mod common;
mod session_support;

use common::muc::*;
use common::*;
use natter_core::{Command, Config, Event, JoinedRoom, RoomFeatures};
use session_support::*;

const PING_MS: u64 = 60_000;

fn pinging_config() -> Config {
    let mut config = config();
    config.room_ping_ms = PING_MS;
    // The server keepalive is another test's subject; out of the way here.
    config.keepalive_ms = 100_000_000;
    config
}

fn quiet_room(offers: Offers) -> Harness {
    let mut h = online_with(pinging_config());
    joined(&mut h, "thirdwitch", offers);
    h
}

/// Waits out the quiet time; returns the self-ping's id.
fn self_ping(h: &mut Harness) -> String {
    h.advance(PING_MS);
    let out = h.timeout();
    let ping = out
        .frames
        .iter()
        .find(|f| f.has_child("ping", PING))
        .unwrap_or_else(|| panic!("no self-ping: {out:?}"));
    assert_eq!(ping.attr("to"), Some(&*format!("{ROOM}/thirdwitch")));
    assert_eq!(iq_type(ping), Some("get"));
    id_of(ping)
}

#[test]
fn a_quiet_room_is_pinged_and_traffic_postpones_it() {
    let mut h = quiet_room(PLAIN);
    let id = self_ping(&mut h);
    let out = h.feed(&iq_result(&id, &format!("{ROOM}/thirdwitch")));
    assert!(out.events.is_empty() && out.frames.is_empty(), "{out:?}");
    // Anything from the room shows we are in: no ping while it talks.
    h.advance(PING_MS - 1_000);
    h.feed(&groupchat(
        "firstwitch",
        "m1",
        "Round about the cauldron go",
        "",
    ));
    h.advance(1_000);
    assert!(!h.timeout().frames.iter().any(|f| f.has_child("ping", PING)));
    assert_eq!(h.client.poll_timeout(), Some(h.now.after(PING_MS - 1_000)));
    self_ping(&mut h);
}

#[test]
fn a_room_that_forgot_us_is_joined_again() {
    let mut h = quiet_room(MODERN);
    h.feed(&groupchat(
        "firstwitch",
        "m1",
        "In the poison'd entrails throw",
        &format!(r#"<stanza-id xmlns="urn:xmpp:sid:0" id="s-7" by="{ROOM}"/>"#),
    ));
    let id = self_ping(&mut h);
    let out = h.feed(&iq_error(
        &id,
        &format!("{ROOM}/thirdwitch"),
        "not-acceptable",
    ));
    assert_eq!(
        out.events,
        vec![Event::RoomJoining {
            room: room(),
            nick: "thirdwitch".into()
        }]
    );
    // What the room offers is known: straight to the join.
    let join = presence_to(&out, &format!("{ROOM}/thirdwitch"));
    assert_eq!(
        child(child(join, "x", MUC), "history", MUC).attr("maxstanzas"),
        Some("0")
    );
    let rejoined = h.feed(&self_presence("thirdwitch", Some("our-oid"), &[]));
    assert!(rejoined
        .events
        .iter()
        .any(|e| matches!(e, Event::RoomJoined { .. })));
    // The archive fills what was missed, after the newest id seen (asked with the join).
    let query = iq_to(&out, ROOM, "query", MAM);
    let set = child(child(query, "query", MAM), "set", archive::RSM);
    assert_eq!(child(set, "after", archive::RSM).text(), "s-7");
}

#[test]
fn answers_that_mean_we_are_still_in() {
    for condition in [
        "service-unavailable",
        "feature-not-implemented",
        "item-not-found",
        "remote-server-not-found",
        "remote-server-timeout",
    ] {
        let mut h = quiet_room(PLAIN);
        let id = self_ping(&mut h);
        let out = h.feed(&iq_error(&id, &format!("{ROOM}/thirdwitch"), condition));
        assert!(
            out.events.is_empty() && out.frames.is_empty(),
            "{condition}: {out:?}"
        );
        self_ping(&mut h);
    }
}

#[test]
fn an_unanswered_ping_is_tried_again_later() {
    let mut h = quiet_room(PLAIN);
    self_ping(&mut h);
    h.advance(30_000);
    let out = h.timeout();
    assert!(out.events.is_empty() && out.frames.is_empty(), "{out:?}");
    self_ping(&mut h);
}

#[test]
fn a_forged_answer_to_the_self_ping_is_dropped() {
    let mut h = quiet_room(PLAIN);
    let id = self_ping(&mut h);
    let out = h.feed(&iq_error(&id, "mallory@evil.example/x", "not-acceptable"));
    assert!(matches!(out.events.as_slice(), [Event::Dropped { .. }]));
    assert!(out.frames.is_empty(), "no rejoin on a forged answer");
}

fn lost_in_room(offers: Offers) -> natter_core::Resumption {
    let mut h = online();
    joined(&mut h, "thirdwitch", offers);
    h.feed(&format!(
        r#"<message xmlns="jabber:client" type="groupchat" from="{ROOM}" to="{ME}"><subject>Toil</subject></message>"#
    ));
    h.feed(&groupchat(
        "firstwitch",
        "m1",
        "Double, double",
        &format!(r#"<stanza-id xmlns="urn:xmpp:sid:0" id="s-9" by="{ROOM}"/>"#),
    ));
    h.client
        .handle_closed(h.now, Some("connection reset".into()));
    h.drain();
    h.client.take_resumption().expect("the rooms to carry")
}

#[test]
fn a_fresh_session_joins_the_rooms_again() {
    let r = lost_in_room(MODERN);
    assert_eq!(
        r.rooms,
        vec![JoinedRoom {
            room: room(),
            nick: "thirdwitch".into(),
            password: None,
            features: Some(RoomFeatures {
                archived: true,
                occupant_ids: true
            }),
            last_id: Some("s-9".into()),
            subject: Some("Toil".into()),
            occupant_id: Some("our-oid".into()),
            joined: true,
        }]
    );
    let mut config = config();
    config.resumption = Some(r);
    let (mut h, mut out) = Harness::login_plain(config);
    h.answer_roster(&mut out);
    assert!(out.events.contains(&Event::RoomJoining {
        room: room(),
        nick: "thirdwitch".into()
    }));
    presence_to(&out, &format!("{ROOM}/thirdwitch"));
    let rejoined = h.feed(&self_presence("thirdwitch", Some("our-oid"), &[]));
    assert!(
        rejoined.events.iter().any(|e| matches!(
            e,
            Event::RoomJoined { subject: Some(s), .. } if s == "Toil"
        )),
        "{rejoined:?}"
    );
    // The catch-up went out with the join, after the newest id the session had.
    let query = iq_to(&out, ROOM, "query", MAM);
    let set = child(child(query, "query", MAM), "set", archive::RSM);
    assert_eq!(child(set, "after", archive::RSM).text(), "s-9");
}

#[test]
fn a_resumed_stream_stays_in_its_rooms() {
    let (mut h, base) = sm_online();
    let out = h.command(Command::JoinRoom {
        room: room(),
        nick: "thirdwitch".into(),
        password: None,
        after: None,
    });
    let id = id_of(iq_to(&out, ROOM, "query", DISCO_INFO));
    discovered(&mut h, &id, PLAIN, "thirdwitch");
    h.feed(&self_presence("thirdwitch", None, &[]));
    let r = lose_connection(&mut h).expect("a resumption");
    assert!(r.rooms[0].joined);
    let mut config = config();
    config.resumption = Some(r);
    let (mut h, out) = authenticate(config, &bind_features(SM_FEATURE));
    assert!(out.only_frame().is("resume", SM));
    // The server got everything up to our join.
    let out = h.feed(&format!(
        r#"<resumed xmlns="urn:xmpp:sm:3" previd="sm-1" h="{}"/>"#,
        base + 2
    ));
    assert_eq!(h.client.state(), natter_core::SessionState::Online);
    assert!(
        !out.events
            .iter()
            .any(|e| matches!(e, Event::RoomJoining { .. })),
        "{out:?}"
    );
    assert!(!out.frames.iter().any(|f| f.is("presence", CLIENT)));
    // Still in: its messages are believed.
    let out = h.feed(&groupchat("firstwitch", "m2", "Fire burn", ""));
    assert_eq!(group_messages(&out.events).len(), 1, "{out:?}");
}

#[test]
fn a_group_message_lost_with_the_session_follows_the_rejoin() {
    let (mut h, _) = sm_online();
    let out = h.command(Command::JoinRoom {
        room: room(),
        nick: "thirdwitch".into(),
        password: None,
        after: None,
    });
    let id = id_of(iq_to(&out, ROOM, "query", DISCO_INFO));
    discovered(&mut h, &id, PLAIN, "thirdwitch");
    h.feed(&self_presence("thirdwitch", None, &[]));
    h.command(Command::SendGroupMessage {
        room: room(),
        id: "g1".into(),
        body: "unconfirmed".into(),
    });
    let r = lose_connection(&mut h).expect("a resumption");
    let mut config = config();
    config.resumption = Some(r);
    let (mut h, _) = authenticate(config, &bind_features(SM_FEATURE));
    let out = h.feed(r#"<failed xmlns="urn:xmpp:sm:3"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></failed>"#);
    let id = id_of(out.only_frame());
    let mut out = h.feed(&bind_result(&id, FULL_JID));
    h.answer_roster(&mut out);
    let join = out
        .frames
        .iter()
        .position(|f| {
            f.is("presence", CLIENT) && f.attr("to") == Some(&*format!("{ROOM}/thirdwitch"))
        })
        .expect("the rejoin");
    let message = out
        .frames
        .iter()
        .position(|f| f.is("message", CLIENT) && f.attr("id") == Some("g1"))
        .expect("the message again");
    assert!(join < message, "back in the room before the message");
}

#[test]
fn older_pages_of_the_rooms_archive() {
    let mut h = online();
    joined(&mut h, "thirdwitch", MODERN);
    let out = h.command(Command::LoadRoomHistory {
        room: room(),
        before: Some("a50".into()),
        max: 500,
    });
    let query = iq_to(&out, ROOM, "query", MAM);
    let q = child(query, "query", MAM);
    let set = child(q, "set", archive::RSM);
    assert_eq!(child(set, "before", archive::RSM).text(), "a50");
    assert_eq!(child(set, "max", archive::RSM).text(), "100", "capped");
    let queryid = q.attr("queryid").unwrap().to_owned();
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="{ROOM}" to="{ME}"><result xmlns="urn:xmpp:mam:2" queryid="{queryid}" id="a49"><forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="2024-04-01T10:00:00Z"/><message xmlns="jabber:client" type="groupchat" from="{ROOM}/thirdwitch" id="old"><body>mine, long ago</body><occupant-id xmlns="urn:xmpp:occupant-id:0" id="our-oid"/></message></forwarded></result></message>"#
    ));
    let m = group_messages(&out.events)[0];
    assert!(m.archived && m.from_me);
    assert_eq!(m.stanza_id.as_deref(), Some("a49"));
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{}" from="{ROOM}"><fin xmlns="urn:xmpp:mam:2" complete="true"><set xmlns="http://jabber.org/protocol/rsm"><first index="0">a49</first><last>a49</last></set></fin></iq>"#,
        id_of(query)
    ));
    assert_eq!(
        out.events,
        vec![Event::RoomHistoryPage {
            room: room(),
            first: Some("a49".into()),
            complete: true
        }]
    );
    // A failed page says so, and ends the page.
    let out = h.command(Command::LoadRoomHistory {
        room: room(),
        before: None,
        max: 20,
    });
    let query = iq_to(&out, ROOM, "query", MAM);
    let out = h.feed(&iq_error(&id_of(query), ROOM, "forbidden"));
    assert_eq!(
        out.events,
        vec![
            Event::RequestFailed {
                what: format!("Could not load the history of {ROOM}"),
                reason: "this is not allowed".into()
            },
            Event::RoomHistoryPage {
                room: room(),
                first: None,
                complete: false
            }
        ]
    );
}
