//! A visitor's first step: the nickname, asked once; then an anonymous sign-in on the page's
//! domain (SASL ANONYMOUS, the session driver's `sign_in_anonymous`).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use natter_store::Phase;

use crate::app::use_app;
use crate::i18n::{contract, t, t_args};
use crate::session::VisitorSignIn;
use crate::state::UiEvent;
use crate::view::{ConnectionStatus, ErrorAlert};
use crate::widget::Options;

/// Longest nickname we accept: rooms refuse long ones, and it is shown to the support agent.
const MAX_NICK: usize = 40;

/// The nickname form (`Start chat`).
#[component]
pub fn VisitorForm(options: Options, nick: RwSignal<String>) -> impl IntoView {
    let (state, session) = use_app();
    let busy = Memo::new(move |_| state.with_connection(|s| s.phase == Phase::Connecting));
    let started = Memo::new(move |_| state.with_connection(|s| s.phase != Phase::Offline));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let name = nick.get_untracked().trim().to_string();
        if name.is_empty() {
            let msg = t("widget-name-empty");
            return session.get().local(UiEvent::Error(Some(msg)));
        }
        if name.chars().count() > MAX_NICK {
            let msg = t_args("widget-name-long", &[("max", MAX_NICK.into())]);
            return session.get().local(UiEvent::Error(Some(msg)));
        }
        nick.set(name.clone());
        start(&options, name);
    };
    view! {
        <div class="visitor-page">
            <form
                aria-label=contract("Start chat")
                class="login-form visitor-form"
                novalidate
                on:submit=submit
            >
                <p class="tagline">{t("widget-greeting")}</p>
                <label for="visitor-nick">{t("widget-name")}</label>
                <input
                    id="visitor-nick"
                    aria-label=contract("Your name")
                    name="nickname"
                    type="text"
                    autocomplete="nickname"
                    maxlength=MAX_NICK.to_string()
                    prop:value=move || nick.get()
                    on:input=move |ev| nick.set(event_target_value(&ev))
                    disabled=move || busy.get()
                />
                <ErrorAlert />
                <button
                    type="submit"
                    class="primary"
                    aria-label=contract("Start chat")
                    disabled=move || busy.get()
                >
                    {t("widget-start")}
                </button>
            </form>
            // Nothing to say before the visitor starts ("Offline" would only puzzle).
            {move || started.get().then(|| view! { <ConnectionStatus /> })}
        </div>
    }
}

/// Sign in as a visitor with `nick`.
fn start(options: &Options, nick: String) {
    let (_, session) = use_app();
    let (Some(endpoint), Some(domain)) = (options.visitor_endpoint(), options.domain.clone())
    else {
        // Options::parse refuses a visitor chat without a domain.
        return;
    };
    session.get().sign_in_anonymous(VisitorSignIn {
        endpoint,
        domain,
        nick,
    });
}

/// A visitor session this tab already has (after a page change of the same site): continue it
/// and return the nickname it was started with (rooms are joined again under it).
pub fn resume() -> Option<String> {
    let (_, session) = use_app();
    session.get().resume_visitor()
}
