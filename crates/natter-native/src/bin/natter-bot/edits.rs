//! natter-bot's corrections, retractions, reactions and replies (XEP-0308, 0424, 0444, 0461).
//!
//! ```text
//! correct <jid> <id> <body…>     (replace our message <id>; sent under a new id)
//! retract <jid> <id>
//! react <jid> <id> [emoji…]      (our whole set of reactions; none: remove them)
//! reply <jid> <id> <body…>       (a reply to <id>, quoting nothing)
//! ```
//! Messages and message_sent events carry `edits`: `replace`, `retract`, `react`
//! (`{id, reactions}`) and `reply` (`{id, to, quote}`), each only when present.

use natter_core::edits::{Edits, ReactionSet, Reply};
use natter_core::jid::Jid;
use natter_core::{Command, MessageExt};
use serde_json::{json, Map, Value};

pub fn parse(
    verb: &str,
    rest: &str,
    next_id: impl FnOnce() -> String,
) -> Result<Option<Command>, String> {
    if !matches!(verb, "correct" | "retract" | "react" | "reply") {
        return Ok(None);
    }
    let mut words = rest.splitn(3, char::is_whitespace);
    let to: Jid = match words.next().filter(|w| !w.is_empty()) {
        Some(w) => w.parse().map_err(|e| format!("bad JID {w:?}: {e}"))?,
        None => return Err(format!("{verb} needs a JID")),
    };
    let id = words
        .next()
        .filter(|w| !w.is_empty())
        .ok_or_else(|| format!("{verb} needs a message id"))?
        .to_string();
    let tail = words.next().unwrap_or("").trim().to_string();
    Ok(Some(match verb {
        "correct" if !tail.is_empty() => Command::Correct {
            to,
            id,
            new_id: next_id(),
            body: tail,
        },
        "retract" => Command::Retract { to, id },
        "react" => Command::React {
            to,
            id,
            reactions: tail.split_whitespace().map(str::to_string).collect(),
        },
        "reply" if !tail.is_empty() => Command::SendMessage {
            to: to.clone(),
            id: next_id(),
            body: tail,
            ext: MessageExt {
                edits: Box::new(Edits {
                    reply: Some(Reply {
                        to: Some(to),
                        id,
                        quote: None,
                        fallback: None,
                    }),
                    ..Edits::default()
                }),
                ..MessageExt::default()
            },
        },
        _ => return Err(format!("{verb} needs a body")),
    }))
}

/// What a message says about other messages, for its JSON line.
pub fn json(edits: &Edits) -> Value {
    let mut out = Map::new();
    if let Some(id) = &edits.replace {
        out.insert("replace".into(), json!(id));
    }
    if let Some(id) = &edits.retract {
        out.insert("retract".into(), json!(id));
    }
    if let Some(ReactionSet { id, reactions }) = &edits.react {
        out.insert("react".into(), json!({ "id": id, "reactions": reactions }));
    }
    if let Some(r) = &edits.reply {
        out.insert(
            "reply".into(),
            json!({ "id": r.id, "to": r.to.as_ref().map(|t| t.to_string()), "quote": r.quote }),
        );
    }
    Value::Object(out)
}
