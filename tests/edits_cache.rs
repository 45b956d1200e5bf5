//! Corrections, retractions, reactions and replies in the offline cache's records: written
//! and read back, and a hostile record (another version, another tab) cleaned on the way in.
//! Run: CHROMEDRIVER=/usr/bin/chromedriver cargo test -p natter --target wasm32-unknown-unknown --test edits_cache
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect};
use natter::persist::codec;
use natter_core::edits::{Applied, Edits, Reply};
use natter_core::jid::{BareJid, Jid};
use natter_core::{ChatMessage, Direction, MessageExt};
use natter_store::{DeliveryState, StoredMessage};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn message(edits: Edits) -> StoredMessage {
    StoredMessage {
        msg: ChatMessage {
            id: "m1".into(),
            direction: Direction::Incoming,
            peer: BareJid::new("romeo@example.net").unwrap(),
            from: Jid::new("romeo@example.net/orchard").unwrap(),
            body: "corrected".into(),
            delayed: None,
            stanza_id: None,
            origin_id: None,
            archived: false,
            ext: MessageExt {
                edits: Box::new(edits),
                ..MessageExt::default()
            },
        },
        state: DeliveryState::Sent,
        at: 5,
        seq: 1,
    }
}

#[wasm_bindgen_test]
fn edits_survive_the_cache() {
    let edits = Edits {
        reply: Some(Reply {
            to: Some(Jid::new("user@example.org/natter").unwrap()),
            id: "m0".into(),
            quote: Some("the question <b>not markup</b>".into()),
            fallback: None,
        }),
        applied: Applied {
            edited_at: 1_700_000_000_000,
            retracted: false,
            mine: vec!["👍".into()],
            mine_at: 7,
            theirs: vec!["❤️".into(), "😂".into()],
            theirs_at: 9,
        },
        ..Edits::default()
    };
    let m = message(edits.clone());
    let back = codec::message_from_js(&codec::message_to_js(&m)).expect("the record reads back");
    assert_eq!(*back.msg.ext.edits, edits);
    assert_eq!(back.msg.body, "corrected");
    // A plain message has no `e` at all.
    let plain = codec::message_to_js(&message(Edits::default()));
    assert!(Reflect::get(&plain, &"e".into()).unwrap().is_undefined());
}

#[wasm_bindgen_test]
fn a_retraction_keeps_nothing_else() {
    let m = message(Edits {
        applied: Applied {
            retracted: true,
            ..Applied::default()
        },
        ..Edits::default()
    });
    let v = codec::message_to_js(&m);
    // A record that says retracted and still carries reactions and a reply (a hostile or
    // older writer) comes back retracted only.
    let e = Reflect::get(&v, &"e".into()).unwrap();
    let mine = Array::of1(&JsValue::from_str("👍"));
    Reflect::set(&e, &"m".into(), &mine).unwrap();
    let reply = Object::new();
    Reflect::set(&reply, &"id".into(), &"m0".into()).unwrap();
    Reflect::set(&e, &"r".into(), &reply).unwrap();
    let back = codec::message_from_js(&v).unwrap();
    assert!(back.msg.ext.edits.applied.retracted);
    assert!(back.msg.ext.edits.applied.mine.is_empty());
    assert!(back.msg.ext.edits.reply.is_none());
}

#[wasm_bindgen_test]
fn hostile_reactions_in_a_record_are_dropped() {
    let v = codec::message_to_js(&message(Edits::default()));
    let e = Object::new();
    let theirs = Array::new();
    for r in ["👍", "a\u{202E}b", "x\ny", "", "👍"] {
        theirs.push(&JsValue::from_str(r));
    }
    theirs.push(&JsValue::from_f64(3.0));
    theirs.push(&JsValue::from_str(&"z".repeat(40)));
    Reflect::set(&e, &"t".into(), &theirs).unwrap();
    // Not an array: ignored.
    Reflect::set(&e, &"m".into(), &"👍".into()).unwrap();
    Reflect::set(&e, &"ta".into(), &JsValue::from_f64(f64::NAN)).unwrap();
    Reflect::set(&v, &"e".into(), &e).unwrap();
    let back = codec::message_from_js(&v).unwrap();
    let a = &back.msg.ext.edits.applied;
    assert_eq!(a.theirs, ["👍"]);
    assert!(a.mine.is_empty());
    assert_eq!(a.theirs_at, 0);
}
