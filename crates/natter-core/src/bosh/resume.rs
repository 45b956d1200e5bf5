//! Continuing one BOSH session from another page of the same site (XEP-0124 §: a session is
//! its `sid` plus the next `rid`, whichever HTTP client sends them). An anonymous visitor who
//! follows a link keeps the same session, so the same made-up account, so the support's
//! replies still find it; a new sign-in would be a new account.
//!
//! [`Bosh::snapshot`] on the old page (what `sessionStorage` keeps), [`Bosh::resume`] on the
//! next. The resumed machine starts with the session open and nothing outstanding: requests
//! the old page had in flight died with it, and the server has already counted their rids, so
//! the next request carries the rid after the last one handed out. The new page's core is
//! attached to the bound session ([`crate::Client::attach`]), so no `<open/>` is synthesized.
//! If the server has dropped the session meanwhile, it answers `item-not-found` (or HTTP
//! 404), which ends this machine like any lost session: the driver then signs in afresh.

use jid::BareJid;

use super::{Bosh, Params, Phase, Settings};

/// What a page needs to carry on with the BOSH session another page of the site left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoshSnapshot {
    pub sid: String,
    /// The rid of the next request (one past the last one handed out).
    pub next_rid: u64,
    /// The domain the session was opened to.
    pub to: String,
    /// The domain the server said it serves (the `from` of the stream).
    pub from: String,
    pub lang: String,
    /// Negotiated at creation: requests the server may hold at once.
    pub requests: u32,
    pub wait_secs: u64,
    pub polling_ms: u64,
}

impl Bosh {
    /// The open session, for another page to continue. `None` before the session exists,
    /// once it ended, and once it is being terminated (nothing left to continue).
    pub fn snapshot(&self) -> Option<BoshSnapshot> {
        if self.is_closed() || self.terminating() {
            return None;
        }
        let Phase::Open(params) = &self.phase else {
            return None;
        };
        Some(BoshSnapshot {
            sid: params.sid.clone(),
            next_rid: self.next_rid,
            to: self.to.clone(),
            from: params.from.to_string(),
            lang: self.lang.clone(),
            requests: params.requests.try_into().unwrap_or(u32::MAX),
            wait_secs: params.wait_ms / 1000,
            polling_ms: params.polling_ms,
        })
    }

    /// A machine that continues the session `snapshot` describes. Everything in it came back
    /// from page storage, so it is checked like a server's answer would be: the result is
    /// `None` when it cannot describe a session (no sid, a rid out of XEP-0124's range, no
    /// domain).
    pub fn resume(settings: Settings, snapshot: BoshSnapshot) -> Option<Self> {
        let BoshSnapshot {
            sid,
            next_rid,
            to,
            from,
            lang,
            requests,
            wait_secs,
            polling_ms,
        } = snapshot;
        if sid.is_empty() || next_rid == 0 || next_rid >= (1 << 53) {
            return None;
        }
        let from = BareJid::new(&from).ok()?;
        let params = Params {
            sid,
            from,
            requests: (requests as usize).clamp(1, 8),
            wait_ms: wait_secs.min(settings.wait_secs).saturating_mul(1000),
            polling_ms,
        };
        let mut bosh = Bosh::new(settings, &[0; 32]);
        bosh.to = to;
        if !lang.is_empty() {
            bosh.lang = lang;
        }
        bosh.next_rid = next_rid;
        bosh.phase = Phase::Open(params);
        bosh.created_once = true;
        Some(bosh)
    }
}
