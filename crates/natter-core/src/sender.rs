//! Who really sent a stanza, decided in one place (issue 10, "spoofing").
//!
//! Our server stamps every stanza it hands us with the true `from` (RFC 6120 §8.1.2.1), so the
//! outer `from` is the one fact to judge a stanza by; whatever sits inside (a forwarded message,
//! a roster item) says what its author wanted. Each kind of stanza that changes our state has
//! its rule here:
//!
//! - roster pushes: only from our own account (RFC 6121 §2.1.6);
//! - carbons: only from our own bare JID (XEP-0280 §11), never from one of our resources;
//! - archive results: only from our own bare JID (XEP-0313 §5.1.2), and only for a query we
//!   sent (checked by `mam`);
//! - IQ answers: only from whom we asked;
//! - message bounces: from the peer we wrote to, its server or ours.
//!
//! Whatever fails its rule is thrown away and reported as [`Event::Dropped`], for the log.

use jid::{BareJid, FullJid, Jid};

use crate::Event;

/// Who we are.
#[derive(Clone, Copy)]
pub struct Own<'a> {
    pub bare: &'a BareJid,
    /// This session's resource, once bound.
    pub full: Option<&'a FullJid>,
}

impl Own<'_> {
    /// Our account: no `from` (the server on our behalf), our bare JID, or this session.
    pub fn is_account(&self, from: Option<&Jid>) -> bool {
        match from {
            None => true,
            Some(j) => *j == *self.bare || self.full.is_some_and(|f| *j == *f),
        }
    }

    /// Our account, or our server itself (its bare domain).
    pub fn is_account_or_server(&self, from: Option<&Jid>) -> bool {
        self.is_account(from)
            || from.is_some_and(|j| {
                j.node().is_none() && j.resource().is_none() && j.domain() == self.bare.domain()
            })
    }

    /// Exactly our bare JID, or no `from`. Carbons and archive results are sent by the account
    /// itself: another resource of ours is a client like any other and may not forge them.
    pub fn is_own_bare(&self, from: Option<&Jid>) -> bool {
        from.is_none_or(|j| *j == *self.bare)
    }

    /// Whether `from` may answer an IQ we sent to `to` (`None`: our own server, on behalf of
    /// our account). RFC 6120 §8.1.2.1 lets such an answer come with no `from`, our bare or
    /// full JID, or (from the server itself) our domain.
    pub fn may_answer(&self, to: Option<&Jid>, from: Option<&Jid>) -> bool {
        match to {
            None => self.is_account_or_server(from),
            Some(to) if *to == *self.bare => self.is_account(from),
            Some(to) => from == Some(to),
        }
    }

    /// Whether `from` may bounce a message we sent to `peer`: the peer (any resource), or a
    /// server on the way (the peer's or ours), or our server speaking with no `from`.
    pub fn may_bounce(&self, peer: &BareJid, from: Option<&Jid>) -> bool {
        let Some(from) = from else {
            return true;
        };
        let server = from.node().is_none() && from.resource().is_none();
        from.to_bare() == *peer
            || (server && (from.domain() == peer.domain() || from.domain() == self.bare.domain()))
    }
}

/// The event for a stanza thrown away because its sender may not send it.
pub fn dropped(from: Option<&Jid>, reason: &str) -> Event {
    Event::Dropped {
        from: from.cloned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(s: &str) -> Jid {
        s.parse().unwrap()
    }

    #[test]
    fn own_bare_means_exactly_the_bare_jid() {
        let bare: BareJid = "user@example.org".parse().unwrap();
        let full: FullJid = "user@example.org/natter".parse().unwrap();
        let own = Own {
            bare: &bare,
            full: Some(&full),
        };
        assert!(own.is_own_bare(None));
        assert!(own.is_own_bare(Some(&jid("user@example.org"))));
        for other in [
            "user@example.org/natter",
            "user@example.org/phone",
            "example.org",
            "user@example.org.evil",
            "other@example.org",
        ] {
            assert!(!own.is_own_bare(Some(&jid(other))), "{other}");
        }
        assert!(own.is_account(Some(&jid("user@example.org/natter"))));
        assert!(!own.is_account(Some(&jid("user@example.org/phone"))));
        assert!(own.is_account_or_server(Some(&jid("example.org"))));
        assert!(!own.is_account_or_server(Some(&jid("example.org/x"))));
    }

    #[test]
    fn answers_come_from_whom_we_asked() {
        let bare: BareJid = "user@example.org".parse().unwrap();
        let own = Own {
            bare: &bare,
            full: None,
        };
        let server = jid("example.org");
        assert!(own.may_answer(Some(&server), Some(&server)));
        assert!(!own.may_answer(Some(&server), None));
        assert!(!own.may_answer(Some(&server), Some(&jid("evil.example"))));
        assert!(own.may_answer(None, Some(&server)));
        assert!(!own.may_answer(None, Some(&jid("other@example.org"))));
        let peer: BareJid = "juliet@example.com".parse().unwrap();
        assert!(own.may_bounce(&peer, Some(&jid("juliet@example.com/balcony"))));
        assert!(own.may_bounce(&peer, Some(&jid("example.com"))));
        assert!(own.may_bounce(&peer, Some(&jid("example.org"))));
        assert!(!own.may_bounce(&peer, Some(&jid("mallory@example.com"))));
        assert!(!own.may_bounce(&peer, Some(&jid("evil.example"))));
    }
}
