//! Cache records as plain JS objects (what IndexedDB stores), field by field: no serde in the
//! bundle. Reading is defensive: a record another version or another tab wrote that does not
//! parse is skipped, never trusted into a panic.

use js_sys::{Array, Object, Reflect, Uint8Array};
use natter_core::jid::{BareJid, Jid};
use natter_core::{
    ChatMessage, Direction, FastToken, RosterItem, ScramSecret, StoredCredential, Subscription,
};
use natter_store::{DeliveryState, Meta, OutboxEntry, StoredMessage};
use wasm_bindgen::{JsCast, JsValue};

fn set(o: &Object, k: &str, v: impl Into<JsValue>) {
    let _ = Reflect::set(o, &JsValue::from_str(k), &v.into());
}

fn set_opt(o: &Object, k: &str, v: Option<&str>) {
    if let Some(v) = v {
        set(o, k, v);
    }
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn string(o: &JsValue, k: &str) -> Option<String> {
    get(o, k).as_string()
}

fn number(o: &JsValue, k: &str) -> Option<f64> {
    get(o, k).as_f64().filter(|n| n.is_finite() && *n >= 0.0)
}

fn flag(o: &JsValue, k: &str) -> bool {
    get(o, k).as_bool().unwrap_or(false)
}

fn bytes(o: &JsValue, k: &str) -> Option<Vec<u8>> {
    let v = get(o, k);
    v.is_instance_of::<Uint8Array>()
        .then(|| Uint8Array::from(v).to_vec())
}

/// The primary key of a message record: its conversation and its key there. The peer comes
/// first so one conversation's records sit together.
pub fn message_key(peer: &BareJid, key: &str) -> String {
    format!("{peer}\n{key}")
}

pub fn message_to_js(m: &StoredMessage) -> JsValue {
    let o = Object::new();
    set(&o, "k", message_key(&m.msg.peer, &m.key()));
    set(&o, "p", m.msg.peer.to_string());
    set(&o, "t", m.at as f64);
    // Arrival order among messages of the same millisecond.
    set(&o, "q", m.seq as f64);
    set(
        &o,
        "d",
        match m.msg.direction {
            Direction::Incoming => "i",
            Direction::Outgoing => "o",
        },
    );
    set(&o, "i", m.msg.id.as_str());
    set(&o, "f", m.msg.from.to_string());
    set(&o, "b", m.msg.body.as_str());
    set_opt(&o, "dl", m.msg.delayed.as_deref());
    set_opt(&o, "s", m.msg.stanza_id.as_deref());
    set_opt(&o, "o", m.msg.origin_id.as_deref());
    if m.msg.archived {
        set(&o, "a", true);
    }
    super::edits_codec::write(&o, &m.msg.ext.edits);
    // XEP-0333: still to be marked displayed after a reload.
    if m.msg.ext.markable {
        set(&o, "mk", true);
    }
    // XEP-0066: a shared file is still shown as the file after a reload.
    if let Some(oob) = &m.msg.ext.oob {
        set(&o, "ou", oob.url.as_str());
        set_opt(&o, "od", oob.desc.as_deref());
    }
    set(&o, "st", m.state.token());
    if let DeliveryState::Failed(reason) = &m.state {
        set(&o, "r", reason.as_str());
    }
    o.into()
}

pub fn message_from_js(v: &JsValue) -> Option<StoredMessage> {
    let direction = match string(v, "d")?.as_str() {
        "i" => Direction::Incoming,
        "o" => Direction::Outgoing,
        _ => return None,
    };
    let mut msg = ChatMessage {
        id: string(v, "i")?,
        direction,
        peer: BareJid::new(&string(v, "p")?).ok()?,
        from: Jid::new(&string(v, "f")?).ok()?,
        body: string(v, "b")?,
        delayed: string(v, "dl"),
        stanza_id: string(v, "s"),
        origin_id: string(v, "o"),
        archived: flag(v, "a"),
        ext: Default::default(),
    };
    msg.ext.edits = Box::new(super::edits_codec::read(v));
    msg.ext.markable = flag(v, "mk");
    msg.ext.oob = string(v, "ou").map(|url| {
        Box::new(natter_core::upload::OutOfBand {
            url,
            desc: string(v, "od"),
        })
    });
    Some(StoredMessage {
        msg,
        state: DeliveryState::from_token(&string(v, "st")?, string(v, "r"))?,
        at: number(v, "t")? as u64,
        seq: number(v, "q").unwrap_or(0.0) as u64,
    })
}

/// An outbox record, with the tab (resource) that owns it: only that tab sends it again,
/// unless it is gone.
pub fn outbox_to_js(e: &OutboxEntry, owner: &str) -> JsValue {
    let o = Object::new();
    set(&o, "id", e.id.as_str());
    set(&o, "p", e.peer.to_string());
    set(&o, "f", e.from.to_string());
    set(&o, "b", e.body.as_str());
    set(&o, "t", e.at as f64);
    set(&o, "sent", e.sent);
    // A reply or a shared file goes out again as one.
    super::edits_codec::write(&o, &e.ext.edits);
    if let Some(oob) = &e.ext.oob {
        set(&o, "ou", oob.url.as_str());
        set_opt(&o, "od", oob.desc.as_deref());
    }
    if e.ext.unstyled {
        set(&o, "un", true);
    }
    set(&o, "owner", owner);
    o.into()
}

pub fn outbox_from_js(v: &JsValue) -> Option<(OutboxEntry, String)> {
    let e = OutboxEntry {
        peer: BareJid::new(&string(v, "p")?).ok()?,
        id: string(v, "id")?,
        from: Jid::new(&string(v, "f")?).ok()?,
        body: string(v, "b")?,
        ext: natter_core::MessageExt {
            edits: Box::new(super::edits_codec::read(v)),
            oob: string(v, "ou").map(|url| {
                Box::new(natter_core::upload::OutOfBand {
                    url,
                    desc: string(v, "od"),
                })
            }),
            unstyled: flag(v, "un"),
            ..Default::default()
        },
        at: number(v, "t")? as u64,
        sent: flag(v, "sent"),
    };
    Some((e, string(v, "owner").unwrap_or_default()))
}

fn subscription_token(s: &Subscription) -> &'static str {
    match s {
        Subscription::None => "none",
        Subscription::From => "from",
        Subscription::To => "to",
        Subscription::Both => "both",
        Subscription::Remove => "remove",
    }
}

pub fn roster_to_js(i: &RosterItem) -> JsValue {
    let o = Object::new();
    set(&o, "jid", i.jid.to_string());
    set_opt(&o, "n", i.name.as_deref());
    set(&o, "s", subscription_token(&i.subscription));
    if i.ask {
        set(&o, "ask", true);
    }
    if !i.groups.is_empty() {
        let groups: Array = i.groups.iter().map(|g| JsValue::from_str(g)).collect();
        set(&o, "g", groups);
    }
    o.into()
}

pub fn roster_from_js(v: &JsValue) -> Option<RosterItem> {
    let subscription = match string(v, "s")?.as_str() {
        "none" => Subscription::None,
        "from" => Subscription::From,
        "to" => Subscription::To,
        "both" => Subscription::Both,
        _ => return None,
    };
    let groups = get(v, "g");
    let groups = if Array::is_array(&groups) {
        Array::from(&groups)
            .iter()
            .filter_map(|g| g.as_string())
            .collect()
    } else {
        Vec::new()
    };
    Some(RosterItem {
        jid: BareJid::new(&string(v, "jid")?).ok()?,
        name: string(v, "n"),
        subscription,
        ask: flag(v, "ask"),
        groups,
    })
}

pub fn meta_to_js(m: &Meta) -> JsValue {
    let o = Object::new();
    set_opt(&o, "rv", m.roster_ver.as_deref());
    set_opt(&o, "la", m.last_archive_id.as_deref());
    set(&o, "acks", m.acks);
    o.into()
}

pub fn meta_from_js(v: &JsValue) -> Meta {
    Meta {
        roster_ver: string(v, "rv"),
        last_archive_id: string(v, "la"),
        acks: flag(v, "acks"),
    }
}

pub fn credential_to_js(c: &StoredCredential) -> JsValue {
    let o = Object::new();
    if let Some(s) = &c.scram {
        let x = Object::new();
        set(&x, "m", s.mechanism.as_str());
        set(&x, "salt", Uint8Array::from(s.salt.as_slice()));
        set(&x, "it", s.iterations);
        set(&x, "sp", Uint8Array::from(s.salted_password.as_slice()));
        set(&o, "scram", x);
    }
    if let Some(f) = &c.fast {
        let x = Object::new();
        set(&x, "m", f.mechanism.as_str());
        set(&x, "t", f.token.as_str());
        set(&x, "e", f.expiry.as_str());
        set(&x, "c", f.client_id.as_str());
        set(&o, "fast", x);
    }
    o.into()
}

pub fn credential_from_js(v: &JsValue) -> Option<StoredCredential> {
    let scram = get(v, "scram");
    let scram = scram.is_object().then(|| {
        Some(ScramSecret {
            mechanism: string(&scram, "m")?,
            salt: bytes(&scram, "salt")?,
            iterations: number(&scram, "it")? as u32,
            salted_password: bytes(&scram, "sp")?,
        })
    });
    let fast = get(v, "fast");
    let fast = fast.is_object().then(|| {
        Some(FastToken {
            mechanism: string(&fast, "m")?,
            token: string(&fast, "t")?,
            expiry: string(&fast, "e")?,
            client_id: string(&fast, "c")?,
        })
    });
    let c = StoredCredential {
        scram: scram.flatten(),
        fast: fast.flatten(),
    };
    (!c.is_empty()).then_some(c)
}

/// A credential as text, for `sessionStorage` (a tab that was not asked to remember the
/// account keeps it only for its own reloads). Bytes go as arrays of numbers.
pub fn credential_to_text(c: &StoredCredential) -> Option<String> {
    let v = credential_to_js(c);
    // JSON has no bytes: turn the Uint8Arrays into plain arrays first.
    let scram = get(&v, "scram");
    if scram.is_object() {
        for k in ["salt", "sp"] {
            let b = get(&scram, k);
            let plain = Array::from(&b);
            let _ = Reflect::set(&scram, &JsValue::from_str(k), &plain);
        }
    }
    js_sys::JSON::stringify(&v).ok()?.as_string()
}

pub fn credential_from_text(text: &str) -> Option<StoredCredential> {
    let v = js_sys::JSON::parse(text).ok()?;
    let scram = get(&v, "scram");
    if scram.is_object() {
        for k in ["salt", "sp"] {
            let b = get(&scram, k);
            if !Array::is_array(&b) {
                return None;
            }
            let bytes: Vec<u8> = Array::from(&b)
                .iter()
                .map(|n| {
                    n.as_f64()
                        .filter(|n| (0.0..=255.0).contains(n))
                        .map(|n| n as u8)
                })
                .collect::<Option<_>>()?;
            let _ = Reflect::set(
                &scram,
                &JsValue::from_str(k),
                &Uint8Array::from(bytes.as_slice()),
            );
        }
    }
    credential_from_js(&v)
}
