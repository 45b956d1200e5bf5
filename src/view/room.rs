//! The room pane: header (name, subject, `Leave room`), join or removal `alert`, the
//! `Messages` log, the composer, and the `Occupants` list.

use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::Command;

use crate::app::use_app;
use crate::display;
use crate::i18n::{t, t_args};
use crate::state::UiEvent;
use crate::view::composer::ComposerForm;
use crate::view::occupants::OccupantList;
use crate::view::room_actions::{Panel, RoomActions, RoomPanel};
use crate::view::room_log::RoomLog;

#[derive(Clone, PartialEq)]
struct Header {
    name: String,
    subject: Option<String>,
    joined: bool,
    joining: bool,
    nick: Option<String>,
    error: Option<String>,
}

#[component]
pub fn RoomPane(jid: BareJid) -> impl IntoView {
    let (state, session) = use_app();
    let text = jid.to_string();
    let header = {
        let jid = jid.clone();
        Memo::new(move |_| {
            state.with_messages(|s| {
                let r = s.rooms.get(&jid);
                Header {
                    name: s.admin.room_name(&jid, r),
                    subject: r.and_then(|r| r.subject.clone()),
                    joined: r.is_some_and(|r| r.joined),
                    joining: r.is_some_and(|r| r.joining),
                    nick: r.and_then(|r| r.nick.clone()),
                    error: r.and_then(|r| r.error.clone()),
                }
            })
        })
    };
    let hue = display::hue(&text);
    let leave = {
        let jid = jid.clone();
        move |_| {
            session
                .get()
                .command(Command::LeaveRoom { room: jid.clone() });
            session.get().local(UiEvent::OpenRoom(None));
        }
    };
    let name = move || header.with(|h| h.name.clone());
    let panel = RwSignal::new(Panel::None);
    view! {
        <section class="conversation room" aria-label=move || t_args("room-pane-label", &[("name", name().into())])>
            <header class="chat-header">
                <button
                    type="button"
                    class="back icon-btn"
                    aria-label=t("room-back-to-contacts")
                    on:click=move |_| session.get().local(UiEvent::OpenRoom(None))
                >
                    "‹"
                </button>
                <span class="avatar room-avatar" style=("--hue", hue.to_string()) aria-hidden="true">
                    "#"
                </span>
                <div class="chat-title">
                    <h2 class="chat-name">{name}</h2>
                    <p class="chat-sub room-subject">
                        {move || {
                            header.with(|h| {
                                if h.joining {
                                    t("room-joining")
                                } else {
                                    h.subject.clone().unwrap_or_else(|| t("room-no-subject"))
                                }
                            })
                        }}
                        <span class="chat-jid">" · " {text.clone()}</span>
                        {move || header.with(|h| h.nick.clone()).map(|n| view! {
                            <span class="room-nick">" · " {t_args("room-as-nick", &[("nick", n.into())])}</span>
                        })}
                    </p>
                </div>
                <div class="topbar-end">
                    <RoomActions jid=jid.clone() panel />
                    {move || header.with(|h| h.joined || h.joining).then(|| view! {
                        <button type="button" class="ghost" on:click=leave.clone()>{t("room-leave")}</button>
                    })}
                </div>
            </header>
            <RoomPanel jid=jid.clone() panel />
            {move || header.with(|h| h.error.clone()).map(|e| view! {
                <p role="alert" class="alert room-alert">{e}</p>
            })}
            <div class="room-body">
                <div class="room-main">
                    <RoomLog jid=jid.clone() />
                    <RoomComposer jid=jid.clone() />
                </div>
                <aside class="room-side" aria-label=t("room-people-label")>
                    <OccupantList jid />
                </aside>
            </div>
        </section>
    }
}

/// Sends to the whole room (`ComposerForm`: Enter sends, Shift+Enter is a new line).
#[component]
fn RoomComposer(jid: BareJid) -> impl IntoView {
    let (state, session) = use_app();
    let joined = {
        let jid = jid.clone();
        Memo::new(move |_| state.with_messages(|s| s.rooms.get(&jid).is_some_and(|r| r.joined)))
    };
    let error = RwSignal::new(None::<String>);
    let send = Callback::new(move |body: String| {
        let sent = session.get().send_group_message(jid.clone(), body);
        error.set((!sent).then(|| t("room-send-offline")));
        sent
    });
    let placeholder = Signal::derive(move || {
        if joined.get() {
            t("room-composer-placeholder")
        } else {
            t("room-composer-not-in")
        }
    });
    view! { <ComposerForm placeholder send enabled=joined error=error /> }
}
