//! What a new session does first, so that nothing is lost and nothing is sent twice: pure,
//! tested natively; the session driver turns the [`OnlinePlan`] into core commands.
//!
//! A resumed XEP-0198 session continues the old one: the core itself retransmits what the
//! server had not acknowledged, and the server replays what we missed, so no catch-up is
//! needed. A fresh session (first sign-in, reload, resumption refused) asks the archive for
//! everything after the last archive id the store has (XEP-0313). Either way the outbox
//! messages no core has been given yet (written while offline, or before a reload) go out
//! now. Messages an earlier `Client` had been given travel inside its `Resumption` and are
//! resent by the core (with their ids); sending them here as well would put them on the wire
//! twice.

use std::collections::HashSet;

use jid::BareJid;

/// One outbox message as the driver resends it: same id (and so the same origin-id), so
/// recipients and our own store can tell it is the same message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: String,
    pub to: BareJid,
    pub body: String,
    pub ext: natter_core::MessageExt,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OnlinePlan {
    /// `Some(after)`: ask the archive for what came after `after` (`None`: just the newest
    /// page, when the store knows no archive id yet).
    pub catch_up: Option<Option<String>>,
    /// Outbox messages to send now, oldest first.
    pub resend: Vec<Outgoing>,
}

/// The ids of outgoing messages handed to the current chain of `Client`s: one session and the
/// ones that took over its `Resumption`. The chain breaks (and the set is cleared) when a
/// session ends without a resumption: then nothing it held will be resent by the core.
#[derive(Debug, Default, Clone)]
pub struct Handed(HashSet<String>);

impl Handed {
    /// A message was given to the current `Client`.
    pub fn insert(&mut self, id: &str) {
        self.0.insert(id.to_string());
    }

    /// The server has it: it will never be resent by anyone.
    pub fn acked(&mut self, id: &str) {
        self.0.remove(id);
    }

    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(id)
    }

    /// A session ended and left a resumption holding exactly these messages.
    pub fn replace(&mut self, ids: impl IntoIterator<Item = String>) {
        self.0 = ids.into_iter().collect();
    }

    /// The session ended without a resumption (or the user signed out): no core holds any
    /// message now.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What to send right after `Online { resumed }`. `outbox`: the messages the store still
/// holds as not safely delivered, oldest first.
pub fn on_online(
    resumed: bool,
    last_archive_id: Option<String>,
    outbox: impl IntoIterator<Item = Outgoing>,
    handed: &Handed,
) -> OnlinePlan {
    let mut seen = HashSet::new();
    let resend = outbox
        .into_iter()
        .filter(|m| !handed.contains(&m.id) && seen.insert(m.id.clone()))
        .collect();
    OnlinePlan {
        catch_up: (!resumed).then_some(last_archive_id),
        resend,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(id: &str) -> Outgoing {
        Outgoing {
            id: id.into(),
            to: BareJid::new("bob@example.org").unwrap(),
            body: format!("body of {id}"),
            ext: Default::default(),
        }
    }

    #[test]
    fn resumed_needs_no_catch_up_and_sends_only_what_no_core_holds() {
        let mut handed = Handed::default();
        handed.insert("m1");
        let plan = on_online(true, Some("a1".into()), [out("m1")], &handed);
        assert_eq!(plan, OnlinePlan::default());
        // Written while offline: no core ever had it, so the resumed session must send it.
        let plan = on_online(true, Some("a1".into()), [out("m1"), out("m2")], &handed);
        assert_eq!(plan.catch_up, None);
        assert_eq!(plan.resend, vec![out("m2")]);
    }

    #[test]
    fn fresh_session_catches_up_after_the_last_archive_id_then_resends() {
        let plan = on_online(
            false,
            Some("arch-42".into()),
            [out("m1"), out("m2")],
            &Handed::default(),
        );
        assert_eq!(plan.catch_up, Some(Some("arch-42".into())));
        assert_eq!(plan.resend, vec![out("m1"), out("m2")]);
    }

    #[test]
    fn without_an_archive_id_it_asks_for_the_newest_page() {
        let plan = on_online(false, None, [], &Handed::default());
        assert_eq!(plan.catch_up, Some(None));
        assert!(plan.resend.is_empty());
    }

    #[test]
    fn messages_a_core_holds_are_left_to_the_core() {
        let mut handed = Handed::default();
        handed.insert("m1");
        handed.insert("m3");
        let plan = on_online(false, None, [out("m1"), out("m2"), out("m3")], &handed);
        assert_eq!(plan.resend, vec![out("m2")]);
        // Once acknowledged, an id is no longer held (and no longer in the outbox either).
        handed.acked("m1");
        assert!(!handed.contains("m1"));
        assert_eq!(handed.len(), 1);
        // A broken chain: everything in the outbox goes out from the app.
        handed.clear();
        let plan = on_online(false, None, [out("m1"), out("m3")], &handed);
        assert_eq!(plan.resend, vec![out("m1"), out("m3")]);
        // The next resumption holds only m3.
        handed.replace(["m3".to_string()]);
        let plan = on_online(false, None, [out("m1"), out("m3")], &handed);
        assert_eq!(plan.resend, vec![out("m1")]);
    }

    #[test]
    fn an_id_listed_twice_goes_out_once() {
        let plan = on_online(false, None, [out("m1"), out("m1")], &Handed::default());
        assert_eq!(plan.resend, vec![out("m1")]);
    }
}
