//! One IndexedDB database per account (`natter:<bare JID>`), so that signing out deletes
//! exactly that account's data. Object stores:
//!
//! - `messages` (key `k` = peer + key in the chat), index `chat` on `[p, t, q]` (a chat in
//!   time order, then arrival order) and `peer` on `p` (which chats exist);
//! - `outbox` (key `id`), `roster` (key `jid`), `chats` (key `p`: unread counts);
//! - `meta` (out-of-line keys): `meta` (roster version, last archive id, acks) and
//!   `credential` (only when the user asked to be remembered).
//!
//! Writes merge rather than overwrite where two tabs may disagree: a message record keeps the
//! later delivery state and every id either copy had (see [`natter_store::merge_cached`]).

use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;

use idb::{
    Cursor, CursorDirection, Database, DatabaseEvent, Factory, IndexParams, KeyCursor, KeyPath,
    KeyRange, ObjectStore, ObjectStoreParams, Query, TransactionMode,
};
use js_sys::Array;
use natter_core::jid::BareJid;
use natter_core::StoredCredential;
use natter_store::{merge_cached, ChatRecord, Dirty, Meta, OutboxEntry, StoredMessage};
use wasm_bindgen::{JsCast, JsValue};

use super::codec;
use super::wait;

/// 2: `avatars` and `faces` (see `persist::avatars`).
const VERSION: u32 = 2;
const MESSAGES: &str = "messages";
const OUTBOX: &str = "outbox";
const ROSTER: &str = "roster";
const CHATS: &str = "chats";
const META: &str = "meta";
const ALL: [&str; 5] = [MESSAGES, OUTBOX, ROSTER, CHATS, META];

pub fn name(account: &BareJid) -> String {
    format!("natter:{account}")
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// What the cache holds for the account, as read on load.
#[derive(Default)]
pub struct Loaded {
    pub meta: Meta,
    pub credential: Option<StoredCredential>,
    pub roster: Vec<natter_core::RosterItem>,
    pub chats: Vec<ChatRecord>,
    pub messages: Vec<StoredMessage>,
    /// With the tab (resource) that wrote each.
    pub outbox: Vec<(OutboxEntry, String)>,
}

pub struct Db {
    db: Database,
    /// Another tab deleted the database (signed out) or upgraded it: this connection was
    /// closed and must not be used (nor the database recreated by a late write).
    closed: Rc<Cell<bool>>,
}

impl Db {
    pub async fn open(account: &BareJid) -> Result<Db, String> {
        let factory = Factory::new().map_err(err)?;
        let mut request = factory.open(&name(account), Some(VERSION)).map_err(err)?;
        request.on_upgrade_needed(|event| {
            let Ok(db) = event.database() else { return };
            // Each version's stores once: an upgrade keeps what the older version holds.
            let old = event.old_version().unwrap_or(0);
            if old < 1 {
                let _ = create_stores(&db);
            }
            let _ = super::avatars::create_stores(&db);
        });
        // Hand the upgrade callback to JS: the wrapper holding it is gone before it runs.
        request.forget_callbacks();
        let raw: web_sys::IdbOpenDbRequest = request.into();
        let mut db = Database::try_from(wait::request(raw).await?).map_err(err)?;
        let closed = Rc::new(Cell::new(false));
        let flag = closed.clone();
        db.on_version_change(move |event| {
            flag.set(true);
            // Let the other tab's deletion (or upgrade) go ahead.
            if let Some(target) = event.target() {
                let close = js_sys::Reflect::get(&target, &JsValue::from_str("close"));
                if let Ok(f) = close.and_then(|f| f.dyn_into::<js_sys::Function>()) {
                    let _ = f.call0(&target);
                }
            }
        });
        Ok(Db { db, closed })
    }

    /// For the stores kept by other modules (`persist::avatars`).
    pub(super) fn raw(&self) -> &Database {
        &self.db
    }

    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    pub fn close(&self) {
        self.closed.set(true);
        self.db.close();
    }

    /// Everything for the first paint: meta, credential, roster, unread counts, the outbox,
    /// and the newest `per_chat` messages of every chat.
    pub async fn load(&self, per_chat: u32) -> Result<Loaded, String> {
        let tx = self
            .db
            .transaction(&ALL, TransactionMode::ReadOnly)
            .map_err(err)?;
        let store = |n: &str| tx.object_store(n).map_err(err);
        let meta_store = store(META)?;
        let meta = get(&meta_store, JsValue::from_str("meta"))
            .await?
            .map(|v| codec::meta_from_js(&v))
            .unwrap_or_default();
        let credential = get(&meta_store, JsValue::from_str("credential"))
            .await?
            .and_then(|v| codec::credential_from_js(&v));
        let roster = all(&store(ROSTER)?)
            .await?
            .iter()
            .filter_map(|v| codec::roster_from_js(&v))
            .collect();
        let chats = all(&store(CHATS)?)
            .await?
            .iter()
            .filter_map(|v| chat_from_js(&v))
            .collect();
        let outbox = all(&store(OUTBOX)?)
            .await?
            .iter()
            .filter_map(|v| codec::outbox_from_js(&v))
            .collect();
        let messages_store = store(MESSAGES)?;
        let mut messages = Vec::new();
        for peer in peers(&messages_store).await? {
            let mut chat = newest(
                &messages_store,
                &peer,
                f64::INFINITY,
                per_chat,
                &HashSet::new(),
            )
            .await?;
            chat.reverse();
            messages.extend(chat);
        }
        let _ = wait::transaction(tx).await;
        Ok(Loaded {
            meta,
            credential,
            roster,
            chats,
            messages,
            outbox,
        })
    }

    /// Up to `limit` messages of `peer` at or before `before_at`, oldest first (scroll-up),
    /// leaving out those whose record key (see [`codec::message_key`]) is in `shown`: the
    /// ones of that same millisecond already on screen.
    pub async fn older(
        &self,
        peer: &BareJid,
        before_at: u64,
        limit: u32,
        shown: &HashSet<String>,
    ) -> Result<Vec<StoredMessage>, String> {
        let tx = self
            .db
            .transaction(&[MESSAGES], TransactionMode::ReadOnly)
            .map_err(err)?;
        let store = tx.object_store(MESSAGES).map_err(err)?;
        let mut found = newest(&store, &peer.to_string(), before_at as f64, limit, shown).await?;
        let _ = wait::transaction(tx).await;
        found.reverse();
        Ok(found)
    }

    /// Writes one batch in one transaction. `owner`: this tab's resource, recorded on outbox
    /// entries.
    pub async fn write(&self, d: &Dirty, owner: &str) -> Result<(), String> {
        if self.is_closed() {
            return Err("the cache was closed (signed out in another tab?)".into());
        }
        let tx = self
            .db
            .transaction(&ALL, TransactionMode::ReadWrite)
            .map_err(err)?;
        let store = |n: &str| tx.object_store(n).map_err(err);
        let messages = store(MESSAGES)?;
        for m in &d.messages {
            let key = JsValue::from_str(&codec::message_key(&m.msg.peer, &m.key()));
            let cached = get(&messages, key)
                .await?
                .and_then(|v| codec::message_from_js(&v));
            let merged = merge_cached(cached, m.clone());
            messages
                .put(&codec::message_to_js(&merged), None)
                .map_err(err)?;
        }
        for (peer, key, state) in &d.states {
            let key = JsValue::from_str(&codec::message_key(peer, key));
            let cached = get(&messages, key)
                .await?
                .and_then(|v| codec::message_from_js(&v));
            if let Some(mut m) = cached {
                m.state = m.state.merge(state.clone());
                messages.put(&codec::message_to_js(&m), None).map_err(err)?;
            }
        }
        let chats = store(CHATS)?;
        for c in &d.chats {
            chats.put(&chat_to_js(c), None).map_err(err)?;
        }
        let roster = store(ROSTER)?;
        if let Some(items) = &d.roster_all {
            roster.clear().map_err(err)?;
            for i in items {
                roster.put(&codec::roster_to_js(i), None).map_err(err)?;
            }
        }
        for i in &d.roster_put {
            roster.put(&codec::roster_to_js(i), None).map_err(err)?;
        }
        for j in &d.roster_del {
            roster
                .delete(JsValue::from_str(&j.to_string()))
                .map_err(err)?;
        }
        let outbox = store(OUTBOX)?;
        for e in &d.outbox_put {
            outbox
                .put(&codec::outbox_to_js(e, owner), None)
                .map_err(err)?;
        }
        for id in &d.outbox_del {
            outbox.delete(JsValue::from_str(id)).map_err(err)?;
        }
        if let Some(meta) = &d.meta {
            let store = store(META)?;
            let key = JsValue::from_str("meta");
            let cached = get(&store, key.clone())
                .await?
                .map(|v| codec::meta_from_js(&v));
            // Acks are a fact about the server: once seen by any tab, kept.
            let mut meta = meta.clone();
            meta.acks |= cached.is_some_and(|c| c.acks);
            store
                .put(&codec::meta_to_js(&meta), Some(&key))
                .map_err(err)?;
        }
        wait::transaction(tx).await
    }

    /// Keeps (`Some`) or forgets the credential.
    pub async fn set_credential(&self, c: Option<&StoredCredential>) -> Result<(), String> {
        if self.is_closed() {
            return Ok(());
        }
        let tx = self
            .db
            .transaction(&[META], TransactionMode::ReadWrite)
            .map_err(err)?;
        let store = tx.object_store(META).map_err(err)?;
        let key = JsValue::from_str("credential");
        match c {
            Some(c) => {
                store
                    .put(&codec::credential_to_js(c), Some(&key))
                    .map_err(err)?;
            }
            None => {
                store.delete(key).map_err(err)?;
            }
        }
        wait::transaction(tx).await
    }
}

impl Drop for Db {
    // A connection left open (its `versionchange` handler goes with this value) would block
    // a later deletion (sign-out) forever.
    fn drop(&mut self) {
        self.db.close();
    }
}

/// Deletes the account's database. Other tabs' connections close on `versionchange` (see
/// [`Db::open`]), so the deletion is not blocked by them.
pub async fn delete(account: &BareJid) -> Result<(), String> {
    let factory = Factory::new().map_err(err)?;
    let raw: web_sys::IdbOpenDbRequest = factory.delete(&name(account)).map_err(err)?.into();
    wait::request(raw).await?;
    Ok(())
}

fn create_stores(db: &Database) -> Result<(), idb::Error> {
    let mut params = ObjectStoreParams::new();
    params.key_path(Some(KeyPath::new_single("k")));
    let messages = db.create_object_store(MESSAGES, params)?;
    messages.create_index(
        "chat",
        KeyPath::new_array(["p", "t", "q"]),
        Some(IndexParams::new()),
    )?;
    messages.create_index("peer", KeyPath::new_single("p"), Some(IndexParams::new()))?;
    let mut params = ObjectStoreParams::new();
    params.key_path(Some(KeyPath::new_single("id")));
    db.create_object_store(OUTBOX, params)?;
    let mut params = ObjectStoreParams::new();
    params.key_path(Some(KeyPath::new_single("jid")));
    db.create_object_store(ROSTER, params)?;
    let mut params = ObjectStoreParams::new();
    params.key_path(Some(KeyPath::new_single("p")));
    db.create_object_store(CHATS, params)?;
    db.create_object_store(META, ObjectStoreParams::new())?;
    Ok(())
}

async fn get(store: &ObjectStore, key: JsValue) -> Result<Option<JsValue>, String> {
    let v = wait::request(store.get(key).map_err(err)?).await?;
    Ok((!v.is_undefined() && !v.is_null()).then_some(v))
}

async fn all(store: &ObjectStore) -> Result<Array, String> {
    let v = wait::request(store.get_all(None, None).map_err(err)?).await?;
    Ok(if Array::is_array(&v) {
        v.into()
    } else {
        Array::new()
    })
}

/// Every conversation that has messages.
async fn peers(messages: &ObjectStore) -> Result<Vec<String>, String> {
    let index = messages.index("peer").map_err(err)?;
    let request = index
        .open_key_cursor(None, Some(CursorDirection::NextUnique))
        .map_err(err)?;
    let mut out = Vec::new();
    let mut found = wait::request(request).await?;
    while !found.is_null() && !found.is_undefined() {
        let cursor = KeyCursor::try_from(found).map_err(err)?;
        if let Some(p) = cursor.key().map_err(err)?.as_string() {
            out.push(p);
        }
        found = wait::request(cursor.next(None).map_err(err)?).await?;
    }
    Ok(out)
}

/// The newest `limit` messages of `peer` at or before `upto` (Unix ms) whose record key is
/// not in `skip`, newest first.
async fn newest(
    messages: &ObjectStore,
    peer: &str,
    upto: f64,
    limit: u32,
    skip: &HashSet<String>,
) -> Result<Vec<StoredMessage>, String> {
    let index = messages.index("chat").map_err(err)?;
    let p = JsValue::from_str(peer);
    let lower: JsValue = Array::of2(&p, &JsValue::from_f64(0.0)).into();
    // Every arrival at `upto` too (a longer array sorts after its prefix).
    let upper: JsValue = Array::of3(
        &p,
        &JsValue::from_f64(upto),
        &JsValue::from_f64(f64::INFINITY),
    )
    .into();
    let range = KeyRange::bound(&lower, &upper, Some(false), Some(false)).map_err(err)?;
    let request = index
        .open_cursor(Some(Query::KeyRange(range)), Some(CursorDirection::Prev))
        .map_err(err)?;
    let mut out = Vec::new();
    let mut found = wait::request(request).await?;
    while out.len() < limit as usize && !found.is_null() && !found.is_undefined() {
        let cursor = Cursor::try_from(found).map_err(err)?;
        let skipped = cursor
            .primary_key()
            .ok()
            .and_then(|k| k.as_string())
            .is_some_and(|k| skip.contains(&k));
        if !skipped {
            if let Some(m) = codec::message_from_js(&cursor.value().map_err(err)?) {
                out.push(m);
            }
        }
        found = wait::request(cursor.next(None).map_err(err)?).await?;
    }
    Ok(out)
}

fn chat_to_js(c: &ChatRecord) -> JsValue {
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &"p".into(), &JsValue::from_str(&c.peer.to_string()));
    let _ = js_sys::Reflect::set(&o, &"u".into(), &JsValue::from_f64(c.unread.into()));
    o.into()
}

fn chat_from_js(v: &JsValue) -> Option<ChatRecord> {
    let p = js_sys::Reflect::get(v, &"p".into()).ok()?.as_string()?;
    let u = js_sys::Reflect::get(v, &"u".into()).ok()?.as_f64()?;
    Some(ChatRecord {
        peer: BareJid::new(&p).ok()?,
        unread: u.clamp(0.0, f64::from(u32::MAX)) as u32,
    })
}
