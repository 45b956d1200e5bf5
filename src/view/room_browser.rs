//! Room discovery inside the `Join room` form: the rooms a chat service lists, filtered as
//! the user types; picking one fills the room address. The service is `conference.` + the
//! account's domain unless the user names another.

use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::{Command, RoomListItem};

use crate::app::use_app;
use crate::i18n::t;
use crate::state::UiEvent;

/// Most rows rendered at once: a service may list thousands; the filter narrows them.
const SHOWN: usize = 200;

#[component]
pub fn RoomBrowser(on_pick: impl Fn(BareJid) + Copy + Send + Sync + 'static) -> impl IntoView {
    let (state, session) = use_app();
    let service = RwSignal::new(state.peek(|s| {
        s.admin
            .directory
            .service
            .as_ref()
            .map(|j| j.to_string())
            .or_else(|| {
                s.account
                    .as_ref()
                    .map(|a| format!("conference.{}", a.domain()))
            })
            .unwrap_or_default()
    }));
    let filter = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let list = move || {
        let text = service.get_untracked();
        let Ok(jid) = BareJid::new(text.trim()) else {
            return error.set(Some(t("room-browser-bad-service")));
        };
        error.set(None);
        session.get().local(UiEvent::ListingRooms(jid.clone()));
        if !session.get().command(Command::ListRooms { service: jid }) {
            error.set(Some(t("room-browser-offline")));
        }
    };
    list();
    let directory = Memo::new(move |_| state.with_messages(|s| s.admin.directory.clone()));
    let infos = move |jid: &BareJid| {
        state.peek(|s| s.admin.infos.get(jid).and_then(|i| i.description.clone()))
    };
    let shown = Memo::new(move |_| {
        let f = filter.get();
        directory.with(|d| {
            d.items
                .iter()
                .filter(|i| i.matches(&f))
                .take(SHOWN)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let row = move |item: RoomListItem| {
        let jid = item.jid.clone();
        let description = infos(&jid);
        let pick = jid.clone();
        view! {
            <li role="listitem" class="public-room" data-jid=jid.to_string()>
                <button type="button" class="ghost public-room-pick" on:click=move |_| on_pick(pick.clone())>
                    <span class="contact-name">
                        {item.name.clone().unwrap_or_else(|| jid.node().map_or_else(|| jid.to_string(), |n| n.to_string()))}
                    </span>
                    <span class="contact-sub">{jid.to_string()}</span>
                    {description.map(|d| view! { <span class="contact-sub">{d}</span> })}
                </button>
            </li>
        }
    };
    view! {
        <div class="room-browser">
            <label for="browse-service">{t("room-browser-service")}</label>
            <div class="browse-row">
                <input
                    id="browse-service"
                    type="text"
                    autocapitalize="none"
                    spellcheck="false"
                    prop:value=move || service.get()
                    on:input=move |ev| service.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            list();
                        }
                    }
                />
                <button type="button" class="ghost small" on:click=move |_| list()>{t("room-browser-list")}</button>
            </div>
            <label for="browse-filter">{t("room-browser-filter")}</label>
            <input
                id="browse-filter"
                type="text"
                autocapitalize="none"
                spellcheck="false"
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev))
            />
            {move || error.get().map(|e| view! { <p role="alert" class="alert small">{e}</p> })}
            {move || directory.with(|d| d.error.clone()).map(|e| view! {
                <p role="alert" class="alert small">{e}</p>
            })}
            {move || directory.with(|d| d.loading).then(|| view! {
                <p class="hint small">{t("room-browser-listing")}</p>
            })}
            <ul role="list" aria-label=t("room-browser-public") class="public-rooms">
                <For each=move || shown.get() key=|i| (i.jid.clone(), i.name.clone()) children=row />
            </ul>
            {move || (!directory.with(|d| d.loading) && shown.with(Vec::is_empty)).then(|| view! {
                <p class="hint small">{t("room-browser-none")}</p>
            })}
        </div>
    }
}
