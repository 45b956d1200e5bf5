//! The message composers: the one-to-one chat's, and the form all composers share (Enter
//! sends, Shift+Enter inserts a new line).

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_store::Phase;

use crate::app::use_app;
use crate::i18n::{contract, t};

#[component]
pub fn Composer(jid: BareJid) -> impl IntoView {
    let (state, _) = use_app();
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

    let edits = crate::view::edits::use_edit_state();
    let typing = crate::view::awareness::use_typing(jid.clone());
    let send = Callback::new(move |body: String| match edits {
        // A correction or a reply, when one is being written.
        Some(edits) => edits.send(body, |body| typing.send_message(body)),
        // Also while offline: the message waits in the outbox and goes out on reconnection.
        None => typing.send_message(body),
    });
    let placeholder = Signal::derive(move || {
        t(if online.get() {
            "composer-placeholder"
        } else {
            "composer-placeholder-offline"
        })
    });
    let draft = edits.map(|e| e.draft).unwrap_or_default();
    typing.watch(draft);
    let on_key = Callback::new(move |ev: KeyboardEvent| edits.is_some_and(|e| e.key(&ev)));
    view! {
        <crate::view::edits::ComposerMode />
        <ComposerForm placeholder send field draft on_key />
    }
}

/// The form every composer shares (chat, room, private): a `Message` textarea where Enter
/// sends and Shift+Enter is a new line, and `Send`. `send` gets the trimmed, non-empty text
/// and says whether it went: the draft is cleared then, and kept otherwise. `enabled: false`
/// (not in the room, the occupant gone) disables `Send`; `error` shows as an alert above.
#[component]
pub fn ComposerForm(
    #[prop(into)] placeholder: Signal<String>,
    send: Callback<String, bool>,
    #[prop(optional, into)] enabled: Option<Signal<bool>>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
    #[prop(optional)] field: Option<NodeRef<html::Textarea>>,
    // The caller's own draft (so it can fill it in), and keys it handles first (`true`: used).
    #[prop(optional)] draft: Option<RwSignal<String>>,
    #[prop(optional)] on_key: Option<Callback<KeyboardEvent, bool>>,
) -> impl IntoView {
    let draft = draft.unwrap_or_default();
    let field = field.unwrap_or_default();
    let enabled = move || enabled.is_none_or(|e| e.get());
    let submit = move || {
        let body = draft.get_untracked().trim().to_string();
        if !body.is_empty() && send.run(body) {
            draft.set(String::new());
        }
    };
    view! {
        <form
            class="composer"
            on:submit=move |ev: SubmitEvent| {
                ev.prevent_default();
                submit();
            }
        >
            {move || {
                error
                    .and_then(|e| e.get())
                    .map(|e| view! { <p role="alert" class="alert small">{e}</p> })
            }}
            <textarea
                aria-label=contract("Message")
                rows="1"
                placeholder=move || placeholder.get()
                node_ref=field
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=move |ev: KeyboardEvent| {
                    if on_key.is_some_and(|k| k.run(ev.clone())) {
                        ev.prevent_default();
                    } else if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        submit();
                    }
                }
            ></textarea>
            <button
                type="submit"
                class="primary"
                aria-label=contract("Send")
                disabled=move || !enabled() || draft.with(|d| d.trim().is_empty())
            >
                {t("composer-send")}
            </button>
        </form>
    }
}
