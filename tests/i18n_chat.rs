//! The sign-in form and a chat in Russian: translated words on screen, the UI contract's
//! English names kept (aria-label, and the `Connection` status's English words for screen
//! readers). Run: CHROMEDRIVER=/usr/bin/chromedriver cargo test -p natter --target
//! wasm32-unknown-unknown --test i18n_chat
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use natter::state::{AppState, UiEvent};
use natter_core::jid::{BareJid, FullJid, Jid};
use natter_core::{ChatMessage, Direction, Event, RosterItem, Subscription};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

mod mount;

use mount::{tick, Mounted};

wasm_bindgen_test_configure!(run_in_browser);

/// The language choice the app reads at mount (view/language.rs).
const CHOICE: &str = "natter.lang";

/// Mounted in Russian; the choice is forgotten when dropped, so other tests see English.
struct Russian(Mounted);

impl Russian {
    fn mount(state: AppState) -> Self {
        storage().set_item(CHOICE, "ru").unwrap();
        Russian(Mounted::new(state))
    }
}

impl Drop for Russian {
    fn drop(&mut self) {
        let _ = storage().remove_item(CHOICE);
        natter::i18n::set_locale(natter::i18n::Locale::En);
    }
}

fn storage() -> web_sys::Storage {
    window().local_storage().unwrap().unwrap()
}

fn bare(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

fn by_label(m: &Mounted, selector: &str, label: &str) -> Element {
    m.all(selector)
        .into_iter()
        .find(|e| e.get_attribute("aria-label").as_deref() == Some(label))
        .unwrap_or_else(|| panic!("no {selector} with aria-label {label}"))
}

fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default().trim().to_string()
}

fn type_into(input: &HtmlInputElement, text: &str) {
    input.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
async fn the_sign_in_form_speaks_russian_and_keeps_the_contract_names() {
    let r = Russian::mount(AppState::new());
    let m = &r.0;
    tick().await;
    assert_eq!(m.one(".app").get_attribute("lang").as_deref(), Some("ru"));
    assert_eq!(
        m.one("form").get_attribute("aria-label").as_deref(),
        Some("Sign in")
    );
    let labels: Vec<String> = m.all("form label").iter().map(text).collect();
    assert!(labels.contains(&"Адрес".to_string()), "{labels:?}");
    assert!(labels.contains(&"Пароль".to_string()), "{labels:?}");
    let address: HtmlInputElement = by_label(m, "input", "Address").unchecked_into();
    by_label(m, "input", "Password");
    by_label(m, "input", "Connection URL");
    let submit: HtmlElement = by_label(m, "button", "Sign in").unchecked_into();
    assert_eq!(text(&submit), "Войти");

    // Visible in Russian, and still the contract's English words for screen readers.
    let status = m.one("[role=status][aria-label=Connection]");
    let visible = text(&status.query_selector(".conn-text").unwrap().unwrap());
    assert_eq!(visible, "Не в сети · WebSocket");
    let spoken = text(&status.query_selector(".visually-hidden").unwrap().unwrap());
    assert_eq!(spoken, "Offline · WebSocket");
    // Separate words, so that "\bOffline\b" still finds the English.
    assert_eq!(text(&status), "Не в сети · WebSocket Offline · WebSocket");

    // Errors built by the app are Russian, with the user's text quoted.
    type_into(&address, "example.org");
    type_into(&by_label(m, "input", "Password").unchecked_into(), "secret");
    submit.click();
    tick().await;
    let alert = text(&m.one("[role=alert]"));
    assert_eq!(
        alert,
        "В адресе «example.org» нет имени пользователя. Адрес выглядит так: alice@example.org."
    );
}

#[wasm_bindgen_test]
async fn a_chat_speaks_russian_and_keeps_the_contract_names() {
    let state = AppState::new();
    let bob = bare("bob@example.org");
    state.apply_now([
        UiEvent::Transport("WebSocket"),
        UiEvent::Core(Event::Online {
            jid: FullJid::new("alice@example.org/web").unwrap(),
            resumed: false,
        }),
        UiEvent::Core(Event::RosterReset {
            items: vec![RosterItem {
                jid: bob.clone(),
                name: Some("Bob".into()),
                subscription: Subscription::Both,
                ask: false,
                groups: vec![],
            }],
            ver: None,
        }),
        UiEvent::SignedIn(true),
        UiEvent::Core(Event::Message(ChatMessage {
            id: "m1".into(),
            direction: Direction::Incoming,
            peer: bob.clone(),
            from: Jid::new("bob@example.org/phone").unwrap(),
            body: "привет".into(),
            delayed: None,
            stanza_id: None,
            origin_id: None,
            archived: false,
            ext: Default::default(),
        })),
        UiEvent::Open(Some(bob)),
    ]);
    let r = Russian::mount(state);
    let m = &r.0;
    tick().await;

    assert_eq!(text(&by_label(m, "button", "Sign out")), "Выйти");
    let status = m.one("[role=status][aria-label=Connection]");
    assert!(
        text(&status).contains("Connected · WebSocket"),
        "{}",
        text(&status)
    );
    assert!(text(&status).contains("Подключено"), "{}", text(&status));

    let chat = by_label(m, "section", "Разговор с Bob");
    assert!(text(&chat).contains("В сети") || text(&chat).contains("Не в сети"));
    let log = m.one("[role=log]");
    assert_eq!(log.get_attribute("aria-label").as_deref(), Some("Messages"));
    assert_eq!(m.all("[role=log] article").len(), 1);
    let field = by_label(m, "textarea", "Message");
    assert_eq!(
        field.get_attribute("placeholder").as_deref(),
        Some("Напишите сообщение")
    );
    assert_eq!(text(&by_label(m, "button", "Send")), "Отправить");
    by_label(m, "button", "Действия с сообщением");
}
