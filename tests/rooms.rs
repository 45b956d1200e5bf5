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
