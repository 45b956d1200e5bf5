//! Awareness components in headless Chromium, fed synthetic core events (no server): the
//! `Chat state` line (a hostile roster name stays text), the `Delivered` and `Read` delivery
//! icons, and the `Settings` dialog's defaults.
//! Run: CHROMEDRIVER=/usr/bin/chromedriver cargo test -p natter --target wasm32-unknown-unknown --test awareness
#![cfg(target_arch = "wasm32")]

use natter::state::{AppState, UiEvent};
use natter_core::jid::{BareJid, FullJid, Jid};
use natter_core::{
    Awareness, ChatMessage, ChatState, Direction, Event, MessageExt, RosterItem, Subscription,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

mod mount;

use mount::{tick, Mounted};

wasm_bindgen_test_configure!(run_in_browser);

const BOB: &str = "bob@example.org";
const HOSTILE: &str = "<img src=x onerror=alert(1)> Bob";

fn bare(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

/// Signed in as alice with bob (under a hostile name) in the roster, his chat open.
fn chat_with_bob() -> AppState {
    let state = AppState::new();
    state.apply_now([
        UiEvent::Transport("WebSocket"),
        UiEvent::Core(Event::Online {
            jid: FullJid::new("alice@example.org/web").unwrap(),
            resumed: false,
        }),
        UiEvent::Core(Event::RosterReset {
            items: vec![RosterItem {
                jid: bare(BOB),
                name: Some(HOSTILE.into()),
                subscription: Subscription::Both,
                ask: false,
                groups: vec![],
            }],
            ver: None,
        }),
        UiEvent::SignedIn(true),
        UiEvent::Open(Some(bare(BOB))),
    ]);
    state
}

fn state_said(state: AppState, st: ChatState) {
    state.apply_now([UiEvent::Core(Event::Awareness(Awareness::ChatState {
        peer: bare(BOB),
        state: st,
    }))]);
}

fn chat_state_line(m: &Mounted) -> web_sys::Element {
    m.one("[role=status][aria-label='Chat state']")
}

#[wasm_bindgen_test]
async fn the_chat_state_line_names_the_peer_as_text() {
    let state = chat_with_bob();
    let m = Mounted::new(state);
    tick().await;
    assert_eq!(chat_state_line(&m).text_content().unwrap().trim(), "");
    state_said(state, ChatState::Composing);
    tick().await;
    let line = chat_state_line(&m);
    assert_eq!(
        line.text_content().unwrap().trim(),
        format!("{HOSTILE} is typing…")
    );
    assert!(
        line.query_selector("img").unwrap().is_none(),
        "text, not markup"
    );
    state_said(state, ChatState::Paused);
    tick().await;
    assert_eq!(
        chat_state_line(&m).text_content().unwrap().trim(),
        format!("{HOSTILE} paused typing")
    );
    state_said(state, ChatState::Active);
    tick().await;
    assert_eq!(chat_state_line(&m).text_content().unwrap().trim(), "");
}

#[wasm_bindgen_test]
async fn receipts_and_markers_show_as_delivered_then_read() {
    let state = chat_with_bob();
    let m = Mounted::new(state);
    let sent = ChatMessage {
        id: "o1".into(),
        direction: Direction::Outgoing,
        peer: bare(BOB),
        from: Jid::new("alice@example.org/web").unwrap(),
        body: "hi".into(),
        delayed: None,
        stanza_id: None,
        origin_id: None,
        archived: false,
        ext: MessageExt::default(),
    };
    state.apply_now([UiEvent::Core(Event::MessageSent(sent))]);
    tick().await;
    let ours = || m.one("[role=log] article[data-from='alice@example.org']");
    let icon = || {
        ours()
            .query_selector("[role=img][aria-label]")
            .unwrap()
            .expect("a delivery icon")
            .get_attribute("aria-label")
            .unwrap()
    };
    assert_eq!(icon(), "Sent");
    state.apply_now([UiEvent::Core(Event::Awareness(Awareness::Delivered {
        peer: bare(BOB),
        id: "o1".into(),
    }))]);
    tick().await;
    assert_eq!(icon(), "Delivered");
    assert_eq!(
        ours().get_attribute("data-state").as_deref(),
        Some("delivered")
    );
    state.apply_now([UiEvent::Core(Event::Awareness(Awareness::Displayed {
        peer: bare(BOB),
        id: "o1".into(),
    }))]);
    tick().await;
    assert_eq!(icon(), "Read");
    assert_eq!(ours().get_attribute("data-state").as_deref(), Some("read"));
}

#[wasm_bindgen_test]
async fn settings_dialog_has_its_three_checkboxes() {
    let state = chat_with_bob();
    let m = Mounted::new(state);
    tick().await;
    assert!(m.maybe("[role=dialog][aria-label=Settings]").is_none());
    let button: HtmlElement = m
        .all("button")
        .into_iter()
        .find(|b| b.text_content().unwrap_or_default().trim() == "Settings")
        .expect("a Settings button")
        .unchecked_into();
    button.click();
    tick().await;
    let dialog = m.one("[role=dialog][aria-label=Settings]");
    // The other row is the language picker (a select).
    assert!(dialog
        .query_selector("select[aria-label=Language]")
        .unwrap()
        .is_some());
    let boxes = dialog
        .query_selector_all("label:has(input[type=checkbox])")
        .unwrap();
    let mut seen = Vec::new();
    for i in 0..boxes.length() {
        let label: web_sys::Element = boxes.get(i).unwrap().unchecked_into();
        let input: HtmlInputElement = label
            .query_selector("input[type=checkbox]")
            .unwrap()
            .expect("a checkbox in the label")
            .unchecked_into();
        seen.push((
            label.text_content().unwrap().trim().to_string(),
            input.checked(),
        ));
    }
    assert_eq!(
        seen,
        vec![
            ("Desktop notifications".to_string(), false),
            ("Send typing notifications".to_string(), true),
            ("Send read receipts".to_string(), true),
        ]
    );
}
