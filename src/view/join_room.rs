//! The "Join room" form: room address, nickname and password (if the room has one) →
//! `Command::JoinRoom`, then the room is put on screen (where a refusal, a wrong password
//! included, shows as an `alert`). `Browse rooms` lists a service's rooms to pick from.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::Command;

use crate::app::use_app;
use crate::i18n::{contract, t};
use crate::state::UiEvent;
use crate::view::room_browser::RoomBrowser;

#[component]
pub fn JoinRoom(on_close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let (state, session) = use_app();
    let address = RwSignal::new(String::new());
    // Our own name by default: the local part of the account.
    let nick = RwSignal::new(state.peek(|s| {
        s.account
            .as_ref()
            .and_then(|j| j.node().map(|n| n.to_string()))
            .unwrap_or_default()
    }));
    let password = RwSignal::new(String::new());
    let browsing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let first = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = first.get() {
            let _ = input.focus();
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = address.get_untracked();
        let room = match BareJid::new(text.trim()) {
            Ok(j) if j.node().is_some() => j,
            _ => return error.set(Some(t("room-join-bad-address"))),
        };
        let nick = nick.get_untracked().trim().to_string();
        if nick.is_empty() {
            return error.set(Some(t("room-join-no-nick")));
        }
        let command = Command::JoinRoom {
            room: room.clone(),
            nick,
            password: Some(password.get_untracked()).filter(|p| !p.is_empty()),
            after: None,
        };
        if session.get().command(command) {
            session.get().local(UiEvent::ClearRoomFailure(room.clone()));
            session.get().local(UiEvent::OpenRoom(Some(room)));
            on_close();
        } else {
            error.set(Some(t("room-join-offline")));
        }
    };

    view! {
        <div
            role="dialog"
            aria-label=t("room-join-button")
            class="dialog"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_close();
                }
            }
        >
            <form class="add-form" novalidate on:submit=submit>
                <label for="join-address">{t("room-join-address")}</label>
                <input
                    id="join-address"
                    aria-label=contract("Room address")
                    type="text"
                    inputmode="email"
                    autocapitalize="none"
                    spellcheck="false"
                    placeholder="room@conference.example.org"
                    node_ref=first
                    prop:value=move || address.get()
                    on:input=move |ev| address.set(event_target_value(&ev))
                />
                <label for="join-nick">{t("room-join-nick")}</label>
                <input
                    id="join-nick"
                    aria-label=contract("Nickname")
                    type="text"
                    autocapitalize="none"
                    spellcheck="false"
                    prop:value=move || nick.get()
                    on:input=move |ev| nick.set(event_target_value(&ev))
                />
                <label for="join-password">{t("room-password")}</label>
                <input
                    id="join-password"
                    type="password"
                    autocomplete="off"
                    placeholder=t("room-join-password-placeholder")
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                {move || error.get().map(|e| view! { <p role="alert" class="alert small">{e}</p> })}
                <button
                    type="button"
                    class="ghost small browse-btn"
                    aria-expanded=move || browsing.get().to_string()
                    on:click=move |_| browsing.update(|b| *b = !*b)
                >
                    {t("room-join-browse")}
                </button>
                {move || browsing.get().then(|| view! {
                    <RoomBrowser on_pick=move |jid: BareJid| address.set(jid.to_string()) />
                })}
                <div class="dialog-actions">
                    <button type="button" class="ghost" on:click=move |_| on_close()>
                        {t("room-cancel")}
                    </button>
                    <button type="submit" class="primary" aria-label=contract("Join")>
                        {t("room-join-submit")}
                    </button>
                </div>
            </form>
        </div>
    }
}
