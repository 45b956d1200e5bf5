//! The widget's root component: its own store and session, the visitor's nickname form or the
//! sign-in form, then the one conversation (or room) the page asked for.

use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::Command;
use natter_store::Phase;

use crate::app::SessionHandle;
use crate::session::Session;
use crate::state::{AppState, UiEvent};
use crate::view::language::UiLanguage;
use crate::view::{ChatPane, ConnectionStatus, ErrorAlert, LoginView, MainView, RoomPane};
use crate::widget::events::{self, Events};
use crate::widget::visitor::VisitorForm;
use crate::widget::{Account, Embedded, Options, Target};

#[component]
pub fn WidgetApp(options: Result<Options, String>, events: Events) -> impl IntoView {
    let options = match options {
        Ok(o) => o,
        Err(e) => {
            events.emit("error", &[("message", &e)]);
            return view! { <p role="alert" class="alert widget-error">{e}</p> }.into_any();
        }
    };
    let state = AppState::new();
    let session = Session::new(state);
    session.listen_to_browser();
    provide_context(Embedded);
    provide_context(state);
    provide_context(SessionHandle::new(session.clone()));
    let lang = UiLanguage::new(options.lang.as_deref());
    provide_context(lang);
    crate::view::awareness::provide();

    let (peer, room) = match &options.target {
        Target::Contact(c) => (Some(c.clone()), None),
        Target::Room(r) => (None, Some(r.clone())),
        Target::Everything => (None, None),
    };
    events::watch(state, events.clone(), peer, room);
    // The nickname a visitor gave (or the account's local part): the room is joined with it.
    let nick = RwSignal::new(String::new());
    let anonymous = options.account == Account::Anonymous;
    if anonymous {
        nick.set(crate::widget::visitor::resume().unwrap_or_default());
    } else if let Account::Jid(jid) = &options.account {
        // The page's account is signed in on this site already (this tab, or "Remember me"):
        // sign in again at once, from the cache, as the full app does after a reload.
        if crate::persist::signed_in_account().is_some_and(|(signed_in, _)| &signed_in == jid) {
            crate::persist::boot(state, session.clone());
        }
    }
    open_target(state, options.target.clone(), nick);
    events.emit("ready", &[]);

    let target = options.target.clone();
    let kind = target_kind(&target);
    let form_options = options.clone();
    view! {
        <div
            class="app widget-app"
            data-target=kind
            data-visitor=anonymous.then_some("true")
            lang=move || lang.locale.get().tag()
        >
            {move || {
                // A new language re-renders the widget's tree (as the app's root does).
                crate::i18n::set_locale(lang.locale.get());
                if state.signed_in() {
                    match target.clone() {
                        Target::Contact(_) => view! {
                            <WidgetBar />
                            <ChatPane />
                        }
                        .into_any(),
                        Target::Room(jid) => view! {
                            <WidgetBar />
                            <RoomPane jid />
                        }
                        .into_any(),
                        Target::Everything => view! { <MainView /> }.into_any(),
                    }
                } else if anonymous {
                    view! { <VisitorForm options=form_options.clone() nick /> }.into_any()
                } else {
                    view! { <LoginView /> }.into_any()
                }
            }}
        </div>
    }
    .into_any()
}

fn target_kind(target: &Target) -> &'static str {
    match target {
        Target::Contact(_) => "contact",
        Target::Room(_) => "room",
        Target::Everything => "all",
    }
}

/// Above the conversation: the connection state and what went wrong, as in the full app.
#[component]
fn WidgetBar() -> impl IntoView {
    view! {
        <div class="widget-bar">
            <ConnectionStatus />
        </div>
        <ErrorAlert />
    }
}

/// Once online, put the page's contact on screen, or join its room with `nick` (again after a
/// new session that could not resume the old one: the room does not know us then).
fn open_target(state: AppState, target: Target, nick: RwSignal<String>) {
    let session = expect_context::<SessionHandle>();
    Effect::new(move |_| {
        let online = state.with_connection(|s| s.phase == Phase::Connected);
        if !online {
            return;
        }
        match &target {
            Target::Contact(peer) => {
                let open = state.peek(|s| s.open.clone());
                if open.as_ref() != Some(peer) {
                    session.get().local(UiEvent::Open(Some(peer.clone())));
                }
            }
            Target::Room(room) => join(state, session, room, nick.get_untracked()),
            Target::Everything => {}
        }
    });
}

fn join(state: AppState, session: SessionHandle, room: &BareJid, nick: String) {
    let in_room = state.peek(|s| s.rooms.get(room).is_some_and(|r| r.joined || r.joining));
    let nick = if nick.is_empty() {
        // A signed-in account joins under its local part.
        state
            .peek(|s| {
                s.account
                    .as_ref()
                    .and_then(|a| a.node().map(|n| n.to_string()))
            })
            .unwrap_or_else(|| "guest".into())
    } else {
        nick
    };
    if !in_room {
        session.get().command(Command::JoinRoom {
            room: room.clone(),
            nick,
            password: None,
            after: None,
        });
    }
    if state.peek(|s| s.rooms.open.as_ref() != Some(room)) {
        session.get().local(UiEvent::OpenRoom(Some(room.clone())));
    }
}
