//! Avatars in the offline cache: the images by hash (`avatars`, key `h`) and which hash each
//! account shows (`faces`, key `jid`), so a reload paints faces without fetching them again.
//! Both stores came with version 2 of the database; a version-1 cache is upgraded in place
//! (its other stores untouched). Written in small transactions of their own: images are few
//! and rare (one per hash, ever), unlike messages.

use std::sync::Arc;

use idb::{Database, KeyPath, ObjectStoreParams, TransactionMode};
use js_sys::{Object, Reflect, Uint8Array};
use natter_core::jid::BareJid;
use natter_store::{Avatar, ProfileDirty, MAX_AVATARS};
use wasm_bindgen::{JsCast, JsValue};

use super::db::Db;
use super::wait;

pub const AVATARS: &str = "avatars";
pub const FACES: &str = "faces";

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The stores of version 2, on the upgrade from version 0 or 1.
pub fn create_stores(db: &Database) -> Result<(), idb::Error> {
    let names = db.store_names();
    if !names.iter().any(|n| n == AVATARS) {
        let mut params = ObjectStoreParams::new();
        params.key_path(Some(KeyPath::new_single("h")));
        db.create_object_store(AVATARS, params)?;
    }
    if !names.iter().any(|n| n == FACES) {
        let mut params = ObjectStoreParams::new();
        params.key_path(Some(KeyPath::new_single("jid")));
        db.create_object_store(FACES, params)?;
    }
    Ok(())
}

fn field(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn avatar_to_js(a: &Avatar) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"h".into(), &a.hash.as_str().into());
    let _ = Reflect::set(&o, &"m".into(), &a.mime.as_str().into());
    let _ = Reflect::set(&o, &"b".into(), &Uint8Array::from(&a.bytes[..]).into());
    o.into()
}

/// A cached image, checked again: another version or tab may have written anything there, and
/// the image goes into an `<img>`.
pub fn avatar_from_js(v: &JsValue) -> Option<Avatar> {
    let hash = field(v, "h").as_string()?;
    let bytes = field(v, "b");
    if !bytes.is_instance_of::<Uint8Array>() {
        return None;
    }
    let bytes = bytes.unchecked_into::<Uint8Array>().to_vec();
    let (mime, bytes) = natter_core::avatar::verified(&hash, bytes)?;
    Some(Avatar {
        hash,
        mime,
        bytes: Arc::from(bytes),
    })
}

fn face_to_js(jid: &BareJid, hash: &str) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"jid".into(), &jid.to_string().into());
    let _ = Reflect::set(&o, &"h".into(), &hash.into());
    o.into()
}

fn face_from_js(v: &JsValue) -> Option<(BareJid, String)> {
    let jid = BareJid::new(&field(v, "jid").as_string()?).ok()?;
    let hash = natter_core::avatar::normalise_hash(&field(v, "h").as_string()?)?;
    Some((jid, hash))
}

impl Db {
    pub async fn write_profiles(&self, d: &ProfileDirty) -> Result<(), String> {
        if self.is_closed() {
            return Err("the cache was closed".into());
        }
        let tx = self
            .raw()
            .transaction(&[AVATARS, FACES], TransactionMode::ReadWrite)
            .map_err(err)?;
        let avatars = tx.object_store(AVATARS).map_err(err)?;
        for a in &d.avatars_put {
            avatars.put(&avatar_to_js(a), None).map_err(err)?;
        }
        for h in &d.avatars_del {
            avatars.delete(JsValue::from_str(h)).map_err(err)?;
        }
        let faces = tx.object_store(FACES).map_err(err)?;
        for (jid, hash) in &d.faces {
            match hash {
                Some(h) => faces.put(&face_to_js(jid, h), None).map(|_| ()),
                None => faces
                    .delete(JsValue::from_str(&jid.to_string()))
                    .map(|_| ()),
            }
            .map_err(err)?;
        }
        wait::transaction(tx).await
    }

    /// The cached images (at most [`MAX_AVATARS`]) and faces.
    pub async fn load_profiles(&self) -> Result<(Vec<Avatar>, Vec<(BareJid, String)>), String> {
        let tx = self
            .raw()
            .transaction(&[AVATARS, FACES], TransactionMode::ReadOnly)
            .map_err(err)?;
        let all = |name: &str| -> Result<_, String> {
            let store = tx.object_store(name).map_err(err)?;
            store.get_all(None, None).map_err(err)
        };
        let avatars = wait::request(all(AVATARS)?).await?;
        let faces = wait::request(all(FACES)?).await?;
        let list = |v: JsValue| {
            if js_sys::Array::is_array(&v) {
                js_sys::Array::from(&v).to_vec()
            } else {
                Vec::new()
            }
        };
        let avatars = list(avatars)
            .iter()
            .filter_map(avatar_from_js)
            .take(MAX_AVATARS)
            .collect();
        let faces = list(faces).iter().filter_map(face_from_js).collect();
        let _ = wait::transaction(tx).await;
        Ok((avatars, faces))
    }
}

impl super::Cache {
    /// Writes what changed about avatars, in the background.
    pub fn save_profiles(&self, d: ProfileDirty) {
        let cache = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(db) = cache.db().await {
                if let Err(e) = db.write_profiles(&d).await {
                    web_sys::console::warn_1(&format!("natter cache: avatars: {e}").into());
                }
            }
        });
    }

    /// The cached images and faces (nothing when the cache is unavailable).
    pub async fn load_profiles(&self) -> (Vec<Avatar>, Vec<(BareJid, String)>) {
        let Some(db) = self.db().await else {
            return Default::default();
        };
        db.load_profiles().await.unwrap_or_default()
    }
}
