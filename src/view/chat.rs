//! The chat pane: conversation header, the `Messages` log, the composer.

use leptos::html;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::Direction;
use natter_store::{Availability, DeliveryState, StoredMessage};

use crate::app::use_app;
use crate::display;
use crate::state::UiEvent;
use crate::view::composer::Composer;
use crate::view::message::MessageItem;

#[component]
pub fn ChatPane() -> impl IntoView {
    let (state, _) = use_app();
    let open = Memo::new(move |_| state.with_roster(|s| s.open.clone()));
    move || match open.get() {
        Some(jid) => view! { <Conversation jid /> }.into_any(),
        None => view! {
            <div class="chat-empty">
                <p>"Pick a contact to start chatting."</p>
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
                None => Header {
                    name: jid.to_string(),
                    availability: Availability::Offline,
                    status: Some("not in your contacts".into()),
                },
            })
        })
    };
    // Our own bare JID, for `data-from` of outgoing messages.
    let own = Memo::new(move |_| {
        state.with_connection(|s| s.account.as_ref().map(|a| a.to_bare().to_string()))
    });
    let messages = {
        let jid = jid.clone();
        Memo::new(move |_| {
            state.with_messages(|s| {
                s.conversations
                    .get(&jid)
                    .map(|c| c.messages.clone())
                    .unwrap_or_default()
            })
        })
    };

    // Follow new messages while the reader is at the bottom.
    let log = NodeRef::<html::Div>::new();
    let at_bottom = StoredValue::new(true);
    let to_bottom = move || {
        if let Some(el) = log.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    };
    Effect::new(move |_| {
        let _count = messages.with(Vec::len);
        if log.get().is_some() && at_bottom.get_value() {
            to_bottom();
            request_animation_frame(to_bottom);
        }
    });
    let on_scroll = move |_| {
        if let Some(el) = log.get_untracked() {
            let gap = el.scroll_height() - el.scroll_top() - el.client_height();
            at_bottom.set_value(gap < 24);
        }
    };

    let hue = display::hue(&text);
    let name = move || header.with(|h| h.name.clone());
    view! {
        <section class="conversation" aria-label=move || format!("Conversation with {}", name())>
            <header class="chat-header" data-presence=move || header.with(|h| h.availability.token())>
                <button
                    type="button"
                    class="back icon-btn"
                    aria-label="Back to contacts"
                    on:click=move |_| session.get().local(UiEvent::Open(None))
                >
                    "‹"
                </button>
                <span class="avatar" style=format!("--hue:{hue}") aria-hidden="true">
                    {move || display::initial(&name())}
                    <span class="presence-dot"></span>
                </span>
                <div class="chat-title">
                    <h2 class="chat-name">{name}</h2>
                    <p class="chat-sub">
                        <span class="presence-label">
                            {move || header.with(|h| h.availability.label())}
                        </span>
                        {move || {
                            header
                                .with(|h| h.status.clone())
                                .map(|s| view! { <span class="status">" · " {s}</span> })
                        }}
                        <span class="chat-jid">" · " {text.clone()}</span>
                    </p>
                </div>
            </header>
            <div role="log" aria-label="Messages" class="log" node_ref=log on:scroll=on_scroll>
                {move || {
                    messages
                        .with(Vec::is_empty)
                        .then(|| view! { <p class="hint log-empty">"No messages yet. Say hello!"</p> })
                }}
                <For
                    each=move || messages.get()
                    key=|m: &StoredMessage| (m.msg.id.clone(), state_key(&m.state))
                    children=move |m: StoredMessage| {
                        let from = match m.msg.direction {
                            Direction::Incoming => m.msg.peer.to_string(),
                            Direction::Outgoing => {
                                own.get_untracked().unwrap_or_else(|| m.msg.from.to_bare().to_string())
                            }
                        };
                        view! { <MessageItem message=m from /> }
                    }
                />
            </div>
            <Composer jid />
        </section>
    }
}

fn state_key(s: &DeliveryState) -> u8 {
    match s {
        DeliveryState::Pending => 0,
        DeliveryState::Sent => 1,
        DeliveryState::Failed(_) => 2,
    }
}
