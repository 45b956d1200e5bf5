//! The root component: context, page title, sign-in form or main view.

use leptos::prelude::*;

use crate::session::Session;
use crate::state::AppState;
use crate::view::language::UiLanguage;
use crate::view::{LoginView, MainView};

/// Mount the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
    crate::dom::warm_clock_when_idle();
}

/// The whole app with a fresh store and session.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    let session = Session::new(state);
    session.listen_to_browser();
    // A remembered account: its cached roster and chats at once, then sign in.
    crate::persist::boot(state, session.clone());
    view! { <Root state session /> }
}

/// The app around a given store and session (tests feed the store synthetic events).
#[component]
pub fn Root(state: AppState, session: Session) -> impl IntoView {
    provide_context(state);
    provide_context(SessionHandle::new(session));
    // Chosen before anything renders, so the first paint is in the right language.
    let lang = use_context::<UiLanguage>().unwrap_or_else(|| UiLanguage::new(None));
    provide_context(lang);

    // The page title, notifications, the awareness settings (view/awareness.rs).
    crate::view::awareness::provide();

    view! {
        <div class="app" lang=move || lang.locale.get().tag()>
            {move || {
                // A new language re-renders everything; the store keeps what matters.
                crate::i18n::set_locale(lang.locale.get());
                if state.signed_in() {
                    view! { <MainView /> }.into_any()
                } else {
                    view! { <LoginView /> }.into_any()
                }
            }}
        </div>
    }
}

/// The session, reachable from any component (`expect_context::<SessionHandle>()`).
#[derive(Clone, Copy)]
pub struct SessionHandle(StoredValue<Session, LocalStorage>);

impl SessionHandle {
    pub fn new(session: Session) -> Self {
        SessionHandle(StoredValue::new_local(session))
    }

    pub fn get(&self) -> Session {
        self.0.get_value()
    }
}

/// The store and the session, as components use them.
pub fn use_app() -> (AppState, SessionHandle) {
    (
        expect_context::<AppState>(),
        expect_context::<SessionHandle>(),
    )
}
