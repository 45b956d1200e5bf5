//! The app state's side of the offline cache: which account's cache is in use, the stored
//! credential, and what the session driver and the views ask of it.

use std::collections::HashSet;

use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::StoredCredential;

use super::{AppState, UiEvent};
use crate::persist::{self, Cache};

impl AppState {
    /// Use `jid`'s offline cache from now on: its changes are written there, and what it
    /// holds is put back into the store at once. Call after `Session::sign_in` (whose reset
    /// this follows). Returns the credential kept for the account, if any (also kept for
    /// this page's later sign-ins).
    pub async fn open_account(&self, jid: BareJid, remember: bool) -> Option<StoredCredential> {
        // Whatever is queued (the previous account's last events, the sign-in's reset)
        // belongs before the switch.
        self.flush();
        persist::note_account(&jid, remember);
        let current = self.cache.get_value();
        let cache = match current {
            Some(c) if c.account() == jid && c.remember() == remember => c,
            other => {
                if let Some(old) = other {
                    old.flush();
                    if old.account() != jid {
                        self.credential.set_value(None);
                        self.stored_login.set_value(false);
                    }
                }
                Cache::new(jid, remember)
            }
        };
        self.cache.set_value(Some(cache.clone()));
        self.store.update_value(|s| s.enable_cache());
        flush_when_leaving(*self);
        let loaded = cache.load().await;
        let credential = loaded.credential;
        self.flush();
        self.apply_now([UiEvent::Restore(Box::new(loaded.snapshot))]);
        self.restore_profiles(&cache).await;
        // Painted; now which outbox messages are this tab's to send (the others belong to
        // live tabs, which send them themselves).
        persist::tabs::claim().await;
        let outbox = persist::adopt_outbox(loaded.outbox);
        if !outbox.is_empty() {
            self.flush();
            let changes = self
                .store
                .try_update_value(|s| s.restore_outbox(outbox))
                .unwrap_or_default();
            if changes.messages {
                self.messages.notify();
            }
        }
        // For the reconnections of this page (a sign-in with the password gets a fresh one).
        if credential.is_some() && self.credential.with_value(Option::is_none) {
            self.credential.set_value(credential.clone());
        }
        credential
    }

    /// Sign in with the credential the cache kept (a page load without the password).
    pub fn use_stored_credential(&self, c: StoredCredential) {
        self.credential.set_value(Some(c));
        self.stored_login.set_value(true);
    }

    /// The core handed out a (new) credential: use it for the next sign-ins of this page, and
    /// keep it in the cache.
    pub(super) fn keep_credential(&self, c: StoredCredential) {
        self.credential.set_value(Some(c.clone()));
        self.cache.with_value(|cache| {
            if let Some(cache) = cache {
                cache.save_credential(Some(c));
            }
        });
    }

    /// Back to the sign-in form. If the server rejected the stored credential (expired,
    /// password changed), forget it so the next page load asks for the password.
    pub(super) fn sign_in_rejected(&self) {
        if !self.stored_login.get_value() {
            return;
        }
        self.stored_login.set_value(false);
        self.credential.set_value(None);
        if let Some(cache) = self.cache.get_value() {
            cache.save_credential(None);
            let account = cache.account();
            persist::local::local_set(persist::local::REMEMBERED, None);
            persist::local::session_set(persist::local::TAB_ACCOUNT, None);
            persist::local::local_set(persist::local::ADDRESS, Some(&account.to_string()));
        }
    }

    /// Signed out: delete the account's cache, stored credential and storage entries.
    pub(super) fn forget_account(&self) {
        self.credential.set_value(None);
        self.stored_login.set_value(false);
        if let Some(cache) = self.cache.try_update_value(Option::take).flatten() {
            wasm_bindgen_futures::spawn_local(async move { cache.wipe().await });
        }
    }

    /// What a new `Client` needs from the cache layer: this tab's resource, the stored
    /// credential, and the cached roster's version. (Called by the session driver for each
    /// connection attempt.)
    pub fn sign_in_extras(&self) -> (String, Option<StoredCredential>, Option<String>) {
        let roster_ver = self.store.with_value(|s| s.roster_ver.clone());
        let credential = self.credential.get_value().map(drop_expired_token);
        (persist::tabs::resource(), credential, roster_ver)
    }

    /// Page older messages of `peer` in from the cache (scroll-up): up to `max`, from before
    /// the oldest one in memory. Returns how many were new; 0 means the cache has nothing
    /// older (ask the server's archive).
    pub async fn load_older(&self, peer: BareJid, max: u32) -> usize {
        // From the oldest shown, leaving out what is shown of that same millisecond.
        let bound = self.store.with_value(|s| {
            let c = s.conversations.get(&peer)?;
            let at = c.oldest()?.at;
            let shown: HashSet<String> = c
                .messages
                .iter()
                .take_while(|m| m.at == at)
                .map(|m| persist::codec::message_key(&peer, &m.key()))
                .collect();
            Some((at, shown))
        });
        let older = match (self.cache.get_value(), bound) {
            (Some(cache), Some((at, shown))) => cache.older(&peer, at, max, &shown).await,
            _ => Vec::new(),
        };
        self.flush();
        let added = self
            .store
            .try_update_value(|s| {
                let added = s.insert_older(&peer, older);
                if added == 0 {
                    // Nothing older here: what is left is only in the server's archive.
                    if let Some(c) = s.conversations.get_mut(&peer) {
                        c.truncated = false;
                    }
                }
                added
            })
            .unwrap_or(0);
        self.messages.notify();
        added
    }
}

/// A FAST token past its expiry (by this browser's clock) only costs a failed round trip:
/// leave it out, the SCRAM secret still signs in.
fn drop_expired_token(mut c: StoredCredential) -> StoredCredential {
    let now_s = (js_sys::Date::now() / 1000.0) as i64;
    if c.fast
        .as_ref()
        .is_some_and(|f| f.expires_at_unix().is_some_and(|t| t <= now_s))
    {
        c.fast = None;
    }
    c
}

/// Write what is pending when the page goes away (reload, tab closed) or to the background:
/// the batch delay must not cost the last changes.
fn flush_when_leaving(state: AppState) {
    thread_local! {
        static DONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if DONE.with(|d| d.replace(true)) {
        return;
    }
    let flush = move || {
        state.flush();
        state.cache.with_value(|c| {
            if let Some(c) = c {
                c.flush();
            }
        });
    };
    let on_hide = flush;
    std::mem::forget(window_event_listener(leptos::ev::pagehide, move |_| {
        on_hide()
    }));
    std::mem::forget(window_event_listener(
        leptos::ev::visibilitychange,
        move |_| {
            if document().hidden() {
                flush();
            }
        },
    ));
}
