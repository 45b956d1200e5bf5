//! The sign-in form.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use natter_store::Phase;

use crate::app::use_app;
use crate::dom;
use crate::endpoint;
use crate::i18n::{contract, t};
use crate::persist::local::{ADDRESS as KEY_ADDRESS, REMEMBERED, SERVICE as KEY_SERVICE};
use crate::session::LoginRequest;
use crate::state::UiEvent;
use crate::view::{ConnectionStatus, ErrorAlert};

#[component]
pub fn LoginView() -> impl IntoView {
    let (state, session) = use_app();
    let address = RwSignal::new(
        dom::query_param("jid")
            .or_else(|| dom::load(KEY_ADDRESS))
            .unwrap_or_default(),
    );
    let service = RwSignal::new(
        dom::query_param("service")
            .or_else(|| dom::load(KEY_SERVICE))
            .unwrap_or_default(),
    );
    let password = RwSignal::new(String::new());
    // Sign in by itself on the next visits (with a credential derived from the password,
    // never the password). Off by default: a shared computer must not keep the account.
    let remember = RwSignal::new(dom::load(REMEMBERED).is_some());
    let busy = Memo::new(move |_| state.with_connection(|s| s.phase == Phase::Connecting));

    let fail = move |message: String| session.get().local(UiEvent::Error(Some(message)));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let jid = match endpoint::parse_account(&address.get_untracked()) {
            Ok(jid) => jid,
            Err(e) => return fail(e),
        };
        let pass = password.get_untracked();
        if pass.is_empty() {
            return fail(t("login-password-empty"));
        }
        let url = service.get_untracked();
        // Empty: the session driver discovers the endpoints (XEP-0156) and falls back from
        // WebSocket to BOSH by itself.
        let endpoint = match endpoint::parse_endpoint(&url) {
            Ok(ep) => ep,
            Err(e) => return fail(e),
        };
        dom::save(KEY_ADDRESS, &jid.to_string());
        dom::save(KEY_SERVICE, url.trim());
        session.get().sign_in(LoginRequest {
            jid: jid.clone(),
            password: pass,
            endpoint,
        });
        // The account's cache (chats, outbox) comes back while the sign-in runs.
        let keep = remember.get_untracked();
        leptos::task::spawn_local(async move {
            state.open_account(jid, keep).await;
        });
    };

    view! {
        <main class="login-page">
            <div class="login-card">
                <div class="brand">
                    <span class="logo" aria-hidden="true">"N"</span>
                    <h1>"Natter"</h1>
                </div>
                <p class="tagline">{t("login-tagline")}</p>
                <form aria-label=contract("Sign in") class="login-form" novalidate on:submit=submit>
                    <label for="login-address">{t("login-address")}</label>
                    <input
                        id="login-address"
                        name="username"
                        type="text"
                        inputmode="email"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        aria-label=contract("Address")
                        placeholder="alice@example.org"
                        prop:value=move || address.get()
                        on:input=move |ev| address.set(event_target_value(&ev))
                        disabled=move || busy.get()
                    />
                    <label for="login-password">{t("login-password")}</label>
                    <input
                        id="login-password"
                        name="password"
                        type="password"
                        aria-label=contract("Password")
                        autocomplete="current-password"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                        disabled=move || busy.get()
                    />
                    <label for="login-service">{t("login-url")}</label>
                    <input
                        id="login-service"
                        name="service"
                        type="text"
                        aria-label=contract("Connection URL")
                        inputmode="url"
                        autocapitalize="none"
                        spellcheck="false"
                        placeholder="wss://example.org/xmpp-websocket"
                        aria-describedby="login-service-hint"
                        prop:value=move || service.get()
                        on:input=move |ev| service.set(event_target_value(&ev))
                        disabled=move || busy.get()
                    />
                    <p id="login-service-hint" class="hint">
                        {t("login-url-hint")}
                    </p>
                    <label class="check">
                        <input
                            type="checkbox"
                            name="remember"
                            aria-describedby="login-remember-hint"
                            prop:checked=move || remember.get()
                            on:change=move |ev| remember.set(event_target_checked(&ev))
                            disabled=move || busy.get()
                        />
                        {t("login-remember")}
                    </label>
                    <p id="login-remember-hint" class="hint">
                        {t("login-remember-hint")}
                    </p>
                    <ErrorAlert />
                    <button
                        type="submit"
                        class="primary"
                        aria-label=contract("Sign in")
                        disabled=move || busy.get()
                    >
                        {t("login-submit")}
                    </button>
                </form>
                <ConnectionStatus />
            </div>
        </main>
    }
}
