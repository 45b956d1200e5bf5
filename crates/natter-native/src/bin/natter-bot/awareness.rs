//! natter-bot's receipts, chat markers and chat states (XEP-0184, XEP-0333, XEP-0085).
//!
//! ```text
//! chatstate <jid> active|composing|paused|inactive|gone
//! displayed <jid> <id>           (we displayed their message <id>)
//! receipts on|off                (answer receipt requests; on by default, as in the app)
//! ```
//! Events: `delivered` / `displayed` / `read_elsewhere` (`{peer, id}`) and `chat_state`
//! (`{peer, state}`).

use natter_core::jid::BareJid;
use natter_core::{Awareness, ChatState, Command, Event};
use serde_json::{json, Value};

pub fn parse(verb: &str, rest: &str) -> Result<Option<Command>, String> {
    if !matches!(verb, "chatstate" | "displayed" | "receipts") {
        return Ok(None);
    }
    let mut words = rest.split_whitespace();
    let first = words.next().unwrap_or("");
    let second = words.next().unwrap_or("");
    let bare = |s: &str| {
        s.parse::<BareJid>()
            .map_err(|e| format!("bad JID {s:?}: {e}"))
    };
    Ok(Some(match verb {
        "receipts" => match first {
            "on" => Command::SetReceipts(true),
            "off" => Command::SetReceipts(false),
            _ => return Err("receipts takes on or off".into()),
        },
        "chatstate" => Command::SendChatState {
            to: bare(first)?,
            state: match second {
                "active" => ChatState::Active,
                "composing" => ChatState::Composing,
                "paused" => ChatState::Paused,
                "inactive" => ChatState::Inactive,
                "gone" => ChatState::Gone,
                other => return Err(format!("unknown chat state {other:?}")),
            },
        },
        _ if second.is_empty() => return Err("displayed needs a JID and a message id".into()),
        _ => Command::MarkDisplayed {
            to: bare(first)?,
            id: second.to_string(),
        },
    }))
}

pub fn event_json(e: &Event) -> Option<Value> {
    let Event::Awareness(a) = e else {
        return None;
    };
    Some(match a {
        Awareness::Delivered { peer, id } => {
            json!({ "type": "delivered", "peer": peer.to_string(), "id": id })
        }
        Awareness::Displayed { peer, id } => {
            json!({ "type": "displayed", "peer": peer.to_string(), "id": id })
        }
        Awareness::ReadElsewhere { peer, id } => {
            json!({ "type": "read_elsewhere", "peer": peer.to_string(), "id": id })
        }
        Awareness::ChatState { peer, state } => {
            let state = match state {
                ChatState::Active => "active",
                ChatState::Composing => "composing",
                ChatState::Paused => "paused",
                ChatState::Inactive => "inactive",
                ChatState::Gone => "gone",
            };
            json!({ "type": "chat_state", "peer": peer.to_string(), "state": state })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_its_commands_and_leaves_others() {
        assert_eq!(parse("send", "a@b hi"), Ok(None));
        assert_eq!(
            parse("receipts", "off"),
            Ok(Some(Command::SetReceipts(false)))
        );
        assert_eq!(
            parse("chatstate", "a@b composing"),
            Ok(Some(Command::SendChatState {
                to: "a@b".parse().unwrap(),
                state: ChatState::Composing
            }))
        );
        assert_eq!(
            parse("displayed", "a@b m1"),
            Ok(Some(Command::MarkDisplayed {
                to: "a@b".parse().unwrap(),
                id: "m1".into()
            }))
        );
        assert!(parse("displayed", "a@b").is_err());
        assert!(parse("chatstate", "a@b shouting").is_err());
        assert!(parse("receipts", "maybe").is_err());
    }

    #[test]
    fn awareness_events_become_json() {
        let e = Event::Awareness(Awareness::Delivered {
            peer: "a@b".parse().unwrap(),
            id: "m1".into(),
        });
        assert_eq!(
            event_json(&e),
            Some(json!({ "type": "delivered", "peer": "a@b", "id": "m1" }))
        );
        assert_eq!(event_json(&Event::CarbonsEnabled), None);
    }
}
