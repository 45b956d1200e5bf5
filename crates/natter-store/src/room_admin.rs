//! What the room header and its dialogs need beyond the room itself: the bookmarks as the
//! server holds them (to change one without losing its other fields), invitations waiting for
//! an answer, what rooms say about themselves, the owner's settings form, a service's room
//! list, and per-room request failures in plain words.
//!
//! Everything here comes from the network and is bounded: anyone can send invitations, and a
//! service can list any number of rooms.

use std::collections::{BTreeMap, HashMap};

use natter_core::room::{Bookmark, Invitation, RoomConfig, RoomInfo, RoomJid, RoomListItem};

/// Most invitations kept (newest win): anyone may invite us, repeatedly.
pub const MAX_INVITATIONS: usize = 50;
/// Most rooms kept from one service's list.
pub const MAX_LISTED_ROOMS: usize = 5_000;
/// Most rooms whose disco#info is kept.
pub const MAX_ROOM_INFOS: usize = 200;

/// Where the owner's settings form stands for one room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settings {
    /// Asked for the form; not here yet.
    Loading,
    /// The room's current settings (the fields its form offers).
    Form(RoomConfig),
    /// The room accepted our change.
    Saved,
}

/// A service's room list (`Command::ListRooms`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    /// The service asked last.
    pub service: Option<RoomJid>,
    /// Asked, not answered yet.
    pub loading: bool,
    pub items: Vec<RoomListItem>,
    /// Why the last listing failed, in plain words.
    pub error: Option<String>,
}

#[derive(Debug, Default)]
pub struct RoomAdmin {
    /// The bookmarks as the server last sent them, by room.
    pub bookmarks: BTreeMap<RoomJid, Bookmark>,
    /// Invitations not yet answered, oldest first; one per room.
    pub invitations: Vec<Invitation>,
    pub infos: HashMap<RoomJid, RoomInfo>,
    pub settings: HashMap<RoomJid, Settings>,
    pub directory: Directory,
    /// The last request about a room that failed (nick change, settings, bookmark, …).
    pub failures: HashMap<RoomJid, String>,
}

impl RoomAdmin {
    pub fn bookmark(&self, room: &RoomJid) -> Option<&Bookmark> {
        self.bookmarks.get(room)
    }

    pub fn set_bookmarks(&mut self, marks: &[Bookmark]) {
        self.bookmarks = marks.iter().map(|b| (b.room.clone(), b.clone())).collect();
    }

    /// A new invitation replaces an older one into the same room.
    pub fn invited(&mut self, inv: Invitation) {
        self.invitations.retain(|i| i.room != inv.room);
        if self.invitations.len() >= MAX_INVITATIONS {
            self.invitations.remove(0);
        }
        self.invitations.push(inv);
    }

    /// The user accepted or declined: the invitation goes. Returns it (its password joins).
    pub fn answer_invitation(&mut self, room: &RoomJid) -> Option<Invitation> {
        let at = self.invitations.iter().position(|i| &i.room == room)?;
        Some(self.invitations.remove(at))
    }

    pub fn info(&mut self, info: RoomInfo) {
        if !self.infos.contains_key(&info.room) && self.infos.len() >= MAX_ROOM_INFOS {
            self.infos.clear();
        }
        self.infos.insert(info.room.clone(), info);
    }

    /// The name to show: the bookmark's, else the one the room gives itself, else its local
    /// part.
    pub fn room_name(&self, jid: &RoomJid, room: Option<&crate::Room>) -> String {
        let own = |n: &Option<String>| n.clone().filter(|n| !n.trim().is_empty());
        self.bookmarks
            .get(jid)
            .and_then(|b| own(&b.name))
            .or_else(|| room.and_then(|r| own(&r.name)))
            .or_else(|| self.infos.get(jid).and_then(|i| own(&i.name)))
            .unwrap_or_else(|| {
                jid.node()
                    .map_or_else(|| jid.to_string(), |n| n.to_string())
            })
    }

    pub fn members_only(&self, room: &RoomJid) -> bool {
        match self.settings.get(room) {
            Some(Settings::Form(c)) if c.members_only.is_some() => c.members_only == Some(true),
            _ => self.infos.get(room).is_some_and(|i| i.members_only),
        }
    }

    /// The owner opened the settings (`Command::GetRoomConfig` sent).
    pub fn settings_requested(&mut self, room: RoomJid) {
        self.failures.remove(&room);
        self.settings.insert(room, Settings::Loading);
    }

    /// The form arrives only for a room whose settings are open: a stray one is ignored.
    pub fn settings_form(&mut self, config: RoomConfig) -> bool {
        match self.settings.get_mut(&config.room) {
            Some(s @ Settings::Loading) => {
                *s = Settings::Form(config);
                true
            }
            _ => false,
        }
    }

    pub fn configured(&mut self, room: RoomJid) -> bool {
        // An instant room's default configuration also reports here; only an open form
        // turns into "saved".
        match self.settings.get_mut(&room) {
            Some(s) => {
                *s = Settings::Saved;
                self.failures.remove(&room);
                true
            }
            None => false,
        }
    }

    pub fn settings_closed(&mut self, room: &RoomJid) {
        self.settings.remove(room);
    }

    pub fn list_requested(&mut self, service: RoomJid) {
        self.directory = Directory {
            service: Some(service),
            loading: true,
            items: Vec::new(),
            error: None,
        };
    }

    /// A listing for a service we no longer look at is ignored.
    pub fn room_list(&mut self, service: RoomJid, mut items: Vec<RoomListItem>) -> bool {
        if self.directory.service.as_ref() != Some(&service) {
            return false;
        }
        items.truncate(MAX_LISTED_ROOMS);
        items.sort_by_cached_key(|i| {
            (
                i.name
                    .as_deref()
                    .unwrap_or_else(|| i.jid.as_str())
                    .to_lowercase(),
                i.jid.to_string(),
            )
        });
        self.directory.items = items;
        self.directory.loading = false;
        self.directory.error = None;
        true
    }

    /// A failed request: kept against the room it names (one of `rooms`), or the directory's
    /// service. Returns whether it was placed; otherwise it belongs in the general alert.
    pub fn request_failed<'a>(
        &mut self,
        what: &str,
        reason: &str,
        rooms: impl IntoIterator<Item = &'a RoomJid>,
    ) -> bool {
        let words = format!("{what}: {reason}");
        if let Some(service) = &self.directory.service {
            if what == format!("Could not list the rooms of {service}") {
                self.directory.loading = false;
                self.directory.error = Some(words);
                return true;
            }
        }
        let found = rooms.into_iter().find(|r| names(what, r.as_str())).cloned();
        let Some(room) = found.or_else(|| {
            self.settings
                .keys()
                .find(|r| names(what, r.as_str()))
                .cloned()
        }) else {
            return false;
        };
        // The form cannot come any more: show the failure instead of waiting for ever.
        if self.settings.get(&room) == Some(&Settings::Loading) {
            self.settings.remove(&room);
        }
        self.failures.insert(room, words);
        true
    }

    pub fn clear_failure(&mut self, room: &RoomJid) -> bool {
        self.failures.remove(room).is_some()
    }
}

/// Whether `text` names the address `jid` as a whole word (not `a@b.c` inside `xa@b.cd`).
fn names(text: &str, jid: &str) -> bool {
    text.match_indices(jid).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + jid.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || c == ':');
        edge(before) && edge(after)
    })
}
