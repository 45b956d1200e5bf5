//! The signed-in layout: header (account, presence, status, sign out), roster pane, chat
//! pane. At phone width only one pane shows at a time.

use leptos::prelude::*;
use natter_core::{Command, Show};

use crate::app::use_app;
use crate::i18n::{contract, t};
use crate::view::{ChatPane, ConnectionStatus, ErrorAlert, PrivateChat, RoomPane, RosterPane};

#[component]
pub fn MainView() -> impl IntoView {
    let (state, session) = use_app();
    // Our address; kept while reconnecting (the store forgets the bound JID when offline).
    let account = Memo::new(move |prev: Option<&Option<String>>| {
        state
            .with_connection(|s| s.account.as_ref().map(|j| j.to_bare().to_string()))
            .or_else(|| prev.cloned().flatten())
    });
    let chat_open =
        Memo::new(move |_| state.with_roster(|s| s.open.is_some() || s.rooms.open.is_some()));
    let room_open = Memo::new(move |_| state.with_roster(|s| s.rooms.open.clone()));
    // A private chat with an occupant shows in place of its room.
    let private_open = Memo::new(move |_| state.with_roster(|s| s.private.open.clone()));

    view! {
        <div class="main" data-pane=move || if chat_open.get() { "chat" } else { "list" }>
            <header class="topbar">
                <div class="brand small">
                    <span class="logo" aria-hidden="true">"N"</span>
                    <span class="brand-name">"Natter"</span>
                </div>
                <span class="me" title=t("main-signed-in-as")>{move || account.get().unwrap_or_default()}</span>
                <div class="topbar-end">
                    <PresencePicker />
                    <crate::view::profile::ProfileButton />
                    <ConnectionStatus />
                    <crate::view::awareness::SettingsButton />
                    <button
                        type="button"
                        class="ghost"
                        aria-label=contract("Sign out")
                        on:click=move |_| session.get().sign_out()
                    >
                        {t("main-sign-out")}
                    </button>
                </div>
            </header>
            <ErrorAlert />
            <div class="panes">
                <nav class="sidebar" aria-label=t("main-sidebar")>
                    <RosterPane />
                </nav>
                <main class="chat-pane">
                    {move || match (room_open.get(), private_open.get()) {
                        (Some(open), Some((room, nick))) if open == room => {
                            view! { <PrivateChat room nick /> }.into_any()
                        }
                        (Some(jid), _) => view! { <RoomPane jid /> }.into_any(),
                        (None, _) => view! { <ChatPane /> }.into_any(),
                    }}
                </main>
            </div>
        </div>
    }
}

/// Our own availability, sent as presence.
#[component]
fn PresencePicker() -> impl IntoView {
    let (_, session) = use_app();
    let change = move |ev: leptos::ev::Event| {
        let show = match event_target_value(&ev).as_str() {
            "away" => Some(Show::Away),
            "dnd" => Some(Show::Dnd),
            "xa" => Some(Show::Xa),
            _ => None,
        };
        session
            .get()
            .command(Command::SetPresence { show, status: None });
    };
    view! {
        <select class="presence-picker" aria-label=t("presence-label") on:change=change>
            <option value="online">{t("presence-online")}</option>
            <option value="away">{t("presence-away")}</option>
            <option value="dnd">{t("presence-busy")}</option>
            <option value="xa">{t("presence-xa")}</option>
        </select>
    }
}
