//! The chat pane: conversation header, the `Messages` log, the composer.

use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_store::Availability;

use crate::app::use_app;
use crate::display;
use crate::i18n::{t, t_args};
use crate::state::UiEvent;
use crate::view::blocking::{BlockGuard, BlockToggle};
use crate::view::composer::Composer;
use crate::view::log::MessageLog;

#[component]
pub fn ChatPane() -> impl IntoView {
    let (state, _) = use_app();
    let open = Memo::new(move |_| state.with_roster(|s| s.open.clone()));
    move || match open.get() {
        Some(jid) => view! { <Conversation jid /> }.into_any(),
        None => view! {
            <div class="chat-empty">
                <p>{t("chat-empty")}</p>
            </div>
        }
        .into_any(),
    }
}

#[derive(Clone, PartialEq)]
struct Header {
    name: String,
    availability: Availability,
    status: Option<String>,
}

#[component]
fn Conversation(jid: BareJid) -> impl IntoView {
    let (state, session) = use_app();
    let text = jid.to_string();
    let header = {
        let jid = jid.clone();
        Memo::new(move |_| {
            state.with_roster(|s| match s.roster.get(&jid) {
                Some(c) => Header {
                    name: c.display_name(),
                    availability: c.availability(),
                    status: c.status().map(str::to_string),
                },
                // A stranger (an anonymous visitor) by the nick it gave, if any.
                None => Header {
                    name: s.display_name(&jid),
                    availability: Availability::Offline,
                    status: Some(t("chat-not-in-contacts")),
                },
            })
        })
    };
    let hue = display::hue(&text);
    crate::view::edits::provide(jid.clone());
    let name = move || header.with(|h| h.name.clone());
    view! {
        <section class="conversation" aria-label=move || t_args("chat-conversation", &[("name", name().into())])>
            <header class="chat-header" data-presence=move || header.with(|h| h.availability.token())>
                <button
                    type="button"
                    class="back icon-btn"
                    aria-label=t("chat-back")
                    on:click=move |_| session.get().local(UiEvent::Open(None))
                >
                    "‹"
                </button>
                <span class="avatar" style=("--hue", hue.to_string()) aria-hidden="true">
                    <crate::view::avatar::FaceImage jid=jid.clone() name=Signal::derive(name) />
                    <span class="presence-dot"></span>
                </span>
                <div class="chat-title">
                    <h2 class="chat-name">{name}</h2>
                    <p class="chat-sub">
                        <span class="presence-label">
                            {move || header.with(|h| display::availability(h.availability))}
                        </span>
                        {move || {
                            header
                                .with(|h| h.status.clone())
                                .map(|s| view! { <span class="status">" · " {s}</span> })
                        }}
                        <span class="chat-jid">" · " {text.clone()}</span>
                    </p>
                </div>
                <crate::view::profile::ContactDetailsButton jid=jid.clone() />
                <BlockToggle jid=jid.clone() />
            </header>
            <crate::view::awareness::ChatAwareness jid=jid.clone() name=Signal::derive(name) />
            <MessageLog jid=jid.clone() />
            <crate::view::edits::MessageMenuHost />
            <crate::view::upload_bar::UploadBar jid=jid.clone() />
            <BlockGuard jid=jid.clone()><Composer jid /></BlockGuard>
        </section>
    }
}
