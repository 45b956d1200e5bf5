//! The outbox: our messages the server does not have yet.
//!
//! A message enters when the user writes it and leaves once the server has it: acknowledged
//! (XEP-0198) when the server acks stanzas, else once written to the stream; or when it
//! bounced. It is cached, so it survives a reload. The driver sends what no core holds
//! (written while offline, or before a reload) once a session is online; within one page the
//! core itself resends what a dropped session left unacked (its `Resumption`).

use jid::{BareJid, Jid};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub peer: BareJid,
    /// The stanza id: the message goes out (again) under this id, so copies dedupe.
    pub id: String,
    pub from: Jid,
    pub body: String,
    /// What it carries besides the text (a reply, a shared file): sent again with it.
    pub ext: natter_core::MessageExt,
    /// When the user wrote it (Unix ms).
    pub at: u64,
    /// Written to the stream at least once.
    pub sent: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Outbox {
    entries: Vec<OutboxEntry>,
}

impl Outbox {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &OutboxEntry> {
        self.entries.iter()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.entries.iter().any(|e| e.id == id)
    }

    /// Adds an entry unless one with its id is here. Returns whether it was added. Entries are
    /// kept oldest first, the order they are sent in again; two written in the same
    /// millisecond are told apart by moving the later one a millisecond on, so that the order
    /// survives a reload.
    pub fn add(&mut self, mut entry: OutboxEntry) -> bool {
        if self.contains(&entry.id) {
            return false;
        }
        if let Some(last) = self.entries.last() {
            if entry.at == last.at {
                entry.at += 1;
            }
        }
        let i = self.entries.partition_point(|e| e.at <= entry.at);
        self.entries.insert(i, entry);
        true
    }

    /// The message went on the wire. With `acks` (the server acknowledges stanzas) it stays
    /// until acked; otherwise this is as sure as it gets, and it leaves.
    pub fn on_sent(&mut self, id: &str, acks: bool) -> OutboxChange {
        let Some(i) = self.entries.iter().position(|e| e.id == id) else {
            return OutboxChange::None;
        };
        if !acks {
            self.entries.remove(i);
            return OutboxChange::Removed;
        }
        let e = &mut self.entries[i];
        if e.sent {
            return OutboxChange::None;
        }
        e.sent = true;
        OutboxChange::Updated(e.clone())
    }

    /// The server has it (acked), or it bounced: it leaves.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.id != id);
        before != self.entries.len()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// What an outbox update did, for the persistent cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxChange {
    None,
    Updated(OutboxEntry),
    Removed,
}
