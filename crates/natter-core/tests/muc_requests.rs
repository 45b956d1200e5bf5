//! Requests about rooms: moderation (roles and affiliations), owner configuration through
//! data forms, invitations both ways, room discovery.

mod common;

use common::muc::*;
use common::*;
use natter_core::{Affiliation, Command, Event, Invitation, Role, RoomConfig, RoomListItem};

fn in_room(offers: Offers) -> Harness {
    let mut h = online();
    joined(&mut h, "thirdwitch", offers);
    h
}

#[test]
fn moderation_requests() {
    let mut h = in_room(PLAIN);
    let out = h.command(Command::Kick {
        room: room(),
        nick: "secondwitch".into(),
        reason: Some("Avaunt!".into()),
    });
    let iq = iq_to(&out, ROOM, "query", MUC_ADMIN);
    assert_eq!(iq_type(iq), Some("set"));
    let item = child(child(iq, "query", MUC_ADMIN), "item", MUC_ADMIN);
    assert_eq!(
        (item.attr("nick"), item.attr("role")),
        (Some("secondwitch"), Some("none"))
    );
    assert_eq!(child(item, "reason", MUC_ADMIN).text(), "Avaunt!");
    let out = h.feed(&iq_error(&id_of(iq), ROOM, "not-allowed"));
    assert_eq!(
        out.events,
        vec![Event::RequestFailed {
            what: format!("Could not kick secondwitch from {ROOM}"),
            reason: "this is not allowed".into()
        }]
    );

    let out = h.command(Command::Ban {
        room: room(),
        jid: "mallory@evil.example".parse().unwrap(),
        reason: None,
    });
    let iq = iq_to(&out, ROOM, "query", MUC_ADMIN);
    let item = child(child(iq, "query", MUC_ADMIN), "item", MUC_ADMIN);
    assert_eq!(
        (
            item.attr("jid"),
            item.attr("affiliation"),
            item.attr("role")
        ),
        (Some("mallory@evil.example"), Some("outcast"), None)
    );
    assert!(item.get_child("reason", MUC_ADMIN).is_none());
    let out = h.feed(&iq_result(&id_of(iq), ROOM));
    assert!(out.events.is_empty(), "the room's presences tell the rest");

    let out = h.command(Command::SetRole {
        room: room(),
        nick: "secondwitch".into(),
        role: Role::Participant,
        reason: None,
    });
    let iq = iq_to(&out, ROOM, "query", MUC_ADMIN);
    let item = child(child(iq, "query", MUC_ADMIN), "item", MUC_ADMIN);
    assert_eq!(item.attr("role"), Some("participant"));

    let out = h.command(Command::SetAffiliation {
        room: room(),
        jid: "hag@shakespeare.lit".parse().unwrap(),
        affiliation: Affiliation::None,
        reason: None,
    });
    let iq = iq_to(&out, ROOM, "query", MUC_ADMIN);
    let item = child(child(iq, "query", MUC_ADMIN), "item", MUC_ADMIN);
    assert_eq!(item.attr("affiliation"), Some("none"));
}

#[test]
fn configuration_form_read_and_submitted() {
    let mut h = in_room(PLAIN);
    let out = h.command(Command::GetRoomConfig { room: room() });
    let iq = iq_to(&out, ROOM, "query", MUC_OWNER);
    assert_eq!(iq_type(iq), Some("get"));
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{}" from="{ROOM}"><query xmlns="{MUC_OWNER}"><x xmlns="jabber:x:data" type="form"><title>Configuration</title><field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/muc#roomconfig</value></field><field var="muc#roomconfig_roomname" type="text-single"><value>The Coven</value></field><field var="muc#roomconfig_roomdesc" type="text-single"/><field var="muc#roomconfig_persistentroom" type="boolean"><value>1</value></field><field var="muc#roomconfig_membersonly" type="boolean"><value>false</value></field><field var="muc#roomconfig_roomsecret" type="text-private"/><field var="muc#roomconfig_whois" type="list-single"><value>moderators</value><option><value>moderators</value></option></field></x></query></iq>"#,
        id_of(iq)
    ));
    let [Event::RoomConfigForm(config)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(
        *config,
        RoomConfig {
            name: Some("The Coven".into()),
            description: Some(String::new()),
            persistent: Some(true),
            members_only: Some(false),
            password: Some(String::new()),
            ..RoomConfig::new(room())
        }
    );

    let mut change = config.clone();
    change.members_only = Some(true);
    change.password = Some("eye of newt".into());
    change.description = None;
    let out = h.command(Command::SubmitRoomConfig(change));
    let iq = iq_to(&out, ROOM, "query", MUC_OWNER);
    assert_eq!(iq_type(iq), Some("set"));
    let form = child(child(iq, "query", MUC_OWNER), "x", DATA);
    assert_eq!(form.attr("type"), Some("submit"));
    let value = |var: &str| {
        form.children()
            .find(|f| f.attr("var") == Some(var))
            .map(|f| child(f, "value", DATA).text())
    };
    assert_eq!(
        value("FORM_TYPE").as_deref(),
        Some("http://jabber.org/protocol/muc#roomconfig")
    );
    assert_eq!(
        value("muc#roomconfig_roomname").as_deref(),
        Some("The Coven")
    );
    assert_eq!(value("muc#roomconfig_membersonly").as_deref(), Some("1"));
    assert_eq!(value("muc#roomconfig_persistentroom").as_deref(), Some("1"));
    assert_eq!(
        value("muc#roomconfig_passwordprotectedroom").as_deref(),
        Some("1")
    );
    assert_eq!(
        value("muc#roomconfig_roomsecret").as_deref(),
        Some("eye of newt")
    );
    assert_eq!(
        value("muc#roomconfig_roomdesc"),
        None,
        "unchanged fields stay out"
    );
    let out = h.feed(&iq_result(&id_of(iq), ROOM));
    assert_eq!(out.events, vec![Event::RoomConfigured { room: room() }]);

    // Not an owner.
    let out = h.command(Command::GetRoomConfig { room: room() });
    let iq = iq_to(&out, ROOM, "query", MUC_OWNER);
    let out = h.feed(&iq_error(&id_of(iq), ROOM, "forbidden"));
    assert!(matches!(
        out.events.as_slice(),
        [Event::RequestFailed { .. }]
    ));
}

#[test]
fn invitations_out_direct_and_mediated() {
    let mut h = online();
    let id = start_join(&mut h, "thirdwitch", Some("newt"));
    discovered(&mut h, &id, PLAIN, "thirdwitch");
    h.feed(&self_presence("thirdwitch", None, &[]));
    let out = h.command(Command::Invite {
        room: room(),
        to: "hecate@shakespeare.lit".parse().unwrap(),
        reason: Some("Join us".into()),
        direct: true,
    });
    let m = out.only_frame();
    assert_eq!(m.attr("to"), Some("hecate@shakespeare.lit"));
    let x = child(m, "x", "jabber:x:conference");
    assert_eq!(
        (x.attr("jid"), x.attr("password"), x.attr("reason")),
        (Some(ROOM), Some("newt"), Some("Join us"))
    );
    let out = h.command(Command::Invite {
        room: room(),
        to: "hecate@shakespeare.lit".parse().unwrap(),
        reason: None,
        direct: false,
    });
    let m = out.only_frame();
    assert_eq!(m.attr("to"), Some(ROOM));
    let invite = child(child(m, "x", MUC_USER), "invite", MUC_USER);
    assert_eq!(invite.attr("to"), Some("hecate@shakespeare.lit"));
}

#[test]
fn declining_a_mediated_invitation_goes_through_the_room() {
    let mut h = online();
    let out = h.command(Command::DeclineInvitation {
        room: room(),
        inviter: "crone@shakespeare.lit/desktop".parse().unwrap(),
        reason: Some("Sorry <busy>".into()),
    });
    let m = out.only_frame();
    assert_eq!(m.attr("to"), Some(ROOM));
    let decline = child(child(m, "x", MUC_USER), "decline", MUC_USER);
    assert_eq!(decline.attr("to"), Some("crone@shakespeare.lit/desktop"));
    assert_eq!(child(decline, "reason", MUC_USER).text(), "Sorry <busy>");
    assert!(out.events.is_empty(), "{out:?}");
}

#[test]
fn invitations_in() {
    let mut h = online();
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="crone@shakespeare.lit/desktop" to="{ME}"><body>come</body><x xmlns="jabber:x:conference" jid="{ROOM}" reason="Hurry"/></message>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::Invitation(Invitation {
            room: room(),
            from: "crone@shakespeare.lit/desktop".parse().unwrap(),
            password: None,
            reason: Some("Hurry".into()),
            direct: true
        })]
    );
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="{ROOM}" to="{ME}"><x xmlns="http://jabber.org/protocol/muc#user"><invite from="crone@shakespeare.lit/desktop"><reason>Hey Hecate</reason></invite><password>cauldronburn</password></x></message>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::Invitation(Invitation {
            room: room(),
            from: "crone@shakespeare.lit/desktop".parse().unwrap(),
            password: Some("cauldronburn".into()),
            reason: Some("Hey Hecate".into()),
            direct: false
        })]
    );
    // Prosody forwards a mediated invitation with a XEP-0249 copy that lacks the reason and
    // names the room as sender: the room's own <invite/> is the one to believe.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="{ROOM}" to="{ME}"><x xmlns="http://jabber.org/protocol/muc#user"><invite from="crone@shakespeare.lit/desktop"><reason>Both kinds</reason></invite></x><x xmlns="jabber:x:conference" jid="{ROOM}"/></message>"#
    ));
    assert_eq!(
        out.events,
        vec![Event::Invitation(Invitation {
            room: room(),
            from: "crone@shakespeare.lit/desktop".parse().unwrap(),
            password: None,
            reason: Some("Both kinds".into()),
            direct: false
        })]
    );
    // Only a room vouches for a mediated one: not someone's client.
    let out = h.feed(&format!(
        r#"<message xmlns="jabber:client" from="mallory@evil.example/x" to="{ME}"><body>click</body><x xmlns="http://jabber.org/protocol/muc#user"><invite from="boss@example.org"/></x></message>"#
    ));
    assert!(
        matches!(out.events.as_slice(), [Event::Dropped { .. }]),
        "{out:?}"
    );
}

#[test]
fn room_discovery() {
    let mut h = online();
    let out = h.command(Command::ListRooms {
        service: SERVICE.parse().unwrap(),
    });
    let iq = iq_to(&out, SERVICE, "query", DISCO_ITEMS);
    assert_eq!(iq_type(iq), Some("get"));
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{}" from="{SERVICE}"><query xmlns="{DISCO_ITEMS}"><item jid="{ROOM}" name="The Coven"/><item jid="heath@{SERVICE}"/><item jid="{SERVICE}" node="x" name="not a room"/></query></iq>"#,
        id_of(iq)
    ));
    let [Event::RoomList { service, items }] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(service.as_str(), SERVICE);
    assert_eq!(
        *items,
        vec![
            RoomListItem {
                jid: room(),
                name: Some("The Coven".into())
            },
            RoomListItem {
                jid: format!("heath@{SERVICE}").parse().unwrap(),
                name: None
            }
        ]
    );
    assert!(items[0].matches("coven") && !items[1].matches("coven"));

    let out = h.command(Command::RoomInfo { room: room() });
    let iq = iq_to(&out, ROOM, "query", DISCO_INFO);
    let out = h.feed(&room_info(
        &id_of(iq),
        ROOM,
        MODERN,
        r#"<feature var="muc_passwordprotected"/><feature var="muc_persistent"/><x xmlns="jabber:x:data" type="result"><field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/muc#roominfo</value></field><field var="muc#roominfo_description"><value>Where witches meet</value></field><field var="muc#roominfo_occupants"><value>3</value></field></x>"#,
    ));
    let [Event::RoomInfo(info)] = out.events.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(info.name.as_deref(), Some("The Coven"));
    assert_eq!(info.description.as_deref(), Some("Where witches meet"));
    assert_eq!(info.occupants, Some(3));
    assert!(info.password_protected && info.persistent && info.archived && info.occupant_ids);
    assert!(!info.members_only && !info.public);

    let out = h.command(Command::ListRooms {
        service: SERVICE.parse().unwrap(),
    });
    let iq = iq_to(&out, SERVICE, "query", DISCO_ITEMS);
    let out = h.feed(&iq_error(&id_of(iq), SERVICE, "service-unavailable"));
    assert_eq!(
        out.events,
        vec![Event::RequestFailed {
            what: format!("Could not list the rooms of {SERVICE}"),
            reason: "the service is not available".into()
        }]
    );
}
