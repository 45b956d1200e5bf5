//! Where the client's own elements are: the document for the full app, the widget's shadow
//! root when embedded. `document().get_element_by_id` does not see into a shadow root, so
//! components that look an element up by id go through here.

use std::cell::RefCell;

use leptos::prelude::document;
use wasm_bindgen::JsCast;

thread_local! {
    /// The shadow root the widget was mounted in (`None`: the full app, on the document).
    static ROOT: RefCell<Option<web_sys::ShadowRoot>> = const { RefCell::new(None) };
}

/// Remember the shadow root `container` lives in.
pub fn set(container: &web_sys::HtmlElement) {
    let root = container
        .get_root_node()
        .dyn_into::<web_sys::ShadowRoot>()
        .ok();
    ROOT.with(|r| *r.borrow_mut() = root);
}

/// The element with this id in the client's tree.
pub fn by_id(id: &str) -> Option<web_sys::Element> {
    match ROOT.with(|r| r.borrow().clone()) {
        Some(root) => root.get_element_by_id(id),
        None => document().get_element_by_id(id),
    }
}

/// The first element of the client's tree matching `selector`.
pub fn query(selector: &str) -> Option<web_sys::Element> {
    match ROOT.with(|r| r.borrow().clone()) {
        Some(root) => root.query_selector(selector).ok().flatten(),
        None => document().query_selector(selector).ok().flatten(),
    }
}

/// The focused element as seen from `node`'s tree (inside a shadow root the document only
/// knows the host element).
pub fn active_element(node: &web_sys::Node) -> Option<web_sys::Element> {
    match node.get_root_node().dyn_into::<web_sys::ShadowRoot>() {
        Ok(shadow) => shadow.active_element(),
        Err(_) => document().active_element(),
    }
}
