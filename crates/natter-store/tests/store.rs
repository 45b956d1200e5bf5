//! The store applied to core events, natively.

use natter_core::jid::{BareJid, Jid};
use natter_core::{
    ChatMessage, Direction, Error, Event, PresenceUpdate, RosterItem, SessionState, Show,
    Subscription,
};
use natter_store::{Arrival, Availability, Conversation, DeliveryState, Phase, Store};

fn bare(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

fn item(jid: &str, name: Option<&str>) -> RosterItem {
    RosterItem {
        jid: bare(jid),
        name: name.map(str::to_string),
        subscription: Subscription::Both,
        ask: false,
        groups: vec![],
    }
}

fn presence(from: &str, available: bool, show: Option<Show>) -> Event {
    Event::Presence(PresenceUpdate {
        from: Jid::new(from).unwrap(),
        available,
        show,
        status: None,
        priority: 0,
    })
}

fn incoming(id: &str, peer: &str, body: &str) -> Event {
    Event::Message(ChatMessage {
        id: id.into(),
        direction: Direction::Incoming,
        peer: bare(peer),
        from: Jid::new(&format!("{peer}/phone")).unwrap(),
        body: body.into(),
        delayed: None,
        stanza_id: None,
        origin_id: None,
        archived: false,
        ext: Default::default(),
    })
}

#[test]
fn roster_reset_then_push_and_remove() {
    let mut s = Store::new();
    let c = s.apply(Event::RosterReset {
        items: vec![item("bob@x", Some("Bob")), item("carol@x", None)],
        ver: None,
    });
    assert!(c.roster);
    assert_eq!(s.roster.len(), 2);
    s.apply(Event::RosterUpdated(item("dave@x", Some("Dave"))));
    s.apply(Event::RosterUpdated(item("bob@x", Some("Robert"))));
    assert_eq!(
        s.roster.get(&bare("bob@x")).unwrap().display_name(),
        "Robert"
    );
    s.apply(Event::RosterRemoved(bare("carol@x")));
    assert_eq!(s.roster.len(), 2);
    assert!(s.roster.get(&bare("carol@x")).is_none());
}

#[test]
fn presence_per_resource_and_best_of_them() {
    let mut s = Store::new();
    s.apply(Event::RosterReset {
        items: vec![item("bob@x", None)],
        ver: None,
    });
    let bob = bare("bob@x");
    assert_eq!(
        s.roster.get(&bob).unwrap().availability(),
        Availability::Offline
    );
    s.apply(presence("bob@x/phone", true, Some(Show::Away)));
    s.apply(presence("bob@x/laptop", true, None));
    assert_eq!(
        s.roster.get(&bob).unwrap().availability(),
        Availability::Online
    );
    s.apply(presence("bob@x/laptop", false, None));
    assert_eq!(
        s.roster.get(&bob).unwrap().availability(),
        Availability::Away
    );
    // Unavailable from the bare JID covers every resource.
    s.apply(presence("bob@x", false, None));
    assert_eq!(
        s.roster.get(&bob).unwrap().availability(),
        Availability::Offline
    );
}

#[test]
fn presence_before_roster_push_is_kept() {
    let mut s = Store::new();
    s.apply(presence("eve@x/a", true, Some(Show::Dnd)));
    s.apply(Event::RosterUpdated(item("eve@x", None)));
    assert_eq!(
        s.roster.get(&bare("eve@x")).unwrap().availability(),
        Availability::DoNotDisturb
    );
}

#[test]
fn sorted_filters_by_name_or_jid_and_puts_online_first() {
    let mut s = Store::new();
    s.apply(Event::RosterReset {
        items: vec![
            item("zed@x", Some("Zed")),
            item("amy@x", Some("Amy")),
            item("bob@y", None),
        ],
        ver: None,
    });
    s.apply(presence("zed@x/r", true, None));
    let all = s.roster.sorted("");
    assert_eq!(all, vec![bare("zed@x"), bare("amy@x"), bare("bob@y")]);
    assert_eq!(s.roster.sorted("AM"), vec![bare("amy@x")]);
    assert_eq!(s.roster.sorted("@y"), vec![bare("bob@y")]);
    assert!(s.roster.sorted("nobody").is_empty());
}

#[test]
fn messages_are_deduplicated_by_id_and_counted_unread() {
    let mut s = Store::new();
    s.apply(incoming("m1", "bob@x", "hi"));
    s.apply(incoming("m1", "bob@x", "hi"));
    s.apply(incoming("m2", "bob@x", "there"));
    let bob = bare("bob@x");
    assert_eq!(s.conversations[&bob].messages.len(), 2);
    assert_eq!(s.unread(&bob), 2);
    s.open_conversation(bob.clone());
    assert_eq!(s.unread(&bob), 0);
    s.apply(incoming("m3", "bob@x", "seen at once"));
    assert_eq!(
        s.unread(&bob),
        0,
        "the open conversation does not count unread"
    );
}

#[test]
fn pending_outgoing_message_is_confirmed_not_duplicated() {
    let mut s = Store::new();
    let bob = bare("bob@x");
    let me = Jid::new("alice@x/web").unwrap();
    s.add_pending(bob.clone(), "o1".into(), me.clone(), "hello".into());
    assert_eq!(
        s.conversations[&bob].messages[0].state,
        DeliveryState::Pending
    );
    s.apply(Event::MessageSent(ChatMessage {
        id: "o1".into(),
        direction: Direction::Outgoing,
        peer: bob.clone(),
        from: me,
        body: "hello".into(),
        delayed: None,
        stanza_id: None,
        origin_id: None,
        archived: false,
        ext: Default::default(),
    }));
    let conv = &s.conversations[&bob];
    assert_eq!(conv.messages.len(), 1);
    assert_eq!(conv.messages[0].state, DeliveryState::Sent);
    s.apply(Event::MessageFailed {
        id: "o1".into(),
        peer: bob.clone(),
        reason: "gone".into(),
    });
    assert_eq!(
        s.conversations[&bob].messages[0].state,
        DeliveryState::Failed("gone".into())
    );
}

#[test]
fn failure_sets_plain_error_and_offline_clears_presence() {
    let mut s = Store::new();
    s.apply(Event::RosterReset {
        items: vec![item("bob@x", None)],
        ver: None,
    });
    s.apply(Event::StateChanged(SessionState::Online));
    s.apply(presence("bob@x/r", true, None));
    assert_eq!(s.phase, Phase::Connected);
    s.apply(Event::Failed(Error::AuthFailed {
        condition: "not-authorized".into(),
        text: None,
    }));
    s.apply(Event::StateChanged(SessionState::Failed));
    assert_eq!(s.phase, Phase::Offline);
    assert!(s
        .error
        .as_deref()
        .unwrap()
        .contains("wrong address or password"));
    assert_eq!(
        s.roster.get(&bare("bob@x")).unwrap().availability(),
        Availability::Offline
    );
}

#[test]
fn subscription_requests_are_listed_once_and_cleared_when_approved() {
    let mut s = Store::new();
    s.apply(Event::SubscriptionRequest {
        from: bare("eve@x"),
    });
    s.apply(Event::SubscriptionRequest {
        from: bare("eve@x"),
    });
    assert_eq!(s.requests, vec![bare("eve@x")]);
    let mut approved = item("eve@x", None);
    approved.subscription = Subscription::From;
    s.apply(Event::RosterUpdated(approved));
    assert!(s.requests.is_empty());
}

#[test]
fn a_failed_attempt_while_connecting_leaves_the_phase_to_the_driver() {
    // Signing in: the first endpoint cannot be reached. The driver tries the next one, or
    // says when it tries again; the status must not flash "Offline" meanwhile.
    let mut s = Store::new();
    s.phase = Phase::Connecting;
    s.apply(Event::StateChanged(SessionState::Failed));
    assert_eq!(s.phase, Phase::Connecting);
    s.phase = Phase::Reconnecting;
    s.apply(Event::StateChanged(SessionState::Connecting));
    s.apply(Event::StateChanged(SessionState::Closed));
    assert_eq!(s.phase, Phase::Reconnecting);
    // A session that was online and dropped is offline until the driver says otherwise.
    s.apply(Event::StateChanged(SessionState::Online));
    s.apply(Event::StateChanged(SessionState::Closed));
    assert_eq!(s.phase, Phase::Offline);
}

/// Prosody stamps `<delay/>` to the second: a message replayed after a stream resumption (or
/// held offline) carries a stamp earlier than one that arrived live a moment before it. The
/// stream's order wins; the stamp is still what the reader sees as the time.
#[test]
fn stream_copies_keep_arrival_order_whatever_their_stamp() {
    let mut c = Conversation::default();
    let live = |id: &str, delayed: Option<&str>| {
        let Event::Message(mut m) = incoming(id, "bob@x", id) else {
            unreachable!()
        };
        m.delayed = delayed.map(str::to_owned);
        m
    };
    let t = |s: &str| natter_store::time::parse_rfc3339_ms(s).unwrap();
    let now = t("2026-11-26T09:02:16.700Z");
    c.insert_copy_as(live("m3", None), DeliveryState::Sent, now, Arrival::Latest);
    c.insert_copy_as(
        live("m4", Some("2026-11-26T09:02:16Z")),
        DeliveryState::Sent,
        now + 300,
        Arrival::Latest,
    );
    let ids: Vec<&str> = c.messages.iter().map(|m| m.msg.id.as_str()).collect();
    assert_eq!(ids, ["m3", "m4"]);
    assert_eq!(c.messages[1].sent_at(), t("2026-11-26T09:02:16Z"));

    // Catch-up after a reload: the archive stamps to the second what arrived after m4.
    c.insert_copy_as(
        live("m5", Some("2026-11-26T09:02:16Z")),
        DeliveryState::Sent,
        now + 350,
        Arrival::Archive { catching_up: true },
    );
    let ids: Vec<&str> = c.messages.iter().map(|m| m.msg.id.as_str()).collect();
    assert_eq!(ids, ["m3", "m4", "m5"]);

    // History (a page the user asked for) still slots in by its stamp.
    c.insert_copy_as(
        live("m0", Some("2026-11-26T08:00:00Z")),
        DeliveryState::Sent,
        now + 400,
        Arrival::Archive { catching_up: false },
    );
    let ids: Vec<&str> = c.messages.iter().map(|m| m.msg.id.as_str()).collect();
    assert_eq!(ids, ["m0", "m3", "m4", "m5"]);
}

/// With the page hidden, what arrives in the chat on screen is unread (the page title counts
/// it); showing the page again clears it.
#[test]
fn the_open_chat_counts_unread_while_the_page_is_hidden() {
    let mut s = Store::new();
    let bob = bare("bob@x");
    s.open_conversation(bob.clone());
    s.apply(incoming("h1", "bob@x", "seen at once"));
    assert_eq!(s.unread(&bob), 0);
    s.set_hidden(true);
    s.apply(incoming("h2", "bob@x", "while away"));
    s.apply(incoming("h3", "bob@x", "still away"));
    assert_eq!(s.unread(&bob), 2);
    assert_eq!(s.total_unread(), 2);
    s.set_hidden(false);
    assert_eq!(s.unread(&bob), 0);
    s.apply(incoming("h4", "bob@x", "back"));
    assert_eq!(s.unread(&bob), 0);
}
