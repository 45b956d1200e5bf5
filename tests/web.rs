//! Component tests in headless Chromium: the app mounted with a store fed synthetic core
//! events (no server). Run: CHROMEDRIVER=/usr/bin/chromedriver cargo test -p natter --target wasm32-unknown-unknown
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use natter::state::{AppState, UiEvent};
use natter_core::jid::{BareJid, FullJid, Jid};
use natter_core::{ChatMessage, Direction, Event, RosterItem, Subscription};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

mod mount;

use mount::{tick, Mounted};

wasm_bindgen_test_configure!(run_in_browser);

/// The accessible name as the contract uses it: aria-label, else the label's text, else the
/// element's own text.
fn name_of(el: &Element) -> String {
    if let Some(label) = el.get_attribute("aria-label") {
        return label;
    }
    if !el.id().is_empty() {
        if let Some(label) = document()
            .query_selector(&format!("label[for=\"{}\"]", el.id()))
            .unwrap()
        {
            return label.text_content().unwrap_or_default().trim().to_string();
        }
    }
    // Own text without aria-hidden decoration.
    let copy: Element = el.clone_node_with_deep(true).unwrap().unchecked_into();
    let hidden = copy.query_selector_all("[aria-hidden=true]").unwrap();
    for i in 0..hidden.length() {
        hidden.get(i).unwrap().unchecked_into::<Element>().remove();
    }
    copy.text_content().unwrap_or_default().trim().to_string()
}

fn textbox_named(m: &Mounted, name: &str) -> HtmlInputElement {
    m.all("input, textarea")
        .into_iter()
        .find(|e| name_of(e) == name)
        .unwrap_or_else(|| panic!("no textbox named {name}"))
        .unchecked_into()
}

fn button_named(m: &Mounted, name: &str) -> HtmlElement {
    m.all("button")
        .into_iter()
        .find(|e| name_of(e) == name)
        .unwrap_or_else(|| panic!("no button named {name}"))
        .unchecked_into()
}

fn type_into(input: &HtmlInputElement, text: &str) {
    input.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&ev).unwrap();
}

fn bare(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

fn contact(i: usize) -> RosterItem {
    RosterItem {
        jid: bare(&format!("c{i:04}@example.org")),
        name: Some(format!("Contact {i:04}")),
        subscription: Subscription::Both,
        ask: false,
        groups: vec![],
    }
}

fn incoming(id: &str, peer: &str, body: &str) -> UiEvent {
    UiEvent::Core(Event::Message(ChatMessage {
        id: id.into(),
        direction: Direction::Incoming,
        peer: bare(peer),
        from: Jid::new(&format!("{peer}/phone")).unwrap(),
        body: body.into(),
        delayed: None,
        stanza_id: None,
        origin_id: None,
        archived: false,
        ext: Default::default(),
    }))
}

/// A store as after sign-in, with `n` contacts.
fn signed_in(n: usize) -> AppState {
    let state = AppState::new();
    state.apply_now([
        UiEvent::Transport("WebSocket"),
        UiEvent::Core(Event::Online {
            jid: FullJid::new("alice@example.org/web").unwrap(),
            resumed: false,
        }),
        UiEvent::Core(Event::RosterReset {
            items: (0..n).map(contact).collect(),
            ver: None,
        }),
        UiEvent::SignedIn(true),
    ]);
    state
}

#[wasm_bindgen_test]
async fn login_form_has_every_contract_name() {
    let m = Mounted::new(AppState::new());
    tick().await;
    let form = m.one("form");
    assert_eq!(form.get_attribute("aria-label").as_deref(), Some("Sign in"));
    textbox_named(&m, "Address");
    let password = textbox_named(&m, "Password");
    assert_eq!(password.type_(), "password");
    let url = textbox_named(&m, "Connection URL");
    assert!(url.placeholder().starts_with("wss://"));
    let submit = button_named(&m, "Sign in");
    assert_eq!(submit.get_attribute("type").as_deref(), Some("submit"));
    let status = m.one("[role=status]");
    assert_eq!(
        status.get_attribute("aria-label").as_deref(),
        Some("Connection")
    );
    let text = status.text_content().unwrap();
    assert!(
        text.contains("Offline") && text.contains("WebSocket"),
        "{text}"
    );
    assert!(m.maybe("[role=alert]").is_none());
}

#[wasm_bindgen_test]
async fn invalid_address_shows_an_alert_and_the_form_stays_usable() {
    let m = Mounted::new(AppState::new());
    tick().await;
    type_into(&textbox_named(&m, "Address"), "not-an-address");
    type_into(&textbox_named(&m, "Password"), "secret");
    button_named(&m, "Sign in").click();
    tick().await;
    let alert = m.one("[role=alert]").text_content().unwrap();
    assert!(alert.contains("user name"), "{alert}");
    let address = textbox_named(&m, "Address");
    assert!(!address.disabled());
    assert_eq!(address.value(), "not-an-address");
    // BOSH URLs are recognised but not supported yet: said in plain words.
    type_into(&address, "alice@example.org");
    type_into(&textbox_named(&m, "Connection URL"), "ftp://example.org");
    button_named(&m, "Sign in").click();
    tick().await;
    let alert = m.one("[role=alert]").text_content().unwrap();
    assert!(alert.contains("not a connection URL"), "{alert}");
}

#[wasm_bindgen_test]
async fn main_view_has_the_contract_names() {
    let state = signed_in(3);
    let m = Mounted::new(state);
    tick().await;
    button_named(&m, "Sign out");
    button_named(&m, "Add contact");
    textbox_named(&m, "Filter contacts");
    m.one("[role=list][aria-label=Contacts]");
    m.one("[role=list][aria-label=Rooms]");
    let status = m
        .one("[role=status][aria-label=Connection]")
        .text_content()
        .unwrap();
    assert!(
        status.contains("Connected") && status.contains("WebSocket"),
        "{status}"
    );
    assert!(m
        .one(".topbar")
        .text_content()
        .unwrap()
        .contains("alice@example.org"));

    // Add contact opens a form with its own fields.
    button_named(&m, "Add contact").click();
    tick().await;
    m.one("[role=dialog][aria-label='Add contact']");
    textbox_named(&m, "Contact address");
    textbox_named(&m, "Contact name");
    button_named(&m, "Cancel").click();
    tick().await;
    assert!(m.maybe("[role=dialog]").is_none());

    // A subscription request with named Accept/Deny buttons.
    state.apply_now([UiEvent::Core(Event::SubscriptionRequest {
        from: bare("bob@localhost"),
    })]);
    tick().await;
    button_named(&m, "Accept bob@localhost");
    button_named(&m, "Deny bob@localhost");
}

#[wasm_bindgen_test]
async fn a_roster_of_2000_renders_only_a_window_of_rows() {
    let m = Mounted::new(signed_in(2000));
    tick().await;
    tick().await;
    let list = m.one("[role=list][aria-label=Contacts]");
    assert_eq!(list.get_attribute("aria-setsize").as_deref(), Some("2000"));
    let items = m.all("[aria-label=Contacts] > li");
    assert!(
        items.len() >= 5 && items.len() < 60,
        "{} rows rendered",
        items.len()
    );
    for (k, li) in items.iter().enumerate() {
        assert_eq!(li.get_attribute("role").as_deref(), Some("listitem"));
        assert_eq!(li.get_attribute("aria-setsize").as_deref(), Some("2000"));
        assert_eq!(li.get_attribute("aria-posinset"), Some((k + 1).to_string()));
        assert!(li
            .get_attribute("data-jid")
            .unwrap()
            .ends_with("@example.org"));
    }
    assert_eq!(
        items[0].get_attribute("data-jid").as_deref(),
        Some("c0000@example.org")
    );
    assert!(items[0].text_content().unwrap().contains("Contact 0000"));
    assert!(items[0].text_content().unwrap().contains("Offline"));

    // Scrolling moves the window.
    let scroller: HtmlElement = m.one(".contacts-scroll").unchecked_into();
    scroller.set_scroll_top(1000 * 56);
    scroller
        .dispatch_event(&web_sys::Event::new("scroll").unwrap())
        .unwrap();
    tick().await;
    let items = m.all("[aria-label=Contacts] > li");
    assert!(items.len() < 60, "{} rows after scrolling", items.len());
    let positions: Vec<usize> = items
        .iter()
        .map(|li| li.get_attribute("aria-posinset").unwrap().parse().unwrap())
        .collect();
    assert!(positions.contains(&1001), "{positions:?}");
    assert!(!positions.contains(&1), "{positions:?}");
}

#[wasm_bindgen_test]
async fn the_filter_narrows_the_list() {
    let m = Mounted::new(signed_in(2000));
    tick().await;
    type_into(&textbox_named(&m, "Filter contacts"), "contact 123");
    tick().await;
    let list = m.one("[role=list][aria-label=Contacts]");
    // "Contact 1230".."Contact 1239"
    assert_eq!(list.get_attribute("aria-setsize").as_deref(), Some("10"));
    let jids: Vec<String> = m
        .all("[aria-label=Contacts] > li")
        .iter()
        .map(|li| li.get_attribute("data-jid").unwrap())
        .collect();
    // All ten, or as many as the viewport shows (it is virtualized).
    assert!(jids.len() >= 5 && jids.len() <= 10, "{jids:?}");
    assert_eq!(jids[0], "c1230@example.org");
    assert!(jids.iter().all(|j| j.starts_with("c123")), "{jids:?}");
    type_into(&textbox_named(&m, "Filter contacts"), "C1999@EXAMPLE");
    tick().await;
    let items = m.all("[aria-label=Contacts] > li");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].get_attribute("aria-setsize").as_deref(), Some("1"));
    type_into(&textbox_named(&m, "Filter contacts"), "nobody at all");
    tick().await;
    assert!(m.all("[aria-label=Contacts] > li").is_empty());
}

#[wasm_bindgen_test]
async fn unread_badge_and_title_then_opening_clears_them() {
    let state = signed_in(5);
    let m = Mounted::new(state);
    for i in 0..3 {
        state.apply_now([incoming(
            &format!("m{i}"),
            "c0002@example.org",
            &format!("hello {i}"),
        )]);
    }
    tick().await;
    let row = m.one("li[data-jid='c0002@example.org']");
    assert!(
        row.text_content().unwrap().contains("3 unread"),
        "{:?}",
        row.text_content()
    );
    assert!(!m
        .one("li[data-jid='c0001@example.org']")
        .text_content()
        .unwrap()
        .contains("unread"));
    assert_eq!(document().title(), "(3) Natter");

    row.unchecked_ref::<HtmlElement>().click();
    tick().await;
    let row = m.one("li[data-jid='c0002@example.org']");
    assert!(!row.text_content().unwrap().contains("unread"));
    assert_eq!(document().title(), "Natter");
    let log = m.one("[role=log][aria-label=Messages]");
    let articles = m.all("[role=log] article");
    assert_eq!(articles.len(), 3);
    for a in &articles {
        assert_eq!(
            a.get_attribute("data-from").as_deref(),
            Some("c0002@example.org")
        );
    }
    assert!(log.text_content().unwrap().contains("hello 2"));
    textbox_named(&m, "Message");
    button_named(&m, "Send");

    // Our own message: data-from is our bare JID, with a delivery state.
    state.apply_now([UiEvent::Pending {
        peer: bare("c0002@example.org"),
        id: "o1".into(),
        from: Jid::new("alice@example.org/web").unwrap(),
        body: "hi back".into(),
        ext: Default::default(),
    }]);
    tick().await;
    // What a reader sees of the delivery state is the icon's accessible name; it moves on as
    // the message gets further.
    let delivery = || {
        m.one("[role=log] article[data-from='alice@example.org']")
            .query_selector("[role=img][aria-label]")
            .unwrap()
            .expect("our message has a delivery icon")
            .get_attribute("aria-label")
            .unwrap()
    };
    assert_eq!(delivery(), "Pending");
    let sent = ChatMessage {
        id: "o1".into(),
        direction: Direction::Outgoing,
        peer: bare("c0002@example.org"),
        from: Jid::new("alice@example.org/web").unwrap(),
        body: "hi back".into(),
        delayed: None,
        stanza_id: None,
        origin_id: None,
        archived: false,
        ext: Default::default(),
    };
    state.apply_now([UiEvent::Core(Event::MessageSent(sent))]);
    tick().await;
    assert_eq!(delivery(), "Sent");
    state.apply_now([UiEvent::Core(Event::MessageAcked {
        id: "o1".into(),
        peer: bare("c0002@example.org"),
    })]);
    tick().await;
    assert_eq!(delivery(), "Delivered to server");
    assert_eq!(
        m.all("[role=log] article").len(),
        4,
        "one article per message"
    );
}

#[wasm_bindgen_test]
async fn message_bodies_are_text_never_markup() {
    let state = signed_in(1);
    let m = Mounted::new(state);
    let peer = "c0000@example.org";
    state.apply_now([
        incoming("x1", peer, "<img src=x onerror=alert(1)>"),
        incoming("x2", peer, "<script>window.pwned = 1</script><b>bold</b>"),
        incoming("x3", peer, "see https://example.org/a?b=1&c=<2> now"),
        incoming(
            "x4",
            peer,
            "javascript:alert(1) and http://x.test/\"onmouseover=alert(1)",
        ),
        UiEvent::Open(Some(bare(peer))),
    ]);
    tick().await;
    let log = m.one("[role=log]");
    assert!(log.query_selector("img").unwrap().is_none());
    assert!(log.query_selector("script").unwrap().is_none());
    assert!(log.query_selector("b").unwrap().is_none());
    let text = log.text_content().unwrap();
    assert!(text.contains("<img src=x onerror=alert(1)>"), "{text}");
    assert!(
        text.contains("<script>window.pwned = 1</script><b>bold</b>"),
        "{text}"
    );

    let links = m.all("[role=log] a");
    assert_eq!(links.len(), 2, "only http(s) URLs become links");
    assert_eq!(
        links[0].get_attribute("href").as_deref(),
        Some("https://example.org/a?b=1&c=")
    );
    assert_eq!(
        links[1].get_attribute("href").as_deref(),
        Some("http://x.test/")
    );
    for a in &links {
        assert_eq!(
            a.get_attribute("rel").as_deref(),
            Some("noopener noreferrer")
        );
        assert_eq!(a.get_attribute("target").as_deref(), Some("_blank"));
        assert!(a.get_attribute("onmouseover").is_none());
    }
}

#[wasm_bindgen_test]
async fn a_roster_arriving_after_mount_is_shown() {
    let state = signed_in(0);
    let m = Mounted::new(state);
    tick().await;
    assert!(m.all("[aria-label=Contacts] > li").is_empty());
    state.apply_now([UiEvent::Core(Event::RosterReset {
        items: (0..3).map(contact).collect(),
        ver: None,
    })]);
    tick().await;
    assert_eq!(m.all("[aria-label=Contacts] > li").len(), 3);
    state.apply_now([UiEvent::Core(Event::RosterUpdated(contact(7)))]);
    tick().await;
    assert_eq!(m.all("[aria-label=Contacts] > li").len(), 4);
    assert_eq!(
        m.one("[role=list][aria-label=Contacts]")
            .get_attribute("aria-setsize")
            .as_deref(),
        Some("4")
    );
}

// ---- reconnection: the `Connection` status, `Retry now`, online/offline ----

/// Wait (up to `ms`) until `f` gives a value.
async fn eventually<T>(what: &str, ms: u32, f: impl Fn() -> Option<T>) -> T {
    for _ in 0..ms / 30 {
        if let Some(v) = f() {
            return v;
        }
        tick().await;
    }
    f().unwrap_or_else(|| panic!("timed out waiting for {what}"))
}

fn status_text(m: &Mounted) -> String {
    m.one("[role=status][aria-label=Connection]")
        .text_content()
        .unwrap_or_default()
}

/// The seconds of "Reconnecting in N s", if that is what the status says.
fn countdown(m: &Mounted) -> Option<u32> {
    let text = status_text(m);
    let rest = text.split("Reconnecting in ").nth(1)?;
    rest.split(" s").next()?.parse().ok()
}

fn retry_button(m: &Mounted) -> Option<HtmlElement> {
    m.all("button")
        .into_iter()
        .find(|b| name_of(b) == "Retry now")
        .map(|b| b.unchecked_into())
}

/// Nothing listens on port 9 (discard) on the test machine: every attempt is refused at once.
fn unreachable_login() -> natter::session::LoginRequest {
    natter::session::LoginRequest {
        jid: bare("alice@example.org"),
        password: "secret".into(),
        endpoint: Some(natter::endpoint::Endpoint::WebSocket(
            "ws://127.0.0.1:9/xmpp-websocket".into(),
        )),
    }
}

/// Wait for the next retry to be scheduled after one showing `current` seconds: a countdown
/// only goes down, so a larger number (or one after none) is a new schedule. Its seconds.
async fn next_countdown(m: &Mounted, current: u32, ms: u32) -> u32 {
    let mut last = current;
    for _ in 0..ms / 30 {
        match countdown(m) {
            Some(v) if v > last => return v,
            Some(v) => last = v,
            None => last = 0,
        }
        tick().await;
    }
    panic!("no new countdown after {current} s: {}", status_text(m));
}

#[wasm_bindgen_test]
async fn reconnecting_counts_down_and_retry_now_tries_at_once() {
    let state = signed_in(2);
    let m = Mounted::new(state);
    tick().await;
    assert!(retry_button(&m).is_none(), "no Retry now while connected");
    // The cached account, signing in again: the server cannot be reached.
    m.session.sign_in_restored(unreachable_login());
    // 1 s ± 20 %, rounded up.
    let first = next_countdown(&m, 0, 3_000).await;
    assert!((1..=2).contains(&first), "{}", status_text(&m));
    let status = status_text(&m);
    assert!(status.contains("WebSocket"), "{status}");
    assert_eq!(
        m.one("[role=status]")
            .get_attribute("data-phase")
            .as_deref(),
        Some("reconnecting")
    );
    let alert = m.one("[role=alert]").text_content().unwrap();
    assert!(alert.contains("ws://127.0.0.1:9/xmpp-websocket"), "{alert}");
    // The cached roster stays on screen meanwhile.
    assert_eq!(m.all("[aria-label=Contacts] > li").len(), 2);

    // The timer runs out: the next attempt fails too and waits longer (2 s ± 20 %).
    let second = next_countdown(&m, first, 4_000).await;
    assert!((2..=3).contains(&second), "{}", status_text(&m));
    // It counts down.
    eventually("the countdown to tick", 2_500, || {
        countdown(&m).filter(|s| *s < second)
    })
    .await;

    // Retry now: an attempt at once; it fails again and the backoff goes on (4 s ± 20 %).
    let before = countdown(&m).unwrap_or(0);
    retry_button(&m)
        .expect("a Retry now button while waiting")
        .click();
    let third = next_countdown(&m, before, 1_500).await;
    assert!((4..=5).contains(&third), "{}", status_text(&m));
}

#[wasm_bindgen_test]
async fn a_reload_with_the_server_down_says_reconnecting_not_offline() {
    use natter::persist::local;
    // The first page: remembered account, its credential cached, the server's URL kept.
    let me = bare(&format!(
        "reload{}@example.org",
        (js_sys::Math::random() * 1e9) as u64
    ));
    let first = AppState::new();
    first.open_account(me.clone(), true).await;
    first.apply_now([UiEvent::Core(Event::Credential(
        natter_core::StoredCredential {
            scram: Some(natter_core::ScramSecret {
                mechanism: "SCRAM-SHA-256".into(),
                salt: vec![1, 2, 3],
                iterations: 4096,
                salted_password: vec![7; 32],
            }),
            fast: None,
        },
    ))]);
    local::local_set(local::SERVICE, Some("ws://127.0.0.1:9/xmpp-websocket"));
    // The cache writes in the background.
    for _ in 0..10 {
        tick().await;
    }

    // The reload: the page signs in by itself; nothing listens there.
    let state = AppState::new();
    let m = Mounted::new(state);
    natter::persist::boot(state, m.session.clone());
    let mut said = Vec::new();
    for _ in 0..100 {
        // (The sign-in form, mounted before `boot` here, has a status of its own.)
        let main_view = m.maybe("form[aria-label='Sign in']").is_none();
        if let Some(status) = m
            .maybe("[role=status][aria-label=Connection]")
            .filter(|_| main_view)
        {
            let text = status.text_content().unwrap_or_default();
            if said.last() != Some(&text) {
                said.push(text);
            }
        }
        if countdown(&m).is_some() {
            break;
        }
        tick().await;
    }
    local::local_set(local::SERVICE, None);
    assert!(
        countdown(&m).is_some(),
        "a countdown to the next attempt: {said:?}"
    );
    assert!(
        said.iter().all(|t| !t.contains("Offline")),
        "the browser is online: never Offline {said:?}"
    );
    assert_eq!(
        m.one("[role=status]")
            .get_attribute("data-phase")
            .as_deref(),
        Some("reconnecting")
    );
}

#[wasm_bindgen_test]
async fn offline_waits_for_the_network_and_online_retries_at_once() {
    let state = signed_in(1);
    let m = Mounted::new(state);
    m.session.sign_in_restored(unreachable_login());
    let first = next_countdown(&m, 0, 3_000).await;
    // Let the backoff grow first.
    let second = next_countdown(&m, first, 4_000).await;
    assert!(second >= 2, "{}", status_text(&m));

    m.session.network_changed(false);
    let status = eventually("Offline", 1_000, || {
        Some(status_text(&m)).filter(|t| t.contains("Offline"))
    })
    .await;
    assert!(!status.contains("Reconnecting"), "{status}");
    assert!(status.contains("WebSocket"), "{status}");
    // Nothing is tried while offline: no countdown comes back.
    for _ in 0..40 {
        tick().await;
        assert_eq!(countdown(&m), None, "{}", status_text(&m));
    }
    assert!(retry_button(&m).is_some(), "Retry now stays available");

    // Back online: an attempt at once (it fails: nothing listens), with the backoff reset.
    m.session.network_changed(true);
    let next = next_countdown(&m, 0, 2_000).await;
    assert!((1..=2).contains(&next), "{}", status_text(&m));
}

// ---- the virtualized `Messages` log ----

fn chat_message(i: usize, peer: &str, archived: bool) -> ChatMessage {
    // Some long, some multi-line: rows of different heights.
    let body = match i % 7 {
        0 => format!("message {i}: {}", "a fairly long line of text ".repeat(12)),
        3 => format!("message {i}\nwith\nseveral\nlines"),
        _ => format!("message {i}"),
    };
    ChatMessage {
        id: format!("m{i}"),
        direction: if i.is_multiple_of(5) {
            Direction::Outgoing
        } else {
            Direction::Incoming
        },
        peer: bare(peer),
        from: Jid::new(&format!("{peer}/phone")).unwrap(),
        body,
        // One a minute, in order.
        delayed: Some(format!(
            "2024-05-{:02}T{:02}:{:02}:00Z",
            1 + i / 1440,
            i / 60 % 24,
            i % 60
        )),
        stanza_id: Some(format!("arch-{i}")),
        origin_id: None,
        archived,
        ext: Default::default(),
    }
}

/// A chat with `n` messages (the store keeps the newest 500 in memory), open.
fn long_chat(n: usize) -> (AppState, &'static str) {
    let peer = "c0000@example.org";
    let state = signed_in(1);
    state.apply_now((0..n).map(|i| UiEvent::Core(Event::Message(chat_message(i, peer, false)))));
    state.apply_now([UiEvent::Open(Some(bare(peer)))]);
    (state, peer)
}

fn articles(m: &Mounted) -> Vec<Element> {
    m.all("[role=log][aria-label=Messages] article")
}

fn posinsets(m: &Mounted) -> Vec<usize> {
    articles(m)
        .iter()
        .map(|a| a.get_attribute("aria-posinset").unwrap().parse().unwrap())
        .collect()
}

fn log_el(m: &Mounted) -> HtmlElement {
    m.one("[role=log][aria-label=Messages]").unchecked_into()
}

fn scroll_log_to(m: &Mounted, top: i32) {
    let log = log_el(m);
    log.set_scroll_top(top);
    log.dispatch_event(&web_sys::Event::new("scroll").unwrap())
        .unwrap();
}

fn distance_from_bottom(m: &Mounted) -> i32 {
    let log = log_el(m);
    log.scroll_height() - log.scroll_top() - log.client_height()
}

/// The rendered article showing `text`, and where it is on screen.
fn article_top(m: &Mounted, text: &str) -> Option<f64> {
    articles(m)
        .into_iter()
        .find(|a| a.text_content().unwrap_or_default().contains(text))
        .map(|a| a.get_bounding_client_rect().top())
}

#[wasm_bindgen_test]
async fn a_long_chat_renders_a_window_of_articles_pinned_to_the_bottom() {
    let (state, peer) = long_chat(2_000);
    let m = Mounted::new(state);
    for _ in 0..4 {
        tick().await;
    }
    let log = m.one("[role=log][aria-label=Messages]");
    assert_eq!(log.get_attribute("aria-setsize").as_deref(), Some("500"));
    let items = articles(&m);
    assert!(
        items.len() >= 5 && items.len() < 80,
        "{} articles rendered",
        items.len()
    );
    for a in &items {
        assert_eq!(a.get_attribute("aria-setsize").as_deref(), Some("500"));
        assert!(a.get_attribute("data-from").is_some());
    }
    let pos = posinsets(&m);
    assert!(pos.windows(2).all(|w| w[1] == w[0] + 1), "{pos:?}");
    assert_eq!(*pos.last().unwrap(), 500, "the newest is rendered");
    assert!(items
        .last()
        .unwrap()
        .text_content()
        .unwrap()
        .contains("message 1999"));
    assert!(distance_from_bottom(&m) < 30, "starts at the bottom");

    // A new message while at the bottom: followed.
    state.apply_now([incoming("new-1", peer, "brand new message")]);
    for _ in 0..3 {
        tick().await;
    }
    let last = articles(&m).last().unwrap().text_content().unwrap();
    assert!(last.contains("brand new message"), "{last}");
    assert!(distance_from_bottom(&m) < 30, "still at the bottom");

    // Scrolled to the top: the oldest in memory is rendered, the newest no longer.
    scroll_log_to(&m, 0);
    for _ in 0..3 {
        tick().await;
    }
    let pos = posinsets(&m);
    assert_eq!(pos.first(), Some(&1), "{pos:?}");
    assert!(!pos.contains(&500), "{pos:?}");
    assert!(articles(&m).len() < 80);
    button_named(&m, "Load older messages");

    // The middle.
    let log = log_el(&m);
    scroll_log_to(&m, log.scroll_height() / 2);
    for _ in 0..3 {
        tick().await;
    }
    let pos = posinsets(&m);
    assert!(!pos.contains(&1) && !pos.contains(&500), "{pos:?}");
    assert!(pos.windows(2).all(|w| w[1] == w[0] + 1), "{pos:?}");
}

#[wasm_bindgen_test]
async fn a_new_message_at_the_memory_limit_keeps_the_rendered_articles() {
    // At the limit every new message trims the oldest, so every row number shifts: the
    // articles on screen must stay the same elements (re-creating them lays out every long
    // message in view again, for each message that comes in) and only their places change.
    let (state, peer) = long_chat(2_000);
    let m = Mounted::new(state);
    for _ in 0..4 {
        tick().await;
    }
    let before = articles(&m)
        .into_iter()
        .find(|a| {
            a.text_content()
                .unwrap_or_default()
                .contains("message 1990")
        })
        .expect("message 1990 is rendered");
    let pos_before: usize = before
        .get_attribute("aria-posinset")
        .unwrap()
        .parse()
        .unwrap();
    state.apply_now([incoming("new-at-limit", peer, "one more message")]);
    for _ in 0..3 {
        tick().await;
    }
    let after = articles(&m)
        .into_iter()
        .find(|a| {
            a.text_content()
                .unwrap_or_default()
                .contains("message 1990")
        })
        .expect("message 1990 is still rendered");
    assert!(
        after.is_same_node(Some(&before)),
        "the article was re-created"
    );
    let pos_after: usize = after
        .get_attribute("aria-posinset")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        pos_after + 1,
        pos_before,
        "its place moved up with the trim"
    );
    let pos = posinsets(&m);
    assert!(pos.windows(2).all(|w| w[1] == w[0] + 1), "{pos:?}");
    assert_eq!(*pos.last().unwrap(), 500, "{pos:?}");
    let rows: Vec<usize> = articles(&m)
        .iter()
        .map(|a| a.get_attribute("data-row").unwrap().parse().unwrap())
        .collect();
    assert!(rows.windows(2).all(|w| w[1] == w[0] + 1), "{rows:?}");
}

/// Reads a chat of `n` messages as e2e/lib/count.mjs does: to the top, down to the end in
/// steps of 70 % of the log's height, then a jump to the bottom. There the newest message
/// must be rendered and in view, with nothing but the log's own padding below it (a spacer
/// standing for rows that are never rendered is a blank the wheel cannot scroll past).
async fn read_to_the_end_and_look(n: usize, newest: &str) {
    let (state, _) = long_chat(n);
    let m = Mounted::new(state);
    for _ in 0..4 {
        tick().await;
    }
    let log = log_el(&m);
    let size: usize = log.get_attribute("aria-setsize").unwrap().parse().unwrap();
    scroll_log_to(&m, 0);
    for _ in 0..3 {
        tick().await;
    }
    assert_eq!(posinsets(&m).first(), Some(&1), "at the top");
    for _ in 0..2_000 {
        if distance_from_bottom(&m) <= 2 {
            break;
        }
        let step = (f64::from(log.client_height()) * 0.7).max(50.0) as i32;
        scroll_log_to(&m, log.scroll_top() + step);
        tick().await;
    }
    scroll_log_to(&m, log.scroll_height());
    for _ in 0..4 {
        tick().await;
    }

    let items = articles(&m);
    let last = items.last().expect("articles at the bottom");
    assert_eq!(
        last.get_attribute("aria-posinset"),
        last.get_attribute("aria-setsize"),
        "the last rendered article is the last of the set: {:?}",
        posinsets(&m)
    );
    assert_eq!(*posinsets(&m).last().unwrap(), size);
    let text = last.text_content().unwrap_or_default();
    assert!(text.contains(newest), "{text}");
    let view = log.get_bounding_client_rect();
    let rect = last.get_bounding_client_rect();
    assert!(
        rect.top() >= view.top() - 1.0 && rect.bottom() <= view.bottom() + 1.0,
        "the newest message is in view: {}..{} in {}..{}",
        rect.top(),
        rect.bottom(),
        view.top(),
        view.bottom()
    );
    let css = window().get_computed_style(&log).unwrap().unwrap();
    let px = |prop: &str| -> f64 {
        css.get_property_value(prop)
            .unwrap()
            .trim_end_matches("px")
            .parse()
            .unwrap_or(0.0)
    };
    // Below the newest: the bottom spacer (empty, but one flex gap) and the padding.
    let allowed = px("row-gap") + px("padding-bottom") + 1.0;
    let content_bottom = rect.bottom() - view.top() + f64::from(log.scroll_top());
    let blank = f64::from(log.scroll_height()) - content_bottom;
    assert!(
        blank <= allowed,
        "{blank} px of blank below the newest message (at most {allowed}); rendered {:?}",
        posinsets(&m)
    );
    assert!(distance_from_bottom(&m) <= 2, "at the bottom");
}

#[wasm_bindgen_test]
async fn a_chat_of_100_read_to_the_top_and_back_ends_on_its_newest_message() {
    read_to_the_end_and_look(100, "message 99").await;
}

#[wasm_bindgen_test]
async fn a_chat_of_2000_read_to_the_top_and_back_ends_on_its_newest_message() {
    read_to_the_end_and_look(2_000, "message 1999").await;
}

#[wasm_bindgen_test]
async fn a_stream_of_messages_keeps_the_log_at_the_bottom() {
    let (state, peer) = long_chat(100);
    let m = Mounted::new(state);
    for _ in 0..3 {
        tick().await;
    }
    // As from the network: queued, applied once per animation frame, arriving over time.
    for i in 0..60 {
        state.push(incoming(&format!("s{i}"), peer, &format!("streamed {i}")));
        if i % 4 == 0 {
            tick().await;
        }
    }
    for _ in 0..4 {
        tick().await;
    }
    let last = articles(&m).last().unwrap().text_content().unwrap();
    assert!(last.contains("streamed 59"), "{last}");
    assert!(
        distance_from_bottom(&m) < 30,
        "{} px from the bottom",
        distance_from_bottom(&m)
    );
}

#[wasm_bindgen_test]
async fn reading_older_messages_keeps_the_place_when_new_ones_come() {
    let (state, peer) = long_chat(600);
    let m = Mounted::new(state);
    for _ in 0..4 {
        tick().await;
    }
    // Scroll up a few screens, in steps as a reader would.
    for _ in 0..6 {
        let log = log_el(&m);
        scroll_log_to(&m, (log.scroll_top() - 500).max(0));
        tick().await;
    }
    assert!(distance_from_bottom(&m) > 1_000);
    let log = log_el(&m);
    let log_top = log.get_bounding_client_rect().top();
    // The first article fully in view, and where it is.
    let reading = articles(&m)
        .into_iter()
        .find(|a| a.get_bounding_client_rect().top() >= log_top)
        .unwrap();
    let text = reading.text_content().unwrap();
    let key = text
        .split(':')
        .next()
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let before = article_top(&m, &key).unwrap();

    // New messages arrive (and the oldest leave memory): the reader's place holds.
    for i in 0..5 {
        state.apply_now([incoming(&format!("late-{i}"), peer, &format!("late {i}"))]);
        tick().await;
    }
    tick().await;
    let after = article_top(&m, &key).unwrap_or_else(|| panic!("{key} is gone"));
    assert!(
        (after - before).abs() < 2.0,
        "{key} moved from {before} to {after}"
    );
    assert!(distance_from_bottom(&m) > 1_000, "not pulled to the bottom");
}

#[wasm_bindgen_test]
async fn scrolling_a_long_chat_has_no_long_tasks() {
    let (state, _) = long_chat(2_000);
    let m = Mounted::new(state);
    for _ in 0..4 {
        tick().await;
    }
    // Long tasks (over 50 ms on the main thread) while scrolling, seen by the browser itself.
    let watch = js_sys::Function::new_no_args(
        "window.__longtasks = [];
         const o = new PerformanceObserver(l => {
             for (const e of l.getEntries()) window.__longtasks.push(e.duration);
         });
         o.observe({ type: 'longtask' });
         window.__longtaskObserver = o;",
    );
    watch.call0(&JsValue::NULL).unwrap();
    let mut worst = 0.0f64;
    let log = log_el(&m);
    let height = log.scroll_height();
    // Jumps (a scrollbar drag) and small steps, top to bottom and back.
    let mut positions: Vec<i32> = (0..=20).map(|k| height * k / 20).collect();
    positions.extend((0..40).map(|k| height / 2 - k * 120));
    for top in positions {
        let t0 = js_sys::Date::now();
        scroll_log_to(&m, top);
        worst = worst.max(js_sys::Date::now() - t0);
        tick().await;
    }
    let done = js_sys::Function::new_no_args(
        "window.__longtaskObserver.disconnect(); return window.__longtasks;",
    );
    let long: js_sys::Array = done.call0(&JsValue::NULL).unwrap().unchecked_into();
    assert_eq!(
        long.length(),
        0,
        "long tasks while scrolling: {:?}",
        long.to_vec()
    );
    assert!(worst < 50.0, "a scroll event took {worst} ms");
    assert!(articles(&m).len() < 80);
}

#[wasm_bindgen_test]
async fn a_gap_marker_offers_to_load_the_missing_messages() {
    let peer = "c0000@example.org";
    let state = signed_in(1);
    // Cached messages 0..20, then a catch-up that brings 100..110 but cannot reach further
    // back: messages 20..100 may be missing.
    state.apply_now((0..20).map(|i| UiEvent::Core(Event::Message(chat_message(i, peer, false)))));
    state.apply_now([UiEvent::Core(Event::Online {
        jid: FullJid::new("alice@example.org/web").unwrap(),
        resumed: false,
    })]);
    state.apply_now((100..110).map(|i| UiEvent::Core(Event::Message(chat_message(i, peer, true)))));
    state.apply_now([
        UiEvent::Core(Event::CaughtUp {
            last: Some("arch-109".into()),
            complete: false,
        }),
        UiEvent::Open(Some(bare(peer))),
    ]);
    let m = Mounted::new(state);
    for _ in 0..3 {
        tick().await;
    }
    let seps = m.all("[role=log] [role=separator]");
    assert_eq!(seps.len(), 1, "one gap marker");
    assert_eq!(
        seps[0].get_attribute("aria-label").as_deref(),
        Some("Some messages may be missing here")
    );
    let button = button_named(&m, "Load missing messages");
    assert!(
        button.get_attribute("disabled").is_none(),
        "usable while connected"
    );
    // Between message 19 and message 100, in the log's order.
    let row = seps[0].parent_element().unwrap();
    let before = row
        .previous_element_sibling()
        .unwrap()
        .text_content()
        .unwrap();
    let after = row.next_element_sibling().unwrap().text_content().unwrap();
    assert!(before.contains("message 19"), "{before}");
    assert!(after.contains("message 100"), "{after}");
    // Articles are counted without the marker.
    assert_eq!(
        m.one("[role=log]").get_attribute("aria-setsize").as_deref(),
        Some("30")
    );

    // A page that reaches the start of the archive fills the gap: the marker goes.
    state.apply_now([UiEvent::Core(Event::HistoryPage {
        with: bare(peer),
        first: Some("arch-20".into()),
        complete: true,
    })]);
    for _ in 0..3 {
        tick().await;
    }
    assert!(m.all("[role=log] [role=separator]").is_empty());
    assert!(m
        .all("button")
        .iter()
        .all(|b| name_of(b) != "Load missing messages"));
}
