//! IndexedDB requests and transactions as futures, through a JS promise each.
//!
//! `idb`'s own futures (its `futures` feature) bring tokio; in a `trunk build` of the
//! workspace, Cargo unifies tokio's features with the native crates' (`net`), which cannot
//! build for wasm32. A promise is all a request needs. The future resumes in a microtask,
//! while the transaction is still active, so awaiting one request and then issuing the next
//! in the same transaction is safe.

use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbRequest, IdbTransaction};

fn describe(e: JsValue) -> String {
    e.dyn_ref::<web_sys::DomException>()
        .map(|d| format!("{}: {}", d.name(), d.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "IndexedDB error".to_string())
}

/// The request's result once it succeeds.
pub async fn request(req: impl Into<IdbRequest>) -> Result<JsValue, String> {
    let req: IdbRequest = req.into();
    let promise = Promise::new(&mut |resolve, reject| {
        let ok_req = req.clone();
        let ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &ok_req.result().unwrap_or(JsValue::NULL));
        });
        let err_req = req.clone();
        let fail = Closure::once_into_js(move |ev: web_sys::Event| {
            // Handled here: do not let it abort the whole transaction by bubbling.
            ev.prevent_default();
            let e: JsValue = err_req
                .error()
                .ok()
                .flatten()
                .map_or_else(|| "request failed".into(), Into::into);
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(fail.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(describe)
}

/// Resolves when the transaction commits; an error if it aborts.
pub async fn transaction(tx: impl Into<IdbTransaction>) -> Result<(), String> {
    let tx: IdbTransaction = tx.into();
    let promise = Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let abort_tx = tx.clone();
        let aborted = Closure::once_into_js(move |_: web_sys::Event| {
            let e: JsValue = abort_tx
                .error()
                .map_or_else(|| "the transaction was aborted".into(), Into::into);
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        tx.set_oncomplete(Some(done.unchecked_ref()));
        tx.set_onabort(Some(aborted.unchecked_ref()));
    });
    JsFuture::from(promise).await.map(|_| ()).map_err(describe)
}
