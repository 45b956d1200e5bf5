//! Messages into conversations: live, carbon and archive copies, delivery states, the last
//! archive id, and the gap markers a catch-up or history page leaves or fills.

use std::collections::HashMap;

use jid::BareJid;
use natter_core::{ChatMessage, Direction};

use crate::conversation::{Arrival, DeliveryState, Gap, Inserted, StoredMessage};
use crate::{keys, Changes, Store};

/// What the archive copies of one chat brought since the last catch-up or history page ended.
#[derive(Debug, Default, Clone)]
struct Track {
    /// The oldest archive copy that was a new message: (at, seq, stanza id).
    oldest_new: Option<(u64, u64, Option<String>)>,
    /// Orders of archive copies that were already here (the page reached known messages).
    known: Vec<(u64, u64)>,
}

#[derive(Debug, Default)]
pub(crate) struct Archived {
    chats: HashMap<BareJid, Track>,
}

impl Archived {
    fn note(&mut self, peer: &BareJid, m: &StoredMessage, new: bool) {
        let t = self.chats.entry(peer.clone()).or_default();
        let order = (m.at, m.seq);
        if new {
            if t.oldest_new.as_ref().is_none_or(|o| order < (o.0, o.1)) {
                let sid = keys::stanza_id(&m.msg).map(str::to_string);
                t.oldest_new = Some((m.at, m.seq, sid));
            }
        } else {
            t.known.push(order);
        }
    }
}

impl Store {
    /// A message from the network: live, a carbon (either direction) or an archive copy.
    pub(crate) fn on_message(&mut self, m: ChatMessage) -> Changes {
        if m.ext.edits.is_edit() {
            return self.on_edit(m);
        }
        // A copy of our own message that came back from the server (a carbon of what another
        // device of ours sent, or the archive's copy) shows the server has it.
        let state = match m.direction {
            Direction::Outgoing => DeliveryState::Acked,
            Direction::Incoming => DeliveryState::Sent,
        };
        let archived = m.archived;
        let live_archive_id = (!archived)
            .then(|| keys::stanza_id(&m).map(str::to_string))
            .flatten();
        let incoming = m.direction == Direction::Incoming;
        let peer = m.peer.clone();
        let is_open = self.open.as_ref() == Some(&peer) && !self.hidden;
        let now = self.clock_ms;
        // New to the reader: live or caught up, not history paged in on request.
        let fresh = !archived || self.catching_up;
        let conv = self.conversations.entry(peer.clone()).or_default();
        // History is never dropped for being old, nor pushes the oldest message out: it is
        // what the user scrolled up (or asked for a gap) to see. The window shrinks back when
        // the chat is closed.
        let arrival = if archived {
            Arrival::Archive {
                catching_up: self.catching_up,
            }
        } else {
            Arrival::Latest
        };
        let (outcome, record) = conv.insert_copy_as(m, state, now, arrival);
        let mut c = Changes {
            messages: true,
            ..Changes::default()
        };
        if matches!(outcome, Inserted::New { .. }) && incoming && !is_open && fresh {
            conv.unread += 1;
            c.roster = true;
            self.track(|t| t.chat(&peer));
        }
        if archived {
            self.archived.note(
                &peer,
                &record,
                !matches!(outcome, Inserted::Duplicate { .. }),
            );
        }
        if persist_worthy(outcome) {
            self.track(|t| t.message(&record));
        }
        if let Some(id) = live_archive_id.filter(|_| !self.catching_up) {
            self.set_last_archive_id(id);
        }
        if m_is_ours(outcome, &record) && self.outbox.remove(&record.msg.id) {
            let id = record.msg.id.clone();
            self.track(|t| t.outbox_del(&id));
        }
        if matches!(outcome, Inserted::New { .. }) {
            c.merge(self.apply_pending_edits(&peer));
        }
        c
    }

    /// Our message went on the wire.
    pub(crate) fn on_sent(&mut self, m: ChatMessage) -> Changes {
        if m.ext.edits.is_edit() {
            return self.on_edit(m);
        }
        let peer = m.peer.clone();
        let id = m.id.clone();
        let now = self.clock_ms;
        let conv = self.conversations.entry(peer.clone()).or_default();
        let (outcome, record) = conv.insert_copy(m, DeliveryState::Sent, now);
        if persist_worthy(outcome) {
            self.track(|t| t.message(&record));
        }
        match self.outbox.on_sent(&id, self.acks) {
            crate::outbox::OutboxChange::None => {}
            crate::outbox::OutboxChange::Updated(e) => self.track(|t| t.outbox_put(&e)),
            crate::outbox::OutboxChange::Removed => self.track(|t| t.outbox_del(&id)),
        }
        Changes {
            messages: true,
            ..Changes::default()
        }
    }

    /// A delivery state for our message `id` (acked, bounced).
    pub(crate) fn on_state(&mut self, peer: &BareJid, id: &str, state: DeliveryState) -> Changes {
        let Some(conv) = self.conversations.get_mut(peer) else {
            return Changes::default();
        };
        if let Some(m) = conv.set_state(id, state.clone()) {
            let m = m.clone();
            self.track(|t| t.message(&m));
            return Changes {
                messages: true,
                ..Changes::default()
            };
        }
        // Not in memory (or no change): the cached copy may still need the new state.
        let key = keys::local(Direction::Outgoing, id);
        if conv.get(&key).is_none() {
            self.track(|t| t.state(peer, key, state));
        }
        Changes::default()
    }

    fn set_last_archive_id(&mut self, id: String) {
        if self.last_archive_id.as_deref() != Some(&id) {
            self.last_archive_id = Some(id);
            self.track(crate::cache::Tracker::meta);
        }
    }

    /// The catch-up ended (`Event::CaughtUp`). `complete: false`: the archive could not fill
    /// the time since the last archive id; a gap marker goes before the oldest new message
    /// the catch-up brought into each chat (or, when it brought none, at the end of the open
    /// chat).
    pub fn on_caught_up(&mut self, last: Option<String>, complete: bool) -> Changes {
        self.catching_up = false;
        for conv in self.conversations.values_mut() {
            conv.end_catch_up();
        }
        if let Some(id) = last {
            self.set_last_archive_id(id);
        }
        let tracks = std::mem::take(&mut self.archived.chats);
        for peer in tracks.keys() {
            self.end_archive_page(peer);
        }
        if complete {
            return Changes::default();
        }
        let mut marked = false;
        for (peer, t) in tracks {
            let Some((at, seq, before)) = t.oldest_new else {
                continue;
            };
            // Even with nothing older here, older messages may be what is missing.
            if let Some(conv) = self.conversations.get_mut(&peer) {
                conv.add_gap(Gap { at, seq, before });
                marked = true;
            }
        }
        if !marked {
            match self.open.clone() {
                Some(open) => self.conversations.entry(open).or_default().add_gap_at_end(),
                None => self.pending_gap = true,
            }
        }
        Changes {
            messages: true,
            ..Changes::default()
        }
    }

    /// A history page for `with` ended (`Event::HistoryPage`). A gap it reached across (a
    /// copy of a message from before the gap came back), or any gap when the archive has
    /// nothing older (`complete`), is filled and goes; otherwise the gap moves back to the
    /// oldest message the page brought, and the next page starts from `first`.
    pub fn on_history_page(
        &mut self,
        with: &BareJid,
        first: Option<String>,
        complete: bool,
    ) -> Changes {
        let track = self.archived.chats.remove(with).unwrap_or_default();
        self.end_archive_page(with);
        let Some(conv) = self.conversations.get_mut(with) else {
            return Changes::default();
        };
        if complete {
            conv.archive_exhausted = true;
        }
        // The gap this page was loaded for: the oldest one after the page's messages.
        let page_oldest = track
            .oldest_new
            .as_ref()
            .map(|o| (o.0, o.1))
            .into_iter()
            .chain(track.known.iter().copied())
            .min();
        let Some(i) = conv
            .gaps
            .iter()
            .position(|g| page_oldest.is_none_or(|p| p < (g.at, g.seq)))
        else {
            return Changes::default();
        };
        let g = (conv.gaps[i].at, conv.gaps[i].seq);
        let reached_known = track.known.iter().any(|k| *k < g);
        if complete {
            // Nothing older in the archive: this gap and every older one are filled.
            conv.gaps.drain(..=i);
        } else if reached_known {
            conv.gaps.remove(i);
        } else if let Some((at, seq, sid)) = track.oldest_new {
            let gap = &mut conv.gaps[i];
            gap.at = at;
            gap.seq = seq;
            gap.before = first.or(sid);
        } else {
            return Changes::default();
        }
        Changes {
            messages: true,
            ..Changes::default()
        }
    }

    /// An archive page for `peer` ended: the next page is numbered below it, and a chat not
    /// on screen goes back to its usual window (the one on screen does when it is closed).
    fn end_archive_page(&mut self, peer: &BareJid) {
        let open = self.open.as_ref() == Some(peer);
        if let Some(conv) = self.conversations.get_mut(peer) {
            conv.end_history_page();
            if !open {
                conv.trim();
            }
        }
    }
}

fn persist_worthy(outcome: Inserted) -> bool {
    !matches!(outcome, Inserted::Duplicate { changed: false })
}

/// A server copy of our own message (carbon or archive) that matched one we have: the
/// server has it, so it can leave the outbox.
fn m_is_ours(outcome: Inserted, record: &StoredMessage) -> bool {
    matches!(outcome, Inserted::Duplicate { .. }) && record.msg.direction == Direction::Outgoing
}
