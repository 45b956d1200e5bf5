//! Faces and profiles in headless Chromium, fed synthetic core events (no server): the image
//! where the store has one (a decorative `img` from a `blob:` URL), the initial on its XEP-0392
//! colour where not, and the names in `Contact details` as text.
//! Run: CHROMEDRIVER=/usr/bin/chromedriver cargo test -p natter --target wasm32-unknown-unknown --test avatars
#![cfg(target_arch = "wasm32")]

use natter::state::{AppState, UiEvent};
use natter_core::jid::{BareJid, FullJid};
use natter_core::{Event, RosterItem, Subscription};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

mod mount;

use mount::{tick, Mounted};

wasm_bindgen_test_configure!(run_in_browser);

// A PNG signature and a few bytes, with its SHA-1 computed outside the code under test.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnatter avatar test";
const PNG_SHA1: &str = "8bd217066b456c0a5c02b1727322bc2f3ec5d100";

fn bare(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

fn signed_in(contacts: &[&str]) -> AppState {
    let state = AppState::new();
    state.apply_now([
        UiEvent::Transport("WebSocket"),
        UiEvent::Core(Event::Online {
            jid: FullJid::new("alice@example.org/web").unwrap(),
            resumed: false,
        }),
        UiEvent::SignedIn(true),
        UiEvent::Core(Event::RosterReset {
            items: contacts
                .iter()
                .map(|j| RosterItem {
                    jid: bare(j),
                    name: None,
                    subscription: Subscription::Both,
                    ask: false,
                    groups: vec![],
                })
                .collect(),
            ver: None,
        }),
    ]);
    state
}

fn row(m: &Mounted, jid: &str) -> web_sys::Element {
    m.one(&format!(
        "[role=list][aria-label=Contacts] [role=listitem][data-jid=\"{jid}\"]"
    ))
}

#[wasm_bindgen_test]
async fn a_face_replaces_the_initial_once_the_image_is_known() {
    let state = signed_in(&["bob@example.org", "carol@example.org"]);
    let m = Mounted::new(state);
    tick().await;
    let bob = row(&m, "bob@example.org");
    assert!(bob.query_selector("img").unwrap().is_none());
    assert_eq!(
        bob.query_selector(".avatar")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "B",
        "the initial while there is no image"
    );

    // Announced but not fetched yet: still the initial.
    state.apply_now([UiEvent::Core(Event::AvatarChanged {
        jid: bare("bob@example.org"),
        hash: Some(PNG_SHA1.into()),
    })]);
    tick().await;
    assert!(row(&m, "bob@example.org")
        .query_selector("img")
        .unwrap()
        .is_none());

    state.apply_now([UiEvent::Core(Event::Avatar {
        jid: bare("bob@example.org"),
        hash: PNG_SHA1.into(),
        mime: "image/png".into(),
        bytes: PNG.to_vec(),
    })]);
    tick().await;
    let img = row(&m, "bob@example.org")
        .query_selector("img")
        .unwrap()
        .expect("bob's face");
    assert_eq!(img.get_attribute("alt").as_deref(), Some(""), "decorative");
    let src = img.get_attribute("src").unwrap();
    assert!(src.starts_with("blob:"), "{src}");
    assert!(
        row(&m, "carol@example.org")
            .query_selector("img")
            .unwrap()
            .is_none(),
        "only bob has one"
    );

    // Removed: the initial again.
    state.apply_now([UiEvent::Core(Event::AvatarChanged {
        jid: bare("bob@example.org"),
        hash: None,
    })]);
    tick().await;
    assert!(row(&m, "bob@example.org")
        .query_selector("img")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn contact_details_show_the_names_as_text() {
    let state = signed_in(&["bob@example.org"]);
    let m = Mounted::new(state);
    tick().await;
    row(&m, "bob@example.org")
        .unchecked_into::<HtmlElement>()
        .click();
    tick().await;
    m.one("button[aria-label=\"Contact details\"]")
        .unchecked_into::<HtmlElement>()
        .click();
    tick().await;
    let dialog = m.one("[role=dialog][aria-label=\"Contact details\"]");
    assert!(dialog.text_content().unwrap().contains("loading"));
    state.apply_now([
        UiEvent::Core(Event::Profile {
            jid: bare("bob@example.org"),
            full_name: Some("<b>Bob</b> Builder".into()),
            nickname: Some("bobby".into()),
        }),
        UiEvent::Core(Event::Nickname {
            jid: bare("bob@example.org"),
            nickname: Some("<i>Bobby</i>".into()),
        }),
    ]);
    tick().await;
    let dialog = m.one("[role=dialog][aria-label=\"Contact details\"]");
    let text = dialog.text_content().unwrap();
    assert!(text.contains("<b>Bob</b> Builder"), "{text}");
    assert!(
        text.contains("<i>Bobby</i>"),
        "the announced nickname wins: {text}"
    );
    assert!(text.contains("bob@example.org"), "{text}");
    assert!(
        dialog.query_selector("b, i").unwrap().is_none(),
        "text, not markup"
    );
}
