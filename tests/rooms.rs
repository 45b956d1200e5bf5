//! The group chat view in headless Chromium, fed synthetic core events (no server).
//! Run: CHROMEDRIVER=/usr/bin/chromedriver cargo test -p natter --target wasm32-unknown-unknown --test rooms
#![cfg(target_arch = "wasm32")]

use natter::state::{AppState, UiEvent};
use natter_core::jid::{BareJid, FullJid};
use natter_core::{Affiliation, Event, JoinError, OccupantUpdate, Role, RoomMessage};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

mod mount;

use mount::{tick, Mounted};

wasm_bindgen_test_configure!(run_in_browser);

fn room() -> BareJid {
    BareJid::new("coven@conference.example.org").unwrap()
}

fn occupant(nick: &str, me: bool) -> UiEvent {
    UiEvent::Core(Event::Occupant(OccupantUpdate {
        room: room(),
        nick: nick.into(),
        role: Role::Participant,
        affiliation: Affiliation::None,
        jid: None,
        occupant_id: None,
        show: None,
        status: None,
        available: true,
        me,
        exit: None,
    }))
}

fn said(nick: &str, id: &str, body: &str, mentions_me: bool) -> UiEvent {
    UiEvent::Core(Event::GroupMessage(RoomMessage {
        room: room(),
        nick: nick.into(),
        occupant_id: None,
        id: id.into(),
        stanza_id: None,
        origin_id: None,
        body: body.into(),
        delayed: None,
        archived: false,
        mentions_me,
        from_me: false,
    }))
}

/// Signed in as alice and in the room with `others` other occupants.
fn in_room(others: usize) -> AppState {
    let state = AppState::new();
    let mut events = vec![
        UiEvent::Transport("WebSocket"),
        UiEvent::Core(Event::Online {
            jid: FullJid::new("alice@example.org/web").unwrap(),
            resumed: false,
        }),
        UiEvent::SignedIn(true),
        UiEvent::Core(Event::RoomJoining {
            room: room(),
            nick: "alice".into(),
        }),
    ];
    events.extend((0..others).map(|i| occupant(&format!("user{i:04}"), false)));
    events.push(occupant("alice", true));
    events.push(UiEvent::Core(Event::RoomJoined {
        room: room(),
        nick: "alice".into(),
        occupant_id: None,
        subject: None,
        created: false,
    }));
    events.push(UiEvent::Core(Event::Subject {
        room: room(),
        subject: "<b>Potions</b>".into(),
        by: None,
    }));
    state.apply_now(events);
    state
}

#[wasm_bindgen_test]
async fn a_room_counts_unread_and_mentions_then_opens_with_its_parts() {
    let state = in_room(1);
    let m = Mounted::new(state);
    tick().await;
    state.apply_now([
        said("user0000", "m1", "hello <i>all</i>", false),
        said("user0000", "m2", "alice: look", true),
    ]);
    tick().await;
    let item = m.one("[role=list][aria-label=Rooms] [role=listitem]");
    assert_eq!(item.get_attribute("data-jid").unwrap(), room().to_string());
    let text = item.text_content().unwrap();
    assert!(text.contains("2 unread"), "{text}");
    assert!(
        text.contains("1 mention") && !text.contains("1 mentions"),
        "{text}"
    );

    item.unchecked_ref::<HtmlElement>().click();
    tick().await;
    tick().await;
    let subject = m.one(".room-subject").text_content().unwrap();
    assert!(
        subject.contains("<b>Potions</b>"),
        "subject as text: {subject}"
    );
    assert!(m.all(".room-subject b").is_empty());
    let articles = m.all("[role=log][aria-label=Messages] article");
    assert_eq!(articles.len(), 2);
    assert_eq!(
        articles[0].get_attribute("data-from").unwrap(),
        "coven@conference.example.org/user0000"
    );
    assert!(
        articles[0].query_selector("i").unwrap().is_none(),
        "body as text"
    );
    assert!(!articles[0].class_list().contains("mention"));
    assert!(articles[1].class_list().contains("mention"));
    assert!(articles[1].text_content().unwrap().contains("Mentions you"));
    // Opening cleared the counts.
    let text = m
        .one("[role=list][aria-label=Rooms] [role=listitem]")
        .text_content()
        .unwrap();
    assert!(!text.contains("unread"), "{text}");
    let nicks: Vec<_> = m
        .all("[role=list][aria-label=Occupants] [role=listitem]")
        .iter()
        .map(|e| e.get_attribute("data-nick").unwrap())
        .collect();
    assert_eq!(nicks, ["alice", "user0000"]);
    assert!(m.all("textarea[aria-label=Message]").len() == 1);
    let leave = m
        .all("button")
        .into_iter()
        .find(|b| b.text_content().unwrap().trim() == "Leave room");
    assert!(leave.is_some(), "a Leave room button");
}

#[wasm_bindgen_test]
async fn three_thousand_occupants_render_a_window_with_the_full_setsize() {
    let state = in_room(2_999);
    state.apply_now([UiEvent::OpenRoom(Some(room()))]);
    let m = Mounted::new(state);
    tick().await;
    tick().await;
    let list = m.one("[role=list][aria-label=Occupants]");
    assert_eq!(list.get_attribute("aria-setsize").unwrap(), "3000");
    let items = m.all("[role=list][aria-label=Occupants] [role=listitem]");
    assert!(
        !items.is_empty() && items.len() < 200,
        "{} rendered",
        items.len()
    );
    assert_eq!(items[0].get_attribute("aria-posinset").unwrap(), "1");
    assert_eq!(items[0].get_attribute("aria-setsize").unwrap(), "3000");
}

#[wasm_bindgen_test]
async fn a_refused_join_shows_an_alert_in_plain_words() {
    let state = in_room(0);
    let other = BareJid::new("closed@conference.example.org").unwrap();
    state.apply_now([
        UiEvent::Core(Event::RoomJoining {
            room: other.clone(),
            nick: "alice".into(),
        }),
        UiEvent::OpenRoom(Some(other.clone())),
        UiEvent::Core(Event::RoomJoinFailed {
            room: other,
            reason: JoinError::MembersOnly,
        }),
    ]);
    let m = Mounted::new(state);
    tick().await;
    let alert = m.one("[role=alert].room-alert");
    assert_eq!(
        alert.text_content().unwrap(),
        "this room is for members only"
    );
}

// ---- room header actions, bookmarks, invitations, settings, discovery (issue 5) ----

fn button_text(m: &Mounted, text: &str) -> Option<HtmlElement> {
    m.all("button")
        .into_iter()
        .find(|b| b.text_content().unwrap_or_default().trim() == text)
        .map(|b| b.unchecked_into())
}

fn labelled(m: &Mounted, label: &str) -> web_sys::HtmlInputElement {
    m.all("label")
        .into_iter()
        .find(|l| l.text_content().unwrap_or_default().trim() == label)
        .and_then(|l| match l.get_attribute("for") {
            Some(id) => m.maybe(&format!("#{id}")),
            None => l.query_selector("input").unwrap(),
        })
        .unwrap_or_else(|| panic!("no input labelled {label}"))
        .unchecked_into()
}

fn type_text(input: &web_sys::HtmlInputElement, text: &str) {
    input.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&ev).unwrap();
}

/// In the room as its owner, the room on screen.
fn owner_in_room() -> AppState {
    let state = in_room(0);
    state.apply_now([
        UiEvent::Core(Event::Occupant(OccupantUpdate {
            room: room(),
            nick: "alice".into(),
            role: Role::Moderator,
            affiliation: Affiliation::Owner,
            jid: None,
            occupant_id: None,
            show: None,
            status: None,
            available: true,
            me: true,
            exit: None,
        })),
        UiEvent::OpenRoom(Some(room())),
    ]);
    state
}

fn bookmark(jid: BareJid, autojoin: bool) -> natter_core::Bookmark {
    natter_core::Bookmark {
        room: jid,
        name: None,
        nick: Some("witch".into()),
        password: None,
        autojoin,
    }
}

#[wasm_bindgen_test]
async fn the_header_offers_its_actions_and_follows_bookmarks_set_elsewhere() {
    let state = owner_in_room();
    let m = Mounted::new(state);
    tick().await;
    for name in [
        "Change nickname",
        "Change subject",
        "Invite",
        "Room settings",
    ] {
        assert!(button_text(&m, name).is_some(), "a {name} button");
    }
    assert!(button_text(&m, "Enter room").is_none());
    let mark = button_text(&m, "Bookmark room").expect("a Bookmark room toggle");
    assert_eq!(mark.get_attribute("aria-pressed").as_deref(), Some("false"));
    assert!(m.all("input[type=checkbox]").is_empty());

    // Another device bookmarks this room (autojoin) and another one not joined.
    let other = BareJid::new("castle@conference.example.org").unwrap();
    state.apply_now([UiEvent::Core(Event::Bookmarks(vec![
        bookmark(room(), true),
        bookmark(other.clone(), false),
    ]))]);
    tick().await;
    let mark = button_text(&m, "Bookmark room").unwrap();
    assert_eq!(mark.get_attribute("aria-pressed").as_deref(), Some("true"));
    assert!(labelled(&m, "Join automatically").checked());
    let rooms: Vec<_> = m
        .all("[role=list][aria-label=Rooms] [role=listitem]")
        .iter()
        .map(|e| e.get_attribute("data-jid").unwrap())
        .collect();
    assert_eq!(rooms, [other.to_string(), room().to_string()]);

    // The bookmarked room we are not in: only `Enter room` (and the bookmark).
    state.apply_now([UiEvent::OpenRoom(Some(other))]);
    tick().await;
    assert!(button_text(&m, "Enter room").is_some());
    assert!(button_text(&m, "Change nickname").is_none());
    assert!(!labelled(&m, "Join automatically").checked());

    // Autojoin turned off elsewhere shows here live.
    state.apply_now([
        UiEvent::OpenRoom(Some(room())),
        UiEvent::Core(Event::Bookmarks(vec![bookmark(room(), false)])),
    ]);
    tick().await;
    assert!(!labelled(&m, "Join automatically").checked());
    assert_eq!(
        m.all("[role=list][aria-label=Rooms] [role=listitem]").len(),
        1
    );
}

#[wasm_bindgen_test]
async fn a_refused_nick_change_shows_an_alert_in_the_form() {
    let state = owner_in_room();
    let m = Mounted::new(state);
    tick().await;
    button_text(&m, "Change nickname").unwrap().click();
    tick().await;
    let form = m.one("form[aria-label='Change nickname']");
    assert!(form.query_selector("#room-new-nick").unwrap().is_some());
    assert_eq!(labelled(&m, "New nickname").id(), "room-new-nick");
    assert!(button_text(&m, "Change").is_some());
    state.apply_now([UiEvent::Core(Event::RequestFailed {
        what: format!("Could not change your nickname in {}", room()),
        reason: JoinError::NickInUse.to_string(),
    })]);
    tick().await;
    let alerts: Vec<_> = m
        .all("[role=alert]")
        .iter()
        .map(|a| a.text_content().unwrap())
        .collect();
    assert!(
        alerts
            .iter()
            .any(|a| a.contains("this nickname is already in use in the room")),
        "{alerts:?}"
    );
    // Not in the general alert as well.
    assert_eq!(alerts.len(), 1, "{alerts:?}");

    button_text(&m, "Change subject").unwrap().click();
    tick().await;
    assert!(m.maybe("form[aria-label='Change subject']").is_some());
    assert!(m.maybe("form[aria-label='Change nickname']").is_none());
    assert_eq!(labelled(&m, "Subject").value(), "<b>Potions</b>");
    assert!(button_text(&m, "Save subject").is_some());
}

#[wasm_bindgen_test]
async fn invitations_list_who_invites_and_why_and_decline_removes_them() {
    let state = in_room(0);
    let m = Mounted::new(state);
    tick().await;
    assert!(m.maybe("[role=list][aria-label=Invitations]").is_none());
    state.apply_now([UiEvent::Core(Event::Invitation(natter_core::Invitation {
        room: BareJid::new("tower@conference.example.org").unwrap(),
        from: "bob@example.org/pc".parse().unwrap(),
        password: None,
        reason: Some("<i>tea</i> at five".into()),
        direct: true,
    }))]);
    tick().await;
    let item = m.one("[role=list][aria-label=Invitations] [role=listitem]");
    assert_eq!(
        item.get_attribute("data-jid").as_deref(),
        Some("tower@conference.example.org")
    );
    let text = item.text_content().unwrap();
    assert!(text.contains("bob@example.org invites you"), "{text}");
    assert!(
        text.contains("<i>tea</i> at five"),
        "reason as text: {text}"
    );
    assert!(item.query_selector("i").unwrap().is_none());
    assert!(button_text(&m, "Accept").is_some());
    button_text(&m, "Decline").unwrap().click();
    tick().await;
    tick().await;
    assert!(m.maybe("[role=list][aria-label=Invitations]").is_none());
}

#[wasm_bindgen_test]
async fn the_settings_form_shows_the_offered_fields_then_settings_saved() {
    let state = owner_in_room();
    let m = Mounted::new(state);
    tick().await;
    button_text(&m, "Room settings").unwrap().click();
    tick().await;
    tick().await;
    let mut config = natter_core::RoomConfig::new(room());
    config.name = Some("Coven".into());
    config.description = Some("Potions".into());
    config.persistent = Some(true);
    config.members_only = Some(false);
    config.password = Some(String::new());
    state.apply_now([
        UiEvent::RoomSettings(room(), true),
        UiEvent::Core(Event::RoomConfigForm(config)),
    ]);
    tick().await;
    assert!(m.maybe("form[aria-label='Room settings']").is_some());
    assert_eq!(labelled(&m, "Room name").value(), "Coven");
    assert_eq!(labelled(&m, "Description").value(), "Potions");
    assert!(labelled(&m, "Persistent").checked());
    assert!(!labelled(&m, "Members only").checked());
    assert_eq!(labelled(&m, "Room password").value(), "");
    assert!(button_text(&m, "Save settings").is_some());
    assert!(m.maybe(".room-panel [role=status]").is_none());
    state.apply_now([UiEvent::Core(Event::RoomConfigured { room: room() })]);
    tick().await;
    assert_eq!(
        m.one(".room-panel [role=status]").text_content().unwrap(),
        "Settings saved"
    );
}

#[wasm_bindgen_test]
async fn browsing_rooms_filters_as_you_type_and_a_pick_fills_the_address() {
    let state = in_room(0);
    let m = Mounted::new(state);
    tick().await;
    m.one(".rooms-head button")
        .unchecked_ref::<HtmlElement>()
        .click();
    tick().await;
    assert!(labelled(&m, "Room password").type_() == "password");
    button_text(&m, "Browse rooms").unwrap().click();
    tick().await;
    tick().await;
    assert_eq!(
        labelled(&m, "Chat service").value(),
        "conference.example.org"
    );
    let service = BareJid::new("conference.example.org").unwrap();
    let item = |node: &str, name: Option<&str>| natter_core::RoomListItem {
        jid: BareJid::new(&format!("{node}@conference.example.org")).unwrap(),
        name: name.map(Into::into),
    };
    state.apply_now([
        UiEvent::ListingRooms(service.clone()),
        UiEvent::Core(Event::RoomList {
            service,
            items: vec![
                item("coven", Some("The Coven")),
                item("tower", None),
                item("kitchen", Some("Potion kitchen")),
            ],
        }),
    ]);
    tick().await;
    let listed = |m: &Mounted| -> Vec<String> {
        m.all("[role=list][aria-label='Public rooms'] [role=listitem]")
            .iter()
            .map(|e| e.get_attribute("data-jid").unwrap())
            .collect()
    };
    assert_eq!(listed(&m).len(), 3);
    type_text(&labelled(&m, "Filter rooms"), "POTION");
    tick().await;
    assert_eq!(listed(&m), ["kitchen@conference.example.org"]);
    m.one("[role=list][aria-label='Public rooms'] [role=listitem] button")
        .unchecked_ref::<HtmlElement>()
        .click();
    tick().await;
    assert_eq!(
        labelled(&m, "Room address").value(),
        "kitchen@conference.example.org"
    );
}

// ---- occupant actions, kick/ban dialogs, private messages (room-people) ----

fn person(
    nick: &str,
    role: Role,
    affiliation: Affiliation,
    jid: Option<&str>,
    me: bool,
) -> UiEvent {
    UiEvent::Core(Event::Occupant(OccupantUpdate {
        room: room(),
        nick: nick.into(),
        role,
        affiliation,
        jid: jid.map(|j| j.parse().unwrap()),
        occupant_id: None,
        show: None,
        status: None,
        available: true,
        me,
        exit: None,
    }))
}

/// In the room as `alice` with `role`/`affiliation`, with bob (participant, real JID known)
/// and carol (visitor, anonymous).
fn in_room_as(role: Role, affiliation: Affiliation) -> AppState {
    let state = in_room(0);
    state.apply_now([
        person(
            "alice",
            role,
            affiliation,
            Some("alice@example.org/web"),
            true,
        ),
        person(
            "bob",
            Role::Participant,
            Affiliation::None,
            Some("bob@example.org/x"),
            false,
        ),
        person("carol", Role::Visitor, Affiliation::None, None, false),
        UiEvent::OpenRoom(Some(room())),
    ]);
    state
}

fn private_from(nick: &str, id: &str, body: &str, out: bool) -> UiEvent {
    UiEvent::Core(Event::PrivateMessage(natter_core::RoomPrivateMessage {
        room: room(),
        nick: nick.into(),
        occupant_id: None,
        id: id.into(),
        direction: if out {
            natter_core::Direction::Outgoing
        } else {
            natter_core::Direction::Incoming
        },
        body: body.into(),
        delayed: None,
    }))
}

fn click(e: &web_sys::Element) {
    e.unchecked_ref::<HtmlElement>().click();
}

fn menu_items(m: &Mounted, nick: &str) -> Vec<String> {
    m.all(&format!("[role=menu][aria-label={nick}] [role=menuitem]"))
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect()
}

fn occupant_row(m: &Mounted, nick: &str) -> web_sys::Element {
    m.one(&format!(
        "[role=list][aria-label=Occupants] [role=listitem][data-nick={nick}]"
    ))
}

#[wasm_bindgen_test]
async fn the_actions_menu_offers_what_our_standing_allows() {
    let m = Mounted::new(in_room_as(Role::Moderator, Affiliation::Owner));
    tick().await;
    tick().await;
    assert!(
        occupant_row(&m, "alice")
            .query_selector("[aria-label^=Actions]")
            .unwrap()
            .is_none(),
        "no actions on ourselves"
    );
    click(&m.one("button[aria-label='Actions for bob']"));
    tick().await;
    assert_eq!(
        menu_items(&m, "bob"),
        ["Private message", "Kick", "Revoke voice", "Ban"]
    );
    // A click beside it closes it.
    click(&m.one(".menu-backdrop"));
    tick().await;
    assert!(m.maybe("[role=menu]").is_none());

    // carol: no real JID, so no ban; a visitor gets voice.
    click(&m.one("button[aria-label='Actions for carol']"));
    tick().await;
    assert_eq!(
        menu_items(&m, "carol"),
        ["Private message", "Kick", "Give voice"]
    );
    let kick = m
        .all("[role=menu] [role=menuitem]")
        .into_iter()
        .find(|e| e.text_content().unwrap() == "Kick")
        .unwrap();
    click(&kick);
    tick().await;
    assert!(m.maybe("[role=menu]").is_none(), "the menu closes");
    let dialog = m.one("[role=dialog][aria-label='Kick carol']");
    assert!(dialog
        .query_selector("input[aria-label=Reason]")
        .unwrap()
        .is_some());
    let buttons: Vec<_> = m
        .all("[role=dialog] button")
        .iter()
        .map(|b| b.text_content().unwrap())
        .collect();
    assert_eq!(buttons, ["Cancel", "Kick"]);
    click(&m.all("[role=dialog] button")[0]);
    tick().await;
    assert!(m.maybe("[role=dialog]").is_none(), "Cancel closes it");
}

#[wasm_bindgen_test]
async fn a_plain_participant_can_only_write_privately() {
    let m = Mounted::new(in_room_as(Role::Participant, Affiliation::Member));
    tick().await;
    tick().await;
    click(&m.one("button[aria-label='Actions for bob']"));
    tick().await;
    assert_eq!(menu_items(&m, "bob"), ["Private message"]);
}

#[wasm_bindgen_test]
async fn private_messages_count_until_their_chat_is_opened() {
    let state = in_room_as(Role::Participant, Affiliation::None);
    // Back to the list: the private message counts on the room's item.
    state.apply_now([
        UiEvent::OpenRoom(None),
        private_from("bob", "p1", "psst <b>", false),
    ]);
    let m = Mounted::new(state);
    tick().await;
    let item = m.one("[role=list][aria-label=Rooms] [role=listitem]");
    assert!(item.text_content().unwrap().contains("1 unread"));
    click(&item);
    tick().await;
    tick().await;
    // The room is on screen, the private message still unread: on the room and on bob.
    let item = m.one("[role=list][aria-label=Rooms] [role=listitem]");
    assert!(item.text_content().unwrap().contains("1 unread"));
    assert!(occupant_row(&m, "bob")
        .text_content()
        .unwrap()
        .contains("1 unread"));
    assert!(!occupant_row(&m, "carol")
        .text_content()
        .unwrap()
        .contains("unread"));

    click(&m.one("button[aria-label='Actions for bob']"));
    tick().await;
    let private = m
        .all("[role=menu] [role=menuitem]")
        .into_iter()
        .find(|e| e.text_content().unwrap() == "Private message")
        .unwrap();
    click(&private);
    tick().await;
    tick().await;
    let pane = m.one("[role=region][aria-label='Private chat with bob']");
    assert!(m.maybe(".room-body").is_none(), "in place of the room");
    state.apply_now([private_from("bob", "a1", "hi bob", true)]);
    tick().await;
    let articles = m.all("[role=region] [role=log][aria-label=Messages] article");
    let froms: Vec<_> = articles
        .iter()
        .map(|a| a.get_attribute("data-from").unwrap())
        .collect();
    assert_eq!(
        froms,
        [
            "coven@conference.example.org/bob",
            "coven@conference.example.org/alice"
        ]
    );
    assert!(
        articles[0].query_selector("b").unwrap().is_none(),
        "body as text"
    );
    assert!(articles[0].text_content().unwrap().contains("psst <b>"));
    assert!(pane
        .query_selector("textarea[aria-label=Message]")
        .unwrap()
        .is_some());
    let item = m.one("[role=list][aria-label=Rooms] [role=listitem]");
    assert!(!item.text_content().unwrap().contains("unread"), "read now");

    let back = m
        .all("[role=region] button")
        .into_iter()
        .find(|b| b.text_content().unwrap().contains("Back to room"))
        .unwrap();
    click(&back);
    tick().await;
    tick().await;
    assert!(m
        .maybe("[role=region][aria-label='Private chat with bob']")
        .is_none());
    assert!(!occupant_row(&m, "bob")
        .text_content()
        .unwrap()
        .contains("unread"));
}

#[wasm_bindgen_test]
async fn being_kicked_shows_who_and_why_in_the_room_alert() {
    let state = in_room_as(Role::Participant, Affiliation::None);
    state.apply_now([UiEvent::Core(Event::RoomLeft {
        room: room(),
        reason: natter_core::LeaveReason::Kicked,
        text: Some("spamming".into()),
    })]);
    let m = Mounted::new(state);
    tick().await;
    assert_eq!(
        m.one("[role=alert].room-alert").text_content().unwrap(),
        "You were kicked from the room: spamming"
    );
}

// ---- the room's log: virtualized, archive pages, pending own messages (room-scale) ----

/// Archived message `k` (1 = oldest), one a second, from a rotating sender.
fn archived(k: u32) -> UiEvent {
    let t = 10 * 3600 + k;
    UiEvent::Core(Event::GroupMessage(RoomMessage {
        room: room(),
        nick: format!("user{:04}", k % 7),
        occupant_id: None,
        id: format!("a{k}"),
        stanza_id: Some(format!("arch-{k}")),
        origin_id: None,
        body: format!("Archived #{k}#"),
        delayed: Some(format!(
            "2026-01-02T{:02}:{:02}:{:02}Z",
            t / 3600,
            t / 60 % 60,
            t % 60
        )),
        archived: true,
        mentions_me: false,
        from_me: false,
    }))
}

/// In the room (`in_room` started a join), on screen, after a catch-up that brought the
/// newest 1,000 of a 5,000-message archive.
fn room_with_archive() -> AppState {
    let state = in_room(0);
    let mut events: Vec<UiEvent> = (4_001..=5_000).map(archived).collect();
    events.push(UiEvent::Core(Event::RoomCaughtUp {
        room: room(),
        last: Some("arch-5000".into()),
        complete: true,
        beginning: false,
    }));
    events.push(UiEvent::OpenRoom(Some(room())));
    state.apply_now(events);
    state
}

fn log_articles(m: &Mounted) -> Vec<web_sys::Element> {
    m.all("[role=log][aria-label=Messages] article")
}

#[wasm_bindgen_test]
async fn the_room_log_renders_a_window_and_pages_older_messages_in_above() {
    let state = room_with_archive();
    let m = Mounted::new(state);
    tick().await;
    tick().await;
    let log = m.one("[role=log][aria-label=Messages]");
    // ROOM_MESSAGES of the 1,000 are held; a window of them is in the DOM, pinned to the end.
    let held = natter_store::ROOM_MESSAGES;
    assert_eq!(log.get_attribute("aria-setsize").unwrap(), held.to_string());
    let arts = log_articles(&m);
    assert!(
        !arts.is_empty() && arts.len() < 100,
        "{} articles rendered",
        arts.len()
    );
    let last = arts.last().unwrap();
    assert_eq!(
        last.get_attribute("aria-posinset").unwrap(),
        held.to_string()
    );
    assert_eq!(
        last.get_attribute("aria-setsize").unwrap(),
        held.to_string()
    );
    assert!(last.text_content().unwrap().contains("Archived #5000#"));
    assert_eq!(
        last.get_attribute("data-from").unwrap(),
        format!("{}/user{:04}", room(), 5_000 % 7)
    );

    // An older page of the archive goes above, the window stays at the end.
    let first_held = 5_000 - held as u32 + 1;
    let mut page: Vec<UiEvent> = (first_held - 100..first_held).map(archived).collect();
    page.push(UiEvent::Core(Event::RoomHistoryPage {
        room: room(),
        first: Some(format!("arch-{}", first_held - 100)),
        complete: false,
    }));
    state.apply_now(page);
    tick().await;
    tick().await;
    let log = m.one("[role=log][aria-label=Messages]");
    assert_eq!(
        log.get_attribute("aria-setsize").unwrap(),
        (held + 100).to_string()
    );
    let last = log_articles(&m).pop().unwrap();
    assert!(last.text_content().unwrap().contains("Archived #5000#"));
    assert_eq!(
        last.get_attribute("aria-posinset").unwrap(),
        (held + 100).to_string()
    );
    let posinsets: Vec<usize> = log_articles(&m)
        .iter()
        .map(|a| a.get_attribute("aria-posinset").unwrap().parse().unwrap())
        .collect();
    assert!(
        posinsets.windows(2).all(|w| w[1] == w[0] + 1),
        "{posinsets:?}"
    );
}

#[wasm_bindgen_test]
async fn a_new_room_message_at_the_memory_limit_keeps_the_rendered_articles() {
    // At the limit each new message drops the oldest and shifts every row: the articles on
    // screen must stay the same elements, only their places change (as in the chat log).
    let state = room_with_archive();
    let m = Mounted::new(state);
    for _ in 0..4 {
        tick().await;
    }
    let find = |m: &Mounted| {
        log_articles(m).into_iter().find(|a| {
            a.text_content()
                .unwrap_or_default()
                .contains("Archived #4995#")
        })
    };
    let before = find(&m).expect("message 4995 is rendered");
    let pos = |a: &web_sys::Element| -> usize {
        a.get_attribute("aria-posinset").unwrap().parse().unwrap()
    };
    let pos_before = pos(&before);
    state.apply_now([said("user0001", "live-1", "one more message", false)]);
    for _ in 0..3 {
        tick().await;
    }
    let after = find(&m).expect("message 4995 is still rendered");
    assert!(
        after.is_same_node(Some(&before)),
        "the article was re-created"
    );
    assert_eq!(
        pos(&after) + 1,
        pos_before,
        "its place moved up with the trim"
    );
    let posinsets: Vec<usize> = log_articles(&m).iter().map(pos).collect();
    assert!(
        posinsets.windows(2).all(|w| w[1] == w[0] + 1),
        "{posinsets:?}"
    );
    assert_eq!(
        *posinsets.last().unwrap(),
        natter_store::ROOM_MESSAGES,
        "{posinsets:?}"
    );
}

#[wasm_bindgen_test]
async fn our_room_message_shows_pending_until_the_room_reflects_it_once() {
    let state = in_room(0);
    state.apply_now([UiEvent::OpenRoom(Some(room()))]);
    let m = Mounted::new(state);
    tick().await;
    let mine = RoomMessage {
        room: room(),
        nick: "alice".into(),
        occupant_id: None,
        id: "out-1".into(),
        stanza_id: None,
        origin_id: Some("out-1".into()),
        body: "brewing".into(),
        delayed: None,
        archived: false,
        mentions_me: false,
        from_me: true,
    };
    state.apply_now([UiEvent::Core(Event::GroupMessageSent(mine.clone()))]);
    tick().await;
    let arts = log_articles(&m);
    assert_eq!(arts.len(), 1);
    assert!(arts[0].text_content().unwrap().contains("Sending"));
    assert!(arts[0].class_list().contains("pending"));
    state.apply_now([UiEvent::Core(Event::GroupMessage(RoomMessage {
        stanza_id: Some("s-1".into()),
        ..mine
    }))]);
    tick().await;
    let arts = log_articles(&m);
    assert_eq!(arts.len(), 1, "never twice");
    assert!(!arts[0].text_content().unwrap().contains("Sending"));
    assert!(!arts[0].class_list().contains("pending"));
    assert_eq!(
        arts[0].get_attribute("data-from").unwrap(),
        format!("{}/alice", room())
    );
}

#[wasm_bindgen_test]
async fn a_catch_up_that_fell_short_offers_the_missing_messages() {
    // Twenty messages from an earlier join, then a rejoin whose catch-up brought three and
    // could not reach back to them.
    let state = in_room(0);
    let mut events: Vec<UiEvent> = (1..=20).map(archived).collect();
    events.push(UiEvent::Core(Event::RoomCaughtUp {
        room: room(),
        last: Some("arch-20".into()),
        complete: true,
        beginning: false,
    }));
    events.push(UiEvent::Core(Event::RoomJoining {
        room: room(),
        nick: "alice".into(),
    }));
    events.extend((101..=103).map(archived));
    events.push(UiEvent::Core(Event::RoomCaughtUp {
        room: room(),
        last: Some("arch-103".into()),
        complete: false,
        beginning: false,
    }));
    events.push(UiEvent::OpenRoom(Some(room())));
    state.apply_now(events);
    let m = Mounted::new(state);
    tick().await;
    tick().await;
    let gap = m
        .maybe("[role=log][aria-label=Messages] .gap")
        .unwrap_or_else(|| panic!("no gap in {}", m.one("[role=log]").outer_html()));
    assert!(gap.query_selector("[role=separator]").unwrap().is_some());
    let button = gap.query_selector("button").unwrap().unwrap();
    assert_eq!(button.text_content().unwrap(), "Load missing messages");
    // The gap sits between the earlier messages and the oldest the catch-up brought.
    let before = gap.previous_element_sibling().unwrap();
    assert!(before.text_content().unwrap().contains("Archived #20#"));
    let next = gap.next_element_sibling().unwrap();
    assert!(next.text_content().unwrap().contains("Archived #101#"));
    assert_eq!(next.get_attribute("aria-posinset").as_deref(), Some("21"));
}

#[wasm_bindgen_test]
async fn a_join_refused_for_its_password_says_so_and_asks_for_it() {
    let state = in_room(0);
    let locked = BareJid::new("vault@conference.example.org").unwrap();
    state.apply_now([
        UiEvent::Core(Event::RoomJoining {
            room: locked.clone(),
            nick: "alice".into(),
        }),
        UiEvent::OpenRoom(Some(locked.clone())),
    ]);
    let m = Mounted::new(state);
    tick().await;
    assert!(m.maybe("input[aria-label='Room password']").is_none());
    state.apply_now([UiEvent::Core(Event::RoomJoinFailed {
        room: locked,
        reason: JoinError::PasswordRequired,
    })]);
    tick().await;
    assert_eq!(
        m.one("[role=alert].room-alert").text_content().unwrap(),
        "the room needs a password (or the password is wrong)"
    );
    let input = m.one("input[aria-label='Room password']");
    assert_eq!(input.get_attribute("type").as_deref(), Some("password"));
    assert!(button_text(&m, "Enter room").is_some());
}

#[wasm_bindgen_test]
async fn a_room_whose_whole_archive_came_offers_nothing_older() {
    for (beginning, expect_button) in [(false, true), (true, false)] {
        let state = in_room(0);
        let mut events: Vec<UiEvent> = (1..=3).map(archived).collect();
        events.push(UiEvent::Core(Event::RoomCaughtUp {
            room: room(),
            last: Some("arch-3".into()),
            complete: true,
            beginning,
        }));
        events.push(UiEvent::OpenRoom(Some(room())));
        state.apply_now(events);
        let m = Mounted::new(state);
        tick().await;
        tick().await;
        let log = m.one("[role=log][aria-label=Messages]");
        let text = log.text_content().unwrap();
        let older = m
            .all("[role=log][aria-label=Messages] button")
            .iter()
            .any(|b| b.text_content().as_deref() == Some("Load older messages"));
        assert_eq!(older, expect_button, "beginning: {beginning}: {text}");
        assert_eq!(
            text.contains("This is the beginning of the room."),
            !expect_button,
            "{text}"
        );
    }
}
