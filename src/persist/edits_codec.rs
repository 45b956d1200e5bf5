//! What corrections, retractions, reactions and replies did to a cached message
//! (`natter_core::edits`), as one sub-object `e` of its record. Read back defensively:
//! reactions are checked again, anything unparsable is left out.

use js_sys::{Array, Object, Reflect};
use natter_core::edits::{valid_reaction, Applied, Edits, Reply, MAX_REACTIONS, QUOTE_CHARS};
use natter_core::jid::Jid;
use wasm_bindgen::{JsCast, JsValue};

fn set(o: &Object, k: &str, v: impl Into<JsValue>) {
    let _ = Reflect::set(o, &JsValue::from_str(k), &v.into());
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn stamp(o: &JsValue, k: &str) -> u64 {
    get(o, k)
        .as_f64()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map_or(0, |n| n as u64)
}

fn strings(list: &[String]) -> Array {
    list.iter().map(|s| JsValue::from_str(s)).collect()
}

fn reactions(o: &JsValue, k: &str) -> Vec<String> {
    let v = get(o, k);
    let Some(array) = v.dyn_ref::<Array>() else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for r in array.iter().filter_map(|r| r.as_string()) {
        if out.len() < MAX_REACTIONS && valid_reaction(&r) && !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// Adds the `e` sub-object to a message record, when there is anything to keep.
pub fn write(record: &Object, edits: &Edits) {
    let a = &edits.applied;
    if edits.reply.is_none() && *a == Applied::default() {
        return;
    }
    let e = Object::new();
    if let Some(r) = &edits.reply {
        let o = Object::new();
        set(&o, "id", r.id.as_str());
        if let Some(to) = &r.to {
            set(&o, "to", to.to_string());
        }
        if let Some(q) = &r.quote {
            set(&o, "q", q.as_str());
        }
        set(&e, "r", o);
    }
    if a.edited_at != 0 {
        set(&e, "ea", a.edited_at as f64);
    }
    if a.retracted {
        set(&e, "x", true);
    }
    if !a.mine.is_empty() || a.mine_at != 0 {
        set(&e, "m", strings(&a.mine));
        set(&e, "ma", a.mine_at as f64);
    }
    if !a.theirs.is_empty() || a.theirs_at != 0 {
        set(&e, "t", strings(&a.theirs));
        set(&e, "ta", a.theirs_at as f64);
    }
    set(record, "e", e);
}

/// The edits kept in a message record (none when it has no `e`).
pub fn read(record: &JsValue) -> Edits {
    let e = get(record, "e");
    if !e.is_object() {
        return Edits::default();
    }
    let r = get(&e, "r");
    let reply = get(&r, "id")
        .as_string()
        .filter(|_| r.is_object())
        .map(|id| Reply {
            to: get(&r, "to")
                .as_string()
                .and_then(|t| t.parse::<Jid>().ok()),
            id,
            quote: get(&r, "q")
                .as_string()
                .map(|q| q.chars().take(QUOTE_CHARS).collect()),
            fallback: None,
        });
    let retracted = get(&e, "x").as_bool().unwrap_or(false);
    let applied = if retracted {
        Applied {
            retracted,
            ..Applied::default()
        }
    } else {
        Applied {
            edited_at: stamp(&e, "ea"),
            retracted,
            mine: reactions(&e, "m"),
            mine_at: stamp(&e, "ma"),
            theirs: reactions(&e, "t"),
            theirs_at: stamp(&e, "ta"),
        }
    };
    Edits {
        reply: reply.filter(|_| !retracted),
        applied,
        ..Edits::default()
    }
}
