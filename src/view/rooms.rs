//! The `Rooms` list: one item per joined, joining or bookmarked room, with unread and
//! mention counts; and the `Join room` button that opens the join form.

use leptos::prelude::*;
use natter_core::jid::BareJid;

use crate::app::use_app;
use crate::display;
use crate::i18n::{contract, t};
use crate::room_words;
use crate::state::UiEvent;
use crate::view::invitations::InvitationList;
use crate::view::join_room::JoinRoom;

/// What one row shows; rows re-render only when this changes.
#[derive(Clone, PartialEq, Eq, Hash)]
struct RoomRow {
    jid: BareJid,
    name: String,
    joined: bool,
    unread: u32,
    mentions: u32,
    selected: bool,
}

#[component]
pub fn RoomList() -> impl IntoView {
    let (state, session) = use_app();
    let joining = RwSignal::new(false);
    let rows = Memo::new(move |_| {
        state.with_roster(|s| {
            s.rooms
                .listed()
                .into_iter()
                .map(|(jid, r)| RoomRow {
                    name: s.admin.room_name(&jid, Some(r)),
                    joined: r.joined,
                    unread: r.unread,
                    mentions: r.mentions,
                    selected: s.rooms.open.as_ref() == Some(&jid),
                    jid,
                })
                .collect::<Vec<_>>()
        })
    });
    let open = move |jid: BareJid| session.get().local(UiEvent::OpenRoom(Some(jid)));
    let row = move |r: RoomRow| {
        let text = r.jid.to_string();
        let hue = display::hue(&text);
        let data_jid = text.clone();
        let (click_jid, key_jid) = (r.jid.clone(), r.jid.clone());
        view! {
            <li
                role="listitem"
                class="room-item"
                class:selected=r.selected
                class:away=!r.joined
                tabindex="0"
                data-jid=data_jid
                aria-current=r.selected.then_some("true")
                on:click=move |_| open(click_jid.clone())
                on:keydown=move |ev| {
                    if ev.key() == "Enter" || ev.key() == " " {
                        ev.prevent_default();
                        open(key_jid.clone());
                    }
                }
            >
                <span class="avatar room-avatar" style=("--hue", hue.to_string()) aria-hidden="true">
                    "#"
                </span>
                <span class="contact-text">
                    <span class="contact-name">{r.name.clone()}</span>
                    <span class="contact-sub">
                        {if r.joined { t("room-joined") } else { t("room-not-joined") }} " · " {text}
                    </span>
                </span>
                {(r.mentions > 0).then(|| view! {
                    <span class="mention-badge" title=t("room-mentions-you")>
                        "@"
                        <span class="visually-hidden">" " {room_words::mentions(r.mentions)}</span>
                    </span>
                })}
                {(r.unread > 0).then(|| view! {
                    <span class="unread" title=crate::i18n::t_args("unread-count", &[("count", r.unread.into())])>
                        {r.unread.to_string()}
                        <span class="visually-hidden">" unread"</span>
                    </span>
                })}
            </li>
        }
    };
    view! {
        <InvitationList />
        <div class="rooms-head">
            <h2 class="section-title">{t("room-list-title")}</h2>
            <button
                type="button"
                class="add-btn"
                aria-label=contract("Join room")
                aria-expanded=move || joining.get().to_string()
                on:click=move |_| joining.update(|j| *j = !*j)
            >
                <span aria-hidden="true" class="plus">"+"</span>
                " "
                {t("room-join-button")}
            </button>
        </div>
        {move || joining.get().then(|| view! { <JoinRoom on_close=move || joining.set(false) /> })}
        <ul role="list" aria-label="Rooms" class="rooms">
            <For each=move || rows.get() key=|r| r.clone() children=row />
        </ul>
        {move || rows.with(Vec::is_empty).then(|| view! { <p class="hint rooms-hint">{t("room-list-empty")}</p> })}
    }
}
