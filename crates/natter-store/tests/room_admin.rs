//! Bookmarks, invitations, room settings, room lists and per-room failures in the store.

use natter_core::jid::{BareJid, Jid};
use natter_core::{Bookmark, Event, Invitation, JoinError, RoomConfig, RoomInfo, RoomListItem};
use natter_store::room_admin::MAX_INVITATIONS;
use natter_store::{Settings, Store};

fn jid(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

fn room() -> BareJid {
    jid("coven@conference.example.org")
}

fn mark(room: &str, autojoin: bool) -> Bookmark {
    Bookmark {
        room: jid(room),
        name: None,
        nick: Some("alice".into()),
        password: Some("secret".into()),
        autojoin,
    }
}

fn invitation(room: &str, from: &str, reason: Option<&str>) -> Invitation {
    Invitation {
        room: jid(room),
        from: Jid::new(from).unwrap(),
        password: None,
        reason: reason.map(Into::into),
        direct: true,
    }
}

fn joined(s: &mut Store, room: BareJid) {
    s.apply(Event::RoomJoining {
        room: room.clone(),
        nick: "alice".into(),
    });
    s.apply(Event::RoomJoined {
        room,
        nick: "alice".into(),
        occupant_id: None,
        subject: None,
        created: false,
    });
}

#[test]
fn bookmarks_are_kept_whole_and_replaced_by_each_new_set() {
    let mut s = Store::new();
    let c = s.apply(Event::Bookmarks(vec![
        mark("coven@conference.example.org", true),
        mark("castle@conference.example.org", false),
    ]));
    assert!(c.roster && c.messages);
    let b = s.admin.bookmark(&room()).expect("kept");
    assert!(b.autojoin);
    assert_eq!(b.password.as_deref(), Some("secret"));
    // Listed though not joined.
    let listed: Vec<_> = s.rooms.listed().into_iter().map(|(j, _)| j).collect();
    assert_eq!(listed.len(), 2);
    assert!(!s.rooms.get(&room()).unwrap().joined);

    // Another device removed one and turned autojoin off on the other.
    s.apply(Event::Bookmarks(vec![mark(
        "coven@conference.example.org",
        false,
    )]));
    assert!(!s.admin.bookmark(&room()).unwrap().autojoin);
    assert!(s
        .admin
        .bookmark(&jid("castle@conference.example.org"))
        .is_none());
    assert_eq!(s.rooms.listed().len(), 1);
}

#[test]
fn invitations_are_one_per_room_bounded_and_answered_once() {
    let mut s = Store::new();
    s.apply(Event::Invitation(invitation(
        "coven@conference.example.org",
        "bob@example.org",
        Some("tea"),
    )));
    s.apply(Event::Invitation(invitation(
        "coven@conference.example.org",
        "carol@example.org/phone",
        None,
    )));
    assert_eq!(s.admin.invitations.len(), 1, "one per room, the newest");
    assert_eq!(
        s.admin.invitations[0].from.to_string(),
        "carol@example.org/phone"
    );

    for i in 0..MAX_INVITATIONS + 10 {
        s.apply(Event::Invitation(invitation(
            &format!("r{i}@conference.example.org"),
            "spam@example.org",
            None,
        )));
    }
    assert_eq!(s.admin.invitations.len(), MAX_INVITATIONS);
    let last = jid(&format!("r{}@conference.example.org", MAX_INVITATIONS + 9));
    assert!(s.admin.answer_invitation(&last).is_some());
    assert!(s.admin.answer_invitation(&last).is_none());
    assert_eq!(s.admin.invitations.len(), MAX_INVITATIONS - 1);
}

#[test]
fn settings_go_loading_form_saved_and_ignore_strays() {
    let mut s = Store::new();
    let mut config = RoomConfig::new(room());
    config.members_only = Some(false);
    config.name = Some("Coven".into());
    // Not asked for: ignored.
    assert!(!s.apply(Event::RoomConfigForm(config.clone())).messages);
    assert!(!s.apply(Event::RoomConfigured { room: room() }).messages);
    assert!(s.admin.settings.is_empty());

    s.admin.settings_requested(room());
    assert_eq!(s.admin.settings.get(&room()), Some(&Settings::Loading));
    assert!(s.apply(Event::RoomConfigForm(config.clone())).messages);
    assert_eq!(
        s.admin.settings.get(&room()),
        Some(&Settings::Form(config.clone()))
    );
    assert!(!s.admin.members_only(&room()));
    assert!(s.apply(Event::RoomConfigured { room: room() }).messages);
    assert_eq!(s.admin.settings.get(&room()), Some(&Settings::Saved));
    s.admin.settings_closed(&room());
    assert!(s.admin.settings.is_empty());
}

#[test]
fn room_info_says_whether_a_room_is_members_only() {
    let mut s = Store::new();
    assert!(!s.admin.members_only(&room()));
    let mut info = RoomInfo::new(room());
    info.members_only = true;
    s.apply(Event::RoomInfo(info));
    assert!(s.admin.members_only(&room()));
}

#[test]
fn a_room_list_is_sorted_and_only_for_the_service_asked() {
    let mut s = Store::new();
    let service = jid("conference.example.org");
    let items = vec![
        RoomListItem {
            jid: jid("zeta@conference.example.org"),
            name: Some("Alpha room".into()),
        },
        RoomListItem {
            jid: jid("beta@conference.example.org"),
            name: None,
        },
    ];
    assert!(
        !s.apply(Event::RoomList {
            service: service.clone(),
            items: items.clone(),
        })
        .messages,
        "not asked"
    );
    s.admin.list_requested(service.clone());
    assert!(s.admin.directory.loading);
    assert!(
        !s.apply(Event::RoomList {
            service: jid("chat.elsewhere.org"),
            items: items.clone(),
        })
        .messages
    );
    s.apply(Event::RoomList { service, items });
    assert!(!s.admin.directory.loading);
    let order: Vec<_> = s
        .admin
        .directory
        .items
        .iter()
        .map(|i| i.jid.to_string())
        .collect();
    assert_eq!(
        order,
        ["zeta@conference.example.org", "beta@conference.example.org"]
    );
}

#[test]
fn failures_about_a_room_stay_with_the_room_others_go_to_the_alert() {
    let mut s = Store::new();
    joined(&mut s, room());
    // A room whose address contains the other's: must not catch its failures.
    joined(&mut s, jid("xcoven@conference.example.org"));
    let c = s.apply(Event::RequestFailed {
        what: format!("Could not change your nickname in {}", room()),
        reason: JoinError::NickInUse.to_string(),
    });
    assert!(c.messages && !c.connection);
    assert_eq!(
        s.admin.failures.get(&room()).map(String::as_str),
        Some(
            "Could not change your nickname in coven@conference.example.org: \
             this nickname is already in use in the room"
        )
    );
    assert!(!s
        .admin
        .failures
        .contains_key(&jid("xcoven@conference.example.org")));
    assert!(s.error.is_none());

    // Settings asked for a room that then fails: no more waiting.
    let other = jid("castle@conference.example.org");
    s.admin.settings_requested(other.clone());
    s.apply(Event::RequestFailed {
        what: format!("Could not load the settings of {other}"),
        reason: "forbidden".into(),
    });
    assert!(!s.admin.settings.contains_key(&other));
    assert!(s.admin.failures.contains_key(&other));

    let c = s.apply(Event::RequestFailed {
        what: "Could not save the bookmarks".into(),
        reason: "timed out".into(),
    });
    assert!(c.connection);
    assert_eq!(
        s.error.as_deref(),
        Some("Could not save the bookmarks: timed out")
    );
    assert!(s.admin.clear_failure(&room()));
    assert!(!s.admin.clear_failure(&room()));
}

#[test]
fn a_failed_listing_stops_loading_and_says_why() {
    let mut s = Store::new();
    let service = jid("conference.example.org");
    s.admin.list_requested(service.clone());
    s.apply(Event::RequestFailed {
        what: format!("Could not list the rooms of {service}"),
        reason: "the service does not exist".into(),
    });
    assert!(!s.admin.directory.loading);
    assert!(s
        .admin
        .directory
        .error
        .as_deref()
        .is_some_and(|e| e.contains("does not exist")));
    assert!(s.error.is_none());
}

#[test]
fn a_room_is_named_by_its_bookmark_else_by_itself_else_by_its_address() {
    let mut s = Store::new();
    joined(&mut s, room());
    let name = |s: &Store| s.admin.room_name(&room(), s.rooms.get(&room()));
    assert_eq!(name(&s), "coven");
    let mut info = RoomInfo::new(room());
    info.name = Some("The Coven".into());
    s.apply(Event::RoomInfo(info));
    assert_eq!(name(&s), "The Coven");
    let mut named = mark("coven@conference.example.org", false);
    named.name = Some("My coven".into());
    s.apply(Event::Bookmarks(vec![named]));
    assert_eq!(name(&s), "My coven");
}
