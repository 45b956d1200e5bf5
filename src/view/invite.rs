//! The `Invite to room` form. A direct invitation (XEP-0249) reaches the contact whatever the
//! room; a members-only room only lets in whom it was told about, so there the invitation
//! goes through the room (mediated), which makes the invitee a member where we may.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::Command;

use crate::app::use_app;
use crate::endpoint;
use crate::i18n::{t, t_args};
use crate::state::UiEvent;

#[component]
pub fn InviteForm(jid: BareJid, close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let (state, session) = use_app();
    let address = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let sent = RwSignal::new(None::<String>);
    // Whether the room is members-only decides how to invite: ask the room what it is.
    session
        .get()
        .command(Command::RoomInfo { room: jid.clone() });
    let members_only = {
        let jid = jid.clone();
        Memo::new(move |_| state.with_messages(|s| s.admin.members_only(&jid)))
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let to = match endpoint::parse_contact(&address.get_untracked()) {
            Ok(to) => to,
            Err(e) => return error.set(Some(e)),
        };
        let reason = Some(reason.get_untracked().trim().to_string()).filter(|r| !r.is_empty());
        session.get().local(UiEvent::ClearRoomFailure(jid.clone()));
        let command = Command::Invite {
            room: jid.clone(),
            to: to.clone(),
            reason,
            direct: !members_only.get_untracked(),
        };
        if session.get().command(command) {
            error.set(None);
            sent.set(Some(t_args(
                "room-invite-sent",
                &[("jid", to.to_string().into())],
            )));
            address.set(String::new());
        } else {
            error.set(Some(t("room-offline-retry")));
        }
    };
    view! {
        <form class="dialog add-form room-panel" aria-label=t("room-invite-label") novalidate on:submit=submit>
            <label for="invite-address">{t("room-invite-address")}</label>
            <input
                id="invite-address"
                type="text"
                inputmode="email"
                autocapitalize="none"
                spellcheck="false"
                autofocus
                placeholder="name@example.org"
                prop:value=move || address.get()
                on:input=move |ev| address.set(event_target_value(&ev))
            />
            <label for="invite-reason">{t("room-reason")}</label>
            <input
                id="invite-reason"
                type="text"
                placeholder=t("room-invite-reason-placeholder")
                prop:value=move || reason.get()
                on:input=move |ev| reason.set(event_target_value(&ev))
            />
            {move || members_only.get().then(|| view! {
                <p class="hint small">{t("room-invite-members-only")}</p>
            })}
            {move || error.get().map(|e| view! { <p role="alert" class="alert small">{e}</p> })}
            {move || sent.get().map(|s| view! { <p role="status" class="hint small">{s}</p> })}
            <div class="dialog-actions">
                <button type="button" class="ghost" on:click=move |_| close()>{t("room-close")}</button>
                <button type="submit" class="primary">{t("room-invite-send")}</button>
            </div>
        </form>
    }
}
