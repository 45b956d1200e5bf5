//! XEP-0191: the JIDs our server blocks for us, and whether it blocks at all (the controls are
//! hidden when it does not).

use std::collections::BTreeSet;

use jid::{BareJid, Jid};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Blocklist {
    /// The server offers blocking: a blocklist came this session or an earlier one.
    pub supported: bool,
    /// Ordered, so the "Blocked contacts" list reads the same every time.
    jids: BTreeSet<Jid>,
}

impl Blocklist {
    /// The whole list, as the server keeps it.
    pub fn reset(&mut self, jids: Vec<Jid>) {
        self.supported = true;
        self.jids = jids.into_iter().collect();
    }

    /// Returns whether anything changed.
    pub fn block(&mut self, jids: Vec<Jid>) -> bool {
        let mut changed = false;
        for jid in jids {
            changed |= self.jids.insert(jid);
        }
        changed
    }

    /// An empty `jids` unblocks everyone (XEP-0191 §3.5). Returns whether anything changed.
    pub fn unblock(&mut self, jids: &[Jid]) -> bool {
        if jids.is_empty() {
            let changed = !self.jids.is_empty();
            self.jids.clear();
            return changed;
        }
        let before = self.jids.len();
        self.jids.retain(|j| !jids.contains(j));
        before != self.jids.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Jid> {
        self.jids.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.jids.is_empty()
    }

    /// Whether this account itself is on the list (what the chat header and the roster badge
    /// show; a whole blocked domain still lets the user unblock only what they blocked).
    pub fn has_bare(&self, jid: &BareJid) -> bool {
        self.jids.contains(&Jid::from(jid.clone()))
    }

    /// Whether the server would stop a stanza from `from` (XEP-0191 §3.4 matching: the full
    /// JID, its bare JID, its domain with that resource, or the whole domain).
    pub fn blocks(&self, from: &Jid) -> bool {
        if self.jids.is_empty() {
            return false;
        }
        let bare = from.to_bare();
        let domain = BareJid::from_parts(None, from.domain());
        let domain_resource = from
            .resource()
            .map(|r| Jid::from(jid::FullJid::from_parts(None, from.domain(), r)));
        self.jids.contains(from)
            || self.jids.contains(&Jid::from(bare))
            || self.jids.contains(&Jid::from(domain))
            || domain_resource.is_some_and(|j| self.jids.contains(&j))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(s: &str) -> Jid {
        s.parse().unwrap()
    }

    #[test]
    fn matching_follows_the_xep() {
        let mut list = Blocklist::default();
        list.reset(vec![
            j("a@x.example"),
            j("b@y.example/phone"),
            j("spam.example"),
        ]);
        assert!(list.blocks(&j("a@x.example")));
        assert!(list.blocks(&j("a@x.example/any")));
        assert!(list.blocks(&j("b@y.example/phone")));
        assert!(!list.blocks(&j("b@y.example/laptop")));
        assert!(!list.blocks(&j("b@y.example")));
        assert!(list.blocks(&j("anyone@spam.example/r")));
        assert!(!list.blocks(&j("a@x.example.evil")));
        assert!(!list.blocks(&j("c@x.example")));
        assert!(list.has_bare(&"a@x.example".parse().unwrap()));
        assert!(!list.has_bare(&"b@y.example".parse().unwrap()));
    }

    #[test]
    fn block_and_unblock_are_idempotent() {
        let mut list = Blocklist::default();
        assert!(!list.supported);
        assert!(list.block(vec![j("a@x"), j("a@x")]));
        assert!(!list.block(vec![j("a@x")]));
        assert!(list.unblock(&[j("a@x")]));
        assert!(!list.unblock(&[j("a@x")]));
        list.block(vec![j("a@x"), j("b@x")]);
        assert!(list.unblock(&[]));
        assert!(list.is_empty());
        assert!(!list.unblock(&[]));
    }
}
