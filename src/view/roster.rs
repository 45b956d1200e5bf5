//! The roster pane: filter, add contact, subscription requests, contacts, rooms.

use leptos::prelude::*;

use crate::app::use_app;
use crate::i18n::{contract, t, t_args};
use crate::view::add_contact::AddContact;
use crate::view::blocking::BlockedContactsButton;
use crate::view::requests::Requests;
use crate::view::{ContactList, RoomList};

#[component]
pub fn RosterPane() -> impl IntoView {
    let (state, _) = use_app();
    let filter = RwSignal::new(String::new());
    let adding = RwSignal::new(false);
    let total = Memo::new(move |_| state.with_roster(|s| s.roster.len()));

    view! {
        <div class="roster">
            <div class="roster-tools">
                <input
                    type="text"
                    class="filter"
                    aria-label="Filter contacts"
                    placeholder=t("roster-filter-placeholder")
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || filter.get()
                    on:input=move |ev| filter.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            filter.set(String::new());
                        }
                    }
                />
                <button
                    type="button"
                    class="add-btn"
                    aria-label=contract("Add contact")
                    aria-expanded=move || adding.get().to_string()
                    on:click=move |_| adding.update(|a| *a = !*a)
                >
                    <span aria-hidden="true" class="plus">"+"</span>
                    " "
                    {t("roster-add-contact")}
                </button>
                <BlockedContactsButton />
            </div>
            {move || adding.get().then(|| view! { <AddContact on_close=move || adding.set(false) /> })}
            <Requests />
            <h2 class="section-title">
                {t("roster-contacts-title")}
                <span
                    class="count"
                    title=move || t_args("contact-count", &[("count", total.get().into())])
                >
                    {move || total.get()}
                </span>
            </h2>
            <ContactList filter=filter.into() />
            <crate::view::stranger_chats::StrangerChats />
            <RoomList />
        </div>
    }
}
