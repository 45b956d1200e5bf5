//! The message composer: Enter sends, Shift+Enter inserts a new line.

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_store::Phase;

use crate::app::use_app;

#[component]
pub fn Composer(jid: BareJid) -> impl IntoView {
    let (state, session) = use_app();
    let draft = RwSignal::new(String::new());
    let online = Memo::new(move |_| state.with_connection(|s| s.phase == Phase::Connected));
    let field = NodeRef::<html::Textarea>::new();
    // Ready to type as soon as the conversation opens (not on phones: the keyboard would
    // cover the conversation).
    Effect::new(move |_| {
        if let Some(el) = field.get() {
            let wide = window()
                .inner_width()
                .ok()
                .and_then(|w| w.as_f64())
                .unwrap_or(0.0)
                > 480.0;
            if wide {
                let _ = el.focus();
            }
        }
    });

    let send = move || {
        let body = draft.get_untracked();
        let body = body.trim();
        // Also while offline: the message waits in the outbox and goes out on reconnection.
        if body.is_empty() {
            return;
        }
        if session.get().send_message(jid.clone(), body.to_string()) {
            draft.set(String::new());
        }
    };
    let send_on_submit = send.clone();
    view! {
        <form
            class="composer"
            on:submit=move |ev: SubmitEvent| {
                ev.prevent_default();
                send_on_submit();
            }
        >
            <textarea
                aria-label="Message"
                rows="1"
                placeholder=move || {
                    if online.get() { "Write a message" } else { "Not connected: messages go out once connected" }
                }
                node_ref=field
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        send();
                    }
                }
            ></textarea>
            <button
                type="submit"
                class="primary"
                disabled=move || draft.with(|d| d.trim().is_empty())
            >
                "Send"
            </button>
        </form>
    }
}
