//! The few values kept outside IndexedDB: which account a tab (or the browser) is signed in
//! to, and, for a tab not asked to remember the account, its credential. Never a password.

use leptos::prelude::window;

/// `localStorage`: the account to sign in to on any new page ("Remember me").
pub const REMEMBERED: &str = "natter.account";
/// `localStorage`, written by the sign-in form: the last address typed.
pub const ADDRESS: &str = "natter.address";
/// `localStorage`, written by the sign-in form: the last connection URL typed.
pub const SERVICE: &str = "natter.service";
/// `sessionStorage`: the account this tab is signed in to (survives a reload of the tab).
pub const TAB_ACCOUNT: &str = "natter.tab.account";
/// `sessionStorage`: this tab's credential when the account is not remembered.
pub const TAB_CREDENTIAL: &str = "natter.tab.credential";
/// `sessionStorage`: this tab's resource.
pub const RESOURCE: &str = "natter.resource";

fn local() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn session() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

fn get(s: Option<web_sys::Storage>, key: &str) -> Option<String> {
    s?.get_item(key).ok().flatten().filter(|v| !v.is_empty())
}

/// Errors (private mode, quota) are ignored: the app then simply remembers less.
fn set(s: Option<web_sys::Storage>, key: &str, value: Option<&str>) {
    if let Some(s) = s {
        let _ = match value {
            Some(v) if !v.is_empty() => s.set_item(key, v),
            _ => s.remove_item(key),
        };
    }
}

pub fn local_get(key: &str) -> Option<String> {
    get(local(), key)
}

pub fn local_set(key: &str, value: Option<&str>) {
    set(local(), key, value)
}

pub fn session_get(key: &str) -> Option<String> {
    get(session(), key)
}

pub fn session_set(key: &str, value: Option<&str>) {
    set(session(), key, value)
}
