//! The order of a conversation: by `at`, then `seq`, then the message's cache key. The same
//! order in memory and in the persistent cache (IndexedDB sorts its `chat` index by `[peer,
//! at, seq]` and equal index keys by the record key), so that a reload or a page read from the
//! cache puts every message back exactly where it was.
//!
//! `seq` orders messages of the same `at` (one batch of live messages shares the clock; an
//! archive stamps a burst with the same millisecond). It is given once, when a message first
//! arrives, and kept for good: the cache stores it and hands it back. New numbers therefore
//! have to fit around every number already given, in any earlier session:
//!
//! - a message that arrives as the latest counts up from the highest `seq` seen, in steps of
//!   [`STRIDE`];
//! - a message a catch-up finds in the archive between two we have takes a number between
//!   theirs;
//! - a page of history arrives oldest first, pages newest first: each page gets a block of
//!   numbers below the lowest `seq` seen and counts up inside it, so a page sorts before the
//!   pages that came before it and keeps its own order.

use std::cmp::Ordering;

use crate::conversation::StoredMessage;
use crate::keys;

/// Where numbering starts in a new conversation. Kept far below 2^53: the cache stores `seq`
/// as a JavaScript number.
const SEQ_START: u64 = 1 << 40;

/// Numbers set aside for one page of history; more than any archive page holds.
const BLOCK: u64 = 1 << 16;

/// How far apart consecutive latest numbers are: room for what a catch-up later finds the
/// archive has between two messages of one millisecond (see [`between`]). At 2^12 a message,
/// 2^41 messages still fit below 2^53.
pub(crate) const STRIDE: u64 = 1 << 12;

/// A number strictly between `lo` and `hi`, if any is left.
pub(crate) fn between(lo: u64, hi: u64) -> Option<u64> {
    (hi > lo.saturating_add(1)).then(|| lo + (hi - lo) / 2)
}

/// Display order of two messages of one conversation (total: two different messages never
/// compare equal).
pub fn cmp(a: &StoredMessage, b: &StoredMessage) -> Ordering {
    (a.at, a.seq)
        .cmp(&(b.at, b.seq))
        .then_with(|| keys::cmp_primary(&a.msg, &b.msg))
}

/// The `(at, seq)` of a message that goes right after the one at `prev` and before the one at
/// `next` (its neighbour now, if any), as close to its own time `sent` as that allows. `None`
/// when the two share a millisecond and no number is left between them.
pub(crate) fn slot_after(
    prev: (u64, u64),
    next: Option<(u64, u64)>,
    sent: u64,
    seqs: &mut Numbering,
) -> Option<(u64, u64)> {
    let Some(next) = next else {
        return Some((sent.max(prev.0), seqs.latest()));
    };
    let at = sent.max(prev.0).min(next.0);
    if at < next.0 {
        // Nothing else has this `at` after `prev`: any number above `prev`'s will do.
        return Some((at, seqs.latest()));
    }
    // Below `next`'s number; above `prev`'s when they share the millisecond.
    let lo = if prev.0 == next.0 {
        prev.1
    } else {
        next.1.saturating_sub(STRIDE)
    };
    let seq = between(lo, next.1)?;
    seqs.seen(seq);
    Some((at, seq))
}

/// Hands out `seq` numbers for one conversation (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Numbering {
    /// The highest `seq` given or seen.
    high: u64,
    /// The lowest `seq` given or seen (0, the "unknown" of old records, aside).
    low: u64,
    /// The current history page's block: the last number given and the block's end.
    block: Option<(u64, u64)>,
}

impl Default for Numbering {
    fn default() -> Self {
        Numbering {
            high: SEQ_START,
            low: SEQ_START,
            block: None,
        }
    }
}

impl Numbering {
    /// For a message after every other one.
    pub fn latest(&mut self) -> u64 {
        self.high = self.high.saturating_add(STRIDE);
        self.high
    }

    /// For the next (newer) message of the history page being received.
    pub fn history(&mut self) -> u64 {
        match self.block {
            Some((last, end)) if last + 1 < end => {
                self.block = Some((last + 1, end));
                last + 1
            }
            _ => {
                let end = self.low;
                self.low = self.low.saturating_sub(BLOCK);
                self.block = Some((self.low, end));
                self.low
            }
        }
    }

    /// The history page ended: the next one (older) takes a new block below this one.
    pub fn end_page(&mut self) {
        self.block = None;
    }

    /// A number kept from the cache: later numbers go around it.
    pub fn seen(&mut self, seq: u64) {
        self.high = self.high.max(seq);
        if seq != 0 {
            self.low = self.low.min(seq);
        }
    }
}
