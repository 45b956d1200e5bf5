//! The `Connection` status and the error `alert`.

use std::time::Duration;

use leptos::prelude::*;

use crate::app::use_app;
use crate::i18n::{self, contract, t, Locale};
use crate::reconnect::{self, Waiting};
use crate::state::UiEvent;

/// `role=status`, named `Connection`: "Connected · WebSocket", "Reconnecting in 7 s ·
/// WebSocket", "Offline · BOSH"; between attempts a `Retry now` button next to it.
#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let (state, session) = use_app();
    let phase = Memo::new(move |_| state.with_connection(|s| s.phase));
    let transport =
        Memo::new(move |_| state.with_connection(|s| s.transport.unwrap_or("WebSocket")));
    let waiting = session.get().waiting();

    // The countdown's clock: ticks only while an attempt is scheduled.
    let now = RwSignal::new(now_ms());
    let ticker = StoredValue::new_local(None::<IntervalHandle>);
    let stop_ticking = move || {
        if let Some(h) = ticker.try_update_value(Option::take).flatten() {
            h.clear();
        }
    };
    Effect::new(move |_| {
        let counting = matches!(waiting.get(), Waiting::Until(_));
        stop_ticking();
        now.set(now_ms());
        if counting {
            let tick = move || now.set(now_ms());
            let h = set_interval_with_handle(tick, Duration::from_millis(250)).ok();
            ticker.set_value(h);
        }
    });
    on_cleanup(stop_ticking);

    let shown = Memo::new(move |_| reconnect::status(phase.get(), waiting.get(), now.get()));
    // The contract's English words stay the status's text (tests and assistive tools read
    // them); in another language the visible words are translated and the English is kept
    // for screen readers only.
    let translated = i18n::locale() != Locale::En;
    let local = Memo::new(move |_| {
        translated.then(|| reconnect::status_local(phase.get(), waiting.get(), now.get()))
    });
    let english = move || format!("{} · {}", shown.with(|s| s.1.clone()), transport.get());
    view! {
        <div role="status" aria-label=contract("Connection") class="conn" data-phase=move || shown.with(|s| s.0)>
            <span class="conn-dot" aria-hidden="true"></span>
            {move || match local.get() {
                None => view! { <span class="conn-text">{english}</span> }.into_any(),
                Some(words) => view! {
                    <span class="conn-text" aria-hidden="true">
                        {words} " · " {move || transport.get()}
                    </span>
                    // A space: the two texts must stay separate words ("WebSocket Connected").
                    " "
                    <span class="visually-hidden">{english}</span>
                }
                .into_any(),
            }}
        </div>
        {move || {
            (waiting.get() != Waiting::No)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="ghost retry"
                            on:click=move |_| session.get().retry_now()
                        >
                            {t("conn-retry-now")}
                        </button>
                    }
                })
        }}
    }
}

fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
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
                        aria-label=t("alert-dismiss-label")
                        title=t("alert-dismiss")
                        on:click=move |_| session.get().local(UiEvent::Error(None))
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}
