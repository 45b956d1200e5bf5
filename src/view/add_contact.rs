//! The "Add contact" form: address and optional name → `Command::AddContact`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use natter_core::Command;

use crate::app::use_app;
use crate::endpoint;
use crate::i18n::t;

#[component]
pub fn AddContact(on_close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let (_, session) = use_app();
    let address = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let first = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = first.get() {
            let _ = input.focus();
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let jid = match endpoint::parse_contact(&address.get_untracked()) {
            Ok(jid) => jid,
            Err(e) => return error.set(Some(e)),
        };
        let name = Some(name.get_untracked().trim().to_string()).filter(|n| !n.is_empty());
        if session.get().command(Command::AddContact { jid, name }) {
            on_close();
        } else {
            error.set(Some(t("roster-add-offline")));
        }
    };

    view! {
        <div
            role="dialog"
            aria-label=t("roster-add-contact")
            class="dialog"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_close();
                }
            }
        >
            <form class="add-form" novalidate on:submit=submit>
                <label for="add-address">{t("roster-add-address")}</label>
                <input
                    id="add-address"
                    type="text"
                    inputmode="email"
                    autocapitalize="none"
                    spellcheck="false"
                    placeholder="bob@example.org"
                    node_ref=first
                    prop:value=move || address.get()
                    on:input=move |ev| address.set(event_target_value(&ev))
                />
                <label for="add-name">{t("roster-add-name")}</label>
                <input
                    id="add-name"
                    type="text"
                    placeholder=t("roster-add-name-placeholder")
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                {move || error.get().map(|e| view! { <p role="alert" class="alert small">{e}</p> })}
                <div class="dialog-actions">
                    <button type="button" class="ghost" on:click=move |_| on_close()>
                        {t("roster-add-cancel")}
                    </button>
                    <button type="submit" class="primary">{t("roster-add-submit")}</button>
                </div>
            </form>
        </div>
    }
}
