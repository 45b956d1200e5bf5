//! The `Connection` status and the error `alert`.

use leptos::prelude::*;
use natter_store::Phase;

use crate::app::use_app;
use crate::state::UiEvent;

/// `role=status`, named `Connection`: "Connected · WebSocket".
#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let (state, _) = use_app();
    let phase = Memo::new(move |_| state.with_connection(|s| s.phase));
    let transport =
        Memo::new(move |_| state.with_connection(|s| s.transport.unwrap_or("WebSocket")));
    let token = move || match phase.get() {
        Phase::Connected => "connected",
        Phase::Connecting => "connecting",
        Phase::Reconnecting => "reconnecting",
        Phase::Offline => "offline",
    };
    view! {
        <div role="status" aria-label="Connection" class="conn" data-phase=token>
            <span class="conn-dot" aria-hidden="true"></span>
            <span class="conn-text">{move || phase.get().label()} " · " {move || transport.get()}</span>
        </div>
    }
}

/// The last error in plain words, as an `alert`, with a button to dismiss it.
#[component]
pub fn ErrorAlert() -> impl IntoView {
    let (state, session) = use_app();
    let error = Memo::new(move |_| state.with_connection(|s| s.error.clone()));
    move || {
        error.get().map(|text| {
            view! {
                <div class="alert-row">
                    <div role="alert" class="alert">{text}</div>
                    <button
                        type="button"
                        class="icon-btn"
                        aria-label="Dismiss message"
                        title="Dismiss"
                        on:click=move |_| session.get().local(UiEvent::Error(None))
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}
