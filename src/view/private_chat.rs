//! The private chat with one occupant of a room (XEP-0045 §7.5): a `region` named
//! `Private chat with NICK` in place of the room pane, with its own `Messages` log, composer
//! and `Back to room`.

use leptos::html;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::Direction;
use natter_store::PrivateLine;

use crate::app::use_app;
use crate::display;
use crate::dom;
use crate::i18n::{t, t_args};
use crate::state::UiEvent;
use crate::view::composer::ComposerForm;
use crate::view::MessageBody;

#[component]
pub fn PrivateChat(room: BareJid, nick: String) -> impl IntoView {
    let (state, session) = use_app();
    // Whether the occupant is still there (a private message to someone gone is refused).
    let present = {
        let (room, nick) = (room.clone(), nick.clone());
        Memo::new(move |_| {
            state.with_messages(|s| {
                s.rooms
                    .get(&room)
                    .is_some_and(|r| r.joined && r.occupants.contains_key(&nick))
            })
        })
    };
    let room_name = {
        let room = room.clone();
        Memo::new(move |_| {
            state.with_messages(|s| {
                s.rooms
                    .get(&room)
                    .map_or_else(|| room.to_string(), |r| r.display_name(&room))
            })
        })
    };
    let hue = display::hue(&nick).to_string();
    let label = t_args("room-private-label", &[("nick", nick.as_str().into())]);
    let gone = t_args("room-private-gone", &[("nick", nick.as_str().into())]);
    view! {
        <section role="region" class="conversation private-chat" aria-label=label>
            <header class="chat-header">
                <button
                    type="button"
                    class="ghost back-to-room"
                    on:click=move |_| session.get().local(UiEvent::OpenPrivate(None))
                >
                    <span aria-hidden="true">"‹ "</span>
                    {t("room-private-back")}
                </button>
                <span class="avatar" style=("--hue", hue) aria-hidden="true">
                    {display::initial(&nick)}
                </span>
                <div class="chat-title">
                    <h2 class="chat-name">{nick.clone()}</h2>
                    <p class="chat-sub">
                        {move || t_args("room-private-in", &[("room", room_name.get().into())])}
                    </p>
                </div>
            </header>
            {move || (!present.get()).then(|| view! { <p class="hint private-gone">{gone.clone()}</p> })}
            <PrivateLog room=room.clone() nick=nick.clone() />
            <PrivateComposer room nick present />
        </section>
    }
}

#[component]
fn PrivateLog(room: BareJid, nick: String) -> impl IntoView {
    let (state, _) = use_app();
    let lines = {
        let (room, nick) = (room.clone(), nick.clone());
        Memo::new(move |_| {
            state.with_messages(|s| {
                let me = s.rooms.get(&room).and_then(|r| r.nick.clone());
                let lines = s
                    .private
                    .get(&room, &nick)
                    .map(|t| t.messages.iter().cloned().collect::<Vec<_>>())
                    .unwrap_or_default();
                (me, lines)
            })
        })
    };
    let log = NodeRef::<html::Div>::new();
    // Follow the newest message unless the reader scrolled up.
    Effect::new(move |_| {
        lines.track();
        if let Some(el) = log.get_untracked() {
            let near_end = el.scroll_height() - el.scroll_top() - el.client_height() < 120;
            if near_end {
                request_animation_frame(move || el.set_scroll_top(el.scroll_height()));
            }
        }
    });
    let room_text = room.to_string();
    let rows = move || {
        let (me, lines) = lines.get();
        lines
            .into_iter()
            .map(|l| (me.clone().unwrap_or_default(), l))
            .collect::<Vec<_>>()
    };
    let row = move |(me, line): (String, PrivateLine)| {
        let out = line.msg.direction == Direction::Outgoing;
        let sender = if out { me } else { line.msg.nick.clone() };
        let from = format!("{room_text}/{sender}");
        let clock = dom::clock(
            line.msg
                .delayed
                .as_deref()
                .and_then(natter_store::time::parse_rfc3339_ms)
                .unwrap_or(line.at),
        );
        view! {
            <article class="msg private-msg" class:out=out data-from=from>
                <div class="bubble">
                    <p class="body">
                        <MessageBody text=line.msg.body />
                    </p>
                    <p class="meta">
                        {clock.map(|c| view! { <time datetime=c.iso title=c.full>{c.short}</time> })}
                    </p>
                </div>
            </article>
        }
    };
    view! {
        <div role="log" aria-label="Messages" class="log" node_ref=log>
            <For
                each=rows
                key=|(_, l)| (l.msg.direction == Direction::Outgoing, l.msg.id.clone())
                children=row
            />
            {move || {
                lines.with(|(_, l)| l.is_empty())
                    .then(|| view! { <p class="hint log-empty">{t("room-private-empty")}</p> })
            }}
        </div>
    }
}

/// Sends to one occupant (`ComposerForm`: Enter sends, Shift+Enter is a new line).
#[component]
fn PrivateComposer(room: BareJid, nick: String, present: Memo<bool>) -> impl IntoView {
    let (_, session) = use_app();
    let error = RwSignal::new(None::<String>);
    let send = Callback::new(move |body: String| {
        let sent = session
            .get()
            .send_private_message(room.clone(), nick.clone(), body);
        error.set((!sent).then(|| t("room-send-offline")));
        sent
    });
    let placeholder = t("room-private-placeholder");
    view! { <ComposerForm placeholder send enabled=present error=error /> }
}
