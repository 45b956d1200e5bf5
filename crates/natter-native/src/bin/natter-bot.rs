//! natter-bot: a scriptable, non-browser XMPP client for the end-to-end tests.
//!
//! ```text
//! natter-bot --url ws://127.0.0.1:5280/xmpp-websocket --jid carol@localhost --password singing
//!            [--resource bot]
//! natter-bot --url http://127.0.0.1:5280/http-bind --anonymous anon.localhost [--nick Ann]
//! ```
//! `--anonymous DOMAIN` signs in with SASL ANONYMOUS (XEP-0175) to that domain: the server makes
//! up the account (the `online` event's `jid`); `--nick` goes out as a XEP-0172 `<nick/>` in the
//! presence and every message, as the widget's visitors send it. Message events carry the
//! sender's `nick`.
//! `--url` picks the transport: `ws://` WebSocket, `http://…/http-bind` BOSH.
//! Prints one JSON object per line on stdout for every core event (`type` is one of: state,
//! online, failed, roster, roster_updated, roster_removed, presence, subscription_request,
//! subscription_changed, message, message_sent, message_failed, request_failed, carbons_enabled,
//! caught_up, history_page, dropped, message_acked, roster_unchanged, roster_version; plus the
//! bot's own: connect_failed, error, ended). Reads commands from stdin, one per line:
//!
//! ```text
//! send <jid> <body…>
//! sendurl <jid> <url>               (a shared file: XEP-0066 OOB, the URL as the body)
//! sendtext <jid> <JSON string>      (a body with new lines, e.g. "*a*\n> b")
//! sendunstyled <jid> <JSON string>  (the same, marked XEP-0393 <unstyled/>)
//! presence <online|away|dnd|xa|chat> [status…]
//! add <jid> [name…]
//! remove <jid>
//! approve <jid>
//! deny <jid>
//! catchup [<archive id>]            (XEP-0313 catch-up after that id; none: the newest page)
//! history <jid> [<max> [<before id>]]
//! active | inactive                 (XEP-0352 client state)
//! quit
//! ```
//!
//! Receipts, markers and chat states (`chatstate`, `displayed`, `receipts on|off`; events
//! `delivered`, `displayed`, `read_elsewhere`, `chat_state`): see `natter-bot/awareness.rs`.
//!
//! Corrections, retractions, reactions and replies (`correct`, `retract`, `react`, `reply`;
//! `edits` in message events): see `natter-bot/edits.rs`.
//!
//! Group chat (events `room_*`, `occupant`, `nick_changed`, `subject`, `group_message[_sent]`,
//! `private_message`, `bookmarks`, `invitation`; commands `join`, `say`, `pm`, …): see
//! `natter-bot/rooms.rs`.
//! End of input counts as `quit`. Exit status: 0 after a clean end, 1 if the session failed.

use std::io::Write;

use natter_core::jid::{BareJid, Jid};
use natter_core::{Command, Direction, Event, RosterItem, SessionState, Show, Subscription};
use serde_json::{json, Value};
use tokio::io::AsyncBufReadExt;

#[path = "natter-bot/awareness.rs"]
mod awareness;
#[path = "natter-bot/edits.rs"]
mod edits;
#[path = "natter-bot/rooms.rs"]
mod rooms;

fn usage() -> ! {
    eprintln!(
        "usage: natter-bot --url URL (ws://… WebSocket, http://… BOSH) (--jid JID --password \
         PASSWORD | --anonymous DOMAIN [--nick NICK]) [--resource RES]"
    );
    std::process::exit(2);
}

fn emit(v: Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{v}");
    let _ = out.flush();
}

fn show_str(show: &Option<Show>) -> Value {
    match show {
        None => Value::Null,
        Some(Show::Away) => "away".into(),
        Some(Show::Chat) => "chat".into(),
        Some(Show::Dnd) => "dnd".into(),
        Some(Show::Xa) => "xa".into(),
    }
}

fn subscription_str(s: &Subscription) -> &'static str {
    match s {
        Subscription::None => "none",
        Subscription::From => "from",
        Subscription::To => "to",
        Subscription::Both => "both",
        Subscription::Remove => "remove",
    }
}

fn item_json(i: &RosterItem) -> Value {
    json!({
        "jid": i.jid.to_string(),
        "name": i.name,
        "subscription": subscription_str(&i.subscription),
        "ask": i.ask,
        "groups": i.groups,
    })
}

fn state_str(s: &SessionState) -> &'static str {
    match s {
        SessionState::Connecting => "Connecting",
        SessionState::Authenticating => "Authenticating",
        SessionState::Online => "Online",
        SessionState::Closed => "Closed",
        SessionState::Failed => "Failed",
    }
}

/// One JSON line per event. `from`/`peer`, `body`, `id`, `state` and `error` are present where
/// they apply.
pub fn event_json(e: &Event) -> Value {
    if let Some(room) = rooms::event_json(e) {
        return room;
    }
    if let Some(a) = awareness::event_json(e) {
        return a;
    }
    match e {
        Event::StateChanged(s) => json!({ "type": "state", "state": state_str(s) }),
        Event::Online { jid, resumed } => {
            json!({ "type": "online", "jid": jid.to_string(), "resumed": resumed })
        }
        Event::Failed(err) => {
            json!({ "type": "failed", "error": err.to_string(), "debug": format!("{err:?}") })
        }
        Event::RosterReset { items, ver } => json!({
            "type": "roster",
            "ver": ver,
            "count": items.len(),
            "items": items.iter().map(item_json).collect::<Vec<_>>(),
        }),
        Event::RosterUpdated(item) => {
            json!({ "type": "roster_updated", "item": item_json(item), "jid": item.jid.to_string() })
        }
        Event::RosterRemoved(jid) => json!({ "type": "roster_removed", "jid": jid.to_string() }),
        Event::RosterUnchanged => json!({ "type": "roster_unchanged" }),
        Event::RosterVersion(ver) => json!({ "type": "roster_version", "ver": ver }),
        Event::Presence(p) => json!({
            "type": "presence",
            "from": p.from.to_string(),
            "peer": p.from.to_bare().to_string(),
            "available": p.available,
            "show": show_str(&p.show),
            "status": p.status,
            "priority": p.priority,
        }),
        Event::SubscriptionRequest { from } => {
            json!({ "type": "subscription_request", "from": from.to_string() })
        }
        Event::SubscriptionChanged { from, approved } => {
            json!({ "type": "subscription_changed", "from": from.to_string(), "approved": approved })
        }
        Event::Message(m) | Event::MessageSent(m) => json!({
            "type": if matches!(e, Event::Message(_)) { "message" } else { "message_sent" },
            "id": m.id,
            "from": m.from.to_string(),
            "peer": m.peer.to_string(),
            "body": m.body,
            "delayed": m.delayed,
            "direction": if m.direction == Direction::Incoming { "in" } else { "out" },
            "stanza_id": m.stanza_id,
            "origin_id": m.origin_id,
            "archived": m.archived,
            // XEP-0066: the shared file's URL, if any (HTTP upload).
            "oob": m.ext.oob.as_ref().map(|o| o.url.clone()),
            // XEP-0308/0424/0444/0461: `natter-bot/edits.rs`.
            "edits": edits::json(&m.ext.edits),
            // XEP-0172: the name an anonymous visitor gave (cleaned by the core).
            "nick": m.ext.nick,
        }),
        Event::CarbonsEnabled => json!({ "type": "carbons_enabled" }),
        // Which kinds arrived, never the secrets.
        Event::Credential(c) => json!({
            "type": "credential",
            "scram": c.scram.as_ref().map(|s| s.mechanism.clone()),
            "fast": c.fast.as_ref().map(|f| f.mechanism.clone()),
        }),
        Event::CaughtUp { last, complete } => {
            json!({ "type": "caught_up", "last": last, "complete": complete })
        }
        Event::HistoryPage {
            with,
            first,
            complete,
        } => json!({
            "type": "history_page",
            "with": with.to_string(),
            "first": first,
            "complete": complete,
        }),
        Event::Dropped { from, reason } => json!({
            "type": "dropped",
            "from": from.as_ref().map(|f| f.to_string()),
            "error": reason,
        }),
        Event::MessageAcked { id, peer } => {
            json!({ "type": "message_acked", "id": id, "peer": peer.to_string() })
        }
        Event::MessageFailed { id, peer, reason } => {
            json!({ "type": "message_failed", "id": id, "peer": peer.to_string(), "error": reason })
        }
        Event::RequestFailed { what, reason } => {
            json!({ "type": "request_failed", "what": what, "error": reason })
        }
        // Group chat: `rooms::event_json` above.
        _ => json!({ "type": "other", "debug": format!("{e:?}") }),
    }
}

/// Parses one stdin line into a command (`Ok(None)` for `quit`).
fn parse_command(
    line: &str,
    mut next_id: impl FnMut() -> String,
) -> Result<Option<Command>, String> {
    let line = line.trim();
    let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let (arg, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let tail = tail.trim();
    let bare = |s: &str| {
        s.parse::<BareJid>()
            .map_err(|e| format!("bad JID {s:?}: {e}"))
    };
    if let Some(cmd) = rooms::parse(verb, rest, &mut next_id)? {
        return Ok(Some(cmd));
    }
    if let Some(cmd) = edits::parse(verb, rest, &mut next_id)? {
        return Ok(Some(cmd));
    }
    if let Some(cmd) = awareness::parse(verb, rest)? {
        return Ok(Some(cmd));
    }
    let cmd = match verb {
        "quit" => return Ok(None),
        "send" => {
            let to: Jid = arg.parse().map_err(|e| format!("bad JID {arg:?}: {e}"))?;
            if tail.is_empty() {
                return Err("send needs a body".into());
            }
            Command::SendMessage {
                to,
                id: next_id(),
                body: tail.to_string(),
                ext: Default::default(),
            }
        }
        // Bodies the line-based `send` cannot carry (new lines: styled blocks).
        "sendtext" | "sendunstyled" => {
            let to: Jid = arg.parse().map_err(|e| format!("bad JID {arg:?}: {e}"))?;
            let body: String =
                serde_json::from_str(tail).map_err(|e| format!("bad JSON string: {e}"))?;
            Command::SendMessage {
                to,
                id: next_id(),
                body,
                ext: natter_core::MessageExt {
                    unstyled: verb == "sendunstyled",
                    ..Default::default()
                },
            }
        }
        // A file shared by URL (XEP-0066), as after an HTTP upload: the URL is also the body.
        "sendurl" => {
            let to: Jid = arg.parse().map_err(|e| format!("bad JID {arg:?}: {e}"))?;
            if tail.is_empty() {
                return Err("sendurl needs a URL".into());
            }
            Command::SendMessage {
                to,
                id: next_id(),
                body: tail.to_string(),
                ext: natter_core::MessageExt {
                    oob: Some(Box::new(natter_core::upload::OutOfBand {
                        url: tail.to_string(),
                        desc: None,
                    })),
                    ..Default::default()
                },
            }
        }
        "presence" => {
            let show = match arg {
                "online" | "" => None,
                "away" => Some(Show::Away),
                "dnd" => Some(Show::Dnd),
                "xa" => Some(Show::Xa),
                "chat" => Some(Show::Chat),
                other => {
                    return Err(format!(
                        "unknown presence {other:?} (online|away|dnd|xa|chat)"
                    ))
                }
            };
            let status = (!tail.is_empty()).then(|| tail.to_string());
            Command::SetPresence { show, status }
        }
        "add" => Command::AddContact {
            jid: bare(arg)?,
            name: (!tail.is_empty()).then(|| tail.to_string()),
        },
        "remove" => Command::RemoveContact { jid: bare(arg)? },
        "approve" => Command::ApproveSubscription { jid: bare(arg)? },
        "deny" => Command::DenySubscription { jid: bare(arg)? },
        "active" => Command::SetActive(true),
        "inactive" => Command::SetActive(false),
        "catchup" => Command::CatchUp {
            after: (!arg.is_empty()).then(|| arg.to_string()),
        },
        "history" => {
            let (max, before) = tail.split_once(char::is_whitespace).unwrap_or((tail, ""));
            Command::LoadHistory {
                with: bare(arg)?,
                max: match max {
                    "" => 50,
                    n => n.parse().map_err(|e| format!("bad max {n:?}: {e}"))?,
                },
                before: (!before.trim().is_empty()).then(|| before.trim().to_string()),
            }
        }
        other => {
            return Err(format!(
                "unknown command {other:?} (send|presence|add|remove|approve|deny|catchup|history|quit, or a room command)"
            ))
        }
    };
    Ok(Some(cmd))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (mut url, mut jid, mut password, mut resource) = (None, None, None, None);
    let (mut anonymous, mut nick) = (None, None);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--url" => url = Some(v),
            "--jid" => jid = Some(v),
            "--password" => password = Some(v),
            "--resource" => resource = Some(v),
            "--anonymous" => anonymous = Some(v),
            "--nick" => nick = Some(v),
            _ => usage(),
        }
    }
    // A domain-only address and no password is what makes the core sign in anonymously.
    let (jid, password) = match (anonymous, jid, password) {
        (Some(domain), None, None) => (Some(domain), Some(String::new())),
        (None, jid, password) => (jid, password),
        _ => usage(),
    };
    let (Some(url), Some(jid), Some(password)) = (url, jid, password) else {
        usage()
    };
    let jid: BareJid = jid.parse().unwrap_or_else(|e| {
        eprintln!("bad --jid: {e}");
        std::process::exit(2)
    });
    let mut config = natter_native::config(&url, jid, &password);
    config.resource = resource;
    config.nick = nick;

    let mut session = match natter_native::connect(&url, config).await {
        Ok(s) => s,
        Err(e) => {
            emit(json!({ "type": "connect_failed", "error": e.to_string() }));
            std::process::exit(1);
        }
    };
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    let mut failed = false;
    loop {
        tokio::select! {
            event = session.next_event() => match event {
                Some(e) => {
                    failed |= matches!(e, Event::Failed(_));
                    emit(event_json(&e));
                }
                None => break,
            },
            line = stdin.next_line(), if stdin_open => match line {
                Ok(Some(line)) if line.trim().is_empty() => {}
                Ok(Some(line)) => match parse_command(&line, || session.next_id()) {
                    Ok(Some(cmd)) => session.send(cmd),
                    Ok(None) => { stdin_open = false; session.send(Command::Disconnect) }
                    Err(e) => emit(json!({ "type": "error", "error": e, "line": line })),
                },
                Ok(None) | Err(_) => { stdin_open = false; session.send(Command::Disconnect) }
            },
        }
    }
    emit(json!({ "type": "ended", "state": state_str(&session.state()) }));
    std::process::exit(if failed { 1 } else { 0 });
}
