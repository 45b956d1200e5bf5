//! The embeddable widget: `widget/widget.js` (the `<xmpp-chat>` element, its bubble and its
//! shadow root) instantiates this same wasm on first open and calls the exported
//! `mount_widget`, which mounts [`app::WidgetApp`] into a container inside the shadow root.
//!
//! In widget mode the client never touches the host page: no title, no notification prompt,
//! no service worker, no listeners outside its own tree (see [`Embedded`]).

pub mod options;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod events;
#[cfg(target_arch = "wasm32")]
pub(crate) mod root;
#[cfg(target_arch = "wasm32")]
mod visitor;

pub use options::{Account, Options, Target};

/// In the context of a tree mounted by the widget: components that would change the host page
/// (the document title) leave it alone.
#[derive(Clone, Copy, Debug)]
pub struct Embedded;

/// Mount the widget's client into `container` (an element inside the widget's shadow root).
/// `options` is a plain object with the element's attributes; `on_event(type, detail)` is
/// called for `ready`, `message` ({from, body}) and `error` ({message}).
#[cfg(target_arch = "wasm32")]
pub fn mount(
    container: web_sys::HtmlElement,
    options: wasm_bindgen::JsValue,
    on_event: js_sys::Function,
) {
    console_error_panic_hook::set_once();
    root::set(&container);
    let read = |name: &str| {
        js_sys::Reflect::get(&options, &wasm_bindgen::JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    let parsed = Options::parse(read);
    let events = events::Events::new(on_event);
    leptos::mount::mount_to(container, move || {
        leptos::view! { <app::WidgetApp options=parsed events /> }
    })
    .forget();
}
