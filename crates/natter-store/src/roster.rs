//! Contacts and their presence.

use std::collections::{BTreeMap, HashMap};

use jid::BareJid;
use natter_core::{PresenceUpdate, RosterItem, Show, Subscription};

/// The best availability over a contact's resources, ordered most available first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Availability {
    Chat,
    Online,
    Away,
    ExtendedAway,
    DoNotDisturb,
    Offline,
}

impl Availability {
    pub fn label(self) -> &'static str {
        match self {
            Availability::Chat => "Free to chat",
            Availability::Online => "Online",
            Availability::Away => "Away",
            Availability::ExtendedAway => "Not available",
            Availability::DoNotDisturb => "Busy",
            Availability::Offline => "Offline",
        }
    }
    /// Short token for CSS (`data-presence`).
    pub fn token(self) -> &'static str {
        match self {
            Availability::Chat => "chat",
            Availability::Online => "online",
            Availability::Away => "away",
            Availability::ExtendedAway => "xa",
            Availability::DoNotDisturb => "dnd",
            Availability::Offline => "offline",
        }
    }
    fn from_show(show: Option<&Show>) -> Self {
        match show {
            None => Availability::Online,
            Some(Show::Chat) => Availability::Chat,
            Some(Show::Away) => Availability::Away,
            Some(Show::Xa) => Availability::ExtendedAway,
            Some(Show::Dnd) => Availability::DoNotDisturb,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePresence {
    pub availability: Availability,
    pub status: Option<String>,
    pub priority: i8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub item: RosterItem,
    /// Lower-cased name and JID, for the filter.
    search_key: String,
    /// Available resources by resource part.
    pub resources: BTreeMap<String, ResourcePresence>,
}

impl Contact {
    fn new(item: RosterItem) -> Self {
        let search_key = search_key(&item);
        Contact {
            item,
            search_key,
            resources: BTreeMap::new(),
        }
    }

    pub fn jid(&self) -> &BareJid {
        &self.item.jid
    }

    /// The name to show: the roster name, else the JID.
    pub fn display_name(&self) -> String {
        match &self.item.name {
            Some(n) if !n.trim().is_empty() => n.clone(),
            _ => self.item.jid.to_string(),
        }
    }

    /// Highest-priority resource's state (ties: most available).
    pub fn best(&self) -> Option<&ResourcePresence> {
        self.resources.values().max_by(|a, b| {
            a.priority
                .cmp(&b.priority)
                .then(b.availability.cmp(&a.availability))
        })
    }

    pub fn availability(&self) -> Availability {
        self.best()
            .map_or(Availability::Offline, |p| p.availability)
    }

    pub fn status(&self) -> Option<&str> {
        self.best().and_then(|p| p.status.as_deref())
    }

    /// Whether we see this contact's presence (we are subscribed to it).
    pub fn subscribed_to(&self) -> bool {
        matches!(
            self.item.subscription,
            Subscription::To | Subscription::Both
        )
    }

    pub fn matches(&self, needle_lower: &str) -> bool {
        needle_lower.is_empty() || self.search_key.contains(needle_lower)
    }
}

fn search_key(item: &RosterItem) -> String {
    let mut k = item.jid.to_string().to_lowercase();
    if let Some(n) = &item.name {
        k.push('\n');
        k.push_str(&n.to_lowercase());
    }
    k
}

/// Most resources kept per contact. A person has a handful of devices; a flood of presences
/// from thousands of resources (a broken or hostile client of the contact's) would otherwise
/// grow memory and the presence computations without bound. Beyond it, new resources are
/// ignored until known ones go offline.
pub const MAX_RESOURCES: usize = 64;
/// Most non-contacts whose presence is kept (for a roster push that may follow). Anyone can
/// send us presence; when full, an arbitrary older one is forgotten for the newcomer.
pub const MAX_STRANGERS: usize = 100;
/// Most resources kept per non-contact.
pub const MAX_STRANGER_RESOURCES: usize = 8;

#[derive(Debug, Default)]
pub struct Roster {
    contacts: HashMap<BareJid, Contact>,
    /// Presence from JIDs not (yet) in the roster, kept so a later roster push shows it.
    stray: HashMap<BareJid, BTreeMap<String, ResourcePresence>>,
    /// Bumped on every change; views memoize on it.
    revision: u64,
}

impl Roster {
    pub fn len(&self) -> usize {
        self.contacts.len()
    }
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
    }
    pub fn revision(&self) -> u64 {
        self.revision
    }
    pub fn get(&self, jid: &BareJid) -> Option<&Contact> {
        self.contacts.get(jid)
    }
    pub fn iter(&self) -> impl Iterator<Item = &Contact> {
        self.contacts.values()
    }

    pub fn reset(&mut self, items: Vec<RosterItem>) {
        let mut old = std::mem::take(&mut self.contacts);
        for item in items {
            let mut c = Contact::new(item);
            if let Some(prev) = old.remove(c.jid()) {
                c.resources = prev.resources;
            } else if let Some(res) = self.stray.remove(c.jid()) {
                c.resources = res;
            }
            self.contacts.insert(c.jid().clone(), c);
        }
        self.revision += 1;
    }

    pub fn upsert(&mut self, item: RosterItem) {
        match self.contacts.get_mut(&item.jid) {
            Some(c) => {
                c.search_key = search_key(&item);
                c.item = item;
            }
            None => {
                let mut c = Contact::new(item);
                if let Some(res) = self.stray.remove(c.jid()) {
                    c.resources = res;
                }
                self.contacts.insert(c.jid().clone(), c);
            }
        }
        self.revision += 1;
    }

    pub fn remove(&mut self, jid: &BareJid) {
        if self.contacts.remove(jid).is_some() {
            self.revision += 1;
        }
    }

    /// Returns whether anything visible changed.
    pub fn set_presence(&mut self, p: PresenceUpdate) -> bool {
        let bare = p.from.to_bare();
        let resource = p.from.resource().map(|r| r.to_string());
        let (resources, cap) = match self.contacts.get_mut(&bare) {
            Some(c) => (&mut c.resources, MAX_RESOURCES),
            None => {
                if !self.stray.contains_key(&bare) && self.stray.len() >= MAX_STRANGERS {
                    if let Some(old) = self.stray.keys().next().cloned() {
                        self.stray.remove(&old);
                    }
                }
                (self.stray.entry(bare).or_default(), MAX_STRANGER_RESOURCES)
            }
        };
        let changed = if let (true, Some(resource)) = (p.available, resource.clone()) {
            if resources.len() >= cap && !resources.contains_key(&resource) {
                return false;
            }
            let rp = ResourcePresence {
                availability: Availability::from_show(p.show.as_ref()),
                status: p.status.filter(|s| !s.is_empty()),
                priority: p.priority,
            };
            resources.insert(resource, rp.clone()) != Some(rp)
        } else if let Some(resource) = resource {
            resources.remove(&resource).is_some()
        } else {
            // Unavailable from the bare JID: every resource is gone. (Available presence from a
            // bare JID is malformed for a contact and ignored.)
            let had = !resources.is_empty();
            if !p.available {
                resources.clear();
            }
            had && !p.available
        };
        if changed {
            self.revision += 1;
        }
        changed
    }

    pub fn clear_presence(&mut self) {
        for c in self.contacts.values_mut() {
            c.resources.clear();
        }
        self.stray.clear();
        self.revision += 1;
    }

    /// JIDs of the contacts matching `filter` (case-insensitive, on name or JID), sorted for
    /// display: available first, then by name.
    pub fn sorted(&self, filter: &str) -> Vec<BareJid> {
        let needle = filter.trim().to_lowercase();
        let mut rows: Vec<(bool, String, &BareJid)> = self
            .contacts
            .values()
            .filter(|c| c.matches(&needle))
            .map(|c| {
                (
                    c.availability() == Availability::Offline,
                    c.display_name().to_lowercase(),
                    c.jid(),
                )
            })
            .collect();
        rows.sort_unstable();
        rows.into_iter().map(|(_, _, j)| j.clone()).collect()
    }
}
