//! Where a catch-up's copies go: by the archive's order. The archive lists oldest first, so a
//! copy new to a chat goes right after the copy of that chat the same catch-up brought just
//! before it (or the message the catch-up starts after), whatever stamps and arrival times
//! say: the server may have handed over later messages first (offline storage, the stanzas a
//! dead session never acknowledged), and the cache may have missed the last moment before a
//! reload.

use std::cmp::Ordering;

use super::{Conversation, StoredMessage, STREAM_SLACK_MS};
use crate::{keys, order};

impl Conversation {
    /// The catch-up brought a copy of `m`: later copies go after it. The archive lists oldest
    /// first, so a copy that sorts before the one the catch-up brought last is a history
    /// page's (the reader scrolled up meanwhile) and moves nothing; with no copy yet, neither
    /// does one older than what the stream shows.
    pub(super) fn advance_catch_up_anchor(&mut self, m: &StoredMessage, older_than_stream: bool) {
        let moves = match self.catch_up_anchor.as_deref().and_then(|k| self.find(k)) {
            Some(a) => order::cmp(&self.messages[a], m) == Ordering::Less,
            None => !older_than_stream,
        };
        if moves {
            self.catch_up_anchor = Some(m.key());
        }
    }

    /// A catch-up starts after the archive id `after`: its first copies go after the
    /// message with that id when it is in this chat. What an earlier catch-up (cut off with
    /// its stream) brought last says nothing.
    pub(crate) fn start_catch_up(&mut self, after: Option<&str>) {
        self.catch_up_anchor = after
            .and_then(|id| self.get(&keys::archive(id)))
            .map(StoredMessage::key);
    }

    /// The catch-up ended: what it brought last says nothing about where later copies go.
    pub(crate) fn end_catch_up(&mut self) {
        self.catch_up_anchor = None;
    }

    /// Where a catch-up copy new to this chat goes when the same catch-up already brought a
    /// copy here: right after that one, so before every message we had that the archive
    /// lists later (ones the server held back and handed over before the catch-up came, ones
    /// shown live meanwhile), whatever their stamps and arrival times say. `None`: no such
    /// copy, or no number left (see [`order::slot_after`]).
    pub(super) fn after_catch_up_anchor(&mut self, sent: u64) -> Option<(u64, u64)> {
        let i = self.find(self.catch_up_anchor.as_deref()?)?;
        // Clearly older than that copy: a history page's, which can come amid a catch-up.
        if sent.saturating_add(STREAM_SLACK_MS) < self.messages[i].at {
            return None;
        }
        let next = self.messages.get(i + 1).map(StoredMessage::order);
        order::slot_after(self.messages[i].order(), next, sent, &mut self.seqs)
    }
}
