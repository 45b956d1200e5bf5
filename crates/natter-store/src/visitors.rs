//! Conversations with people who are not in the roster, such as anonymous visitors (XEP-0175)
//! writing from a shop's chat widget: they have no roster name, so the XEP-0172 nick they send
//! with their messages names them ("Ann", not a random address on the anonymous host).

use jid::BareJid;
use natter_core::{ChatMessage, Direction};

use crate::Store;

/// Most stranger conversations listed (newest first); the rest stay reachable by address.
pub const MAX_LISTED: usize = 50;

impl Store {
    /// Keeps the nick a stranger's message carries as that account's nickname. A contact's
    /// roster name is the user's own choice and wins; so a nick is only taken from someone
    /// not in the roster. Returns whether the shown name changed.
    pub(crate) fn note_nick(&mut self, m: &ChatMessage) -> bool {
        if m.direction != Direction::Incoming || self.roster.get(&m.peer).is_some() {
            return false;
        }
        // The core cleaned it already; the store never shows text it did not check itself.
        let Some(nick) = m
            .ext
            .nick
            .as_deref()
            .and_then(natter_core::visitor_nick::clean)
        else {
            return false;
        };
        let known = self.profiles.profile(&m.peer).and_then(|p| p.nick());
        if known == Some(nick.as_str()) {
            return false;
        }
        self.profiles.set_nickname(m.peer.clone(), Some(nick))
    }

    /// What to call `jid`: the roster name, else the nick it gave (XEP-0172, PEP or in its
    /// messages), else its address.
    pub fn display_name(&self, jid: &BareJid) -> String {
        if let Some(contact) = self.roster.get(jid) {
            return contact.display_name();
        }
        self.profiles
            .profile(jid)
            .and_then(|p| p.nick())
            .map_or_else(|| jid.to_string(), str::to_owned)
    }

    /// One-to-one conversations with accounts outside the roster that have messages, newest
    /// first, at most [`MAX_LISTED`]: where a visitor's chat shows up for the support account.
    pub fn stranger_chats(&self) -> Vec<BareJid> {
        let mut chats: Vec<(u64, &BareJid)> = self
            .conversations
            .iter()
            .filter(|(jid, _)| {
                self.roster.get(jid).is_none() && !self.rooms.rooms.contains_key(*jid)
            })
            .filter_map(|(jid, c)| c.last().map(|m| (m.at, jid)))
            .collect();
        chats.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        chats
            .into_iter()
            .take(MAX_LISTED)
            .map(|(_, jid)| jid.clone())
            .collect()
    }
}
