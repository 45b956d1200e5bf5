//! RFC 6121 §2 roster: payloads we send, items we receive, and the little the core must remember
//! itself (whether we already see a contact's presence, for approving subscriptions).

use std::collections::HashMap;

use jid::BareJid;
use xmpp_parsers::roster::{Ask, Item, Roster};

use crate::frame::xml_text;
use crate::{RosterItem, Subscription};

/// The roster get; `ver` (RFC 6121 §2.6.2) is the cached version, `Some("")` for none yet
/// when the server versions rosters.
pub fn get(ver: Option<String>) -> Roster {
    Roster {
        ver: ver.map(|v| xml_text(&v)),
        items: Vec::new(),
    }
}

/// A roster set adding or renaming one item.
pub fn set_item(jid: BareJid, name: Option<String>) -> Roster {
    let name = name.map(|n| xml_text(&n)).filter(|n| !n.trim().is_empty());
    Roster {
        ver: None,
        items: vec![item(jid, name, Subscription::None)],
    }
}

pub fn remove_item(jid: BareJid) -> Roster {
    Roster {
        ver: None,
        items: vec![item(jid, None, Subscription::Remove)],
    }
}

fn item(jid: BareJid, name: Option<String>, subscription: Subscription) -> Item {
    Item {
        jid,
        name,
        subscription,
        ask: Ask::None,
        groups: Vec::new(),
        approved: None,
    }
}

pub fn to_event_item(item: Item) -> RosterItem {
    RosterItem {
        jid: item.jid,
        name: item.name.filter(|n| !n.is_empty()),
        subscription: item.subscription,
        ask: item.ask == Ask::Subscribe,
        groups: item.groups.into_iter().map(|g| g.0).collect(),
    }
}

/// What one push does, once validated.
pub enum Push {
    Updated(RosterItem),
    Removed(BareJid),
}

/// RFC 6121 §2.1.6: a push carries exactly one item; anything else is ignored.
pub fn push(roster: Roster) -> Option<Push> {
    let mut items = roster.items.into_iter();
    let item = items.next()?;
    if items.next().is_some() {
        return None;
    }
    Some(if item.subscription == Subscription::Remove {
        Push::Removed(item.jid)
    } else {
        Push::Updated(to_event_item(item))
    })
}

#[derive(Debug, Clone)]
struct Known {
    subscription: Subscription,
    ask: bool,
}

/// Our copy: only the subscription state, which `ApproveSubscription` needs.
#[derive(Default)]
pub struct RosterCopy {
    items: HashMap<BareJid, Known>,
}

impl RosterCopy {
    pub fn reset(&mut self, items: &[RosterItem]) {
        self.items = items.iter().map(|i| (i.jid.clone(), known(i))).collect();
    }

    pub fn upsert(&mut self, item: &RosterItem) {
        self.items.insert(item.jid.clone(), known(item));
    }

    pub fn remove(&mut self, jid: &BareJid) {
        self.items.remove(jid);
    }

    /// Whether `jid` may see our presence anyway (subscription `from` or `both`): then a
    /// delivery receipt tells them nothing new about us being online.
    pub fn shares_presence_with(&self, jid: &BareJid) -> bool {
        self.items
            .get(jid)
            .is_some_and(|k| matches!(k.subscription, Subscription::From | Subscription::Both))
    }

    /// Whether approving `jid` should also ask for their presence: not if we already see it
    /// or have asked.
    pub fn should_ask_back(&self, jid: &BareJid) -> bool {
        match self.items.get(jid) {
            None => true,
            Some(k) => !k.ask && matches!(k.subscription, Subscription::None | Subscription::From),
        }
    }
}

fn known(item: &RosterItem) -> Known {
    Known {
        subscription: item.subscription.clone(),
        ask: item.ask,
    }
}
