//! Several tabs of one account: each signs in with its own resource, so that neither knocks
//! the other offline (a server ends the older session when a resource is reused). The
//! resource is kept in `sessionStorage`, so a reload of the tab reuses it; a duplicated tab
//! (whose `sessionStorage` is a copy) notices that a live tab holds it and picks a new one.
//! Tabs find each other over a `BroadcastChannel`.

use std::collections::HashSet;

/// A resource name from random bytes: `natter-` and 8 hex digits.
pub fn resource_from(random: [u8; 4]) -> String {
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("natter-{hex}")
}

/// Is `s` a resource this app made (anything else in `sessionStorage` is ignored)?
pub fn is_ours(s: &str) -> bool {
    s.strip_prefix("natter-")
        .is_some_and(|h| h.len() == 8 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Should this tab send again an outbox message that the tab `owner` wrote? Yes if it wrote
/// it itself (before a reload) or if that tab is gone (closed, or crashed); a live tab sends
/// its own.
pub fn adopt(owner: &str, me: &str, alive: &HashSet<String>) -> bool {
    owner == me || !alive.contains(owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_recognised() {
        let r = resource_from([0xde, 0xad, 0x00, 0x01]);
        assert_eq!(r, "natter-dead0001");
        assert!(is_ours(&r));
        for bad in [
            "",
            "natter-",
            "natter-xyz00000",
            "natter-dead00011",
            "web-dead0001",
        ] {
            assert!(!is_ours(bad), "{bad}");
        }
    }

    #[test]
    fn a_live_tab_keeps_its_outbox() {
        let alive: HashSet<String> = ["natter-aaaaaaaa".to_string()].into();
        assert!(
            adopt("natter-bbbbbbbb", "natter-bbbbbbbb", &alive),
            "our own"
        );
        assert!(
            !adopt("natter-aaaaaaaa", "natter-bbbbbbbb", &alive),
            "a live tab's"
        );
        assert!(
            adopt("natter-cccccccc", "natter-bbbbbbbb", &alive),
            "a closed tab's"
        );
        assert!(adopt("", "natter-bbbbbbbb", &alive), "no owner recorded");
    }
}

#[cfg(target_arch = "wasm32")]
pub use browser::{alive, claim, resource};

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::RefCell;
    use std::collections::HashSet;
    use std::time::Duration;

    use js_sys::{Object, Reflect};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{BroadcastChannel, MessageEvent};

    use super::{is_ours, resource_from};
    use crate::persist::local;

    const CHANNEL: &str = "natter-tabs";
    /// How long to wait for other tabs to say who they are.
    const ASK_MS: u64 = 150;

    #[derive(Default)]
    struct Tabs {
        resource: Option<String>,
        /// The answers are in (or there was no channel): `resource` is final.
        claimed: bool,
        /// Resources of the other live tabs, as they answered.
        alive: HashSet<String>,
        channel: Option<BroadcastChannel>,
        _listener: Option<Closure<dyn FnMut(MessageEvent)>>,
    }

    thread_local! {
        static TABS: RefCell<Tabs> = RefCell::new(Tabs::default());
    }

    fn fresh() -> String {
        let mut b = [0u8; 4];
        // Without a random source any name will do: a clash only costs the older session.
        let _ = getrandom_02::getrandom(&mut b);
        resource_from(b)
    }

    /// This tab's resource: the claimed one, else the one this tab had before a reload, else
    /// a new one. Never empty.
    pub fn resource() -> String {
        if let Some(r) = TABS.with(|t| t.borrow().resource.clone()) {
            return r;
        }
        let r = local::session_get(local::RESOURCE)
            .filter(|r| is_ours(r))
            .unwrap_or_else(fresh);
        local::session_set(local::RESOURCE, Some(&r));
        TABS.with(|t| t.borrow_mut().resource = Some(r.clone()));
        r
    }

    /// The other tabs that answered when this one started.
    pub fn alive() -> HashSet<String> {
        TABS.with(|t| t.borrow().alive.clone())
    }

    fn message(kind: &str, resource: &str) -> JsValue {
        let o = Object::new();
        let _ = Reflect::set(&o, &"kind".into(), &kind.into());
        let _ = Reflect::set(&o, &"resource".into(), &resource.into());
        o.into()
    }

    /// Ask which tabs are alive, answer others' questions from now on, and make sure this
    /// tab's resource is its own. Returns the resource.
    pub async fn claim() -> String {
        let mine = resource();
        if TABS.with(|t| t.borrow().channel.is_some()) {
            // Claimed, or being claimed by an earlier call: wait for its answer.
            while !TABS.with(|t| t.borrow().claimed) {
                sleep(20).await;
            }
            return resource();
        }
        let Ok(channel) = BroadcastChannel::new(CHANNEL) else {
            TABS.with(|t| t.borrow_mut().claimed = true);
            return mine;
        };
        let answer_to = channel.clone();
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            let field = |k: &str| {
                Reflect::get(&data, &JsValue::from_str(k))
                    .ok()
                    .and_then(|v| v.as_string())
            };
            let (Some(kind), Some(from)) = (field("kind"), field("resource")) else {
                return;
            };
            let me = resource();
            match kind.as_str() {
                "who" => {
                    let _ = answer_to.post_message(&message("here", &me));
                }
                "here" => TABS.with(|t| {
                    t.borrow_mut().alive.insert(from);
                }),
                _ => {}
            }
        });
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        let _ = channel.post_message(&message("who", &mine));
        TABS.with(|t| {
            let mut t = t.borrow_mut();
            t.channel = Some(channel);
            t._listener = Some(listener);
        });
        sleep(ASK_MS).await;
        let duplicate = TABS.with(|t| t.borrow().alive.contains(&mine));
        let r = if duplicate {
            // A duplicated tab: the original is alive with this resource.
            let r = fresh();
            local::session_set(local::RESOURCE, Some(&r));
            r
        } else {
            mine
        };
        TABS.with(|t| {
            let mut t = t.borrow_mut();
            t.resource = Some(r.clone());
            t.claimed = true;
        });
        r
    }

    async fn sleep(ms: u64) {
        let (tx, rx) = futures_channel();
        leptos::prelude::set_timeout(tx, Duration::from_millis(ms));
        let _ = rx.await;
    }

    /// A one-shot wake-up without pulling in a channel crate: a JS promise.
    fn futures_channel() -> (impl FnOnce(), wasm_bindgen_futures::JsFuture) {
        let mut resolve = None;
        let promise = js_sys::Promise::new(&mut |res, _| resolve = Some(res));
        let fire = move || {
            if let Some(r) = resolve {
                let _ = r.call0(&JsValue::UNDEFINED);
            }
        };
        (fire, wasm_bindgen_futures::JsFuture::from(promise))
    }
}
