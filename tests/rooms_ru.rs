//! The roster and the room in Russian (headless Chromium, synthetic core events): the words
//! come from the Russian catalogue, plurals included, while the UI contract's accessible names
//! (`Add contact`, `Join room`, `Room address`, `Nickname`, `Join`, `Rooms`, `Occupants`,
//! `N unread`) stay English.
//! Run: CHROMEDRIVER=/usr/bin/chromedriver cargo test -p natter --target wasm32-unknown-unknown --test rooms_ru
#![cfg(target_arch = "wasm32")]

use natter::i18n::{set_locale, Locale};
use natter::state::{AppState, UiEvent};
use natter_core::jid::{BareJid, FullJid};
use natter_core::{Affiliation, Event, OccupantUpdate, Role, RoomMessage};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

mod mount;

use mount::{tick, Mounted};

wasm_bindgen_test_configure!(run_in_browser);

fn room() -> BareJid {
    BareJid::new("coven@conference.example.org").unwrap()
}

fn occupant(nick: &str, me: bool, role: Role) -> UiEvent {
    UiEvent::Core(Event::Occupant(OccupantUpdate {
        room: room(),
        nick: nick.into(),
        role,
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

fn mention(id: &str) -> UiEvent {
    UiEvent::Core(Event::GroupMessage(RoomMessage {
        room: room(),
        nick: "bob".into(),
        occupant_id: None,
        id: id.into(),
        stanza_id: None,
        origin_id: None,
        body: format!("alice: {id}"),
        delayed: None,
        archived: false,
        mentions_me: true,
        from_me: false,
    }))
}

/// Signed in as alice, in the room with bob (a moderator), the page's language Russian (the
/// stored choice the `Language` picker writes), undone when dropped.
struct Russian {
    state: AppState,
    m: Mounted,
}

impl Russian {
    fn mount() -> Self {
        let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
        storage.set_item("natter.lang", "ru").unwrap();
        let state = AppState::new();
        state.apply_now([
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
            occupant("bob", false, Role::Moderator),
            occupant("alice", true, Role::Participant),
            UiEvent::Core(Event::RoomJoined {
                room: room(),
                nick: "alice".into(),
                occupant_id: None,
                subject: None,
                created: false,
            }),
        ]);
        let m = Mounted::new(state);
        Russian { state, m }
    }
}

impl Drop for Russian {
    fn drop(&mut self) {
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = storage.remove_item("natter.lang");
        }
        set_locale(Locale::En);
    }
}

fn text(e: &Element) -> String {
    e.text_content().unwrap_or_default()
}

fn button_named(m: &Mounted, name: &str) -> Element {
    m.one(&format!("button[aria-label=\"{name}\"]"))
}

#[wasm_bindgen_test]
async fn the_roster_speaks_russian_and_keeps_the_contract_names() {
    let r = Russian::mount();
    let m = &r.m;
    tick().await;
    assert_eq!(
        m.one(".app").get_attribute("lang").as_deref(),
        Some("ru"),
        "the stored choice picks Russian"
    );

    let add = button_named(m, "Add contact");
    assert!(text(&add).contains("Добавить контакт"), "{}", text(&add));
    let join = button_named(m, "Join room");
    assert!(text(&join).contains("Войти в комнату"), "{}", text(&join));
    m.one("[role=list][aria-label=Contacts]");
    m.one("[role=list][aria-label=Rooms]");
    m.one("input[aria-label=\"Filter contacts\"]");

    // Mentions in the rooms list: Russian plural forms, while "N unread" stays English.
    r.state
        .apply_now((1..=3).map(|i| mention(&format!("m{i}"))));
    tick().await;
    let item = m.one("[role=list][aria-label=Rooms] [role=listitem]");
    let words = text(&item);
    assert!(words.contains("3 упоминания"), "{words}");
    assert!(words.contains("3 unread"), "{words}");
    assert!(words.contains("вы в комнате"), "{words}");
    let badge = m.one("[role=list][aria-label=Rooms] .unread");
    assert_eq!(
        badge.get_attribute("title").as_deref(),
        Some("3 непрочитанных")
    );

    // The join form: Russian labels, English accessible names.
    join.unchecked_ref::<HtmlElement>().click();
    tick().await;
    let address = m.one("#join-address");
    assert_eq!(
        address.get_attribute("aria-label").as_deref(),
        Some("Room address")
    );
    assert_eq!(text(&m.one("label[for=join-address]")), "Адрес комнаты");
    assert_eq!(
        m.one("#join-nick").get_attribute("aria-label").as_deref(),
        Some("Nickname")
    );
    assert_eq!(text(&m.one("label[for=join-nick]")), "Ник");
    let submit = button_named(m, "Join");
    assert_eq!(submit.get_attribute("type").as_deref(), Some("submit"));
    assert_eq!(text(&submit).trim(), "Войти");
    // A wrong address is refused in Russian.
    address
        .unchecked_ref::<web_sys::HtmlInputElement>()
        .set_value("not a room");
    address
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    submit.unchecked_ref::<HtmlElement>().click();
    tick().await;
    let alert = text(&m.one("[role=dialog] [role=alert]"));
    assert!(alert.starts_with("Это не адрес комнаты"), "{alert}");
}

#[wasm_bindgen_test]
async fn the_room_speaks_russian_and_keeps_the_contract_names() {
    let r = Russian::mount();
    let m = &r.m;
    tick().await;
    r.state.apply_now([UiEvent::OpenRoom(Some(room()))]);
    tick().await;
    tick().await;

    let pane = m.one("section.room");
    assert_eq!(
        pane.get_attribute("aria-label").as_deref(),
        Some("Комната coven")
    );
    assert!(text(&m.one(".room-subject")).contains("Без темы"));
    assert!(text(&m.one(".room-nick")).contains("ваш ник: alice"));
    let leave = m
        .all("button")
        .into_iter()
        .find(|b| text(b).trim() == "Выйти из комнаты");
    assert!(leave.is_some(), "a Russian Leave room button");
    m.one("[role=log][aria-label=Messages]");
    assert_eq!(
        text(&m.one("[role=log][aria-label=Messages] .log-empty")),
        "В этой комнате пока нет сообщений."
    );
    assert_eq!(
        m.one("textarea[aria-label=Message]")
            .get_attribute("placeholder")
            .as_deref(),
        Some("Написать в комнату")
    );

    // Occupants: the list keeps its name; the words around it are Russian.
    let rows = m.all("[role=list][aria-label=Occupants] [role=listitem]");
    let words: Vec<_> = rows.iter().map(text).collect();
    assert!(words.iter().any(|w| w.contains("(вы)")), "{words:?}");
    assert!(words.iter().any(|w| w.contains("модератор")), "{words:?}");
    let actions = button_named(m, "Действия: bob");
    actions.unchecked_ref::<HtmlElement>().click();
    tick().await;
    let items: Vec<_> = m
        .all("[role=menu] [role=menuitem]")
        .iter()
        .map(|e| text(e).trim().to_string())
        .collect();
    assert_eq!(items, ["Личное сообщение"]);
}
