//! What the persistent cache (IndexedDB in the browser) holds per account, as plain data: what
//! the store hands it to write ([`Dirty`]) and what it gives back on load ([`Snapshot`]).
//!
//! The store only records what changed; the app writes it out in batches, many events per
//! transaction, so a 2,000-contact roster or a catch-up of hundreds of messages costs one
//! write, not one per stanza.

use std::collections::{HashMap, HashSet};

use jid::BareJid;
use natter_core::RosterItem;

use crate::conversation::{DeliveryState, StoredMessage};
use crate::outbox::OutboxEntry;

/// Small per-account facts, kept as one record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// RFC 6121 roster version of the cached roster.
    pub roster_ver: Option<String>,
    /// The newest archive (XEP-0313) id seen: catch-up starts after it.
    pub last_archive_id: Option<String>,
    /// The server acknowledges stanzas (XEP-0198 seen working): sent messages stay in the
    /// outbox until acked.
    pub acks: bool,
}

/// A conversation's own record (its messages are separate records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRecord {
    pub peer: BareJid,
    pub unread: u32,
}

/// Everything to write since the last batch. Later changes to one record replace earlier ones.
#[derive(Debug, Clone, Default)]
pub struct Dirty {
    /// Messages to merge into the cache by key (see [`crate::merge_cached`]).
    pub messages: Vec<StoredMessage>,
    /// Delivery-state changes of messages no longer in memory: (peer, key, state).
    pub states: Vec<(BareJid, String, DeliveryState)>,
    pub chats: Vec<ChatRecord>,
    /// `Some`: replace the whole cached roster with this.
    pub roster_all: Option<Vec<RosterItem>>,
    pub roster_put: Vec<RosterItem>,
    pub roster_del: Vec<BareJid>,
    pub outbox_put: Vec<OutboxEntry>,
    pub outbox_del: Vec<String>,
    pub meta: Option<Meta>,
}

impl Dirty {
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
            && self.states.is_empty()
            && self.chats.is_empty()
            && self.roster_all.is_none()
            && self.roster_put.is_empty()
            && self.roster_del.is_empty()
            && self.outbox_put.is_empty()
            && self.outbox_del.is_empty()
            && self.meta.is_none()
    }

    /// Adds a later batch to this one (when a write is still in flight).
    pub fn absorb(&mut self, later: Dirty) {
        let mut tracker = Tracker::default();
        tracker.load(std::mem::take(self));
        tracker.load(later);
        *self = tracker.finish_with(|| None, |_| None, Vec::new);
    }
}

/// What the cache gives back for one account on load.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub meta: Meta,
    pub roster: Vec<RosterItem>,
    pub chats: Vec<ChatRecord>,
    /// The newest messages of each conversation, any order.
    pub messages: Vec<StoredMessage>,
    pub outbox: Vec<OutboxEntry>,
}

/// Collects changes between two batches; coalesces repeated changes of one record.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    messages: HashMap<(BareJid, String), StoredMessage>,
    states: HashMap<(BareJid, String), DeliveryState>,
    chats: HashSet<BareJid>,
    chat_records: HashMap<BareJid, ChatRecord>,
    roster_all: bool,
    roster_all_items: Option<Vec<RosterItem>>,
    roster: HashMap<BareJid, Option<RosterItem>>,
    outbox: HashMap<String, Option<OutboxEntry>>,
    meta: bool,
    meta_value: Option<Meta>,
}

impl Tracker {
    pub fn message(&mut self, m: &StoredMessage) {
        let key = (m.msg.peer.clone(), m.key());
        self.states.remove(&key);
        self.messages.insert(key, m.clone());
    }

    pub fn state(&mut self, peer: &BareJid, key: String, state: DeliveryState) {
        let k = (peer.clone(), key);
        if let Some(m) = self.messages.get_mut(&k) {
            m.state = m.state.clone().merge(state);
        } else {
            let merged = match self.states.remove(&k) {
                Some(s) => s.merge(state),
                None => state,
            };
            self.states.insert(k, merged);
        }
    }

    pub fn chat(&mut self, peer: &BareJid) {
        self.chats.insert(peer.clone());
    }

    pub fn roster_all(&mut self) {
        self.roster_all = true;
        self.roster.clear();
    }

    pub fn roster_put(&mut self, item: &RosterItem) {
        self.roster.insert(item.jid.clone(), Some(item.clone()));
    }

    pub fn roster_del(&mut self, jid: &BareJid) {
        self.roster.insert(jid.clone(), None);
    }

    pub fn outbox_put(&mut self, e: &OutboxEntry) {
        self.outbox.insert(e.id.clone(), Some(e.clone()));
    }

    pub fn outbox_del(&mut self, id: &str) {
        self.outbox.insert(id.to_string(), None);
    }

    pub fn meta(&mut self) {
        self.meta = true;
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
            && self.states.is_empty()
            && self.chats.is_empty()
            && self.chat_records.is_empty()
            && !self.roster_all
            && self.roster_all_items.is_none()
            && self.roster.is_empty()
            && self.outbox.is_empty()
            && !self.meta
            && self.meta_value.is_none()
    }

    fn load(&mut self, d: Dirty) {
        for m in d.messages {
            self.message(&m);
        }
        for (p, k, s) in d.states {
            self.state(&p, k, s);
        }
        for c in d.chats {
            self.chats.remove(&c.peer);
            self.chat_records.insert(c.peer.clone(), c);
        }
        if let Some(items) = d.roster_all {
            self.roster.clear();
            self.roster_all = false;
            self.roster_all_items = Some(items);
        }
        for i in d.roster_put {
            self.roster_put(&i);
        }
        for j in d.roster_del {
            self.roster_del(&j);
        }
        for e in d.outbox_put {
            self.outbox_put(&e);
        }
        for id in d.outbox_del {
            self.outbox_del(&id);
        }
        if let Some(m) = d.meta {
            self.meta = false;
            self.meta_value = Some(m);
        }
    }

    /// The batch, reading the current values of whole-record changes through the callbacks.
    pub fn finish_with(
        self,
        meta: impl FnOnce() -> Option<Meta>,
        chat: impl Fn(&BareJid) -> Option<ChatRecord>,
        roster: impl FnOnce() -> Vec<RosterItem>,
    ) -> Dirty {
        let mut chats: Vec<ChatRecord> = self.chat_records.into_values().collect();
        chats.extend(self.chats.iter().filter_map(chat));
        let roster_all = if self.roster_all {
            Some(roster())
        } else {
            self.roster_all_items
        };
        let mut roster_put = Vec::new();
        let mut roster_del = Vec::new();
        for (jid, item) in self.roster {
            match item {
                Some(i) => roster_put.push(i),
                None => roster_del.push(jid),
            }
        }
        let mut outbox_put = Vec::new();
        let mut outbox_del = Vec::new();
        for (id, e) in self.outbox {
            match e {
                Some(e) => outbox_put.push(e),
                None => outbox_del.push(id),
            }
        }
        let meta = if self.meta { meta() } else { self.meta_value };
        Dirty {
            messages: self.messages.into_values().collect(),
            states: self
                .states
                .into_iter()
                .map(|((p, k), s)| (p, k, s))
                .collect(),
            chats,
            roster_all,
            roster_put,
            roster_del,
            outbox_put,
            outbox_del,
            meta,
        }
    }
}

/// Merges a message record being written with the one already cached under its key (another
/// tab, or an earlier write, may have put it there): the later delivery state wins, ids
/// either copy has are kept, the first arrival time stays.
pub fn merge_cached(cached: Option<StoredMessage>, new: StoredMessage) -> StoredMessage {
    let Some(mut old) = cached else {
        return new;
    };
    old.state = old.state.merge(new.state);
    crate::keys::adopt_ids(&mut old.msg, new.msg);
    old
}
