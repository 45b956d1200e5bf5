//! The owner's `Room settings` form over the room's typed configuration: only the fields the
//! room's form offers are shown, and only those are sent back.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::{Command, RoomConfig};
use natter_store::Settings;

use crate::app::use_app;
use crate::i18n::t;
use crate::state::UiEvent;

#[component]
pub fn SettingsPanel(
    jid: BareJid,
    close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (state, session) = use_app();
    let settings = {
        let jid = jid.clone();
        Memo::new(move |_| state.with_messages(|s| s.admin.settings.get(&jid).cloned()))
    };
    // Saved: the room's name may have changed.
    let info_jid = jid.clone();
    Effect::new(move |_| {
        if settings.with(|s| s == &Some(Settings::Saved)) {
            session.get().command(Command::RoomInfo {
                room: info_jid.clone(),
            });
        }
    });
    let done = move || {
        session
            .get()
            .local(UiEvent::RoomSettings(jid.clone(), false));
        close();
    };
    view! {
        {move || {
            let done = done.clone();
            let close_form = done.clone();
            match settings.get() {
            None => view! {
                <div class="dialog room-panel">
                    <p class="hint">{t("room-settings-not-loaded")}</p>
                    <div class="dialog-actions">
                        <button type="button" class="ghost" on:click=move |_| done()>{t("room-close")}</button>
                    </div>
                </div>
            }.into_any(),
            Some(Settings::Loading) => view! {
                <div class="dialog room-panel" aria-busy="true">
                    <p class="hint">{t("room-settings-loading")}</p>
                </div>
            }.into_any(),
            Some(Settings::Form(config)) => {
                view! { <SettingsForm config close=close_form /> }.into_any()
            }
            Some(Settings::Saved) => view! {
                <div class="dialog room-panel">
                    <p role="status" class="saved">{t("room-settings-saved")}</p>
                    <div class="dialog-actions">
                        <button type="button" class="ghost" on:click=move |_| done()>{t("room-close")}</button>
                    </div>
                </div>
            }.into_any(),
        }}}
    }
}

#[component]
fn SettingsForm(
    config: RoomConfig,
    close: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let (_, session) = use_app();
    let offered = config.clone();
    let name = RwSignal::new(config.name.clone().unwrap_or_default());
    let description = RwSignal::new(config.description.clone().unwrap_or_default());
    let persistent = RwSignal::new(config.persistent.unwrap_or(false));
    let members_only = RwSignal::new(config.members_only.unwrap_or(false));
    let public = RwSignal::new(config.public.unwrap_or(false));
    let password = RwSignal::new(config.password.clone().unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let o = &offered;
        let mut c = RoomConfig::new(o.room.clone());
        c.name = o
            .name
            .as_ref()
            .map(|_| name.get_untracked().trim().to_string());
        c.description = o
            .description
            .as_ref()
            .map(|_| description.get_untracked().trim().to_string());
        c.persistent = o.persistent.map(|_| persistent.get_untracked());
        c.members_only = o.members_only.map(|_| members_only.get_untracked());
        c.public = o.public.map(|_| public.get_untracked());
        c.password = o.password.as_ref().map(|_| password.get_untracked());
        if !session.get().command(Command::SubmitRoomConfig(c)) {
            error.set(Some(t("room-offline-retry")));
        }
    };
    let text = |id: &'static str, label: String, value: RwSignal<String>, kind: &'static str| {
        view! {
            <label for=id>{label}</label>
            <input
                id=id
                type=kind
                autocomplete="off"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        }
    };
    let check = |label: String, value: RwSignal<bool>| {
        view! {
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || value.get()
                    on:change=move |ev| value.set(event_target_checked(&ev))
                />
                " " {label}
            </label>
        }
    };
    view! {
        <form class="dialog add-form room-panel" aria-label=t("room-settings") novalidate on:submit=submit>
            {config.name.is_some().then(|| text("room-name", t("room-settings-name"), name, "text"))}
            {config.description.is_some().then(|| {
                text("room-description", t("room-settings-description"), description, "text")
            })}
            {config.persistent.is_some().then(|| check(t("room-settings-persistent"), persistent))}
            {config.members_only.is_some().then(|| check(t("room-settings-members-only"), members_only))}
            {config.public.is_some().then(|| check(t("room-settings-public"), public))}
            {config.password.is_some().then(|| {
                text("room-password", t("room-password"), password, "password")
            })}
            {move || error.get().map(|e| view! { <p role="alert" class="alert small">{e}</p> })}
            <div class="dialog-actions">
                <button type="button" class="ghost" on:click=move |_| close()>{t("room-cancel")}</button>
                <button type="submit" class="primary">{t("room-settings-save")}</button>
            </div>
        </form>
    }
}
