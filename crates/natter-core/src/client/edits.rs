//! Sending corrections, retractions and reactions ([`crate::edits`]): each is a message of
//! its own, reported back as `MessageSent` so the store applies it like any copy that comes
//! back from the server. Like chat messages, they wait for sign-in.

use super::{Client, Queued};
use crate::edits::{self, Edits, ReactionSet};
use crate::{Command, MessageExt};

impl Client {
    /// `Command::Correct`, `Retract` or `React`.
    pub(super) fn send_edit(&mut self, command: Command, online: bool) {
        let (to, id, body, edits) = match command {
            Command::Correct {
                to,
                id,
                new_id,
                body,
            } => (
                to,
                new_id,
                body,
                Edits {
                    replace: Some(id),
                    ..Edits::default()
                },
            ),
            Command::Retract { to, id } => (
                to,
                self.ids.next(),
                edits::RETRACT_FALLBACK.to_owned(),
                Edits {
                    retract: Some(id),
                    ..Edits::default()
                },
            ),
            Command::React { to, id, reactions } => (
                to,
                self.ids.next(),
                String::new(),
                Edits {
                    react: Some(ReactionSet { id, reactions }),
                    ..Edits::default()
                },
            ),
            _ => return,
        };
        let ext = MessageExt {
            edits: Box::new(edits),
            ..MessageExt::default()
        };
        if online {
            self.send_chat(to, &id, &body, ext);
        } else {
            self.queued.push_back(Queued { to, id, body, ext });
        }
    }
}
