//! Which copies are the same message: the dedup keys of a [`ChatMessage`].
//!
//! A message can reach us up to three times: live, as a carbon (XEP-0280) and from the archive
//! (XEP-0313). The copies share the sender's `id` (and XEP-0359 `origin-id`), and our server's
//! XEP-0359 `stanza-id` once the server has stored it. Any shared key makes two copies one.
//!
//! Ids chosen by a peer are only compared within the same direction, so that a peer cannot
//! make one of our own messages vanish (or look delivered) by reusing its id. Stanza ids are
//! assigned by our own server (the core keeps only those with `by` = our bare JID), so they
//! are compared across directions.

use std::cmp::Ordering;

use natter_core::{ChatMessage, Direction};

fn dir(d: Direction) -> char {
    match d {
        Direction::Incoming => 'i',
        Direction::Outgoing => 'o',
    }
}

/// The key for a sender-assigned id (`id` or `origin-id`) in one direction.
pub fn local(d: Direction, id: &str) -> String {
    format!("{}:{id}", dir(d))
}

/// The key for a stanza id assigned by our server.
pub fn archive(stanza_id: &str) -> String {
    format!("s:{stanza_id}")
}

/// The key a message is cached under: its direction and `id`. Copies of one message carry
/// the same `id` in practice (the archive and carbons keep the original stanza's `id`), so
/// the cache merges them by this key.
pub fn primary(m: &ChatMessage) -> String {
    local(m.direction, &m.id)
}

/// Compares the primary keys of two messages the way IndexedDB compares the cache's record
/// keys (strings, by UTF-16 code unit), without building them.
pub fn cmp_primary(a: &ChatMessage, b: &ChatMessage) -> Ordering {
    dir(a.direction)
        .cmp(&dir(b.direction))
        .then_with(|| a.id.encode_utf16().cmp(b.id.encode_utf16()))
}

/// Every key of a message, the primary one first.
pub fn all(m: &ChatMessage) -> Vec<String> {
    let mut keys = vec![primary(m)];
    if let Some(o) = origin_id(m).filter(|o| *o != m.id) {
        keys.push(local(m.direction, o));
    }
    if let Some(s) = stanza_id(m) {
        keys.push(archive(s));
    }
    keys
}

/// XEP-0359 `origin-id`, if the message carries one.
pub fn origin_id(m: &ChatMessage) -> Option<&str> {
    m.origin_id.as_deref().filter(|s| !s.is_empty())
}

/// XEP-0359 `stanza-id` from our own server (the archive id), if the message carries one.
pub fn stanza_id(m: &ChatMessage) -> Option<&str> {
    m.stanza_id.as_deref().filter(|s| !s.is_empty())
}

/// Copies ids that a later copy of the same message brings and the kept one lacks. Returns
/// whether anything changed.
pub fn adopt_ids(kept: &mut ChatMessage, copy: ChatMessage) -> bool {
    // Also what later messages did to it (a correction, reactions), which a copy from the
    // cache or another tab may know of.
    let mut changed = crate::edits::merge(kept, &copy);
    if stanza_id(kept).is_none() && stanza_id(&copy).is_some() {
        kept.stanza_id = copy.stanza_id.clone();
        changed = true;
    }
    if origin_id(kept).is_none() && origin_id(&copy).is_some() {
        kept.origin_id = copy.origin_id;
        changed = true;
    }
    changed
}
