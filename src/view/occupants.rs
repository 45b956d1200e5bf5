//! The `Occupants` list of the open room, virtualized like the contact list (a room may have
//! thousands): fixed-height rows, only the visible ones in the DOM, each with
//! `aria-posinset`, the list and the items with `aria-setsize` = the full count.
//!
//! Every other occupant's row has `Actions for NICK` (see `occupant_actions`) and the count
//! of its unread private messages.

use leptos::html;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_store::Occupant;
use wasm_bindgen::JsCast;

use crate::app::use_app;
use crate::display;
use crate::i18n::{t, t_args};
use crate::room_words;
use crate::view::occupant_actions::{MenuAt, OccupantMenu, Powers, Removal, RemovalDialog};

/// Row height in CSS pixels.
const ROW: usize = 36;
const OVERSCAN: usize = 6;

#[component]
pub fn OccupantList(jid: BareJid) -> impl IntoView {
    let (state, _) = use_app();
    let powers = {
        let jid = jid.clone();
        Memo::new(move |_| {
            state.with_messages(|s| {
                Powers::of(
                    s.rooms
                        .get(&jid)
                        .and_then(|r| r.occupants.values().find(|o| o.me)),
                )
            })
        })
    };
    let unread = {
        let jid = jid.clone();
        Memo::new(move |_| state.with_messages(|s| s.private.unread_by_nick(&jid)))
    };
    let menu = RwSignal::new(None::<MenuAt>);
    let dialog = RwSignal::new(None::<(Removal, Occupant)>);
    let menu_room = jid.clone();
    let dialog_room = jid.clone();
    // Moderators first, then by nick (the store keeps them by nick).
    let sorted = Memo::new(move |_| {
        state.with_messages(|s| {
            let mut v: Vec<Occupant> = s
                .rooms
                .get(&jid)
                .map(|r| r.occupants.values().cloned().collect())
                .unwrap_or_default();
            v.sort_by(|a, b| a.role.cmp(&b.role).then_with(|| a.nick.cmp(&b.nick)));
            v
        })
    });
    let count = Memo::new(move |_| sorted.with(Vec::len));
    let scroller = NodeRef::<html::Div>::new();
    let scroll_top = RwSignal::new(0usize);
    let viewport = RwSignal::new(600usize);
    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            let h = usize::try_from(el.client_height()).unwrap_or(0).max(ROW);
            if viewport.get_untracked() != h {
                viewport.set(h);
            }
            let top = usize::try_from(el.scroll_top()).unwrap_or(0);
            if scroll_top.get_untracked() != top {
                scroll_top.set(top);
            }
        }
    };
    Effect::new(move |_| {
        if scroller.get().is_some() {
            measure();
            request_animation_frame(measure);
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let visible = Memo::new(move |_| {
        let n = count.get();
        let top = scroll_top.get();
        let first = (top / ROW).saturating_sub(OVERSCAN).min(n);
        let last = ((top + viewport.get()).div_ceil(ROW) + OVERSCAN).min(n);
        unread.with(|unread| {
            sorted.with(|all| {
                all[first..last]
                    .iter()
                    .enumerate()
                    .map(|(k, o)| {
                        (
                            first + k,
                            o.clone(),
                            unread.get(&o.nick).copied().unwrap_or(0),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let open_menu = move |ev: leptos::ev::MouseEvent, o: Occupant, pos: usize| {
        // Below the button, kept inside the window (the menu is about 12rem wide).
        let (top, left) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map_or((0.0, 0.0), |el| {
                let r = el.get_bounding_client_rect();
                let width = window()
                    .inner_width()
                    .ok()
                    .and_then(|w| w.as_f64())
                    .unwrap_or(0.0);
                (
                    r.bottom(),
                    (r.right() - 192.0).clamp(0.0, (width - 192.0).max(0.0)),
                )
            });
        menu.set(Some(MenuAt {
            occupant: o,
            top,
            left,
            trigger: actions_id(pos),
        }));
    };
    let row = move |(pos, o, unread): (usize, Occupant, u32)| {
        let badge = room_words::badge(o.role, o.affiliation);
        let actions = (!o.me).then(|| {
            let label = t_args("room-occupant-actions", &[("nick", o.nick.as_str().into())]);
            let (nick, target) = (o.nick.clone(), o.clone());
            view! {
                <button
                    type="button"
                    class="icon-btn occupant-actions"
                    id=actions_id(pos)
                    aria-label=label
                    aria-haspopup="menu"
                    aria-expanded=move || {
                        menu.with(|m| m.as_ref().is_some_and(|m| m.occupant.nick == nick)).to_string()
                    }
                    on:click=move |ev| open_menu(ev, target.clone(), pos)
                >
                    <span aria-hidden="true">"⋯"</span>
                </button>
            }
        });
        view! {
            <li
                role="listitem"
                class="occupant"
                class:me=o.me
                data-nick=o.nick.clone()
                data-role=o.role.as_str()
                aria-setsize=move || count.get()
                aria-posinset=pos + 1
                style:position="absolute"
                style:left="0"
                style:right="0"
                style:top=format!("{}px", pos * ROW)
                style:height=format!("{ROW}px")
            >
                <span class="occupant-dot" style=("--hue", display::hue(&o.nick).to_string()) aria-hidden="true"></span>
                <span class="occupant-nick">{o.nick.clone()}</span>
                {o.me.then(|| view! { <span class="occupant-badge">" " {t("room-occupant-you")}</span> })}
                {badge.map(|b| view! { <span class="occupant-badge">{b}</span> })}
                {(unread > 0).then(|| view! {
                    <span class="unread occupant-unread" title=crate::i18n::t_args("unread-count", &[("count", unread.into())])>
                        {unread.to_string()}
                        <span class="visually-hidden">" unread"</span>
                    </span>
                })}
                {actions}
            </li>
        }
    };
    view! {
        <h2 class="section-title">
            {t("room-people")}
            <span class="count">{move || count.get()}</span>
        </h2>
        <div
            class="occupants-scroll"
            node_ref=scroller
            style:overflow-y="auto"
            style:position="relative"
            style:min-height="0"
            style:flex="1 1 auto"
            on:scroll=move |_| measure()
        >
            <ul
                role="list"
                aria-label="Occupants"
                class="occupants"
                aria-setsize=move || count.get()
                style:position="relative"
                style:margin="0"
                style:padding="0"
                style:list-style="none"
                style:height=move || format!("{}px", count.get() * ROW)
            >
                <For
                    each=move || visible.get()
                    key=|(pos, o, unread)| (*pos, o.nick.clone(), o.role, o.affiliation, o.me, o.jid.is_some(), *unread)
                    children=row
                />
            </ul>
        </div>
        {move || menu.get().map(|at| view! {
            <OccupantMenu
                room=menu_room.clone()
                at
                powers=powers.get()
                on_close=move || menu.set(None)
                on_remove=move |what, o| dialog.set(Some((what, o)))
            />
        })}
        {move || dialog.get().map(|(what, occupant)| view! {
            <RemovalDialog
                room=dialog_room.clone()
                what
                occupant
                on_close=move || dialog.set(None)
            />
        })}
    }
}

/// The id of a row's `Actions for NICK` button (the menu gives it the focus back).
fn actions_id(pos: usize) -> String {
    format!("occupant-actions-{pos}")
}
