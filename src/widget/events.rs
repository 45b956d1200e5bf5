//! What the widget tells its element (widget.js turns each call into a bubbling, composed
//! `xmpp-chat:<type>` event on `<xmpp-chat>`): `ready`, and `message` for each message that
//! arrives while the widget runs.

use std::collections::HashSet;

use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::Direction;
use wasm_bindgen::JsValue;

use crate::state::AppState;

#[derive(Clone)]
pub struct Events(js_sys::Function);

impl Events {
    pub fn new(f: js_sys::Function) -> Self {
        Events(f)
    }

    /// Calls the element's callback; a throwing listener is its page's problem, not ours.
    pub fn emit(&self, kind: &str, detail: &[(&str, &str)]) {
        let obj = js_sys::Object::new();
        for (k, v) in detail {
            let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), &JsValue::from_str(v));
        }
        let _ = self
            .0
            .call2(&JsValue::NULL, &JsValue::from_str(kind), &obj.into());
    }
}

/// How long before the mount a message may have been sent and still count as new: the
/// transcript restored after a page change is old news, a reply that waited for the new page
/// (stream resumption delivers it on arrival) is not.
const FRESH_MS: u64 = 5_000;

/// Emits `message` for every incoming message of the conversation with `peer`, or of the
/// room `room` from anyone but us, that appears after the widget was mounted.
pub fn watch(state: AppState, events: Events, peer: Option<BareJid>, room: Option<BareJid>) {
    let since = (js_sys::Date::now() as u64).saturating_sub(FRESH_MS);
    let seen = StoredValue::new(HashSet::<String>::new());
    let events = StoredValue::new_local(events);
    Effect::new(move |_| {
        let mut fresh = Vec::new();
        state.with_messages(|s| {
            if let Some(c) = peer.as_ref().and_then(|p| s.conversations.get(p)) {
                for m in &c.messages {
                    // Archived too: a message that reached the account while it was signing
                    // in comes from the archive catch-up, and is as new as a live one.
                    if m.msg.direction == Direction::Incoming && m.at >= since {
                        fresh.push((m.key(), m.msg.peer.to_string(), m.msg.body.clone()));
                    }
                }
            }
            if let Some(r) = room.as_ref().and_then(|j| s.rooms.get(j)) {
                for l in &r.log.lines {
                    let ours = r.nick.as_deref() == Some(l.msg.nick.as_str());
                    if !ours
                        && !l.pending
                        && !l.msg.archived
                        && !l.msg.nick.is_empty()
                        && l.at >= since
                    {
                        let from = format!("{}/{}", l.msg.room, l.msg.nick);
                        fresh.push((l.key(), from, l.msg.body.clone()));
                    }
                }
            }
        });
        for (key, from, body) in fresh {
            if seen.try_update_value(|s| s.insert(key)).unwrap_or(false) {
                events.with_value(|e| e.emit("message", &[("from", &from), ("body", &body)]));
            }
        }
    });
}
