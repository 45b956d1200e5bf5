//! The browser's Notification API, and the two awareness settings the session driver reads
//! outside any component (notifications while applying events, receipts when it creates a
//! core `Client`). Whether to notify is [`crate::awareness::notification`]'s decision; this
//! only executes it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::{document, window};
use natter_core::jid::BareJid;
use natter_core::Event;
use natter_store::Store;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::awareness::{self, Note, Settings, Target};

/// Opens what a clicked notification names.
type Opener = Rc<dyn Fn(Target)>;

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(false) };
    static OPEN: RefCell<Option<Opener>> = const { RefCell::new(None) };
}

/// The user's `Desktop notifications` setting.
pub fn set_enabled(on: bool) {
    ENABLED.with(|e| e.set(on));
}

/// What a click on a notification does (open the chat or room).
pub fn on_click(open: impl Fn(Target) + 'static) {
    OPEN.with(|o| *o.borrow_mut() = Some(Rc::new(open)));
}

/// Whether the core should answer receipt requests for `account` (its stored settings).
pub fn receipts_for(account: &BareJid) -> bool {
    stored(account).receipts
}

/// `account`'s settings as stored in `localStorage` (defaults when none).
pub fn stored(account: &BareJid) -> Settings {
    Settings::decode(crate::dom::load(&Settings::key(account)).as_deref())
}

fn supported() -> bool {
    js_sys::Reflect::has(&window(), &JsValue::from_str("Notification")).unwrap_or(false)
}

/// `Notification.permission`, or `None` where the browser has no notifications.
pub fn permission() -> Option<web_sys::NotificationPermission> {
    supported().then(web_sys::Notification::permission)
}

/// Asks the browser for permission (only from a user's click: browsers ignore it
/// otherwise); `done(true)` once granted. `done(false)` at once where there is no API.
pub fn request_permission(done: impl FnOnce(bool) + 'static) {
    if !supported() {
        done(false);
        return;
    }
    let Ok(promise) = web_sys::Notification::request_permission() else {
        done(false);
        return;
    };
    leptos::task::spawn_local(async move {
        let answer = wasm_bindgen_futures::JsFuture::from(promise).await;
        done(answer.ok().and_then(|v| v.as_string()).as_deref() == Some("granted"));
    });
}

/// The notification `event` calls for, judged against the store before it is applied.
pub fn check(event: &Event, store: &Store) -> Option<Note> {
    if !matches!(event, Event::Message(_) | Event::GroupMessage(_)) {
        return None;
    }
    let enabled =
        ENABLED.with(Cell::get) && permission() == Some(web_sys::NotificationPermission::Granted);
    awareness::notification(event, store, enabled, document().hidden())
}

/// Shows `note` (title and body as plain text: the API renders no markup).
pub fn show(note: Note) {
    let options = web_sys::NotificationOptions::new();
    options.set_body(&note.body);
    options.set_tag(&note.tag);
    let Ok(n) = web_sys::Notification::new_with_options(&note.title, &options) else {
        return;
    };
    let target = note.target;
    let shown = n.clone();
    let click = Closure::<dyn FnMut()>::new(move || {
        let _ = window().focus();
        if let Some(open) = OPEN.with(|o| o.borrow().clone()) {
            open(target.clone());
        }
        shown.close();
    });
    n.set_onclick(Some(click.as_ref().unchecked_ref()));
    // Lives as long as the notification may be clicked: the page's lifetime at most.
    click.forget();
}
