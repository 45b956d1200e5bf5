//! XEP-0156 discovery and the WebSocket → BOSH fallback in headless Chromium, with the
//! browser's `fetch` and `WebSocket` replaced by stubs (no server).
//! Run: CHROMEDRIVER=/usr/bin/chromedriver cargo test -p natter --target wasm32-unknown-unknown
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Reflect};
use leptos::prelude::*;
use natter::app::Root;
use natter::discovery::{self, Discovered};
use natter::endpoint::Endpoint;
use natter::session::Session;
use natter::state::AppState;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |res, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&res, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

/// Replaces `window.fetch`: `answers` maps a URL to `{status, body, delay}` (`delay: -1`
/// never answers); any other URL fails like an unreachable host. Every URL asked is
/// recorded in `window.__fetched`. Returns a guard that restores the real `fetch`.
struct FetchStub {
    real: JsValue,
}

impl FetchStub {
    fn install(answers: &str) -> FetchStub {
        let window: JsValue = web_sys::window().unwrap().into();
        let real = Reflect::get(&window, &"fetch".into()).unwrap();
        let make = Function::new_with_args(
            "answers",
            r#"
            window.__fetched = [];
            return (url, init) => {
                url = String(url);
                window.__fetched.push(url);
                const a = answers[url];
                if (a === undefined) return Promise.reject(new TypeError('Failed to fetch'));
                return new Promise((resolve, reject) => {
                    const t = a.delay < 0 ? null : setTimeout(
                        () => resolve(new Response(a.body, { status: a.status || 200 })),
                        a.delay || 0);
                    const signal = init && init.signal;
                    if (signal) signal.addEventListener('abort', () => {
                        if (t !== null) clearTimeout(t);
                        reject(new DOMException('aborted', 'AbortError'));
                    });
                });
            };
            "#,
        );
        let answers = js_sys::JSON::parse(answers).unwrap();
        let stub = make.call1(&JsValue::NULL, &answers).unwrap();
        Reflect::set(&window, &"fetch".into(), &stub).unwrap();
        FetchStub { real }
    }

    fn fetched() -> Vec<String> {
        let window: JsValue = web_sys::window().unwrap().into();
        Array::from(&Reflect::get(&window, &"__fetched".into()).unwrap())
            .iter()
            .filter_map(|v| v.as_string())
            .collect()
    }
}

impl Drop for FetchStub {
    fn drop(&mut self) {
        let window: JsValue = web_sys::window().unwrap().into();
        Reflect::set(&window, &"fetch".into(), &self.real).unwrap();
    }
}

/// Replaces `window.WebSocket` with one that never connects: it records the URL in
/// `window.__sockets` and reports a failed connection (close 1006) `fail_after_ms` later
/// (never when negative: it hangs).
struct WebSocketStub {
    real: JsValue,
}

impl WebSocketStub {
    fn install(fail_after_ms: i32) -> WebSocketStub {
        let window: JsValue = web_sys::window().unwrap().into();
        let real = Reflect::get(&window, &"WebSocket".into()).unwrap();
        let make = Function::new_with_args(
            "failAfter",
            r#"
            window.__sockets = [];
            class FakeWebSocket extends EventTarget {
                constructor(url, protocol) {
                    super();
                    window.__sockets.push(String(url));
                    this.url = String(url);
                    this.readyState = 0;
                    this.onopen = this.onmessage = this.onclose = this.onerror = null;
                    if (failAfter >= 0) setTimeout(() => this._fail(), failAfter);
                }
                _fail() {
                    if (this.readyState === 3) return;
                    this.readyState = 3;
                    if (this.onerror) this.onerror(new Event('error'));
                    if (this.onclose) this.onclose(new CloseEvent('close', { code: 1006 }));
                }
                send() {}
                close() { this.readyState = 3; }
            }
            FakeWebSocket.CONNECTING = 0; FakeWebSocket.OPEN = 1;
            FakeWebSocket.CLOSING = 2; FakeWebSocket.CLOSED = 3;
            return FakeWebSocket;
            "#,
        );
        let fake = make
            .call1(&JsValue::NULL, &JsValue::from(fail_after_ms))
            .unwrap();
        Reflect::set(&window, &"WebSocket".into(), &fake).unwrap();
        WebSocketStub { real }
    }

    fn opened() -> Vec<String> {
        let window: JsValue = web_sys::window().unwrap().into();
        Array::from(&Reflect::get(&window, &"__sockets".into()).unwrap())
            .iter()
            .filter_map(|v| v.as_string())
            .collect()
    }
}

impl Drop for WebSocketStub {
    fn drop(&mut self) {
        let window: JsValue = web_sys::window().unwrap().into();
        Reflect::set(&window, &"WebSocket".into(), &self.real).unwrap();
    }
}

fn origin() -> String {
    web_sys::window().unwrap().location().origin().unwrap()
}

/// What the test page's host is called in an account: the dev setup's "localhost" when the
/// runner serves on a loopback address.
fn page_domain() -> String {
    let host = web_sys::window().unwrap().location().hostname().unwrap();
    if host == "127.0.0.1" || host == "[::1]" {
        "localhost".into()
    } else {
        host
    }
}

fn xrd(ws: &str, bosh: &str) -> String {
    format!(
        "<?xml version='1.0'?><XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\
         <Link rel='urn:xmpp:alt-connections:websocket' href='{ws}'/>\
         <Link rel='urn:xmpp:alt-connections:xbosh' href='{bosh}'/></XRD>"
    )
}

fn answers(entries: &[(&str, u16, &str, i32)]) -> String {
    let obj = js_sys::Object::new();
    for (url, status, body, delay) in entries {
        let a = js_sys::Object::new();
        Reflect::set(&a, &"status".into(), &(*status).into()).unwrap();
        Reflect::set(&a, &"body".into(), &(*body).into()).unwrap();
        Reflect::set(&a, &"delay".into(), &(*delay).into()).unwrap();
        Reflect::set(&obj, &(*url).into(), &a).unwrap();
    }
    js_sys::JSON::stringify(&obj).unwrap().into()
}

/// Runs discovery and waits for its answer; also returns how long it took.
async fn discover(domain: &str, timeout_ms: u32) -> (Discovered, f64) {
    let out: Rc<RefCell<Option<Discovered>>> = Rc::default();
    let start = now_ms();
    let o = out.clone();
    discovery::discover(domain, timeout_ms, move |d| {
        assert!(o.borrow_mut().replace(d).is_none(), "answered twice");
    });
    for _ in 0..500 {
        if out.borrow().is_some() {
            break;
        }
        sleep(10).await;
    }
    let elapsed = now_ms() - start;
    // Never a second answer (e.g. from the timer).
    sleep(50).await;
    let found = out.borrow_mut().take().expect("discovery never answered");
    (found, elapsed)
}

fn ws(u: &str) -> Option<Endpoint> {
    Some(Endpoint::WebSocket(u.into()))
}
fn bosh(u: &str) -> Option<Endpoint> {
    Some(Endpoint::Bosh(u.into()))
}

#[wasm_bindgen_test]
fn host_meta_json() {
    let good = r#"{"subject":"example.org","links":[
        {"rel":"urn:xmpp:alt-connections:xbosh","href":"https://example.org/http-bind"},
        {"rel":"urn:xmpp:alt-connections:websocket","href":"wss://example.org/xmpp-websocket"}]}"#;
    let d = discovery::parse_json(good, false);
    assert_eq!(d.websocket, ws("wss://example.org/xmpp-websocket"));
    assert_eq!(d.bosh, bosh("https://example.org/http-bind"));
    for bad in [
        "",
        "null",
        "42",
        "[]",
        "{}",
        r#"{"links":{}}"#,
        r#"{"links":[null, 3, "x", {"rel":5,"href":"wss://x.org/ws"}]}"#,
        r#"{"links":[{"rel":"urn:xmpp:alt-connections:websocket"}]}"#,
        r#"{"links":[{"rel":"urn:xmpp:alt-connections:websocket","href":"/xmpp-websocket"}]}"#,
        r#"{"links":[{"rel":"urn:xmpp:alt-connections:websocket","href":"https://x.org/ws"}]}"#,
        "<XRD/>",
        "{\"links\":[",
    ] {
        assert!(discovery::parse_json(bad, true).is_empty(), "{bad}");
    }
    let clear =
        r#"{"links":[{"rel":"urn:xmpp:alt-connections:websocket","href":"ws://x.org/ws"}]}"#;
    assert!(discovery::parse_json(clear, false).is_empty());
    assert_eq!(
        discovery::parse_json(clear, true).websocket,
        ws("ws://x.org/ws")
    );
}

#[wasm_bindgen_test]
async fn the_pages_own_origin_answers_first() {
    let domain = page_domain();
    let o = origin();
    let _fetch = FetchStub::install(&answers(&[
        (
            &format!("{o}/.well-known/host-meta"),
            200,
            &xrd(
                "ws://127.0.0.1:5280/xmpp-websocket",
                "http://127.0.0.1:5280/http-bind",
            ),
            30,
        ),
        (&format!("{o}/.well-known/host-meta.json"), 404, "", 0),
    ]));
    let (d, ms) = discover(&domain, 3_000).await;
    assert_eq!(d.websocket, ws("ws://127.0.0.1:5280/xmpp-websocket"));
    assert_eq!(d.bosh, bosh("http://127.0.0.1:5280/http-bind"));
    assert!(ms < 1_000.0, "{ms} ms");
    // The domain's https documents were not needed.
    let fetched = FetchStub::fetched();
    assert_eq!(
        fetched,
        [
            format!("{o}/.well-known/host-meta"),
            format!("{o}/.well-known/host-meta.json")
        ]
    );
}

#[wasm_bindgen_test]
async fn the_domain_is_asked_when_the_origin_has_nothing() {
    let domain = page_domain();
    let o = origin();
    let json = r#"{"links":[{"rel":"urn:xmpp:alt-connections:websocket","href":"wss://chat.example/ws"}]}"#;
    let _fetch = FetchStub::install(&answers(&[
        (&format!("{o}/.well-known/host-meta"), 404, "", 0),
        (
            &format!("{o}/.well-known/host-meta.json"),
            200,
            "<html/>",
            0,
        ),
        (
            &format!("https://{domain}/.well-known/host-meta"),
            200,
            "garbage",
            0,
        ),
        (
            &format!("https://{domain}/.well-known/host-meta.json"),
            200,
            json,
            20,
        ),
    ]));
    let (d, ms) = discover(&domain, 3_000).await;
    assert_eq!(d.websocket, ws("wss://chat.example/ws"));
    assert_eq!(d.bosh, None);
    // Without waiting for the origin's head start: its answers had failed.
    assert!(ms < 800.0, "{ms} ms");
    assert_eq!(FetchStub::fetched().len(), 4);
}

#[wasm_bindgen_test]
async fn a_silent_server_costs_at_most_the_timeout() {
    let _fetch = FetchStub::install(&answers(&[
        ("https://example.org/.well-known/host-meta", 200, "", -1),
        (
            "https://example.org/.well-known/host-meta.json",
            200,
            "",
            -1,
        ),
    ]));
    let (d, ms) = discover("example.org", 300).await;
    assert!(d.is_empty());
    assert!((280.0..1_000.0).contains(&ms), "{ms} ms");
    assert_eq!(
        FetchStub::fetched(),
        [
            "https://example.org/.well-known/host-meta",
            "https://example.org/.well-known/host-meta.json"
        ]
    );
}

#[wasm_bindgen_test]
async fn nothing_anywhere_answers_at_once() {
    let _fetch = FetchStub::install("{}");
    let (d, ms) = discover("example.org", 3_000).await;
    assert!(d.is_empty());
    assert!(ms < 500.0, "{ms} ms");
}

// ---- The sign-in form with an empty Connection URL ----

struct Mounted {
    host: HtmlElement,
    session: Session,
}

impl Mounted {
    fn new() -> Self {
        let doc = document();
        let host: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
        doc.body().unwrap().append_child(&host).unwrap();
        let state = AppState::new();
        let session = Session::new(state);
        let s = session.clone();
        leptos::mount::mount_to(host.clone(), move || view! { <Root state session=s /> }).forget();
        Mounted { host, session }
    }

    fn input(&self, id: &str) -> HtmlInputElement {
        self.host
            .query_selector(&format!("#{id}"))
            .unwrap()
            .unwrap()
            .unchecked_into()
    }

    fn text(&self, selector: &str) -> Option<String> {
        self.host
            .query_selector(selector)
            .unwrap()
            .map(|e: Element| e.text_content().unwrap_or_default())
    }

    fn sign_in(&self, address: &str, password: &str, url: &str) {
        for (id, value) in [
            ("login-address", address),
            ("login-password", password),
            ("login-service", url),
        ] {
            let input = self.input(id);
            input.set_value(value);
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            let ev = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
            input.dispatch_event(&ev).unwrap();
        }
        let button: HtmlElement = self
            .host
            .query_selector("button[type=submit]")
            .unwrap()
            .unwrap()
            .unchecked_into();
        button.click();
    }

    /// The status is applied on the next animation frame (or within half a second when
    /// frames do not run, as in a background tab).
    async fn wait_for_status(&self, word: &str) {
        for _ in 0..50 {
            if self.text("[role=status]").is_some_and(|t| t.contains(word)) {
                return;
            }
            sleep(20).await;
        }
        panic!("status never said {word}: {:?}", self.text("[role=status]"));
    }

    async fn wait_for_alert(&self, max_ms: u32) -> String {
        for _ in 0..max_ms / 20 {
            if let Some(text) = self.text("[role=alert]") {
                return text;
            }
            sleep(20).await;
        }
        panic!(
            "no alert; status: {:?}; sockets: {:?}; fetched: {:?}",
            self.text("[role=status]"),
            WebSocketStub::opened(),
            FetchStub::fetched()
        );
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        // Stop whatever is still being tried, so it cannot touch the next test's stubs.
        self.session.sign_out();
        self.host.remove();
    }
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

#[wasm_bindgen_test]
async fn empty_url_tries_remembered_then_discovered_then_defaults() {
    let domain = page_domain();
    let o = origin();
    let key = natter::plan::remember_key(&domain);
    storage()
        .set_item(&key, "ws://127.0.0.1:9/remembered")
        .unwrap();
    let _fetch = FetchStub::install(&answers(&[(
        &format!("{o}/.well-known/host-meta"),
        200,
        &xrd("ws://127.0.0.1:9/discovered", "http://127.0.0.1:9/bosh"),
        50,
    )]));
    let _ws = WebSocketStub::install(150);
    let m = Mounted::new();
    sleep(30).await;
    m.sign_in(&format!("alice@{domain}"), "secret", "");
    m.wait_for_status("Connecting").await;
    let alert = m.wait_for_alert(6_000).await;
    // Remembered first (without waiting for discovery), then the discovered WebSocket, then
    // the default; BOSH in between (the page's fetch stub refuses it, so it fails too).
    assert_eq!(
        WebSocketStub::opened(),
        [
            "ws://127.0.0.1:9/remembered".to_string(),
            "ws://127.0.0.1:9/discovered".to_string(),
            format!("wss://{domain}/xmpp-websocket"),
        ],
        "alert: {alert}; fetched: {:?}",
        FetchStub::fetched()
    );
    for url in [
        "ws://127.0.0.1:9/remembered",
        "ws://127.0.0.1:9/discovered",
        "http://127.0.0.1:9/bosh",
    ] {
        assert!(alert.contains(url), "{alert}");
    }
    assert!(alert.contains("Could not reach the server"), "{alert}");
    // Nothing worked: what was remembered stays (it is replaced only by what works).
    assert_eq!(
        storage().get_item(&key).unwrap().as_deref(),
        Some("ws://127.0.0.1:9/remembered")
    );
    storage().remove_item(&key).unwrap();
}

#[wasm_bindgen_test]
async fn a_typed_url_is_the_only_one_tried() {
    let _fetch = FetchStub::install("{}");
    let _ws = WebSocketStub::install(5);
    let m = Mounted::new();
    sleep(30).await;
    m.sign_in("alice@example.org", "secret", "ws://127.0.0.1:9/typed");
    let alert = m.wait_for_alert(3_000).await;
    assert_eq!(WebSocketStub::opened(), ["ws://127.0.0.1:9/typed"]);
    assert!(FetchStub::fetched().is_empty(), "no discovery");
    assert!(alert.contains("ws://127.0.0.1:9/typed"), "{alert}");
}

#[wasm_bindgen_test]
async fn a_silent_websocket_is_left_for_the_next_endpoint_in_time() {
    let domain = page_domain();
    let o = origin();
    storage()
        .remove_item(&natter::plan::remember_key(&domain))
        .unwrap();
    let _fetch = FetchStub::install(&answers(&[(
        &format!("{o}/.well-known/host-meta.json"),
        200,
        r#"{"links":[{"rel":"urn:xmpp:alt-connections:websocket","href":"ws://127.0.0.1:9/silent"}]}"#,
        0,
    )]));
    // Every WebSocket hangs: never opens, never closes.
    let _ws = WebSocketStub::install(-1);
    let m = Mounted::new();
    sleep(30).await;
    let start = now_ms();
    m.sign_in(&format!("alice@{domain}"), "secret", "");
    let mut moved_on = None;
    for _ in 0..300 {
        if WebSocketStub::opened().len() >= 2 {
            moved_on = Some(now_ms() - start);
            break;
        }
        sleep(20).await;
    }
    let ms = moved_on.unwrap_or_else(|| panic!("stuck on {:?}", WebSocketStub::opened()));
    assert_eq!(
        WebSocketStub::opened(),
        [
            "ws://127.0.0.1:9/silent".to_string(),
            format!("wss://{domain}/xmpp-websocket")
        ]
    );
    // After the open timeout (3.5 s at most), plus slack for a busy machine.
    assert!((3_000.0..4_500.0).contains(&ms), "{ms} ms");
    let status = m.text("[role=status]").unwrap();
    assert!(status.contains("Connecting"), "{status}");
}
