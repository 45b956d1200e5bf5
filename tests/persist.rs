//! The offline cache (IndexedDB) in headless Chromium: write, read back, merge across tabs,
//! page older messages, keep a credential, wipe; and the app state restoring a cached account.
//! Run: CHROMEDRIVER=/usr/bin/chromedriver cargo test -p natter --target wasm32-unknown-unknown --test persist
#![cfg(target_arch = "wasm32")]

use natter::persist::{codec, db::Db, local, Cache};
use natter::state::{AppState, UiEvent};
use natter_core::jid::{BareJid, Jid};
use natter_core::{
    ChatMessage, Direction, Event, FastToken, RosterItem, ScramSecret, StoredCredential,
    Subscription,
};
use natter_store::{DeliveryState, Dirty, Meta, OutboxEntry, StoredMessage};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |res, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&res, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// A fresh account per test, so tests never see each other's data.
fn account() -> BareJid {
    let n = (js_sys::Math::random() * 1e12) as u64;
    BareJid::new(&format!("t{n}@example.org")).unwrap()
}

fn bare(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

fn message(id: &str, peer: &str, dir: Direction, at: u64, state: DeliveryState) -> StoredMessage {
    StoredMessage {
        msg: ChatMessage {
            id: id.into(),
            direction: dir,
            peer: bare(peer),
            from: Jid::new(&format!("{peer}/r")).unwrap(),
            body: format!("body of {id} <b>not markup</b>"),
            delayed: None,
            stanza_id: None,
            origin_id: Some(id.into()),
            archived: false,
            ext: Default::default(),
        },
        state,
        at,
        seq: 0,
    }
}

fn contact(jid: &str) -> RosterItem {
    RosterItem {
        jid: bare(jid),
        name: Some(format!("Name of {jid}")),
        subscription: Subscription::Both,
        ask: false,
        groups: vec!["Friends".into()],
    }
}

fn outgoing(id: &str, at: u64) -> OutboxEntry {
    OutboxEntry {
        peer: bare("bob@x"),
        id: id.into(),
        from: Jid::new("me@example.org/web").unwrap(),
        body: format!("queued {id}"),
        // A reply written offline goes out again as a reply.
        ext: natter_core::MessageExt {
            edits: Box::new(natter_core::edits::Edits {
                reply: Some(natter_core::edits::Reply {
                    to: Some(Jid::new("bob@x/phone").unwrap()),
                    id: "m0".into(),
                    quote: Some("the original".into()),
                    fallback: None,
                }),
                ..Default::default()
            }),
            ..Default::default()
        },
        at,
        sent: false,
    }
}

#[wasm_bindgen_test]
async fn writes_and_reads_back_one_batch() {
    let me = account();
    let db = Db::open(&me).await.unwrap();
    let roster: Vec<RosterItem> = (0..2000).map(|i| contact(&format!("c{i}@x"))).collect();
    let dirty = Dirty {
        messages: vec![
            message("m1", "bob@x", Direction::Incoming, 10, DeliveryState::Sent),
            message(
                "o1",
                "bob@x",
                Direction::Outgoing,
                20,
                DeliveryState::Pending,
            ),
            message(
                "f1",
                "carol@x",
                Direction::Outgoing,
                30,
                DeliveryState::Failed("gone".into()),
            ),
        ],
        roster_all: Some(roster),
        outbox_put: vec![outgoing("o1", 20)],
        meta: Some(Meta {
            roster_ver: Some("v7".into()),
            last_archive_id: Some("A42".into()),
            acks: true,
        }),
        chats: vec![natter_store::ChatRecord {
            peer: bare("bob@x"),
            unread: 3,
        }],
        ..Dirty::default()
    };
    db.write(&dirty, "natter-00000001").await.unwrap();

    let loaded = db.load(100).await.unwrap();
    assert_eq!(loaded.roster.len(), 2000);
    let c = loaded
        .roster
        .iter()
        .find(|c| c.jid == bare("c7@x"))
        .unwrap();
    assert_eq!(c, &contact("c7@x"));
    assert_eq!(loaded.meta.roster_ver.as_deref(), Some("v7"));
    assert_eq!(loaded.meta.last_archive_id.as_deref(), Some("A42"));
    assert!(loaded.meta.acks);
    assert_eq!(loaded.messages.len(), 3);
    let mut got: Vec<(String, DeliveryState, u64)> = loaded
        .messages
        .iter()
        .map(|m| (m.msg.id.clone(), m.state.clone(), m.at))
        .collect();
    got.sort_by_key(|g| g.2);
    assert_eq!(
        got,
        vec![
            ("m1".into(), DeliveryState::Sent, 10),
            ("o1".into(), DeliveryState::Pending, 20),
            ("f1".into(), DeliveryState::Failed("gone".into()), 30)
        ]
    );
    let m1 = loaded.messages.iter().find(|m| m.msg.id == "m1").unwrap();
    assert_eq!(m1.msg.body, "body of m1 <b>not markup</b>");
    assert_eq!(m1.msg.origin_id.as_deref(), Some("m1"));
    assert_eq!(m1.msg.direction, Direction::Incoming);
    assert_eq!(loaded.outbox.len(), 1);
    assert_eq!(loaded.outbox[0].0, outgoing("o1", 20));
    assert_eq!(loaded.outbox[0].1, "natter-00000001");
    assert_eq!(loaded.chats.len(), 1);
    assert_eq!(loaded.chats[0].unread, 3);

    // Later batches: a roster push and removal, the outbox entry acked away.
    db.write(
        &Dirty {
            roster_put: vec![contact("new@x")],
            roster_del: vec![bare("c0@x")],
            outbox_del: vec!["o1".into()],
            ..Dirty::default()
        },
        "natter-00000001",
    )
    .await
    .unwrap();
    let loaded = db.load(100).await.unwrap();
    assert_eq!(loaded.roster.len(), 2000);
    assert!(loaded.roster.iter().any(|c| c.jid == bare("new@x")));
    assert!(!loaded.roster.iter().any(|c| c.jid == bare("c0@x")));
    assert!(loaded.outbox.is_empty());
    db.close();
    natter::persist::db::delete(&me).await.unwrap();
}

#[wasm_bindgen_test]
async fn two_tabs_merge_by_message_id() {
    let me = account();
    let tab_a = Db::open(&me).await.unwrap();
    let tab_b = Db::open(&me).await.unwrap();
    let mut acked = message("o1", "bob@x", Direction::Outgoing, 5, DeliveryState::Acked);
    acked.msg.stanza_id = None;
    let mut stale = message("o1", "bob@x", Direction::Outgoing, 9, DeliveryState::Sent);
    stale.msg.stanza_id = Some("S1".into());
    tab_a
        .write(
            &Dirty {
                messages: vec![acked],
                ..Dirty::default()
            },
            "natter-aaaaaaaa",
        )
        .await
        .unwrap();
    // Tab B still thinks it is only sent, but knows the stanza id.
    tab_b
        .write(
            &Dirty {
                messages: vec![stale],
                states: vec![(bare("bob@x"), "o:o1".into(), DeliveryState::Sent)],
                ..Dirty::default()
            },
            "natter-bbbbbbbb",
        )
        .await
        .unwrap();
    let loaded = tab_a.load(100).await.unwrap();
    assert_eq!(loaded.messages.len(), 1, "one record per message id");
    let m = &loaded.messages[0];
    assert_eq!(m.state, DeliveryState::Acked, "no tab undoes another's ack");
    assert_eq!(
        m.msg.stanza_id.as_deref(),
        Some("S1"),
        "ids from both copies"
    );
    assert_eq!(m.at, 5);
    tab_a.close();
    tab_b.close();
    natter::persist::db::delete(&me).await.unwrap();
}

#[wasm_bindgen_test]
async fn pages_older_messages_and_loads_only_the_newest() {
    let me = account();
    let db = Db::open(&me).await.unwrap();
    let messages: Vec<StoredMessage> = (0..250u64)
        .map(|i| {
            message(
                &format!("m{i}"),
                "bob@x",
                Direction::Incoming,
                1000 + i,
                DeliveryState::Sent,
            )
        })
        .chain(std::iter::once(message(
            "c1",
            "carol@x",
            Direction::Incoming,
            5,
            DeliveryState::Sent,
        )))
        .collect();
    db.write(
        &Dirty {
            messages,
            ..Dirty::default()
        },
        "natter-00000001",
    )
    .await
    .unwrap();
    let loaded = db.load(100).await.unwrap();
    let bob: Vec<u64> = loaded
        .messages
        .iter()
        .filter(|m| m.msg.peer == bare("bob@x"))
        .map(|m| m.at)
        .collect();
    assert_eq!(bob.len(), 100);
    assert_eq!(bob.iter().min(), Some(&1150), "the newest 100");
    assert!(loaded.messages.iter().any(|m| m.msg.id == "c1"));

    let none = std::collections::HashSet::new();
    let page = db.older(&bare("bob@x"), 1149, 50, &none).await.unwrap();
    let ats: Vec<u64> = page.iter().map(|m| m.at).collect();
    assert_eq!(
        ats,
        (1100..1150).collect::<Vec<u64>>(),
        "oldest first, up to the bound"
    );
    assert!(db
        .older(&bare("bob@x"), 999, 50, &none)
        .await
        .unwrap()
        .is_empty());
    // What is already shown of the boundary millisecond is left out.
    let shown = [codec::message_key(&bare("bob@x"), "i:m149")].into();
    let page = db.older(&bare("bob@x"), 1149, 2, &shown).await.unwrap();
    let ats: Vec<u64> = page.iter().map(|m| m.at).collect();
    assert_eq!(ats, vec![1147, 1148]);
    db.close();
    natter::persist::db::delete(&me).await.unwrap();
}

fn credential() -> StoredCredential {
    StoredCredential {
        scram: Some(ScramSecret {
            mechanism: "SCRAM-SHA-256".into(),
            salt: vec![0, 1, 2, 250, 255],
            iterations: 4096,
            salted_password: (0..32).collect(),
        }),
        fast: Some(FastToken {
            mechanism: "HT-SHA-256-NONE".into(),
            token: "tok".into(),
            expiry: "2030-01-01T00:00:00Z".into(),
            client_id: "natter-00000001".into(),
        }),
    }
}

#[wasm_bindgen_test]
async fn keeps_and_forgets_a_credential() {
    let c = credential();
    let text = codec::credential_to_text(&c).unwrap();
    assert_eq!(codec::credential_from_text(&text), Some(c.clone()));
    assert_eq!(
        codec::credential_from_text("{\"scram\":{\"salt\":[999]}}"),
        None
    );
    assert_eq!(codec::credential_from_text("not json"), None);

    let me = account();
    let db = Db::open(&me).await.unwrap();
    db.set_credential(Some(&c)).await.unwrap();
    assert_eq!(db.load(10).await.unwrap().credential, Some(c));
    db.set_credential(None).await.unwrap();
    assert_eq!(db.load(10).await.unwrap().credential, None);
    db.close();
    natter::persist::db::delete(&me).await.unwrap();
}

#[wasm_bindgen_test]
async fn sign_out_wipes_the_account() {
    let me = account();
    let cache = Cache::new(me.clone(), true);
    local::local_set(local::REMEMBERED, Some(&me.to_string()));
    local::local_set(local::ADDRESS, Some(&me.to_string()));
    local::session_set(local::TAB_ACCOUNT, Some(&me.to_string()));
    local::session_set(local::TAB_CREDENTIAL, Some("{}"));
    cache.schedule(Dirty {
        roster_put: vec![contact("bob@x")],
        outbox_put: vec![outgoing("o1", 1)],
        ..Dirty::default()
    });
    cache.save_credential(Some(credential()));
    sleep(400).await;
    let loaded = Cache::new(me.clone(), true).load().await;
    assert_eq!(loaded.snapshot.roster.len(), 1, "written before the wipe");
    assert_eq!(loaded.outbox.len(), 1);
    assert!(loaded.credential.is_some());

    cache.wipe().await;
    assert_eq!(local::local_get(local::REMEMBERED), None);
    assert_eq!(local::local_get(local::ADDRESS), None);
    assert_eq!(local::session_get(local::TAB_ACCOUNT), None);
    assert_eq!(local::session_get(local::TAB_CREDENTIAL), None);
    // Nothing written after the wipe comes back either.
    cache.schedule(Dirty {
        roster_put: vec![contact("late@x")],
        ..Dirty::default()
    });
    sleep(400).await;
    let loaded = Cache::new(me.clone(), true).load().await;
    assert!(loaded.snapshot.roster.is_empty());
    assert!(loaded.outbox.is_empty());
    assert!(loaded.credential.is_none());
    natter::persist::db::delete(&me).await.unwrap();
}

fn incoming(id: &str, peer: &str) -> Event {
    Event::Message(ChatMessage {
        id: id.into(),
        direction: Direction::Incoming,
        peer: bare(peer),
        from: Jid::new(&format!("{peer}/r")).unwrap(),
        body: format!("hello {id}"),
        delayed: None,
        stanza_id: Some(format!("S-{id}")),
        origin_id: None,
        archived: false,
        ext: Default::default(),
    })
}

#[wasm_bindgen_test]
async fn a_reloaded_page_gets_the_account_back_from_the_cache() {
    let me = account();
    // First page: signed in, a roster, messages, a message written while offline.
    let first = AppState::new();
    first.open_account(me.clone(), true).await;
    first.apply_now([
        UiEvent::Core(Event::RosterReset {
            items: vec![contact("bob@x"), contact("carol@x")],
            ver: Some("v3".into()),
        }),
        UiEvent::Core(incoming("m1", "bob@x")),
        UiEvent::Core(incoming("m2", "bob@x")),
        UiEvent::Core(Event::Credential(credential())),
    ]);
    first.apply_now([UiEvent::Pending {
        peer: bare("bob@x"),
        id: "q1".into(),
        from: Jid::new(&format!("{me}/web")).unwrap(),
        body: "written offline".into(),
        ext: Default::default(),
    }]);
    sleep(500).await;

    // The reload: a new page state, the same account.
    let second = AppState::new();
    let cred = second.open_account(me.clone(), true).await;
    assert_eq!(cred, Some(credential()), "the remembered credential");
    second.peek(|s| {
        assert_eq!(s.roster.len(), 2);
        assert_eq!(s.roster_ver.as_deref(), Some("v3"));
        assert_eq!(s.last_archive_id.as_deref(), Some("S-m2"));
        let bob = &s.conversations[&bare("bob@x")];
        let bodies: Vec<&str> = bob.messages.iter().map(|m| m.msg.body.as_str()).collect();
        assert_eq!(bodies, vec!["hello m1", "hello m2", "written offline"]);
        assert_eq!(bob.unread, 2);
        let ids: Vec<&str> = s.outbox.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, vec!["q1"], "still owed, to be sent once");
        assert_eq!(bob.messages.last().unwrap().state, DeliveryState::Pending);
    });
    let (_, stored, roster_ver) = second.sign_in_extras();
    assert_eq!(stored, Some(credential()));
    assert_eq!(roster_ver.as_deref(), Some("v3"));

    // Sign out wipes it: the next page finds nothing.
    second.apply_now([UiEvent::SignedOut]);
    sleep(300).await;
    let third = AppState::new();
    assert_eq!(third.open_account(me.clone(), false).await, None);
    third.peek(|s| {
        assert!(s.roster.is_empty());
        assert!(s.conversations.is_empty());
        assert!(s.outbox.is_empty());
    });
    let _ = natter::persist::db::delete(&me).await;
}

#[wasm_bindgen_test]
async fn older_messages_page_in_from_the_cache_in_order() {
    let me = account();
    let first = AppState::new();
    first.open_account(me.clone(), false).await;
    // One batch: many messages within the same milliseconds; their order must survive.
    first.apply_now((0..250).map(|i| UiEvent::Core(incoming(&format!("m{i}"), "bob@x"))));
    sleep(500).await;

    let second = AppState::new();
    second.open_account(me.clone(), false).await;
    let ids = |s: &AppState| {
        s.peek(|s| {
            s.conversations[&bare("bob@x")]
                .messages
                .iter()
                .map(|m| m.msg.id.clone())
                .collect::<Vec<_>>()
        })
    };
    let expected = |from: usize| (from..250).map(|i| format!("m{i}")).collect::<Vec<_>>();
    assert_eq!(ids(&second), expected(150), "the newest 100 on load");
    assert_eq!(second.load_older(bare("bob@x"), 100).await, 100);
    assert_eq!(ids(&second), expected(50));
    assert_eq!(second.load_older(bare("bob@x"), 100).await, 50);
    assert_eq!(ids(&second), expected(0));
    assert!(second.peek(|s| s.conversations[&bare("bob@x")].truncated));
    assert_eq!(second.load_older(bare("bob@x"), 100).await, 0);
    assert!(
        !second.peek(|s| s.conversations[&bare("bob@x")].truncated),
        "the cache has nothing older: the archive is next"
    );
    second.apply_now([UiEvent::SignedOut]);
    sleep(300).await;
}

/// Bob's message `i` from the archive, stamped `ms` after 2026-01-01T00:00:00Z.
fn archived(i: usize, ms: u64) -> UiEvent {
    let secs = ms / 1000;
    let stamp = format!(
        "2026-01-01T{:02}:{:02}:{:02}.{:03}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        ms % 1000
    );
    UiEvent::Core(Event::Message(ChatMessage {
        id: format!("m{i}"),
        direction: Direction::Incoming,
        peer: bare("bob@x"),
        from: Jid::new("bob@x/r").unwrap(),
        body: format!("{i}"),
        delayed: Some(stamp),
        stanza_id: Some(format!("S-{i}")),
        origin_id: None,
        archived: true,
        ext: Default::default(),
    }))
}

fn shown_numbers(s: &AppState) -> Vec<usize> {
    s.peek(|s| {
        s.conversations[&bare("bob@x")]
            .messages
            .iter()
            .map(|m| m.msg.body.parse().unwrap())
            .collect()
    })
}

#[wasm_bindgen_test]
async fn history_pages_keep_their_order_through_the_cache() {
    // 700 messages, 7 to a millisecond, arrive as seven history pages of 100 (newest page
    // first, oldest message first within a page): page edges cut millisecond runs.
    let me = account();
    let first = AppState::new();
    first.open_account(me.clone(), false).await;
    first.apply_now([UiEvent::Open(Some(bare("bob@x")))]);
    for page in (0..7).rev() {
        let from = page * 100;
        let mut events: Vec<UiEvent> = (from..from + 100)
            .map(|i| archived(i, 5_000 + (i / 7) as u64))
            .collect();
        events.push(UiEvent::Core(Event::HistoryPage {
            with: bare("bob@x"),
            first: Some(format!("S-{from}")),
            complete: from == 0,
        }));
        first.apply_now(events);
    }
    assert_eq!(shown_numbers(&first), (0..700).collect::<Vec<_>>());
    sleep(500).await;

    // A reload: the newest 100, then page by page from the cache, in the same order.
    let second = AppState::new();
    second.open_account(me.clone(), false).await;
    assert_eq!(shown_numbers(&second), (600..700).collect::<Vec<_>>());
    while second.load_older(bare("bob@x"), 100).await > 0 {}
    assert_eq!(shown_numbers(&second), (0..700).collect::<Vec<_>>());
    second.apply_now([UiEvent::SignedOut]);
    sleep(300).await;
}

#[wasm_bindgen_test]
async fn paging_up_right_after_a_burst_reads_what_is_not_written_yet() {
    // 700 messages in one batch: 500 stay in memory, 200 wait in the cache's next batch.
    // Scrolling up at once must find them there, not ask the server for them again.
    let me = account();
    let state = AppState::new();
    state.open_account(me.clone(), false).await;
    state.apply_now((0..700).map(|i| UiEvent::Core(incoming(&format!("m{i}"), "bob@x"))));
    let ids = |s: &AppState| {
        s.peek(|s| {
            s.conversations[&bare("bob@x")]
                .messages
                .iter()
                .map(|m| m.msg.id.clone())
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(ids(&state).len(), 500);
    assert_eq!(state.load_older(bare("bob@x"), 100).await, 100);
    assert_eq!(state.load_older(bare("bob@x"), 100).await, 100);
    let expected: Vec<String> = (0..700).map(|i| format!("m{i}")).collect();
    assert_eq!(ids(&state), expected);
    state.apply_now([UiEvent::SignedOut]);
    sleep(300).await;
}

// ---- avatars (issue 7): the `avatars` and `faces` stores of version 2 ----

// A PNG signature and a few bytes, with its SHA-1 computed outside the code under test.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnatter avatar test";
const PNG_SHA1: &str = "8bd217066b456c0a5c02b1727322bc2f3ec5d100";

#[wasm_bindgen_test]
async fn an_avatar_comes_back_from_the_cache_after_a_reload() {
    let me = account();
    let first = AppState::new();
    first.open_account(me.clone(), false).await;
    first.apply_now([
        UiEvent::Core(Event::AvatarChanged {
            jid: bare("bob@x"),
            hash: Some(PNG_SHA1.into()),
        }),
        UiEvent::Core(Event::Avatar {
            jid: bare("bob@x"),
            hash: PNG_SHA1.into(),
            mime: "image/png".into(),
            bytes: PNG.to_vec(),
        }),
        UiEvent::Core(Event::AvatarChanged {
            jid: bare("carol@x"),
            hash: Some(PNG_SHA1.into()),
        }),
    ]);
    sleep(300).await;

    let second = AppState::new();
    second.open_account(me.clone(), false).await;
    second.peek(|s| {
        for who in ["bob@x", "carol@x"] {
            let face = s.profiles.avatar_of(&bare(who)).expect(who);
            assert_eq!(&face.bytes[..], PNG, "{who}");
            assert_eq!(face.mime, "image/png");
        }
        assert_eq!(s.profiles.image_count(), 1, "one image for both, by hash");
    });
    let _ = natter::persist::db::delete(&me).await;
}

/// Creates `name` as version 1 of the schema wrote it (before avatars), with one roster item.
async fn version_1_database(name: &str) {
    use idb::{DatabaseEvent, Factory, IndexParams, KeyPath, ObjectStoreParams, TransactionMode};
    use wasm_bindgen::JsCast;
    let factory = Factory::new().unwrap();
    let mut request = factory.open(name, Some(1)).unwrap();
    request.on_upgrade_needed(|event| {
        let db = event.database().unwrap();
        let store = |name: &str, key: Option<&str>| {
            let mut params = ObjectStoreParams::new();
            if let Some(key) = key {
                params.key_path(Some(KeyPath::new_single(key)));
            }
            db.create_object_store(name, params).unwrap()
        };
        let messages = store("messages", Some("k"));
        messages
            .create_index(
                "chat",
                KeyPath::new_array(["p", "t", "q"]),
                Some(IndexParams::new()),
            )
            .unwrap();
        messages
            .create_index("peer", KeyPath::new_single("p"), Some(IndexParams::new()))
            .unwrap();
        store("outbox", Some("id"));
        store("roster", Some("jid"));
        store("chats", Some("p"));
        store("meta", None);
    });
    request.forget_callbacks();
    let raw: web_sys::IdbOpenDbRequest = request.into();
    let opened = js_sys::Promise::new(&mut |resolve, reject| {
        raw.set_onsuccess(Some(&resolve));
        raw.set_onerror(Some(&reject));
    });
    wasm_bindgen_futures::JsFuture::from(opened).await.unwrap();
    let db = idb::Database::try_from(raw.result().unwrap()).unwrap();
    let tx = db
        .transaction(&["roster"], TransactionMode::ReadWrite)
        .unwrap();
    tx.object_store("roster")
        .unwrap()
        .put(&codec::roster_to_js(&contact("carol@x")), None)
        .unwrap();
    let tx: web_sys::IdbTransaction = tx.into();
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onerror(Some(&reject));
    });
    wasm_bindgen_futures::JsFuture::from(done).await.unwrap();
    let raw_db: web_sys::IdbDatabase = raw.result().unwrap().unchecked_into();
    raw_db.close();
}

#[wasm_bindgen_test]
async fn a_version_1_cache_is_upgraded_in_place() {
    use natter_store::{Avatar, ProfileDirty};
    let me = account();
    version_1_database(&natter::persist::db::name(&me)).await;

    let db = Db::open(&me).await.expect("upgraded to version 2");
    let loaded = db.load(10).await.unwrap();
    assert_eq!(
        loaded.roster,
        vec![contact("carol@x")],
        "version 1 data kept"
    );
    assert_eq!(db.load_profiles().await.unwrap(), (vec![], vec![]));

    let avatar = Avatar {
        hash: PNG_SHA1.into(),
        mime: "image/png".into(),
        bytes: PNG.into(),
    };
    // A record whose bytes do not match its hash (another version, another tab, a bug): the
    // cache must not hand it to an <img>.
    let forged = Avatar {
        hash: "0".repeat(40),
        ..avatar.clone()
    };
    db.write_profiles(&ProfileDirty {
        avatars_put: vec![avatar.clone(), forged],
        avatars_del: vec![],
        faces: vec![
            (bare("carol@x"), Some(PNG_SHA1.into())),
            (bare("dave@x"), Some(PNG_SHA1.into())),
            (bare("dave@x"), None),
        ],
    })
    .await
    .unwrap();
    db.close();

    let db = Db::open(&me).await.unwrap();
    let (avatars, faces) = db.load_profiles().await.unwrap();
    assert_eq!(avatars, vec![avatar]);
    assert_eq!(faces, vec![(bare("carol@x"), PNG_SHA1.to_string())]);
    assert_eq!(db.load(10).await.unwrap().roster.len(), 1);
    db.close();
    let _ = natter::persist::db::delete(&me).await;
}
