//! natter-store: what the client knows, as plain data, changed only by core events and by the
//! user's own actions. No Leptos, no browser: the view wraps a `Store` in a signal and renders
//! it; tests drive it natively.
//!
//! The store also records what changed for the persistent cache ([`Store::take_dirty`]) and
//! takes the cache's contents back on load ([`Store::restore`]); the cache itself (IndexedDB)
//! lives in the app.

mod awareness;
mod blocking;
mod cache;
mod conversation;
mod edits;
mod history;
pub mod keys;
pub mod order;
mod outbox;
mod private;
pub mod profiles;
mod removal;
pub mod room_admin;
pub mod room_log;
pub mod rooms;
mod roster;
pub mod time;
mod visitors;

use std::collections::HashMap;

use jid::{BareJid, FullJid};
use natter_core::{Direction, Error, Event, SessionState, Subscription};

pub use awareness::{Peer, Peers, MAX_PEERS, TYPING_STALE_MS};
pub use blocking::Blocklist;
pub use cache::{merge_cached, ChatRecord, Dirty, Meta, Snapshot};
pub use conversation::{
    Arrival, Conversation, DeliveryState, Gap, Inserted, LogItem, StoredMessage, HISTORY_PAGE_MAX,
    MEMORY_LIMIT,
};
pub use edits::MAX_PENDING_EDITS;
pub use outbox::{Outbox, OutboxEntry};
pub use private::{
    PrivateChats, PrivateLine, PrivateThread, MAX_PRIVATE_THREADS, PRIVATE_MESSAGES,
};
pub use profiles::{Avatar, Profile, ProfileDirty, Profiles, MAX_AVATARS};
pub use room_admin::{Directory, RoomAdmin, Settings};
pub use rooms::{Occupant, Room, RoomLine, Rooms, MAX_OCCUPANTS, ROOM_MESSAGES};
pub use roster::{Availability, Contact, Roster, MAX_RESOURCES, MAX_STRANGERS};

/// Most pending subscription requests kept (newest win): anyone can ask, and the server sends
/// the pending ones again at the next sign-in, so dropping the oldest loses nothing for good.
pub const MAX_REQUESTS: usize = 100;

use cache::Tracker;
use history::Archived;

/// Coarse connection phase for the `Connection` status. The session driver sets it between
/// attempts; core events move it while one runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    #[default]
    Offline,
    Connecting,
    Connected,
    Reconnecting,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Offline => "Offline",
            Phase::Connecting => "Connecting",
            Phase::Connected => "Connected",
            Phase::Reconnecting => "Reconnecting",
        }
    }
}

/// What changed in one `apply`, so a view can skip work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    pub connection: bool,
    pub roster: bool,
    pub messages: bool,
}

impl Changes {
    pub fn merge(&mut self, other: Changes) {
        self.connection |= other.connection;
        self.roster |= other.roster;
        self.messages |= other.messages;
    }
    pub fn any(self) -> bool {
        self.connection || self.roster || self.messages
    }
}

#[derive(Debug, Default)]
pub struct Store {
    pub phase: Phase,
    /// "WebSocket" or "BOSH", set by the driver.
    pub transport: Option<&'static str>,
    /// Our bound JID while online.
    pub account: Option<FullJid>,
    /// The last error, in plain words, for the `alert`.
    pub error: Option<String>,
    pub roster: Roster,
    /// RFC 6121 roster version of `roster` (sent on the next sign-in).
    pub roster_ver: Option<String>,
    /// Inbound subscription requests not yet answered, oldest first.
    pub requests: Vec<BareJid>,
    pub conversations: HashMap<BareJid, Conversation>,
    /// Group chats: joined, joining or bookmarked.
    pub rooms: Rooms,
    /// Private messages with occupants of rooms.
    pub private: PrivateChats,
    /// Bookmarks, invitations, room settings and listings (the room header's dialogs).
    pub admin: RoomAdmin,
    /// The conversation on screen, if any.
    pub open: Option<BareJid>,
    /// Avatars and names (XEP-0084, XEP-0153, vCards, XEP-0172).
    pub profiles: Profiles,
    /// Wall-clock time (Unix ms) set by the driver before it applies a batch of events; stamps
    /// messages that carry no delay. 0 means unknown.
    pub clock_ms: u64,
    /// Our messages the server does not have yet.
    pub outbox: Outbox,
    /// The newest archive id seen (`Command::CatchUp { after }`).
    pub last_archive_id: Option<String>,
    /// The server acknowledges stanzas (XEP-0198): sent messages stay in the outbox until
    /// acked. Learnt from the first ack, kept in the cache.
    pub acks: bool,
    /// The roster came from the server in this session (a cache restored later must not
    /// replace it).
    roster_from_server: bool,
    /// Archive copies received since the last catch-up or history page ended.
    archived: Archived,
    /// A catch-up is running: live archive ids must not move `last_archive_id` past messages
    /// the catch-up has not fetched yet.
    catching_up: bool,
    /// A catch-up left a gap while no chat was open: shown in the next chat opened.
    pending_gap: bool,
    /// Changes for the persistent cache; `None` when nothing persists (tests, no cache).
    cache: Option<Tracker>,
    /// Corrections, retractions and reactions waiting for their message, and those applied.
    edit_log: edits::EditLog,
    /// XEP-0191: whom our server blocks for us.
    pub blocking: Blocklist,
    /// Typing, chat-state support and markers sent, per peer (XEP-0085, XEP-0333).
    pub peers: Peers,
    /// XEP-0363: our server's upload service, once found in this session.
    pub upload: Option<natter_core::upload::Service>,
    /// The page is hidden: see [`Store::set_hidden`].
    pub hidden: bool,
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    /// Apply one core event.
    pub fn apply(&mut self, event: Event) -> Changes {
        let mut c = Changes::default();
        match event {
            Event::StateChanged(state) => {
                c.connection = true;
                match state {
                    SessionState::Connecting | SessionState::Authenticating => {
                        if self.phase != Phase::Reconnecting {
                            self.phase = Phase::Connecting;
                        }
                    }
                    SessionState::Online => self.phase = Phase::Connected,
                    SessionState::Closed | SessionState::Failed => {
                        // One attempt failing while (re)connecting is not the end: the
                        // driver tries the next endpoint, or says when it tries again
                        // (`Reconnecting`) or that it stopped (`Offline`).
                        if self.phase == Phase::Connected {
                            self.phase = Phase::Offline;
                        }
                        self.account = None;
                        // Presence is only known while online.
                        self.roster.clear_presence();
                        c.roster = true;
                    }
                }
            }
            Event::Online { jid, resumed } => {
                self.account = Some(jid);
                self.error = None;
                self.phase = Phase::Connected;
                // A fresh session is followed by a catch-up; a resumed one continues
                // whatever was running.
                if !resumed {
                    self.catching_up = true;
                    // The driver asks for what came after the last archive id.
                    let after = self.last_archive_id.as_deref();
                    for conv in self.conversations.values_mut() {
                        conv.start_catch_up(after);
                    }
                }
                c.connection = true;
            }
            Event::Failed(err) => {
                self.error = Some(describe(&err));
                c.connection = true;
            }
            Event::RosterReset { items, ver } => {
                self.roster.reset(items);
                self.roster_from_server = true;
                self.roster_ver = ver;
                if let Some(t) = self.cache.as_mut() {
                    t.roster_all();
                    t.meta();
                }
                c.roster = true;
            }
            Event::RosterUpdated(item) => {
                let approved = matches!(item.subscription, Subscription::From | Subscription::Both);
                self.requests.retain(|j| *j != item.jid || !approved);
                if let Some(t) = self.cache.as_mut() {
                    t.roster_put(&item);
                }
                self.roster.upsert(item);
                c.roster = true;
            }
            Event::RosterRemoved(jid) => {
                if let Some(t) = self.cache.as_mut() {
                    t.roster_del(&jid);
                }
                self.roster.remove(&jid);
                c.roster = true;
            }
            Event::RosterUnchanged => self.on_roster_unchanged(),
            Event::RosterVersion(ver) => self.on_roster_version(ver),
            Event::Presence(p) => {
                c.roster = self.roster.set_presence(p);
            }
            Event::SubscriptionRequest { from } => {
                if !self.requests.contains(&from) {
                    if self.requests.len() >= MAX_REQUESTS {
                        self.requests.remove(0);
                    }
                    self.requests.push(from);
                    c.roster = true;
                }
            }
            Event::SubscriptionChanged { .. } => {}
            // The server drops what a blocked JID sends; should one still come live, it
            // stays out of the log. Archived copies predate the block: they are history.
            Event::Message(m)
                if m.direction == Direction::Incoming
                    && !m.archived
                    && self.blocking.blocks(&m.from) => {}
            Event::Message(m) => {
                self.peers.message_from(&m, self.clock_ms);
                let renamed = self.note_nick(&m);
                c = self.on_message(m);
                c.roster |= renamed;
            }
            Event::Awareness(a) => c = self.on_awareness(a),
            Event::UploadService { jid, max_size } => {
                self.upload = Some(natter_core::upload::Service { jid, max_size });
                c.messages = true;
            }
            // Each slot belongs to one upload in flight: the app's uploader takes them.
            Event::UploadSlot { .. } | Event::UploadFailed { .. } => {}
            Event::BlockList(jids) => {
                self.blocking.reset(jids);
                c.roster = true;
                c.messages = true;
            }
            Event::Blocked(jids) => {
                c.roster = self.blocking.block(jids);
                c.messages = c.roster;
            }
            Event::Unblocked(jids) => {
                c.roster = self.blocking.unblock(&jids);
                c.messages = c.roster;
            }
            Event::MessageSent(m) => c = self.on_sent(m),
            Event::MessageAcked { id, peer } => c = self.on_acked(&peer, &id),
            Event::MessageFailed { id, peer, reason } => {
                c = self.on_state(&peer, &id, DeliveryState::Failed(reason));
                if self.outbox.remove(&id) {
                    self.track(|t| t.outbox_del(&id));
                }
            }
            Event::RequestFailed { what, reason } => {
                // About a room: shown in that room's header, not the general alert.
                if self
                    .admin
                    .request_failed(&what, &reason, self.rooms.rooms.keys())
                {
                    c.messages = true;
                    c.roster = true;
                } else {
                    self.error = Some(format!("{what}: {reason}"));
                    c.connection = true;
                }
            }
            Event::CaughtUp { last, complete } => c = self.on_caught_up(last, complete),
            Event::HistoryPage {
                with,
                first,
                complete,
            } => c = self.on_history_page(&with, first, complete),
            // Nothing to keep: carbons only change which copies arrive, and a dropped stanza
            // is for the log.
            Event::CarbonsEnabled | Event::Dropped { .. } => {}
            // Persisting the credential is the app's choice ("remember me"), not the store's.
            Event::Credential(_) => {}
            Event::RoomJoining { room, nick } => {
                self.rooms.joining(room, nick);
                c.roster = true;
                c.messages = true;
            }
            Event::RoomJoined {
                room,
                nick,
                subject,
                ..
            } => {
                self.rooms.joined(room, nick, subject);
                c.roster = true;
                c.messages = true;
            }
            Event::RoomJoinFailed { room, reason } => {
                self.rooms.join_failed(room, reason.to_string());
                c.roster = true;
                c.messages = true;
            }
            Event::RoomLeft { room, reason, text } => {
                self.rooms
                    .left(&room, removal::removal_words(&reason, text));
                c.roster = true;
                c.messages = true;
            }
            Event::Occupant(u) => c.messages = self.rooms.occupant(u),
            Event::NickChanged {
                room,
                old,
                new,
                occupant_id,
                me,
            } => {
                if !me {
                    self.private.renamed(&room, &old, &new);
                }
                self.rooms.nick_changed(&room, &old, &new, occupant_id, me);
                c.messages = true;
                c.roster = true;
            }
            Event::Subject { room, subject, .. } => {
                self.rooms.subject(room, subject);
                c.messages = true;
            }
            Event::GroupMessage(m) => {
                if self.rooms.message(m, self.clock_ms, false) {
                    c.messages = true;
                    c.roster = true;
                }
            }
            Event::GroupMessageSent(m) => {
                if self.rooms.message(m, self.clock_ms, true) {
                    c.messages = true;
                    c.roster = true;
                }
            }
            Event::Bookmarks(marks) => {
                self.admin.set_bookmarks(&marks);
                self.rooms.bookmarks(marks);
                c.messages = true;
                c.roster = true;
            }
            Event::RoomList { service, items } => {
                c.messages = self.admin.room_list(service, items);
            }
            Event::RoomInfo(info) => {
                self.admin.info(info);
                c.messages = true;
            }
            Event::RoomConfigForm(config) => c.messages = self.admin.settings_form(config),
            Event::RoomConfigured { room } => c.messages = self.admin.configured(room),
            Event::Invitation(inv) => {
                self.admin.invited(inv);
                c.roster = true;
            }
            Event::PrivateMessage(m) => {
                if self.on_private(m) {
                    c.messages = true;
                    c.roster = true;
                }
            }
            Event::RoomCaughtUp {
                room,
                complete,
                beginning,
                ..
            } => {
                c.messages = self.rooms.caught_up(&room, complete, beginning);
            }
            Event::RoomHistoryPage {
                room,
                first,
                complete,
            } => c.messages = self.rooms.history_page(&room, first, complete),
            e @ (Event::AvatarChanged { .. }
            | Event::Avatar { .. }
            | Event::Profile { .. }
            | Event::Nickname { .. }) => c = profiles::apply(&mut self.profiles, e),
        }
        c
    }

    /// The server has our message `id` (XEP-0198 ack): it leaves the outbox.
    pub fn on_acked(&mut self, peer: &BareJid, id: &str) -> Changes {
        if !self.acks {
            self.acks = true;
            self.track(Tracker::meta);
        }
        if self.outbox.remove(id) {
            self.track(|t| t.outbox_del(id));
        }
        self.on_state(peer, id, DeliveryState::Acked)
    }

    /// A roster push carried a new roster version.
    pub fn on_roster_version(&mut self, ver: String) {
        self.roster_ver = Some(ver);
        self.track(Tracker::meta);
    }

    /// The server says the cached roster is current (roster versioning).
    pub fn on_roster_unchanged(&mut self) {
        self.roster_from_server = true;
    }

    /// Show a message the user just wrote, before the core confirms it (optimistic echo), and
    /// keep it in the outbox until the server has it.
    pub fn add_pending(&mut self, peer: BareJid, id: String, from: jid::Jid, body: String) {
        self.add_pending_with(peer, id, from, body, natter_core::MessageExt::default());
    }

    /// [`Store::add_pending`] for a message with extensions (a reply, a shared file): shown
    /// with them at once, and kept with them in the outbox.
    pub fn add_pending_with(
        &mut self,
        peer: BareJid,
        id: String,
        from: jid::Jid,
        body: String,
        ext: natter_core::MessageExt,
    ) {
        let now = self.clock_ms;
        let msg = natter_core::ChatMessage {
            id: id.clone(),
            direction: Direction::Outgoing,
            peer: peer.clone(),
            from: from.clone(),
            body: body.clone(),
            delayed: None,
            stanza_id: None,
            origin_id: None,
            archived: false,
            ext: ext.clone(),
        };
        let conv = self.conversations.entry(peer.clone()).or_default();
        conv.insert_pending_at(msg, now);
        let record = conv.get(&keys::local(Direction::Outgoing, &id)).cloned();
        let entry = OutboxEntry {
            peer: peer.clone(),
            id: id.clone(),
            from,
            body,
            ext,
            at: record.as_ref().map_or(now, |m| m.at),
            sent: false,
        };
        if self.outbox.add(entry) {
            if let Some(t) = self.cache.as_mut() {
                if let Some(e) = self.outbox.iter().find(|e| e.id == id) {
                    t.outbox_put(e);
                }
                if let Some(m) = &record {
                    t.message(m);
                }
            }
        }
    }

    /// Unread messages over every conversation (for the page title).
    pub fn total_unread(&self) -> u32 {
        self.conversations.values().map(|c| c.unread).sum()
    }

    /// The user answered (accepted or denied) a subscription request: stop listing it.
    pub fn answer_request(&mut self, jid: &BareJid) -> bool {
        let before = self.requests.len();
        self.requests.retain(|j| j != jid);
        before != self.requests.len()
    }

    /// Close the conversation on screen (phone layout: back to the list).
    pub fn close_conversation(&mut self) {
        if let Some(prev) = self.open.take() {
            if let Some(c) = self.conversations.get_mut(&prev) {
                c.trim();
            }
        }
    }

    /// The page is hidden (another tab in front, window minimized): what arrives in the chat or
    /// room on screen is unread until the reader comes back, as in the page title. Coming back
    /// clears the count of what is on screen.
    pub fn set_hidden(&mut self, hidden: bool) {
        self.hidden = hidden;
        self.rooms.hidden = hidden;
        if hidden {
            return;
        }
        if let Some(peer) = self.open.clone() {
            if let Some(conv) = self.conversations.get_mut(&peer) {
                if conv.unread != 0 {
                    conv.unread = 0;
                    self.track(|t| t.chat(&peer));
                }
            }
        }
        if let Some(room) = self.rooms.open.clone() {
            if let Some(r) = self.rooms.rooms.get_mut(&room) {
                r.unread = 0;
                r.mentions = 0;
            }
        }
    }

    /// Put a conversation on screen and clear its unread count.
    pub fn open_conversation(&mut self, peer: BareJid) {
        if self.open.as_ref() != Some(&peer) {
            self.close_conversation();
        }
        let conv = self.conversations.entry(peer.clone()).or_default();
        if std::mem::take(&mut self.pending_gap) {
            conv.add_gap_at_end();
        }
        if conv.unread != 0 {
            conv.unread = 0;
            self.track(|t| t.chat(&peer));
        }
        self.open = Some(peer);
    }

    pub fn unread(&self, peer: &BareJid) -> u32 {
        self.conversations.get(peer).map_or(0, |c| c.unread)
    }

    /// Forget everything tied to the signed-in account (sign out).
    pub fn reset(&mut self) {
        *self = Store::default();
    }

    /// Start recording changes for the persistent cache (see [`Store::take_dirty`]).
    pub fn enable_cache(&mut self) {
        if self.cache.is_none() {
            self.cache = Some(Tracker::default());
        }
    }

    /// What changed since the last call, to write to the cache in one batch; `None` if
    /// nothing did (or no cache is enabled).
    pub fn take_dirty(&mut self) -> Option<Dirty> {
        let tracker = self.cache.as_mut()?;
        if tracker.is_empty() {
            return None;
        }
        let tracker = std::mem::take(tracker);
        let meta = self.meta();
        let conversations = &self.conversations;
        let roster = &self.roster;
        Some(tracker.finish_with(
            || Some(meta),
            |peer| {
                conversations.get(peer).map(|c| ChatRecord {
                    peer: peer.clone(),
                    unread: c.unread,
                })
            },
            || roster.iter().map(|c| c.item.clone()).collect(),
        ))
    }

    /// The small per-account facts the cache keeps.
    pub fn meta(&self) -> Meta {
        Meta {
            roster_ver: self.roster_ver.clone(),
            last_archive_id: self.last_archive_id.clone(),
            acks: self.acks,
        }
    }

    /// Put back what the cache had for this account. Whatever the server already said in
    /// this session wins: a restore never replaces a roster the server sent, and cached
    /// messages merge with those already here.
    pub fn restore(&mut self, snap: Snapshot) -> Changes {
        if !self.roster_from_server {
            self.roster.reset(snap.roster);
            self.roster_ver = snap.meta.roster_ver;
        }
        if self.last_archive_id.is_none() {
            self.last_archive_id = snap.meta.last_archive_id;
        }
        self.acks |= snap.meta.acks;
        let mut by_peer: HashMap<BareJid, Vec<StoredMessage>> = HashMap::new();
        for m in snap.messages {
            by_peer.entry(m.msg.peer.clone()).or_default().push(m);
        }
        for (peer, mut msgs) in by_peer {
            // In cached order: `seq` as cached keeps the order of messages of one millisecond.
            msgs.sort_by(StoredMessage::cmp_order);
            let conv = self.conversations.entry(peer.clone()).or_default();
            // The cache holds more than this: the rest is paged in on scroll-up.
            conv.truncated = true;
            conv.restore(msgs, false);
            self.apply_pending_edits(&peer);
        }
        for chat in snap.chats {
            let open = self.open.as_ref() == Some(&chat.peer);
            let conv = self.conversations.entry(chat.peer).or_default();
            if !open {
                conv.unread = conv.unread.max(chat.unread);
            }
        }
        self.restore_outbox(snap.outbox);
        Changes {
            connection: true,
            roster: true,
            messages: true,
        }
    }

    /// Put back cached outbox entries (owed to the server): each shown in its chat (pending,
    /// unless the chat already has it) and sent again by the driver once online.
    pub fn restore_outbox(&mut self, mut entries: Vec<OutboxEntry>) -> Changes {
        entries.sort_by_key(|e| e.at);
        let changed = !entries.is_empty();
        for e in entries {
            let conv = self.conversations.entry(e.peer.clone()).or_default();
            let key = keys::local(Direction::Outgoing, &e.id);
            if conv.get(&key).is_none() {
                let msg = natter_core::ChatMessage {
                    id: e.id.clone(),
                    direction: Direction::Outgoing,
                    peer: e.peer.clone(),
                    from: e.from.clone(),
                    body: e.body.clone(),
                    delayed: None,
                    stanza_id: None,
                    origin_id: None,
                    archived: false,
                    ext: Default::default(),
                };
                let state = if e.sent {
                    DeliveryState::Sent
                } else {
                    DeliveryState::Pending
                };
                conv.restore(
                    vec![StoredMessage {
                        msg,
                        state,
                        at: e.at,
                        seq: 0,
                    }],
                    false,
                );
            }
            self.outbox.add(e);
        }
        Changes {
            messages: changed,
            ..Changes::default()
        }
    }

    /// Older messages from the cache for a conversation (scroll-up): shown in addition to
    /// the newest ones until the conversation is closed. Returns how many were new.
    pub fn insert_older(&mut self, peer: &BareJid, messages: Vec<StoredMessage>) -> usize {
        let added = self
            .conversations
            .entry(peer.clone())
            .or_default()
            .insert_older(messages);
        self.apply_pending_edits(peer);
        added
    }

    fn track(&mut self, f: impl FnOnce(&mut Tracker)) {
        if let Some(t) = self.cache.as_mut() {
            f(t);
        }
    }
}

fn describe(err: &Error) -> String {
    err.to_string()
}
