//! Helpers shared by the store's integration tests.

#![allow(dead_code)]

use natter_store::{merge_cached, Dirty, OutboxEntry, Snapshot};

/// A tiny stand-in for the persistent cache: applies a batch to a snapshot the way the
/// IndexedDB layer does (merge messages by key, replace or patch the roster, put/delete
/// outbox entries).
pub fn cache_after(before: &Snapshot, d: Dirty) -> Snapshot {
    let mut snap = before.clone();
    for m in d.messages {
        let i = snap
            .messages
            .iter()
            .position(|x| x.msg.peer == m.msg.peer && x.key() == m.key());
        match i {
            Some(i) => {
                let old = snap.messages.remove(i);
                snap.messages.push(merge_cached(Some(old), m));
            }
            None => snap.messages.push(m),
        }
    }
    if let Some(all) = d.roster_all {
        snap.roster = all;
    }
    for i in d.roster_put {
        snap.roster.retain(|x| x.jid != i.jid);
        snap.roster.push(i);
    }
    snap.roster.retain(|x| !d.roster_del.contains(&x.jid));
    for e in d.outbox_put {
        snap.outbox.retain(|x: &OutboxEntry| x.id != e.id);
        snap.outbox.push(e);
    }
    snap.outbox.retain(|x| !d.outbox_del.contains(&x.id));
    if let Some(m) = d.meta {
        snap.meta = m;
    }
    snap.chats = d.chats;
    snap
}
