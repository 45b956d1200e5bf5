//! The browser signals the driver follows: the window's `online`/`offline` events and the
//! document's `visibilitychange`. Listeners are removed when the returned value is dropped.

use leptos::prelude::{document, window};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// `navigator.onLine`; `true` when the browser does not say (then only real failures count).
pub fn network_online() -> bool {
    let navigator = js_sys::Reflect::get(&window(), &JsValue::from_str("navigator"));
    navigator
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("onLine")))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}

/// `document.hidden`: the tab is in the background (or minimized).
pub fn hidden() -> bool {
    document().hidden()
}

/// One registered listener: where, for which event, and the callback to remove again.
type Registered = (web_sys::EventTarget, &'static str, Closure<dyn FnMut()>);

pub struct Listeners {
    registered: Vec<Registered>,
}

impl Listeners {
    /// Call `on_network(online)` on `online`/`offline` and `on_hidden(hidden)` on
    /// `visibilitychange`.
    pub fn new(on_network: impl Fn(bool) + 'static, on_hidden: impl Fn(bool) + 'static) -> Self {
        let on_network = std::rc::Rc::new(on_network);
        let mut this = Listeners {
            registered: Vec::new(),
        };
        let win: web_sys::EventTarget = window().into();
        let doc: web_sys::EventTarget = document().into();
        for (name, online) in [("online", true), ("offline", false)] {
            let f = on_network.clone();
            this.add(&win, name, Closure::new(move || f(online)));
        }
        this.add(
            &doc,
            "visibilitychange",
            Closure::new(move || on_hidden(hidden())),
        );
        this
    }

    fn add(&mut self, target: &web_sys::EventTarget, name: &'static str, f: Closure<dyn FnMut()>) {
        if target
            .add_event_listener_with_callback(name, f.as_ref().unchecked_ref())
            .is_ok()
        {
            self.registered.push((target.clone(), name, f));
        }
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        for (target, name, f) in self.registered.drain(..) {
            let _ = target.remove_event_listener_with_callback(name, f.as_ref().unchecked_ref());
        }
    }
}
