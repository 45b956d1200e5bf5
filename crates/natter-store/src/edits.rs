//! Corrections, retractions and reactions applied to one-to-one messages (the parsing is in
//! `natter_core::edits`).
//!
//! Who may change a message: in a one-to-one chat the peer's messages are the incoming ones
//! and ours the outgoing ones, so an edit looks its target up only among messages of its own
//! direction in its own conversation (the core files every message under its sender's bare
//! JID, or ours). A correction or retraction naming a message of the other side is shown as
//! a message of its own (XEP-0308 §5). Reactions name any message of the chat; each side
//! replaces only its own set.
//!
//! An edit may come before its target (history pages come newest first, a target may be in
//! the cache only): it waits, bounded, until the target is inserted. Copies of one edit
//! (live, carbon, archive) apply once; an edit older than the one already applied (a
//! history page) loses.

use std::collections::{HashSet, VecDeque};

use jid::BareJid;
use natter_core::edits::{valid_reaction, Applied, MAX_REACTIONS};
use natter_core::{ChatMessage, Direction};

use crate::conversation::{Conversation, StoredMessage};
use crate::{keys, Changes, Store};

/// Edits kept while their target is not in memory.
pub const MAX_PENDING_EDITS: usize = 200;
/// Edit copies remembered as applied (their dedup keys).
const SEEN_EDITS: usize = 2000;
/// Corrections remembered by their own id, for clients that correct a correction by naming
/// it rather than the original (XEP-0308 before 1.1, still sent by some).
const CORRECTION_ALIASES: usize = 500;

#[derive(Debug, Default)]
pub(crate) struct EditLog {
    pending: VecDeque<(ChatMessage, u64)>,
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
    /// (peer, direction, correction id, original id).
    aliases: VecDeque<(BareJid, Direction, String, String)>,
}

impl EditLog {
    fn seen(&self, m: &ChatMessage) -> bool {
        keys::all(m).iter().any(|k| self.seen.contains(k))
    }

    fn remember(&mut self, m: &ChatMessage) {
        for k in keys::all(m) {
            if self.seen.insert(k.clone()) {
                self.seen_order.push_back(k);
            }
        }
        while self.seen_order.len() > SEEN_EDITS {
            if let Some(k) = self.seen_order.pop_front() {
                self.seen.remove(&k);
            }
        }
    }

    fn wait(&mut self, m: ChatMessage, at: u64) {
        if self
            .pending
            .iter()
            .any(|(p, _)| p.peer == m.peer && p.id == m.id && p.direction == m.direction)
        {
            return;
        }
        if self.pending.len() == MAX_PENDING_EDITS {
            self.pending.pop_front();
        }
        self.pending.push_back((m, at));
    }

    /// The original a correction named `id` corrected, if one did.
    fn original(&self, m: &ChatMessage, id: &str) -> Option<String> {
        self.aliases
            .iter()
            .rev()
            .find(|(p, d, c, _)| *p == m.peer && *d == m.direction && c == id)
            .map(|(_, _, _, o)| o.clone())
    }

    fn alias(&mut self, m: &ChatMessage) {
        let Some(original) = m.ext.edits.replace.clone() else {
            return;
        };
        if self.aliases.len() == CORRECTION_ALIASES {
            self.aliases.pop_front();
        }
        self.aliases
            .push_back((m.peer.clone(), m.direction, m.id.clone(), original));
    }

    /// How many edits wait for their target.
    pub(crate) fn pending(&self) -> usize {
        self.pending.len()
    }
}

/// What one edit did.
enum Outcome {
    /// Applied; the target as it now stands if it changed (for the cache).
    Applied(Option<Box<StoredMessage>>),
    /// Its target is not here (yet).
    Missing,
    /// It names a message of the other side: not an edit it may make.
    Foreign,
}

impl Store {
    /// A correction, retraction or reaction (`m.ext.edits.is_edit()`), from any route.
    pub(crate) fn on_edit(&mut self, m: ChatMessage) -> Changes {
        if self.edit_log.seen(&m) {
            return Changes::default();
        }
        let at = m
            .delayed
            .as_deref()
            .and_then(crate::time::parse_rfc3339_ms)
            .unwrap_or(self.clock_ms)
            .max(1);
        let mut m = m;
        let conv = self.conversations.entry(m.peer.clone()).or_default();
        if let Some(id) = m.ext.edits.replace.clone() {
            if conv.find_key(&keys::local(m.direction, &id)).is_none() {
                if let Some(original) = self.edit_log.original(&m, &id) {
                    m.ext.edits.replace = Some(original);
                }
            }
        }
        match apply(conv, &m, at) {
            Outcome::Applied(record) => {
                self.edit_log.remember(&m);
                self.edit_log.alias(&m);
                if let Some(record) = record {
                    self.track(|t| t.message(&record));
                }
                Changes {
                    messages: true,
                    ..Changes::default()
                }
            }
            Outcome::Missing => {
                self.edit_log.wait(m, at);
                Changes::default()
            }
            Outcome::Foreign => {
                m.ext.edits.replace = None;
                m.ext.edits.retract = None;
                m.ext.edits.react = None;
                if m.body.is_empty() {
                    return Changes::default();
                }
                self.on_message(m)
            }
        }
    }

    /// Applies the edits waiting for messages of `peer` that are now in memory.
    pub(crate) fn apply_pending_edits(&mut self, peer: &BareJid) -> Changes {
        let mut c = Changes::default();
        if !self.edit_log.pending.iter().any(|(m, _)| m.peer == *peer) {
            return c;
        }
        let waiting = std::mem::take(&mut self.edit_log.pending);
        let mut records = Vec::new();
        for (m, at) in waiting {
            let applied = m.peer == *peer
                && match self.conversations.get_mut(peer) {
                    Some(conv) => match apply(conv, &m, at) {
                        Outcome::Applied(record) => {
                            records.extend(record.map(|r| *r));
                            true
                        }
                        Outcome::Missing | Outcome::Foreign => false,
                    },
                    None => false,
                };
            if applied {
                self.edit_log.remember(&m);
                c.messages = true;
            } else {
                self.edit_log.pending.push_back((m, at));
            }
        }
        for record in records {
            self.track(|t| t.message(&record));
        }
        c
    }
}

/// Applies `edit` (stamped `at`) to its target in `conv`; the target as it now stands, if it
/// changed.
fn apply(conv: &mut Conversation, edit: &ChatMessage, at: u64) -> Outcome {
    let edits = &edit.ext.edits;
    let other = match edit.direction {
        Direction::Incoming => Direction::Outgoing,
        Direction::Outgoing => Direction::Incoming,
    };
    if let Some(set) = &edits.react {
        let target = [Direction::Outgoing, Direction::Incoming]
            .into_iter()
            .find_map(|d| conv.find_key(&keys::local(d, &set.id)));
        let Some(target) = target else {
            return Outcome::Missing;
        };
        let changed = conv.edit(target, |m| {
            react(
                &mut m.msg.ext.edits.applied,
                edit.direction,
                &set.reactions,
                at,
            )
        });
        return Outcome::Applied(changed.map(Box::new));
    }
    let Some(id) = edits.retract.as_ref().or(edits.replace.as_ref()) else {
        return Outcome::Applied(None);
    };
    let Some(target) = conv.find_key(&keys::local(edit.direction, id)) else {
        return if conv.find_key(&keys::local(other, id)).is_some() {
            Outcome::Foreign
        } else {
            Outcome::Missing
        };
    };
    let changed = if edits.retract.is_some() {
        conv.edit(target, |m| {
            let a = &mut m.msg.ext.edits.applied;
            if a.retracted {
                return false;
            }
            *a = Applied {
                retracted: true,
                ..Applied::default()
            };
            m.msg.body.clear();
            m.msg.ext.edits.reply = None;
            true
        })
    } else {
        conv.edit(target, |m| {
            let a = &mut m.msg.ext.edits.applied;
            if a.retracted || at < a.edited_at {
                return false;
            }
            a.edited_at = at;
            m.msg.body = edit.body.clone();
            true
        })
    };
    Outcome::Applied(changed.map(Box::new))
}

/// Sets one side's reactions (if `at` is not older than the set it replaces), keeping at
/// most [`MAX_REACTIONS`] distinct ones on the message.
fn react(a: &mut Applied, by: Direction, reactions: &[String], at: u64) -> bool {
    let (own, own_at, other) = match by {
        Direction::Outgoing => (&mut a.mine, &mut a.mine_at, &a.theirs),
        Direction::Incoming => (&mut a.theirs, &mut a.theirs_at, &a.mine),
    };
    if at < *own_at {
        return false;
    }
    let mut kept: Vec<String> = Vec::new();
    for r in reactions {
        let distinct = other.len() + kept.iter().filter(|k| !other.contains(k)).count();
        if valid_reaction(r) && !kept.contains(r) && (other.contains(r) || distinct < MAX_REACTIONS)
        {
            kept.push(r.clone());
        }
    }
    *own_at = at;
    if *own == kept {
        return false;
    }
    *own = kept;
    true
}

/// Takes into `kept` what a later copy of the same message knows about edits: a newer
/// correction, a retraction, newer reactions, a reply the first copy lacked (the optimistic
/// echo carries none). Returns whether anything changed.
pub fn merge(kept: &mut ChatMessage, copy: &ChatMessage) -> bool {
    let mut changed = false;
    let (k, c) = (&mut kept.ext.edits, &copy.ext.edits);
    if k.reply.is_none() && c.reply.is_some() && !k.applied.retracted {
        k.reply = c.reply.clone();
        changed = true;
    }
    if c.applied.retracted {
        if !k.applied.retracted {
            k.applied = Applied {
                retracted: true,
                ..Applied::default()
            };
            k.reply = None;
            kept.body.clear();
            changed = true;
        }
        return changed;
    }
    if k.applied.retracted {
        return changed;
    }
    if c.applied.edited_at > k.applied.edited_at {
        k.applied.edited_at = c.applied.edited_at;
        kept.body = copy.body.clone();
        changed = true;
    }
    if c.applied.mine_at > k.applied.mine_at {
        k.applied.mine_at = c.applied.mine_at;
        k.applied.mine = c.applied.mine.clone();
        changed = true;
    }
    if c.applied.theirs_at > k.applied.theirs_at {
        k.applied.theirs_at = c.applied.theirs_at;
        k.applied.theirs = c.applied.theirs.clone();
        changed = true;
    }
    changed
}

impl Store {
    /// How many corrections, retractions and reactions wait for their message (at most
    /// [`MAX_PENDING_EDITS`]).
    pub fn pending_edits(&self) -> usize {
        self.edit_log.pending()
    }
}
