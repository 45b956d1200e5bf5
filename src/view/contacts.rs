//! The `Contacts` list, virtualized: fixed-height rows, only the visible ones (plus a few
//! either side) in the DOM, positioned inside a list as tall as the whole roster. The list and
//! every rendered item carry `aria-setsize` (the full filtered count); items carry
//! `aria-posinset`.

use leptos::html;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_store::Availability;

use crate::app::use_app;
use crate::display;
use crate::i18n::t;
use crate::state::UiEvent;
use crate::view::blocking::BlockedBadge;

/// Row height in CSS pixels (kept in sync with `--row` in style/main.css).
pub const ROW_HEIGHT: u32 = 56;
const ROW_H: f64 = ROW_HEIGHT as f64;
/// Rows rendered beyond each edge of the viewport.
const OVERSCAN: usize = 4;

/// What one row shows; rows re-render only when this changes.
#[derive(Clone, PartialEq)]
struct RowData {
    name: String,
    availability: Availability,
    status: Option<String>,
    awaiting: bool,
    unread: u32,
    selected: bool,
}

#[component]
pub fn ContactList(filter: Signal<String>) -> impl IntoView {
    let (state, session) = use_app();
    let revision = Memo::new(move |_| state.with_roster(|s| s.roster.revision()));
    // Sorting and filtering is redone only when the roster or the filter text changes.
    let sorted = Memo::new(move |_| {
        let _revision = revision.get();
        let f = filter.get();
        state.peek(|s| s.roster.sorted(&f))
    });
    let count = Memo::new(move |_| sorted.with(Vec::len));

    let scroller = NodeRef::<html::Div>::new();
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(0.0f64);
    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            let window_h = window()
                .inner_height()
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(800.0);
            // Never more than a window's worth, even if the container is not height-bound.
            let h = f64::from(el.client_height()).min(window_h).max(ROW_H);
            if viewport.get_untracked() != h {
                viewport.set(h);
            }
            let top = f64::from(el.scroll_top());
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
    // A new filter starts at the top.
    Effect::new(move |prev: Option<String>| {
        let f = filter.get();
        if prev.is_some_and(|p| p != f) {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(0);
            }
            scroll_top.set(0.0);
        }
        f
    });

    let visible = Memo::new(move |_| {
        let n = count.get();
        let vh = viewport.get().max(ROW_H);
        let top = scroll_top.get().max(0.0);
        let first = ((top / ROW_H) as usize).saturating_sub(OVERSCAN).min(n);
        let last = (((top + vh) / ROW_H).ceil() as usize + OVERSCAN).min(n);
        sorted.with(|all| {
            all[first..last]
                .iter()
                .enumerate()
                .map(|(k, jid)| (first + k, jid.clone()))
                .collect::<Vec<_>>()
        })
    });

    let open = move |jid: BareJid| session.get().local(UiEvent::Open(Some(jid)));
    let row = move |(pos, jid): (usize, BareJid)| {
        let data = {
            let jid = jid.clone();
            Memo::new(move |_| {
                state.with_roster(|s| {
                    s.roster.get(&jid).map(|c| RowData {
                        name: c.display_name(),
                        availability: c.availability(),
                        status: c.status().map(str::to_string),
                        awaiting: c.item.ask && !c.subscribed_to(),
                        unread: s.unread(&jid),
                        selected: s.open.as_ref() == Some(&jid),
                    })
                })
            })
        };
        let text = jid.to_string();
        let hue = display::hue(&text);
        let badge_jid = jid.clone();
        let face_jid = jid.clone();
        let (click_jid, key_jid) = (jid.clone(), jid);
        let name = move || data.with(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default());
        let availability =
            move || data.with(|d| d.as_ref().map_or(Availability::Offline, |d| d.availability));
        view! {
            <li
                role="listitem"
                class="contact"
                class:selected=move || data.with(|d| d.as_ref().is_some_and(|d| d.selected))
                tabindex="0"
                data-jid=text.clone()
                data-presence=move || availability().token()
                aria-setsize=move || count.get()
                aria-posinset=pos + 1
                aria-current=move || {
                    data.with(|d| d.as_ref().is_some_and(|d| d.selected)).then_some("true")
                }
                // CSSOM properties, not a `style` attribute: the CSP has no 'unsafe-inline'.
                style:position="absolute"
                style:left="0"
                style:right="0"
                style:top=format!("{}px", pos * ROW_HEIGHT as usize)
                style:height=format!("{ROW_HEIGHT}px")
                on:click=move |_| open(click_jid.clone())
                on:keydown=move |ev| {
                    if ev.key() == "Enter" || ev.key() == " " {
                        ev.prevent_default();
                        open(key_jid.clone());
                    }
                }
            >
                <span class="avatar" style=("--hue", hue.to_string()) aria-hidden="true">
                    <crate::view::avatar::FaceImage jid=face_jid name=Signal::derive(name) />
                    <span class="presence-dot"></span>
                </span>
                <span class="contact-text">
                    <span class="contact-name">{name}</span>
                    <span class="contact-sub">
                        <span class="presence-label">{move || display::availability(availability())}</span>
                        {move || {
                            data.with(|d| {
                                let d = d.as_ref()?;
                                let extra = if d.awaiting {
                                    Some(t("roster-awaiting-approval"))
                                } else {
                                    d.status.clone()
                                };
                                extra.map(|s| view! { <span class="status">" · " {s}</span> })
                            })
                        }}
                    </span>
                </span>
                <BlockedBadge jid=badge_jid />
                {move || {
                    data.with(|d| {
                        d.as_ref().filter(|d| d.unread > 0).map(|d| {
                            view! {
                                <span class="unread" title=crate::i18n::t_args("unread-count", &[("count", d.unread.into())])>
                                    {d.unread.to_string()}
                                    <span class="visually-hidden">" unread"</span>
                                </span>
                            }
                        })
                    })
                }}
            </li>
        }
    };

    view! {
        <div
            class="contacts-scroll"
            node_ref=scroller
            style:overflow-y="auto"
            style:position="relative"
            style:min-height="0"
            style:flex="1 1 auto"
            on:scroll=move |_| measure()
        >
            <ul
                role="list"
                aria-label="Contacts"
                class="contacts"
                aria-setsize=move || count.get()
                style:position="relative"
                style:margin="0"
                style:padding="0"
                style:list-style="none"
                style:height=move || format!("{}px", count.get() * ROW_HEIGHT as usize)
            >
                <For each=move || visible.get() key=|(pos, jid)| (*pos, jid.clone()) children=row />
            </ul>
            {move || {
                (count.get() == 0)
                    .then(|| {
                        let text = if filter.with(|f| f.trim().is_empty()) {
                            t("roster-empty")
                        } else {
                            t("roster-no-match")
                        };
                        view! { <p class="hint">{text}</p> }
                    })
            }}
        </div>
    }
}
