//! Group chat against a live Prosody (see common/mod.rs; its MUC service is
//! conference.localhost): two accounts in one room — join, messages both ways with a mention,
//! a private message, a nick change keeping the occupant-id, the subject, a kick, history
//! after rejoining from the room's archive — plus owner configuration with the refusals it
//! brings, room discovery, and bookmarks that another device sees live and that autojoin at
//! the next sign-in.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use common::{account, Account, WAIT};
use natter_native::natter_core::jid::BareJid;
use natter_native::natter_core::{
    Bookmark, Command, Direction, Event, JoinError, LeaveReason, RoomConfig, RoomMessage,
};
use natter_native::Session;

const SERVICE: &str = "conference.localhost";

/// A room nobody used before.
fn fresh_room(tag: &str) -> BareJid {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() % 1_000_000)
        .unwrap_or(0);
    format!("it-{tag}-{}-{stamp}-{n}@{SERVICE}", std::process::id())
        .parse()
        .unwrap()
}

async fn sign_in(url: &str, a: &Account) -> Session {
    common::online(url, a).await
}

/// The first event `want` picks out, or a panic naming `what` with everything seen.
async fn expect<T>(s: &mut Session, what: &str, mut want: impl FnMut(&Event) -> Option<T>) -> T {
    let mut found = None;
    let result = s
        .wait_for(WAIT, |e| {
            found = want(e);
            found.is_some()
        })
        .await;
    match (result, found) {
        (Ok(_), Some(t)) => t,
        (result, _) => panic!("{what}: {result:?}"),
    }
}

/// Asks to join and waits until in; returns our occupant-id there.
async fn join(
    s: &mut Session,
    room: &BareJid,
    nick: &str,
    after: Option<String>,
) -> Option<String> {
    s.send(Command::JoinRoom {
        room: room.clone(),
        nick: nick.into(),
        password: None,
        after,
    });
    joined(s, room, nick).await
}

async fn joined(s: &mut Session, room: &BareJid, nick: &str) -> Option<String> {
    expect(s, &format!("{nick} joins {room}"), |e| match e {
        Event::RoomJoined {
            room: r,
            nick: n,
            occupant_id,
            ..
        } if r == room && n == nick => Some(occupant_id.clone()),
        Event::RoomJoinFailed { room: r, reason } if r == room => {
            panic!("{nick} could not join {room}: {reason}")
        }
        _ => None,
    })
    .await
}

async fn group_message(s: &mut Session, what: &str, body: &str) -> RoomMessage {
    expect(s, what, |e| match e {
        Event::GroupMessage(m) if m.body == body => Some(m.clone()),
        _ => None,
    })
    .await
}

fn say(s: &Session, room: &BareJid, body: &str) -> String {
    let id = s.next_id();
    s.send(Command::SendGroupMessage {
        room: room.clone(),
        id: id.clone(),
        body: body.into(),
    });
    id
}

#[tokio::test]
async fn two_accounts_in_one_room() {
    let url = server_or_skip!();
    let (a, b) = (account("muc-a"), account("muc-b"));
    let room = fresh_room("coven");
    let mut sa = sign_in(&url, &a).await;
    let mut sb = sign_in(&url, &b).await;

    // a creates the room by joining it; the service archives it and stamps occupant-ids.
    sa.send(Command::JoinRoom {
        room: room.clone(),
        nick: "firstwitch".into(),
        password: None,
        after: None,
    });
    let created = expect(&mut sa, "a creates the room", |e| match e {
        Event::RoomJoined { created, .. } => Some(*created),
        Event::RoomJoinFailed { reason, .. } => panic!("{reason}"),
        _ => None,
    })
    .await;
    assert!(created);
    let oid_b = join(&mut sb, &room, "secondwitch", None).await;
    assert!(oid_b.is_some(), "Prosody stamps occupant-ids");
    let seen = expect(&mut sa, "a sees b arrive", |e| match e {
        Event::Occupant(o) if o.nick == "secondwitch" && o.available => Some(o.clone()),
        _ => None,
    })
    .await;
    assert_eq!(seen.occupant_id, oid_b);
    assert!(!seen.me);

    // Both ways, with a mention.
    let id = say(&sa, &room, "When shall we three meet again?");
    let got = group_message(
        &mut sb,
        "b gets a's message",
        "When shall we three meet again?",
    )
    .await;
    assert_eq!(got.nick, "firstwitch");
    assert!(got.stanza_id.is_some(), "the room's archive id: {got:?}");
    assert!(!got.from_me && !got.archived);
    let echo = group_message(
        &mut sa,
        "a gets its reflection",
        "When shall we three meet again?",
    )
    .await;
    assert!(echo.from_me, "{echo:?}");
    assert_eq!(echo.id, id);
    say(&sb, &room, "In thunder, FirstWitch, lightning, or in rain?");
    let got = group_message(
        &mut sa,
        "a gets b's mention",
        "In thunder, FirstWitch, lightning, or in rain?",
    )
    .await;
    assert!(got.mentions_me && !got.from_me, "{got:?}");
    assert_eq!(got.occupant_id, oid_b);

    // A private message.
    sa.send(Command::SendPrivateMessage {
        room: room.clone(),
        nick: "secondwitch".into(),
        id: sa.next_id(),
        body: "psst".into(),
    });
    let pm = expect(&mut sb, "b gets the private message", |e| match e {
        Event::PrivateMessage(m) if m.body == "psst" => Some(m.clone()),
        _ => None,
    })
    .await;
    assert_eq!(
        (pm.nick.as_str(), pm.direction),
        ("firstwitch", Direction::Incoming)
    );

    // b renames; a sees the same occupant under the new nick.
    sb.send(Command::ChangeNick {
        room: room.clone(),
        nick: "hecate".into(),
    });
    let (old, new, oid) = expect(&mut sa, "a sees the nick change", |e| match e {
        Event::NickChanged {
            old,
            new,
            occupant_id,
            me: false,
            ..
        } => Some((old.clone(), new.clone(), occupant_id.clone())),
        _ => None,
    })
    .await;
    assert_eq!((old.as_str(), new.as_str()), ("secondwitch", "hecate"));
    assert_eq!(oid, oid_b);
    expect(&mut sb, "b sees its own nick change", |e| {
        matches!(e, Event::NickChanged { me: true, new, .. } if new == "hecate").then_some(())
    })
    .await;

    // The subject.
    sa.send(Command::SetSubject {
        room: room.clone(),
        subject: "Fire burn and cauldron bubble".into(),
    });
    for (s, who) in [(&mut sa, "a"), (&mut sb, "b")] {
        let by = expect(s, &format!("{who} sees the subject"), |e| match e {
            Event::Subject { subject, by, .. } if subject == "Fire burn and cauldron bubble" => {
                Some(by.clone())
            }
            _ => None,
        })
        .await;
        assert_eq!(by.as_deref(), Some("firstwitch"));
    }

    // a, the owner, kicks b.
    sa.send(Command::Kick {
        room: room.clone(),
        nick: "hecate".into(),
        reason: Some("Avaunt".into()),
    });
    let (reason, text) = expect(&mut sb, "b is kicked", |e| match e {
        Event::RoomLeft { reason, text, .. } => Some((reason.clone(), text.clone())),
        _ => None,
    })
    .await;
    assert_eq!(reason, LeaveReason::Kicked);
    assert_eq!(text.as_deref(), Some("Avaunt"));
    let exit = expect(&mut sa, "a sees b kicked", |e| match e {
        Event::Occupant(o) if o.nick == "hecate" && !o.available => Some(o.exit.clone()),
        _ => None,
    })
    .await;
    assert_eq!(exit, Some(LeaveReason::Kicked));

    // While b is out; then b comes back and the archive brings what it missed, once.
    say(&sa, &room, "Double, double toil and trouble");
    group_message(&mut sa, "a's reflection", "Double, double toil and trouble").await;
    join(&mut sb, &room, "hecate", got.stanza_id.clone()).await;
    let missed = group_message(
        &mut sb,
        "b gets what it missed",
        "Double, double toil and trouble",
    )
    .await;
    assert!(missed.archived && missed.delayed.is_some(), "{missed:?}");
    let (last, complete) = expect(&mut sb, "b's catch-up ends", |e| match e {
        Event::RoomCaughtUp { last, complete, .. } => Some((last.clone(), *complete)),
        _ => None,
    })
    .await;
    assert!(complete);
    assert_eq!(last, missed.stanza_id);
    // No replay of the room's history on top of the archive.
    let replay = sb
        .wait_for(
            Duration::from_millis(500),
            |e| matches!(e, Event::GroupMessage(m) if m.body.starts_with("When shall")),
        )
        .await;
    assert!(replay.is_err(), "replayed: {replay:?}");

    for s in [sa, sb] {
        let rest = s.close().await;
        assert!(
            !rest.iter().any(|e| matches!(e, Event::Dropped { .. })),
            "{rest:?}"
        );
    }
}

#[tokio::test]
async fn owner_configuration_and_refusals_in_plain_words() {
    let url = server_or_skip!();
    let (a, b) = (account("mucowner-a"), account("mucowner-b"));
    let room = fresh_room("config");
    let mut sa = sign_in(&url, &a).await;
    let mut sb = sign_in(&url, &b).await;
    sa.send(Command::CreateInstantRoom {
        room: room.clone(),
        nick: "owner".into(),
    });
    joined(&mut sa, &room, "owner").await;

    sa.send(Command::GetRoomConfig { room: room.clone() });
    let form = expect(&mut sa, "the configuration form", |e| match e {
        Event::RoomConfigForm(c) => Some(c.clone()),
        _ => None,
    })
    .await;
    assert!(
        form.name.is_some() && form.members_only == Some(false),
        "{form:?}"
    );
    sa.send(Command::SubmitRoomConfig(RoomConfig {
        name: Some("The Coven".into()),
        members_only: Some(true),
        // Prosody hides new rooms from its list by default.
        public: Some(true),
        ..RoomConfig::new(room.clone())
    }));
    expect(&mut sa, "the configuration is taken", |e| {
        matches!(e, Event::RoomConfigured { .. }).then_some(())
    })
    .await;

    sb.send(Command::JoinRoom {
        room: room.clone(),
        nick: "stranger".into(),
        password: None,
        after: None,
    });
    let reason = expect(&mut sb, "b is refused", |e| match e {
        Event::RoomJoinFailed { reason, .. } => Some(reason.clone()),
        Event::RoomJoined { .. } => panic!("joined a members-only room"),
        _ => None,
    })
    .await;
    assert_eq!(reason, JoinError::MembersOnly);

    // A nick in use.
    sa.send(Command::SubmitRoomConfig(RoomConfig {
        members_only: Some(false),
        ..RoomConfig::new(room.clone())
    }));
    expect(&mut sa, "open again", |e| {
        matches!(e, Event::RoomConfigured { .. }).then_some(())
    })
    .await;
    sb.send(Command::JoinRoom {
        room: room.clone(),
        nick: "owner".into(),
        password: None,
        after: None,
    });
    let reason = expect(&mut sb, "b's nick is taken", |e| match e {
        Event::RoomJoinFailed { reason, .. } => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert_eq!(reason, JoinError::NickInUse);
    assert_eq!(
        reason.to_string(),
        "this nickname is already in use in the room"
    );

    // Discovery finds it under its new name.
    sb.send(Command::RoomInfo { room: room.clone() });
    let info = expect(&mut sb, "room info", |e| match e {
        Event::RoomInfo(i) => Some(i.clone()),
        _ => None,
    })
    .await;
    assert_eq!(info.name.as_deref(), Some("The Coven"));
    assert!(info.archived && info.occupant_ids, "{info:?}");
    assert_eq!(info.occupants, Some(1));
    sb.send(Command::ListRooms {
        service: SERVICE.parse().unwrap(),
    });
    let items = expect(&mut sb, "the room list", |e| match e {
        Event::RoomList { items, .. } => Some(items.clone()),
        _ => None,
    })
    .await;
    assert!(
        items.iter().any(|i| i.jid == room && i.matches("coven")),
        "{items:?}"
    );
    sa.close().await;
    sb.close().await;
}

#[tokio::test]
async fn bookmarks_sync_live_and_autojoin_at_the_next_sign_in() {
    let url = server_or_skip!();
    let a = account("mucbm");
    let room = fresh_room("bookmarked");
    let mut s1 = sign_in(&url, &a).await;
    let mut s2 = sign_in(&url, &a).await;
    for (s, which) in [(&mut s1, "1"), (&mut s2, "2")] {
        let list = expect(
            s,
            &format!("session {which} loads the bookmarks"),
            |e| match e {
                Event::Bookmarks(list) => Some(list.clone()),
                _ => None,
            },
        )
        .await;
        assert!(list.is_empty(), "{list:?}");
    }
    let bookmark = Bookmark {
        room: room.clone(),
        name: Some("Heath".into()),
        nick: Some("banquo".into()),
        password: None,
        autojoin: true,
    };
    s1.send(Command::SetBookmark(bookmark.clone()));
    for (s, which) in [(&mut s1, "1"), (&mut s2, "2 (another device, live)")] {
        let list = expect(
            s,
            &format!("session {which} sees the bookmark"),
            |e| match e {
                Event::Bookmarks(list) if !list.is_empty() => Some(list.clone()),
                _ => None,
            },
        )
        .await;
        assert_eq!(list, vec![bookmark.clone()], "session {which}");
    }
    s1.close().await;
    s2.close().await;

    // Signing in again joins it by itself.
    let mut s3 = sign_in(&url, &a).await;
    joined(&mut s3, &room, "banquo").await;

    s3.send(Command::RemoveBookmark { room: room.clone() });
    expect(&mut s3, "the bookmark is gone", |e| match e {
        Event::Bookmarks(list) if list.is_empty() => Some(()),
        _ => None,
    })
    .await;
    s3.close().await;
}

#[tokio::test]
async fn a_fresh_session_rejoins_and_catches_up_from_the_archive() {
    let url = server_or_skip!();
    let (a, b) = (account("mucre-a"), account("mucre-b"));
    let room = fresh_room("rejoin");
    let mut sa = sign_in(&url, &a).await;
    let mut sb = sign_in(&url, &b).await;
    join(&mut sa, &room, "macbeth", None).await;
    join(&mut sb, &room, "banquo", None).await;
    say(&sb, &room, "So foul and fair a day");
    group_message(&mut sa, "a hears b", "So foul and fair a day").await;

    // a's connection dies; the next session cannot resume the stream (a new device, an
    // expired session): only the rooms are carried.
    sa.drop_connection();
    sa.wait_for(WAIT, |e| matches!(e, Event::Failed(_)))
        .await
        .expect("the session ends");
    let mut resumption = sa.take_resumption().expect("the rooms to carry");
    resumption.stream = None;
    assert_eq!(resumption.rooms.len(), 1);
    assert_eq!(resumption.rooms[0].room, room);

    say(&sb, &room, "Speak, if you can: what are you?");
    group_message(
        &mut sb,
        "b's reflection",
        "Speak, if you can: what are you?",
    )
    .await;

    let mut config = natter_native::config(&url, a.jid.clone(), &a.password);
    config.resumption = Some(resumption);
    let mut sa = natter_native::connect(&url, config)
        .await
        .expect("connects");
    sa.online(WAIT).await.expect("online again");
    joined(&mut sa, &room, "macbeth").await;
    let missed = group_message(
        &mut sa,
        "a gets what it missed",
        "Speak, if you can: what are you?",
    )
    .await;
    assert!(missed.archived, "{missed:?}");
    // What it had already is not fetched again.
    let again = sa
        .wait_for(
            Duration::from_millis(500),
            |e| matches!(e, Event::GroupMessage(m) if m.body == "So foul and fair a day"),
        )
        .await;
    assert!(again.is_err(), "{again:?}");
    sa.close().await;
    sb.close().await;
}
