//! natter-bot's group chat: the room events as JSON lines and the room commands on stdin.
//!
//! ```text
//! join <room> <nick> [password]        leave <room>           nick <room> <nick>
//! instant <room> <nick>                subject <room> <text…>
//! say <room> <body…>                   pm <room> <nick> <body…>
//! kick <room> <nick> [reason…]         ban <room> <jid> [reason…]
//! voice <room> <nick> on|off           affiliation <room> <jid> owner|admin|member|none|outcast
//! invite <room> <jid> direct|mediated [reason…]
//! rooms <service>                      roominfo <room>          config <room>
//! bookmark <room> autojoin|manual [nick]   unbookmark <room>
//! roomhistory <room> [<max> [<before id>]]
//! ```

use natter_core::jid::BareJid;
use natter_core::{
    Affiliation, Bookmark, Command, Direction, Event, OccupantUpdate, Role, RoomMessage,
};
use serde_json::{json, Value};

fn message_json(kind: &str, m: &RoomMessage) -> Value {
    json!({
        "type": kind,
        "room": m.room.to_string(),
        "nick": m.nick,
        "occupant_id": m.occupant_id,
        "id": m.id,
        "stanza_id": m.stanza_id,
        "origin_id": m.origin_id,
        "body": m.body,
        "delayed": m.delayed,
        "archived": m.archived,
        "mentions_me": m.mentions_me,
        "from_me": m.from_me,
    })
}

fn occupant_json(o: &OccupantUpdate) -> Value {
    json!({
        "type": "occupant",
        "room": o.room.to_string(),
        "nick": o.nick,
        "role": o.role.as_str(),
        "affiliation": o.affiliation.as_str(),
        "jid": o.jid.as_ref().map(|j| j.to_string()),
        "occupant_id": o.occupant_id,
        "show": super::show_str(&o.show),
        "status": o.status,
        "available": o.available,
        "me": o.me,
        "exit": o.exit.as_ref().map(|e| format!("{e:?}")),
    })
}

fn bookmark_json(b: &Bookmark) -> Value {
    json!({
        "room": b.room.to_string(),
        "name": b.name,
        "nick": b.nick,
        "autojoin": b.autojoin,
        "has_password": b.password.is_some(),
    })
}

/// The JSON line for a group chat event; `None` for the others.
pub fn event_json(e: &Event) -> Option<Value> {
    Some(match e {
        Event::RoomJoining { room, nick } => {
            json!({ "type": "room_joining", "room": room.to_string(), "nick": nick })
        }
        Event::RoomJoined {
            room,
            nick,
            occupant_id,
            subject,
            created,
        } => json!({
            "type": "room_joined",
            "room": room.to_string(),
            "nick": nick,
            "occupant_id": occupant_id,
            "subject": subject,
            "created": created,
        }),
        Event::RoomJoinFailed { room, reason } => json!({
            "type": "room_join_failed",
            "room": room.to_string(),
            "error": reason.to_string(),
            "debug": format!("{reason:?}"),
        }),
        Event::RoomLeft { room, reason, text } => json!({
            "type": "room_left",
            "room": room.to_string(),
            "reason": format!("{reason:?}"),
            "error": reason.to_string(),
            "text": text,
        }),
        Event::Occupant(o) => occupant_json(o),
        Event::NickChanged {
            room,
            old,
            new,
            occupant_id,
            me,
        } => json!({
            "type": "nick_changed",
            "room": room.to_string(),
            "old": old,
            "new": new,
            "occupant_id": occupant_id,
            "me": me,
        }),
        Event::Subject { room, subject, by } => json!({
            "type": "subject",
            "room": room.to_string(),
            "subject": subject,
            "by": by,
        }),
        Event::GroupMessage(m) => message_json("group_message", m),
        Event::GroupMessageSent(m) => message_json("group_message_sent", m),
        Event::PrivateMessage(m) => json!({
            "type": "private_message",
            "room": m.room.to_string(),
            "nick": m.nick,
            "occupant_id": m.occupant_id,
            "id": m.id,
            "direction": if m.direction == Direction::Incoming { "in" } else { "out" },
            "body": m.body,
            "delayed": m.delayed,
        }),
        Event::RoomList { service, items } => json!({
            "type": "room_list",
            "service": service.to_string(),
            "items": items
                .iter()
                .map(|i| json!({ "jid": i.jid.to_string(), "name": i.name }))
                .collect::<Vec<_>>(),
        }),
        Event::RoomInfo(info) => json!({
            "type": "room_info",
            "room": info.room.to_string(),
            "name": info.name,
            "description": info.description,
            "occupants": info.occupants,
            "archived": info.archived,
            "occupant_ids": info.occupant_ids,
            "members_only": info.members_only,
            "password_protected": info.password_protected,
            "persistent": info.persistent,
            "public": info.public,
        }),
        Event::RoomConfigForm(c) => json!({
            "type": "room_config",
            "room": c.room.to_string(),
            "name": c.name,
            "description": c.description,
            "persistent": c.persistent,
            "members_only": c.members_only,
            "public": c.public,
            "moderated": c.moderated,
            "has_password": c.password.as_ref().map(|p| !p.is_empty()),
        }),
        Event::RoomConfigured { room } => {
            json!({ "type": "room_configured", "room": room.to_string() })
        }
        Event::Bookmarks(list) => json!({
            "type": "bookmarks",
            "items": list.iter().map(bookmark_json).collect::<Vec<_>>(),
        }),
        Event::Invitation(i) => json!({
            "type": "invitation",
            "room": i.room.to_string(),
            "from": i.from.to_string(),
            "reason": i.reason,
            "has_password": i.password.is_some(),
            "direct": i.direct,
        }),
        Event::RoomCaughtUp {
            room,
            last,
            complete,
            beginning,
        } => json!({
            "type": "room_caught_up",
            "room": room.to_string(),
            "last": last,
            "complete": complete,
            "beginning": beginning,
        }),
        Event::RoomHistoryPage {
            room,
            first,
            complete,
        } => json!({
            "type": "room_history_page",
            "room": room.to_string(),
            "first": first,
            "complete": complete,
        }),
        _ => return None,
    })
}

struct Words<'a> {
    verb: &'a str,
    iter: std::str::SplitWhitespace<'a>,
}

impl Words<'_> {
    fn need(&mut self, what: &str) -> Result<String, String> {
        self.opt()
            .ok_or_else(|| format!("{} needs {what}", self.verb))
    }

    fn opt(&mut self) -> Option<String> {
        self.iter.next().map(str::to_owned)
    }
}

/// A room command (`Ok(None)`: `verb` is not one).
pub fn parse(
    verb: &str,
    rest: &str,
    next_id: impl FnOnce() -> String,
) -> Result<Option<Command>, String> {
    let mut words = Words {
        verb,
        iter: rest.split_whitespace(),
    };
    let bare = |s: String| {
        s.parse::<BareJid>()
            .map_err(|e| format!("bad JID {s:?}: {e}"))
    };
    // What is left after the words taken so far.
    let tail = |n: usize| -> Option<String> {
        let mut rest = rest.trim();
        for _ in 0..n {
            rest = rest
                .split_once(char::is_whitespace)
                .map_or("", |(_, r)| r)
                .trim_start();
        }
        (!rest.trim().is_empty()).then(|| rest.trim().to_owned())
    };
    let cmd = match verb {
        "join" => Command::JoinRoom {
            room: bare(words.need("a room")?)?,
            nick: words.need("a nick")?,
            password: words.opt(),
            after: None,
        },
        "instant" => Command::CreateInstantRoom {
            room: bare(words.need("a room")?)?,
            nick: words.need("a nick")?,
        },
        "leave" => Command::LeaveRoom {
            room: bare(words.need("a room")?)?,
        },
        "nick" => Command::ChangeNick {
            room: bare(words.need("a room")?)?,
            nick: words.need("a nick")?,
        },
        "subject" => Command::SetSubject {
            room: bare(words.need("a room")?)?,
            subject: tail(1).unwrap_or_default(),
        },
        "say" => Command::SendGroupMessage {
            room: bare(words.need("a room")?)?,
            id: next_id(),
            body: tail(1).ok_or("say needs a body")?,
        },
        "pm" => Command::SendPrivateMessage {
            room: bare(words.need("a room")?)?,
            nick: words.need("a nick")?,
            id: next_id(),
            body: tail(2).ok_or("pm needs a body")?,
        },
        "kick" => Command::Kick {
            room: bare(words.need("a room")?)?,
            nick: words.need("a nick")?,
            reason: tail(2),
        },
        "ban" => Command::Ban {
            room: bare(words.need("a room")?)?,
            jid: bare(words.need("a JID")?)?,
            reason: tail(2),
        },
        "voice" => Command::SetRole {
            room: bare(words.need("a room")?)?,
            nick: words.need("a nick")?,
            role: match words.need("on or off")?.as_str() {
                "on" => Role::Participant,
                "off" => Role::Visitor,
                other => return Err(format!("voice on|off, not {other:?}")),
            },
            reason: tail(3),
        },
        "affiliation" => Command::SetAffiliation {
            room: bare(words.need("a room")?)?,
            jid: bare(words.need("a JID")?)?,
            affiliation: words
                .need("an affiliation")?
                .parse::<Affiliation>()
                .map_err(|()| "owner|admin|member|none|outcast".to_owned())?,
            reason: tail(3),
        },
        "invite" => Command::Invite {
            room: bare(words.need("a room")?)?,
            to: bare(words.need("a JID")?)?,
            direct: match words.need("direct or mediated")?.as_str() {
                "direct" => true,
                "mediated" => false,
                other => return Err(format!("invite … direct|mediated, not {other:?}")),
            },
            reason: tail(3),
        },
        "rooms" => Command::ListRooms {
            service: bare(words.need("a service")?)?,
        },
        "roominfo" => Command::RoomInfo {
            room: bare(words.need("a room")?)?,
        },
        "config" => Command::GetRoomConfig {
            room: bare(words.need("a room")?)?,
        },
        "bookmark" => Command::SetBookmark(Bookmark {
            room: bare(words.need("a room")?)?,
            autojoin: words.need("autojoin or manual")? == "autojoin",
            nick: words.opt(),
            name: None,
            password: None,
        }),
        "unbookmark" => Command::RemoveBookmark {
            room: bare(words.need("a room")?)?,
        },
        "roomhistory" => Command::LoadRoomHistory {
            room: bare(words.need("a room")?)?,
            max: match words.opt() {
                None => 50,
                Some(n) => n.parse().map_err(|e| format!("bad max {n:?}: {e}"))?,
            },
            before: words.opt(),
        },
        _ => return Ok(None),
    };
    Ok(Some(cmd))
}
