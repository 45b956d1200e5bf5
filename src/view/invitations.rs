//! Invitations into rooms waiting for an answer (the `Invitations` list above `Rooms`):
//! `Accept` joins the room (with the password the invitation carries), `Decline` forgets it (telling the inviter through the room when the room passed it on).

use leptos::prelude::*;
use natter_core::Command;
use natter_core::Invitation;

use crate::app::use_app;
use crate::i18n::t;
use crate::room_words;
use crate::state::UiEvent;
use crate::view::room_actions::own_name;

#[component]
pub fn InvitationList() -> impl IntoView {
    let (state, session) = use_app();
    let invitations = Memo::new(move |_| state.with_roster(|s| s.admin.invitations.clone()));
    let row = move |inv: Invitation| {
        let room = inv.room.clone();
        let (accept_room, decline_room) = (room.clone(), room.clone());
        let password = inv.password.clone();
        let accept = move |_| {
            let room = accept_room.clone();
            let joining = session.get().command(Command::JoinRoom {
                room: room.clone(),
                nick: own_name(state),
                password: password.clone(),
                after: None,
            });
            if joining {
                session
                    .get()
                    .local(UiEvent::InvitationAnswered(room.clone()));
                session.get().local(UiEvent::OpenRoom(Some(room)));
            }
        };
        // A mediated invitation is answered through the room, so the inviter learns of it;
        // a direct one (XEP-0249) has no answer.
        let inviter = (!inv.direct).then(|| inv.from.clone());
        let decline = move |_| {
            if let Some(inviter) = inviter.clone() {
                session.get().command(Command::DeclineInvitation {
                    room: decline_room.clone(),
                    inviter,
                    reason: None,
                });
            }
            session
                .get()
                .local(UiEvent::InvitationAnswered(decline_room.clone()))
        };
        view! {
            <li role="listitem" class="invitation" data-jid=room.to_string()>
                <p class="invitation-text">{room_words::invitation(&inv)}</p>
                <div class="dialog-actions">
                    <button type="button" class="ghost small" on:click=decline>{t("room-invitation-decline")}</button>
                    <button type="button" class="primary small" on:click=accept>{t("room-invitation-accept")}</button>
                </div>
            </li>
        }
    };
    view! {
        {move || (!invitations.with(Vec::is_empty)).then(|| view! {
            <h2 class="section-title">{t("room-invitations")}</h2>
            <ul role="list" aria-label=t("room-invitations") class="invitations">
                <For each=move || invitations.get() key=|i| (i.room.clone(), i.from.to_string(), i.reason.clone()) children=row />
            </ul>
        })}
    }
}
