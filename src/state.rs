//! The store inside Leptos: one `Store` value, three triggers (connection, roster, messages)
//! and a queue of pending updates applied once per animation frame.
//!
//! Nothing here knows about the network: the session driver pushes [`UiEvent`]s, components
//! read through the `with_*` accessors (which subscribe them to the matching trigger).
//!
//! What the store reports changed goes to the offline cache after every batch (see
//! [`offline`]): components never touch the cache.

mod offline;
mod profiles;

use leptos::prelude::*;
use natter_core::jid::{BareJid, Jid};
use natter_core::{Event, StoredCredential};
use natter_store::{Changes, Phase, Snapshot, Store};

/// One update for the store: a core event, or something the driver or the user decided.
#[derive(Debug, Clone)]
pub enum UiEvent {
    /// The page was hidden or shown again (the Page Visibility API).
    Hidden(bool),
    Core(Event),
    /// The driver's view of the connection (e.g. `Reconnecting` between attempts).
    Phase(Phase),
    /// Replace the error shown in the `alert` (`None` hides it).
    Error(Option<String>),
    /// The transport in use: "WebSocket" or "BOSH".
    Transport(&'static str),
    /// Whether the main view (rather than the sign-in form) is shown.
    SignedIn(bool),
    /// Forget everything about the account in memory (a new sign-in; the cache stays).
    Reset,
    /// Signed out: forget the account in memory and in the browser (its cache, stored
    /// credential and storage entries).
    SignedOut,
    /// What the offline cache held for the account (merged: never replaces what the server
    /// already said).
    Restore(Box<Snapshot>),
    /// Optimistic echo of a message the user just sent.
    Pending {
        peer: BareJid,
        id: String,
        from: Jid,
        body: String,
        ext: natter_core::MessageExt,
    },
    /// The user put a conversation on screen (`None`: back to the list).
    Open(Option<BareJid>),
    /// The user answered a subscription request.
    Answered(BareJid),
    /// The user put a room on screen (`None`: back to the list). A room and a one-to-one
    /// conversation are never on screen together.
    OpenRoom(Option<BareJid>),
    /// The user put the private chat with an occupant on screen (room, nick; `None`: back to
    /// the room).
    OpenPrivate(Option<(BareJid, String)>),
    /// The user accepted or declined the invitation into this room.
    InvitationAnswered(BareJid),
    /// The owner opened (`true`: the form was asked for) or closed the room's settings.
    RoomSettings(BareJid, bool),
    /// The rooms of this chat service were asked for.
    ListingRooms(BareJid),
    /// The user dismissed the failure shown for this room (or tries again).
    ClearRoomFailure(BareJid),
    /// We told the peer we displayed their message `id` (XEP-0333).
    Displayed(BareJid, String),
}

#[derive(Clone, Copy)]
pub struct AppState {
    store: StoredValue<Store>,
    queue: StoredValue<Vec<UiEvent>>,
    scheduled: StoredValue<bool>,
    connection: Trigger,
    roster: Trigger,
    messages: Trigger,
    signed_in: RwSignal<bool>,
    /// The signed-in account's offline cache (IndexedDB); `None` in tests and before sign-in.
    cache: StoredValue<Option<crate::persist::Cache>, LocalStorage>,
    /// What signs in again without the password (`Config.stored`).
    credential: StoredValue<Option<StoredCredential>>,
    /// The current sign-in used the stored credential: if the server rejects it, forget it.
    stored_login: StoredValue<bool>,
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

impl AppState {
    pub fn new() -> Self {
        AppState {
            store: StoredValue::new(Store::new()),
            queue: StoredValue::new(Vec::new()),
            scheduled: StoredValue::new(false),
            connection: Trigger::new(),
            roster: Trigger::new(),
            messages: Trigger::new(),
            signed_in: RwSignal::new(false),
            cache: StoredValue::new_local(None),
            credential: StoredValue::new(None),
            stored_login: StoredValue::new(false),
        }
    }

    /// Queue an update; all queued updates are applied together on the next animation frame
    /// (or within half a second when the tab is hidden and frames do not run).
    pub fn push(&self, event: UiEvent) {
        self.queue.update_value(|q| q.push(event));
        if !self.scheduled.get_value() {
            self.scheduled.set_value(true);
            let this = *self;
            request_animation_frame(move || this.flush());
            set_timeout(move || this.flush(), std::time::Duration::from_millis(500));
        }
    }

    /// Apply what is queued now.
    pub fn flush(&self) {
        if self.queue.is_disposed() {
            return;
        }
        self.scheduled.set_value(false);
        let events = self
            .queue
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        if !events.is_empty() {
            self.apply_now(events);
        }
    }

    /// Apply updates at once, in order, then notify each affected part of the view once.
    /// (Tests call this directly to skip the frame wait.)
    pub fn apply_now(&self, events: impl IntoIterator<Item = UiEvent>) {
        let mut changes = Changes::default();
        let mut signed_in = None;
        let mut signed_out = false;
        let mut credential = None;
        let caching = self.cache.with_value(Option::is_some);
        let mut dirty = None;
        let mut profiles_dirty = None;
        let mut notes = Vec::new();
        self.store.update_value(|s| {
            s.clock_ms = js_sys::Date::now() as u64;
            for event in events {
                match event {
                    UiEvent::Core(Event::Credential(c)) => credential = Some(c),
                    UiEvent::Core(e) => {
                        notes.extend(crate::notify::check(&e, s));
                        changes.merge(s.apply(e))
                    }
                    UiEvent::Displayed(peer, id) => s.note_displayed(&peer, id),
                    UiEvent::Hidden(hidden) => {
                        s.set_hidden(hidden);
                        changes.roster = true;
                    }
                    UiEvent::Restore(snapshot) => changes.merge(s.restore(*snapshot)),
                    UiEvent::SignedOut => {
                        let transport = s.transport;
                        s.reset();
                        s.transport = transport;
                        signed_out = true;
                        changes = Changes {
                            connection: true,
                            roster: true,
                            messages: true,
                        };
                    }
                    UiEvent::Phase(p) => {
                        s.phase = p;
                        changes.connection = true;
                    }
                    UiEvent::Error(e) => {
                        s.error = e;
                        changes.connection = true;
                    }
                    UiEvent::Transport(t) => {
                        s.transport = Some(t);
                        changes.connection = true;
                    }
                    UiEvent::SignedIn(b) => signed_in = Some(b),
                    UiEvent::Reset => {
                        let transport = s.transport;
                        s.reset();
                        s.transport = transport;
                        if caching && !signed_out {
                            s.enable_cache();
                        }
                        changes = Changes {
                            connection: true,
                            roster: true,
                            messages: true,
                        };
                    }
                    UiEvent::Pending {
                        peer,
                        id,
                        from,
                        body,
                        ext,
                    } => {
                        s.add_pending_with(peer, id, from, body, ext);
                        changes.messages = true;
                    }
                    UiEvent::Open(Some(peer)) => {
                        s.open_room(None);
                        s.open_conversation(peer);
                        changes.roster = true;
                        changes.messages = true;
                    }
                    UiEvent::Open(None) => {
                        s.close_conversation();
                        changes.roster = true;
                        changes.messages = true;
                    }
                    UiEvent::Answered(jid) => changes.roster |= s.answer_request(&jid),
                    UiEvent::OpenRoom(room) => {
                        if room.is_some() {
                            s.close_conversation();
                        }
                        s.open_room(room);
                        changes.roster = true;
                        changes.messages = true;
                    }
                    UiEvent::OpenPrivate(thread) => {
                        s.open_private(thread);
                        changes.roster = true;
                        changes.messages = true;
                    }
                    UiEvent::InvitationAnswered(room) => {
                        changes.roster |= s.admin.answer_invitation(&room).is_some();
                    }
                    UiEvent::RoomSettings(room, true) => {
                        s.admin.settings_requested(room);
                        changes.messages = true;
                    }
                    UiEvent::RoomSettings(room, false) => {
                        s.admin.settings_closed(&room);
                        changes.messages = true;
                    }
                    UiEvent::ListingRooms(service) => {
                        s.admin.list_requested(service);
                        changes.messages = true;
                    }
                    UiEvent::ClearRoomFailure(room) => {
                        changes.messages |= s.admin.clear_failure(&room);
                    }
                }
            }
            dirty = s.take_dirty();
            profiles_dirty = s.profiles.take_dirty();
            crate::view::avatar::revoke(s.profiles.take_evicted());
        });
        self.save_profiles(profiles_dirty);
        notes.into_iter().for_each(crate::notify::show);
        if let Some(d) = dirty {
            self.cache.with_value(|c| {
                if let Some(c) = c {
                    c.schedule(d);
                }
            });
        }
        if let Some(c) = credential {
            self.keep_credential(c);
        }
        if signed_out {
            self.forget_account();
        } else if signed_in == Some(false) {
            self.sign_in_rejected();
        }
        if let Some(b) = signed_in {
            if self.signed_in.get_untracked() != b {
                self.signed_in.set(b);
            }
        }
        if changes.connection {
            self.connection.notify();
        }
        if changes.roster {
            self.roster.notify();
        }
        if changes.messages {
            self.messages.notify();
        }
    }

    /// Read connection facts (phase, error, account), subscribing to their changes.
    pub fn with_connection<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        self.connection.track();
        self.store.with_value(f)
    }

    /// Read roster facts (contacts, presence, requests, unread counts).
    pub fn with_roster<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        self.roster.track();
        self.store.with_value(f)
    }

    /// Read conversations.
    pub fn with_messages<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        self.messages.track();
        self.store.with_value(f)
    }

    /// Read without subscribing.
    pub fn peek<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        self.store.with_value(f)
    }

    pub fn signed_in(&self) -> bool {
        self.signed_in.get()
    }
}
