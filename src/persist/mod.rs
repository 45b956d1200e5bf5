//! The offline cache behind the store: IndexedDB per account (roster and its version,
//! conversations and their newest messages, the outbox, the last archive id, the remembered
//! credential), the tab's own resource, and the page-load path that paints the cached state
//! before the network answers, then signs in with the stored credential.
//!
//! Components never come here: [`crate::state::AppState`] feeds the cache what the store
//! reports changed and asks it for older messages; the sign-in form says which account to
//! use and whether to remember it.

pub mod tabs;

#[cfg(target_arch = "wasm32")]
pub mod avatars;
#[cfg(target_arch = "wasm32")]
mod cache;
#[cfg(target_arch = "wasm32")]
pub mod codec;
#[cfg(target_arch = "wasm32")]
pub mod db;
#[cfg(target_arch = "wasm32")]
mod edits_codec;
#[cfg(target_arch = "wasm32")]
pub mod local;
#[cfg(target_arch = "wasm32")]
mod wait;

#[cfg(target_arch = "wasm32")]
pub use browser::*;

#[cfg(target_arch = "wasm32")]
mod browser {
    use natter_core::jid::BareJid;
    use natter_store::Phase;
    use wasm_bindgen_futures::spawn_local;

    pub use super::cache::{adopt_outbox, forget_account_keys, Cache, Loaded, LOAD_PER_CHAT};
    use super::{local, tabs};
    use crate::endpoint::{self, Endpoint};
    use crate::session::{LoginRequest, Session};
    use crate::state::{AppState, UiEvent};

    /// The account a new page should sign in to by itself: the one this tab was signed in to
    /// (a reload), else the remembered one.
    pub fn signed_in_account() -> Option<(BareJid, bool)> {
        let parse = |s: String| BareJid::new(s.trim()).ok();
        if let Some(jid) = local::session_get(local::TAB_ACCOUNT).and_then(parse) {
            let remembered = local::local_get(local::REMEMBERED).and_then(parse);
            let remember = remembered.as_ref() == Some(&jid);
            return Some((jid, remember));
        }
        local::local_get(local::REMEMBERED)
            .and_then(parse)
            .map(|j| (j, true))
    }

    /// Record which account this tab uses and whether the browser should remember it.
    pub fn note_account(jid: &BareJid, remember: bool) {
        let me = jid.to_string();
        local::session_set(local::TAB_ACCOUNT, Some(&me));
        if remember {
            local::local_set(local::REMEMBERED, Some(&me));
        } else if local::local_get(local::REMEMBERED).as_deref() == Some(me.as_str()) {
            local::local_set(local::REMEMBERED, None);
        }
    }

    /// Page load. With an account to sign in to, show the main view at once, fill it from
    /// the cache, then sign in with the stored credential (no credential: the form, with
    /// the address filled in). Always claims this tab's resource first thing.
    pub fn boot(state: AppState, session: Session) {
        // Before any sign-in: a duplicated tab must not reuse the original's resource.
        spawn_local(async {
            tabs::claim().await;
        });
        let Some((jid, remember)) = signed_in_account() else {
            return;
        };
        let service = local::local_get(local::SERVICE).unwrap_or_default();
        let endpoint = endpoint::parse_endpoint(&service).ok().flatten();
        // The page signs in by itself: the status says so from the first paint, while the
        // cache loads (the store's own default, Offline, would say the browser has no
        // network). Whatever the attempt meets is the session driver's to show then.
        state.apply_now([
            UiEvent::SignedIn(true),
            UiEvent::Phase(Phase::Connecting),
            UiEvent::Transport(
                endpoint
                    .as_ref()
                    .map_or("WebSocket", Endpoint::transport_name),
            ),
        ]);
        spawn_local(async move {
            let Some(credential) = state.open_account(jid.clone(), remember).await else {
                state.apply_now([UiEvent::SignedIn(false), UiEvent::Phase(Phase::Offline)]);
                return;
            };
            state.use_stored_credential(credential);
            session.sign_in_restored(LoginRequest {
                jid,
                password: String::new(),
                endpoint,
            });
        });
    }
}
