//! The signed-in account's cache: opens its database, reads it back, and writes what the
//! store reports changed in batches: at most one transaction per 250 ms, however many stanzas
//! arrived (a 2,000-contact roster is one write). A message the user just wrote is written
//! at once, so that a reload right after sending cannot lose it.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::set_timeout;
use natter_core::jid::BareJid;
use natter_core::StoredCredential;
use natter_store::{Dirty, Snapshot, StoredMessage};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::db::{self, Db};
use super::{local, tabs};

/// Messages per chat read on load; older ones are paged in on scroll-up.
pub const LOAD_PER_CHAT: u32 = 100;
const BATCH_MS: u64 = 250;

#[derive(Clone)]
pub struct Cache(Rc<RefCell<Inner>>);

/// What [`Cache::load`] read.
#[derive(Default)]
pub struct Loaded {
    /// Everything but the outbox.
    pub snapshot: Snapshot,
    pub credential: Option<StoredCredential>,
    /// With the tab (resource) that wrote each entry.
    pub outbox: Vec<(natter_store::OutboxEntry, String)>,
}

/// The cached outbox entries this tab sends: its own (before a reload) and those of tabs
/// that are gone. Call once this tab knows the live ones ([`tabs::claim`]).
pub fn adopt_outbox(
    outbox: Vec<(natter_store::OutboxEntry, String)>,
) -> Vec<natter_store::OutboxEntry> {
    let me = tabs::resource();
    let alive = tabs::alive();
    outbox
        .into_iter()
        .filter(|(_, owner)| tabs::adopt(owner, &me, &alive))
        .map(|(e, _)| e)
        .collect()
}

struct Inner {
    account: BareJid,
    /// Keep the credential in the database (not only in this tab's `sessionStorage`).
    remember: bool,
    db: Option<Rc<Db>>,
    /// Changes not yet written.
    pending: Dirty,
    timer: bool,
    writing: bool,
    /// The write running now (see [`Cache::settle`]).
    last_write: Option<js_sys::Promise>,
    /// Signed out: nothing may be written again (it would recreate the database).
    wiped: bool,
    /// The database could not be opened (no IndexedDB, private mode, quota): the app works
    /// without the cache rather than retrying on every batch.
    unavailable: bool,
}

fn log(what: &str, e: &str) {
    web_sys::console::warn_1(&format!("natter cache: {what}: {e}").into());
}

impl Cache {
    pub fn new(account: BareJid, remember: bool) -> Cache {
        Cache(Rc::new(RefCell::new(Inner {
            account,
            remember,
            db: None,
            pending: Dirty::default(),
            timer: false,
            writing: false,
            last_write: None,
            wiped: false,
            unavailable: false,
        })))
    }

    pub fn account(&self) -> BareJid {
        self.0.borrow().account.clone()
    }

    pub fn remember(&self) -> bool {
        self.0.borrow().remember
    }

    pub(super) async fn db(&self) -> Option<Rc<Db>> {
        if self.0.borrow().wiped || self.0.borrow().unavailable {
            return None;
        }
        if let Some(db) = self.0.borrow().db.clone().filter(|d| !d.is_closed()) {
            return Some(db);
        }
        let account = self.account();
        match Db::open(&account).await {
            Ok(db) => {
                let db = Rc::new(db);
                let mut inner = self.0.borrow_mut();
                if inner.wiped {
                    db.close();
                    return None;
                }
                inner.db = Some(db.clone());
                Some(db)
            }
            Err(e) => {
                log("open (continuing without the offline cache)", &e);
                self.0.borrow_mut().unavailable = true;
                None
            }
        }
    }

    /// What the cache holds for the account, the credential kept with it (in the database
    /// if remembered, else in this tab's `sessionStorage`), and the cached outbox with the
    /// tab that owns each entry (see [`adopt_outbox`]).
    pub async fn load(&self) -> Loaded {
        let session_credential = local::session_get(local::TAB_CREDENTIAL)
            .and_then(|t| super::codec::credential_from_text(&t));
        let Some(db) = self.db().await else {
            return Loaded {
                credential: session_credential,
                ..Loaded::default()
            };
        };
        let loaded = match db.load(LOAD_PER_CHAT).await {
            Ok(l) => l,
            Err(e) => {
                log("load", &e);
                db::Loaded::default()
            }
        };
        Loaded {
            snapshot: Snapshot {
                meta: loaded.meta,
                roster: loaded.roster,
                chats: loaded.chats,
                messages: loaded.messages,
                outbox: Vec::new(),
            },
            credential: loaded.credential.or(session_credential),
            outbox: loaded.outbox,
        }
    }

    /// Queue changes for the next batch.
    pub fn schedule(&self, d: Dirty) {
        let urgent = !d.outbox_put.is_empty();
        let arm = {
            let mut inner = self.0.borrow_mut();
            if inner.wiped {
                return;
            }
            inner.pending.absorb(d);
            let arm = !inner.timer;
            inner.timer = true;
            arm
        };
        if urgent {
            self.flush();
        } else if arm {
            let this = self.clone();
            set_timeout(move || this.flush(), Duration::from_millis(BATCH_MS));
        }
    }

    /// Write what is pending now (one transaction), unless a write is running: then right
    /// after it.
    pub fn flush(&self) {
        let batch = {
            let mut inner = self.0.borrow_mut();
            inner.timer = false;
            if inner.writing || inner.wiped || inner.pending.is_empty() {
                return;
            }
            inner.writing = true;
            std::mem::take(&mut inner.pending)
        };
        let this = self.clone();
        let mut done = None;
        let write = js_sys::Promise::new(&mut |resolve, _| done = Some(resolve));
        self.0.borrow_mut().last_write = Some(write);
        spawn_local(async move {
            if let Some(db) = this.db().await {
                if let Err(e) = db.write(&batch, &tabs::resource()).await {
                    log("write", &e);
                }
            }
            this.0.borrow_mut().writing = false;
            if let Some(done) = done {
                let _ = done.call0(&JsValue::UNDEFINED);
            }
            this.flush();
        });
    }

    /// Waits until what was scheduled so far is written. A read that follows sees it: a page
    /// of older messages read before the batch holding them is written would skip them, and
    /// the reader would fetch them from the server's archive as if never seen.
    async fn settle(&self) {
        // Each round writes what arrived during the previous one; a steady stream of new
        // changes must not hold the read back for long.
        for _ in 0..4 {
            self.flush();
            let running = {
                let inner = self.0.borrow();
                inner.last_write.clone().filter(|_| inner.writing)
            };
            let Some(write) = running else { return };
            let _ = JsFuture::from(write).await;
        }
    }

    /// Keep (`Some`) or forget the credential: in the database when the account is
    /// remembered, else only in this tab's `sessionStorage`, for its reloads.
    pub fn save_credential(&self, c: Option<StoredCredential>) {
        let remember = self.remember();
        let text = c.as_ref().and_then(super::codec::credential_to_text);
        local::session_set(
            local::TAB_CREDENTIAL,
            if remember { None } else { text.as_deref() },
        );
        let this = self.clone();
        spawn_local(async move {
            let Some(db) = this.db().await else { return };
            let keep = if remember { c.as_ref() } else { None };
            if let Err(e) = db.set_credential(keep).await {
                log("credential", &e);
            }
        });
    }

    /// Up to `limit` messages of `peer` from before `before_at` (Unix ms), oldest first,
    /// leaving out the record keys in `shown` (see [`Db::older`]); read once what is
    /// scheduled is written.
    pub async fn older(
        &self,
        peer: &BareJid,
        before_at: u64,
        limit: u32,
        shown: &std::collections::HashSet<String>,
    ) -> Vec<StoredMessage> {
        self.settle().await;
        let Some(db) = self.db().await else {
            return Vec::new();
        };
        db.older(peer, before_at, limit, shown)
            .await
            .unwrap_or_else(|e| {
                log("older", &e);
                Vec::new()
            })
    }

    /// Sign out: forget the account here. Deletes its database and what the browser's
    /// storages hold for it; nothing is written afterwards.
    pub async fn wipe(&self) {
        let db = {
            let mut inner = self.0.borrow_mut();
            inner.wiped = true;
            inner.pending = Dirty::default();
            inner.db.take()
        };
        if let Some(db) = db {
            db.close();
        }
        let account = self.account();
        forget_account_keys(&account);
        if let Err(e) = db::delete(&account).await {
            log("delete", &e);
        }
    }
}

/// The `localStorage`/`sessionStorage` entries tied to `account`.
pub fn forget_account_keys(account: &BareJid) {
    let me = account.to_string();
    for key in [local::REMEMBERED, local::ADDRESS] {
        if local::local_get(key).as_deref() == Some(me.as_str()) {
            local::local_set(key, None);
        }
    }
    local::session_set(local::TAB_ACCOUNT, None);
    local::session_set(local::TAB_CREDENTIAL, None);
}
