//! The wasm's entry points. Instantiating the wasm starts nothing by itself: the full app's
//! page calls `start` (js/loader.js), the embeddable widget calls `mount_widget`
//! (widget/widget.js), and both load this same bundle.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::*;

#[cfg(target_arch = "wasm32")]
fn main() {}

/// Mount the full app on `<body>`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn start() {
    natter::start();
}

/// Mount the widget's client into `container` (inside the widget's shadow root); see
/// `natter::widget::mount`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn mount_widget(container: web_sys::HtmlElement, options: JsValue, on_event: js_sys::Function) {
    natter::widget::mount(container, options, on_event);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "Natter is a web app: build it for the browser with `trunk build --release` \
         (or run `cargo xtask demo`)."
    );
}
