//! Faces: the contact's image where we have it (XEP-0084 / XEP-0153, checked by the core),
//! else the generated initial on its XEP-0392 colour (the `span.avatar` around it). The image
//! is decorative (`alt=""`): the name is always next to it.
//!
//! Images are shown through `blob:` URLs, made once per hash and revoked when the store drops
//! the image, so a face shown in a hundred rows costs one decoded copy.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_store::Avatar;
use wasm_bindgen::JsValue;

use crate::app::use_app;
use crate::display;

thread_local! {
    static URLS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// The `blob:` URL for an image, made on first use.
pub fn object_url(avatar: &Avatar) -> Option<String> {
    if let Some(url) = URLS.with(|u| u.borrow().get(&avatar.hash).cloned()) {
        return Some(url);
    }
    let bytes = js_sys::Uint8Array::from(&avatar.bytes[..]);
    let parts = js_sys::Array::of1(&bytes);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&avatar.mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    URLS.with(|u| u.borrow_mut().insert(avatar.hash.clone(), url.clone()));
    Some(url)
}

/// Frees the URLs of images the store no longer holds.
pub fn revoke(hashes: Vec<String>) {
    URLS.with(|u| {
        let mut urls = u.borrow_mut();
        for hash in hashes {
            if let Some(url) = urls.remove(&hash) {
                let _ = web_sys::Url::revoke_object_url(&url);
            }
        }
    });
}

/// What goes inside a `span.avatar`: the image, or the initial of `name`.
#[component]
pub fn FaceImage(jid: BareJid, #[prop(into)] name: Signal<String>) -> impl IntoView {
    let (state, _) = use_app();
    let url =
        Memo::new(move |_| state.with_roster(|s| s.profiles.avatar_of(&jid).and_then(object_url)));
    move || match url.get() {
        Some(src) => view! {
            <img class="avatar-img" src=src alt="" decoding="async" draggable="false" />
        }
        .into_any(),
        None => display::initial(&name.get()).into_any(),
    }
}

/// A large face for the profile dialogs (no presence dot).
#[component]
pub fn BigFace(jid: BareJid, #[prop(into)] name: Signal<String>) -> impl IntoView {
    let hue = display::hue(&jid.to_string());
    view! {
        <span class="avatar avatar-big" style=("--hue", hue.to_string()) aria-hidden="true">
            <FaceImage jid name />
        </span>
    }
}

/// For callers holding a `JsValue` error: the log line, never the UI.
pub fn log(what: &str, err: &JsValue) {
    web_sys::console::warn_2(&JsValue::from_str(what), err);
}
