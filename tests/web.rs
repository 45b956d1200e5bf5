//! Component tests in headless Chromium: the app mounted with a store fed synthetic core
//! events (no server). Run: CHROMEDRIVER=/usr/bin/chromedriver cargo test -p natter --target wasm32-unknown-unknown
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use natter::app::Root;
use natter::session::Session;
use natter::state::{AppState, UiEvent};
use natter_core::jid::{BareJid, FullJid, Jid};
use natter_core::{ChatMessage, Direction, Event, RosterItem, Subscription};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Leptos applies DOM updates asynchronously: wait before looking (toolchain.md, gotcha 8).
async fn tick() {
    let p = js_sys::Promise::new(&mut |res, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&res, 30)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

struct Mounted {
    host: HtmlElement,
}

impl Mounted {
    fn new(state: AppState) -> Self {
        let doc = document();
        // The real stylesheet, so layout (scroll containers, row heights) is as in the app.
        if doc.get_element_by_id("natter-css").is_none() {
            let style = doc.create_element("style").unwrap();
            style.set_id("natter-css");
            style.set_text_content(Some(include_str!("../style/main.css")));
            doc.head().unwrap().append_child(&style).unwrap();
        }
        let host: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
        // A fixed-height viewport, as the stylesheet would give the app.
        host.set_attribute("style", "height:600px;display:flex;flex-direction:column")
            .unwrap();
        doc.body().unwrap().append_child(&host).unwrap();
        let session = Session::new(state);
        leptos::mount::mount_to(host.clone(), move || view! { <Root state session /> }).forget();
        Mounted { host }
    }

    fn one(&self, selector: &str) -> Element {
        self.host
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("nothing matches {selector}"))
    }

    fn maybe(&self, selector: &str) -> Option<Element> {
        self.host.query_selector(selector).unwrap()
    }

    fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.host.query_selector_all(selector).unwrap();
        (0..list.length())
            .map(|i| list.get(i).unwrap().unchecked_into())
            .collect()
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.host.remove();
    }
}

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
    }))
}

/// A store as after sign-in, with `n` contacts.
fn signed_in(n: usize) -> AppState {
    let state = AppState::new();
    state.apply_now([
        UiEvent::Transport("WebSocket"),
        UiEvent::Core(Event::Online {
            jid: FullJid::new("alice@example.org/web").unwrap(),
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
    }]);
    tick().await;
    let mine = m.one("[role=log] article[data-from='alice@example.org']");
    assert!(mine.text_content().unwrap().contains("Sending"));
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
