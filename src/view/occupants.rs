//! The `Occupants` list of the open room, virtualized like the contact list (a room may have
//! thousands): fixed-height rows, only the visible ones in the DOM, each with
//! `aria-posinset`, the list and the items with `aria-setsize` = the full count.

use leptos::html;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::{Affiliation, Role};
use natter_store::Occupant;

use crate::app::use_app;
use crate::display;

/// Row height in CSS pixels.
const ROW: usize = 36;
const OVERSCAN: usize = 6;

#[component]
pub fn OccupantList(jid: BareJid) -> impl IntoView {
    let (state, _) = use_app();
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
        sorted.with(|all| {
            all[first..last]
                .iter()
                .enumerate()
                .map(|(k, o)| (first + k, o.clone()))
                .collect::<Vec<_>>()
        })
    });
    let row = move |(pos, o): (usize, Occupant)| {
        let badge = badge(o.role, o.affiliation);
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
                {o.me.then(|| view! { <span class="occupant-badge">" (you)"</span> })}
                {badge.map(|b| view! { <span class="occupant-badge">{b}</span> })}
            </li>
        }
    };
    view! {
        <h2 class="section-title">
            "People" <span class="count">{move || count.get()}</span>
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
                <For each=move || visible.get() key=|(pos, o)| (*pos, o.nick.clone(), o.role, o.affiliation, o.me) children=row />
            </ul>
        </div>
    }
}

/// A short word for the standing worth showing; ordinary participants get none.
fn badge(role: Role, affiliation: Affiliation) -> Option<&'static str> {
    match (role, affiliation) {
        (_, Affiliation::Owner) => Some("owner"),
        (_, Affiliation::Admin) => Some("admin"),
        (Role::Moderator, _) => Some("moderator"),
        (Role::Visitor, _) => Some("visitor"),
        _ => None,
    }
}
