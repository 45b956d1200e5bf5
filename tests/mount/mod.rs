//! The app mounted in the test page with a store fed synthetic core events, shared by the
//! component test files (`mod mount;` in each).
#![allow(dead_code)]

use leptos::prelude::*;
use natter::app::Root;
use natter::session::Session;
use natter::state::AppState;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Leptos applies DOM updates asynchronously: wait before looking (toolchain.md, gotcha 8).
pub async fn tick() {
    let p = js_sys::Promise::new(&mut |res, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&res, 30)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

pub struct Mounted {
    pub host: HtmlElement,
    pub session: Session,
}

impl Mounted {
    pub fn new(state: AppState) -> Self {
        let doc = document();
        // The real stylesheet, so layout (scroll containers, row heights) is as in the app.
        if doc.get_element_by_id("natter-css").is_none() {
            let style = doc.create_element("style").unwrap();
            style.set_id("natter-css");
            style.set_text_content(Some(include_str!("../../style/main.css")));
            doc.head().unwrap().append_child(&style).unwrap();
        }
        let host: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
        // A fixed-height viewport, as the stylesheet would give the app.
        host.set_attribute("style", "height:600px;display:flex;flex-direction:column")
            .unwrap();
        doc.body().unwrap().append_child(&host).unwrap();
        let session = Session::new(state);
        let mounted = session.clone();
        leptos::mount::mount_to(host.clone(), move || view! { <Root state session /> }).forget();
        Mounted {
            host,
            session: mounted,
        }
    }

    pub fn one(&self, selector: &str) -> Element {
        self.host
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("nothing matches {selector}"))
    }

    pub fn maybe(&self, selector: &str) -> Option<Element> {
        self.host.query_selector(selector).unwrap()
    }

    pub fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.host.query_selector_all(selector).unwrap();
        (0..list.length())
            .map(|i| list.get(i).unwrap().unchecked_into())
            .collect()
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        // Stops any connection attempt and retry timer the test started.
        self.session.sign_out();
        self.host.remove();
    }
}
