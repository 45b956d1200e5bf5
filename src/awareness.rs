//! The decisions behind receipts, typing notifications, the page title and desktop
//! notifications, as pure functions of their inputs (time is an argument), so that they are
//! tested natively. The browser side (timers, `Notification`, `localStorage`) only executes
//! them: `view/awareness.rs` and `notify.rs`.

use natter_core::jid::BareJid;
use natter_core::{ChatState, Direction, Event};
use natter_store::Store;

use crate::i18n;

/// Typing: `composing` is sent again at most this often while the user keeps typing, and
/// `paused` this long after the last keystroke.
pub const TYPING_REFRESH_MS: u64 = 5_000;
pub const TYPING_PAUSE_MS: u64 = 5_000;
/// `composing` goes out only once typing has gone on this long: a message pasted and sent at
/// once needs no typing notice (and over BOSH the notice would take the request slot the
/// message needs).
pub const TYPING_START_MS: u64 = 300;

/// At most one `<displayed/>` per chat this often: reading a burst of messages marks the
/// newest once, not each.
pub const MARKER_INTERVAL_MS: u64 = 1_000;

/// The longest notification body: the rest of a long message is for the chat itself.
pub const NOTIFICATION_BODY_CHARS: usize = 200;

/// What the user chose in `Settings`, kept per account in `localStorage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// `Desktop notifications` (off until the user turns them on and the browser allows).
    pub notifications: bool,
    /// `Send typing notifications` (XEP-0085).
    pub typing: bool,
    /// `Send read receipts` (XEP-0184 receipts and XEP-0333 `displayed` markers).
    pub receipts: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            notifications: false,
            typing: true,
            receipts: true,
        }
    }
}

impl Settings {
    /// The `localStorage` key for `account`'s settings.
    pub fn key(account: &BareJid) -> String {
        format!("natter.settings.{account}")
    }

    /// `n1t1r1`-style text: one letter and digit per setting. Anything unreadable keeps the
    /// default for that setting.
    pub fn encode(&self) -> String {
        let b = |v: bool| if v { '1' } else { '0' };
        format!(
            "n{}t{}r{}",
            b(self.notifications),
            b(self.typing),
            b(self.receipts)
        )
    }

    pub fn decode(text: Option<&str>) -> Settings {
        let mut s = Settings::default();
        let Some(text) = text else {
            return s;
        };
        let chars: Vec<char> = text.chars().collect();
        for pair in chars.chunks(2) {
            let [name, value] = pair else { continue };
            let value = match value {
                '1' => true,
                '0' => false,
                _ => continue,
            };
            match name {
                'n' => s.notifications = value,
                't' => s.typing = value,
                'r' => s.receipts = value,
                _ => {}
            }
        }
        s
    }
}

/// The page title: `(N) Natter` while N messages are unread anywhere, else `Natter`.
pub fn title(unread: u32) -> String {
    if unread > 0 {
        format!("({unread}) Natter")
    } else {
        "Natter".to_string()
    }
}

/// Our typing in one open chat, turned into XEP-0085 states to send: `composing` on the
/// first keystroke and again every [`TYPING_REFRESH_MS`] while typing goes on, `paused`
/// [`TYPING_PAUSE_MS`] after the last one, `active` once the message went (carried in the
/// message) or the chat opened, `inactive` when it closes.
#[derive(Debug, Default, Clone)]
pub struct Typing {
    /// The last state we sent (or carried in a message).
    sent: Option<ChatState>,
    /// When we last sent `composing`.
    composing_at: u64,
    /// When the user last typed.
    typed_at: u64,
    /// When the typing not yet announced began (see [`TYPING_START_MS`]).
    started_at: Option<u64>,
}

impl Typing {
    /// The chat opened: `active`.
    pub fn opened(&mut self) -> Option<ChatState> {
        self.set(ChatState::Active)
    }

    /// A keystroke (the draft changed) at `now`; `empty`: the draft is now empty (deleted
    /// everything), which is not composing.
    pub fn typed(&mut self, now: u64, empty: bool) -> Option<ChatState> {
        if empty {
            self.started_at = None;
            return match self.sent {
                Some(ChatState::Composing) => self.set(ChatState::Paused),
                _ => None,
            };
        }
        self.typed_at = now;
        if self.sent != Some(ChatState::Composing) {
            let since = *self.started_at.get_or_insert(now);
            return self.start_composing(now, since);
        }
        if now.saturating_sub(self.composing_at) >= TYPING_REFRESH_MS {
            self.composing_at = now;
            return Some(ChatState::Composing);
        }
        None
    }

    /// `composing`, once typing that began at `since` has gone on long enough.
    fn start_composing(&mut self, now: u64, since: u64) -> Option<ChatState> {
        if now.saturating_sub(since) < TYPING_START_MS {
            return None;
        }
        self.started_at = None;
        self.composing_at = now;
        self.sent = Some(ChatState::Composing);
        Some(ChatState::Composing)
    }

    /// A timer at `now`: `paused` once the user stopped typing for [`TYPING_PAUSE_MS`].
    pub fn tick(&mut self, now: u64) -> Option<ChatState> {
        if let Some(since) = self.started_at {
            return self.start_composing(now, since);
        }
        if self.sent == Some(ChatState::Composing)
            && now.saturating_sub(self.typed_at) >= TYPING_PAUSE_MS
        {
            return self.set(ChatState::Paused);
        }
        None
    }

    /// When [`Typing::tick`] should run next (`None`: no timer needed).
    pub fn next_tick(&self) -> Option<u64> {
        if let Some(since) = self.started_at {
            return Some(since + TYPING_START_MS);
        }
        (self.sent == Some(ChatState::Composing)).then_some(self.typed_at + TYPING_PAUSE_MS)
    }

    /// The message went with `active` in it.
    pub fn message_sent(&mut self) {
        self.started_at = None;
        self.sent = Some(ChatState::Active);
    }

    /// The chat closed: `inactive`, if we told this peer anything at all.
    pub fn closed(&mut self) -> Option<ChatState> {
        self.sent?;
        self.set(ChatState::Inactive)
    }

    fn set(&mut self, state: ChatState) -> Option<ChatState> {
        if self.sent == Some(state) {
            return None;
        }
        self.sent = Some(state);
        Some(state)
    }
}

/// Whether our chat states may go to `peer`: the user allows it, and the peer showed it
/// follows them (sent us a chat state or any message: XEP-0085 §5.1).
pub fn may_send_states(settings: &Settings, store: &Store, peer: &BareJid) -> bool {
    settings.typing && store.peers.speaks(peer)
}

/// What the chat-state line under the chat header says about `name`.
pub fn typing_text(name: &str, state: Option<ChatState>) -> String {
    match state {
        Some(ChatState::Composing) => i18n::t_args("chat-typing", &[("name", name.into())]),
        Some(ChatState::Paused) => i18n::t_args("chat-typing-paused", &[("name", name.into())]),
        _ => String::new(),
    }
}

/// Where a notification leads when clicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Chat(BareJid),
    Room(BareJid),
}

/// A desktop notification to show: plain text only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub title: String,
    pub body: String,
    /// One per chat, so that a chat's notifications replace each other instead of piling up.
    pub tag: String,
    pub target: Target,
}

/// The notification for `event`, if one is due: notifications on (and allowed by the
/// browser), the tab hidden, and a new message from someone else: live (not an archive copy,
/// not held offline and replayed at sign-in), not from a blocked sender; in rooms only when
/// it names us. `store` is the state before the event is applied.
pub fn notification(event: &Event, store: &Store, enabled: bool, hidden: bool) -> Option<Note> {
    if !enabled || !hidden {
        return None;
    }
    match event {
        Event::Message(m) => {
            if m.direction != Direction::Incoming
                || m.archived
                || m.delayed.is_some()
                || store.blocking.blocks(&m.from)
            {
                return None;
            }
            // Another copy of a message already shown (a carbon after the live one).
            if store
                .conversations
                .get(&m.peer)
                .is_some_and(|c| c.get(&natter_store::keys::primary(m)).is_some())
            {
                return None;
            }
            let name = store
                .roster
                .get(&m.peer)
                .map_or_else(|| m.peer.to_string(), |c| c.display_name());
            Some(Note {
                title: name,
                body: truncate(&m.body),
                tag: format!("chat:{}", m.peer),
                target: Target::Chat(m.peer.clone()),
            })
        }
        Event::GroupMessage(m) => {
            if !m.mentions_me || m.from_me || m.archived || m.delayed.is_some() {
                return None;
            }
            Some(Note {
                title: i18n::t_args(
                    "chat-notify-room-title",
                    &[
                        ("nick", m.nick.as_str().into()),
                        ("room", m.room.to_string().into()),
                    ],
                ),
                body: truncate(&m.body),
                tag: format!("room:{}", m.room),
                target: Target::Room(m.room.clone()),
            })
        }
        _ => None,
    }
}

fn truncate(body: &str) -> String {
    let mut chars = body.chars();
    let head: String = chars.by_ref().take(NOTIFICATION_BODY_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use natter_core::{ChatMessage, MessageExt, RoomMessage};

    #[test]
    fn settings_round_trip_and_default() {
        assert_eq!(Settings::decode(None), Settings::default());
        assert!(!Settings::default().notifications);
        assert!(Settings::default().typing && Settings::default().receipts);
        let s = Settings {
            notifications: true,
            typing: false,
            receipts: false,
        };
        assert_eq!(Settings::decode(Some(&s.encode())), s);
        // Garbage keeps the defaults.
        assert_eq!(Settings::decode(Some("x9<b>")), Settings::default());
        assert_eq!(
            Settings::decode(Some("t0")),
            Settings {
                typing: false,
                ..Settings::default()
            }
        );
    }

    #[test]
    fn title_counts_unread() {
        assert_eq!(title(0), "Natter");
        assert_eq!(title(1), "(1) Natter");
        assert_eq!(title(42), "(42) Natter");
    }

    #[test]
    fn composing_is_rate_limited_and_pauses() {
        let mut t = Typing::default();
        assert_eq!(t.opened(), Some(ChatState::Active));
        assert_eq!(t.opened(), None);
        // The first keystroke starts the count; typing on past TYPING_START_MS composes.
        assert_eq!(t.typed(700, false), None);
        assert_eq!(t.next_tick(), Some(700 + TYPING_START_MS));
        assert_eq!(t.typed(1_000, false), Some(ChatState::Composing));
        // Typing on: nothing new until the refresh is due.
        for ms in (1_100..6_000).step_by(300) {
            assert_eq!(t.typed(ms, false), None, "{ms}");
            assert_eq!(t.tick(ms), None, "{ms}");
        }
        assert_eq!(t.typed(6_000, false), Some(ChatState::Composing));
        assert_eq!(t.next_tick(), Some(6_000 + TYPING_PAUSE_MS));
        assert_eq!(t.tick(6_000 + TYPING_PAUSE_MS - 1), None);
        assert_eq!(t.tick(6_000 + TYPING_PAUSE_MS), Some(ChatState::Paused));
        assert_eq!(t.tick(20_000), None);
        assert_eq!(t.next_tick(), None);
        // Typing again after the pause: composing once the timer finds it went on.
        assert_eq!(t.typed(21_000, false), None);
        assert_eq!(t.tick(21_000 + TYPING_START_MS), Some(ChatState::Composing));
        t.message_sent();
        assert_eq!(t.tick(40_000), None);
        assert_eq!(t.closed(), Some(ChatState::Inactive));
        assert_eq!(t.closed(), None);
    }

    #[test]
    fn clearing_the_draft_pauses() {
        let mut t = Typing::default();
        assert_eq!(t.typed(0, true), None);
        t.typed(1_000, false);
        t.typed(1_400, false);
        assert_eq!(t.typed(1_500, true), Some(ChatState::Paused));
        // Never told anything: nothing to close.
        assert_eq!(Typing::default().closed(), None);
    }

    #[test]
    fn a_message_sent_at_once_sends_no_composing() {
        let mut t = Typing::default();
        assert_eq!(t.typed(1_000, false), None);
        t.message_sent();
        assert_eq!(t.next_tick(), None);
        assert_eq!(t.tick(1_000 + TYPING_START_MS), None);
        // The draft emptied by the send is no typing either.
        assert_eq!(t.typed(1_001, true), None);
    }

    #[test]
    fn typing_text_names_the_peer_as_text() {
        assert_eq!(
            typing_text("<b>Bob</b>", Some(ChatState::Composing)),
            "<b>Bob</b> is typing…"
        );
        assert_eq!(
            typing_text("Bob", Some(ChatState::Paused)),
            "Bob paused typing"
        );
        assert_eq!(typing_text("Bob", Some(ChatState::Active)), "");
        assert_eq!(typing_text("Bob", None), "");
        i18n::set_locale(i18n::Locale::Ru);
        let ru = typing_text("Боб", Some(ChatState::Composing));
        i18n::set_locale(i18n::Locale::En);
        assert_eq!(ru, "Боб печатает…");
    }

    fn incoming(body: &str) -> ChatMessage {
        ChatMessage {
            id: "r1".into(),
            direction: Direction::Incoming,
            peer: "bob@example.org".parse().unwrap(),
            from: "bob@example.org/x".parse().unwrap(),
            body: body.into(),
            delayed: None,
            stanza_id: None,
            origin_id: None,
            archived: false,
            ext: MessageExt::default(),
        }
    }

    #[test]
    fn notifies_a_new_message_only_when_hidden_and_enabled() {
        let store = Store::new();
        let e = Event::Message(incoming("hi"));
        assert_eq!(notification(&e, &store, true, false), None);
        assert_eq!(notification(&e, &store, false, true), None);
        let note = notification(&e, &store, true, true).expect("a notification");
        assert_eq!(note.title, "bob@example.org");
        assert_eq!(note.body, "hi");
        assert_eq!(note.tag, "chat:bob@example.org");
        assert_eq!(
            note.target,
            Target::Chat("bob@example.org".parse().unwrap())
        );
    }

    #[test]
    fn no_notification_for_copies_history_or_ourselves() {
        let mut store = Store::new();
        let mut archived = incoming("old");
        archived.archived = true;
        let mut delayed = incoming("offline");
        delayed.delayed = Some("2026-01-01T00:00:00Z".into());
        let mut ours = incoming("mine");
        ours.direction = Direction::Outgoing;
        for m in [archived, delayed, ours] {
            assert_eq!(
                notification(&Event::Message(m.clone()), &store, true, true),
                None,
                "{m:?}"
            );
        }
        // A second copy of a message already in the chat.
        store.apply(Event::Message(incoming("hi")));
        assert_eq!(
            notification(&Event::Message(incoming("hi")), &store, true, true),
            None
        );
        // A blocked sender.
        let mut store = Store::new();
        store.apply(Event::BlockList(vec!["bob@example.org".parse().unwrap()]));
        assert_eq!(
            notification(&Event::Message(incoming("x")), &store, true, true),
            None
        );
    }

    #[test]
    fn long_bodies_are_cut_and_markup_stays_text() {
        let store = Store::new();
        let long = "é".repeat(500);
        let note = notification(&Event::Message(incoming(&long)), &store, true, true).unwrap();
        assert_eq!(note.body.chars().count(), NOTIFICATION_BODY_CHARS + 1);
        assert!(note.body.ends_with('…'));
        let note = notification(
            &Event::Message(incoming("<img src=x onerror=alert(1)>")),
            &store,
            true,
            true,
        )
        .unwrap();
        assert_eq!(note.body, "<img src=x onerror=alert(1)>");
    }

    fn room_message(mentions_me: bool, from_me: bool) -> RoomMessage {
        RoomMessage {
            room: "coven@chat.example.org".parse().unwrap(),
            nick: "witch".into(),
            occupant_id: None,
            id: "g1".into(),
            stanza_id: None,
            origin_id: None,
            body: "hey you".into(),
            delayed: None,
            archived: false,
            mentions_me,
            from_me,
        }
    }

    #[test]
    fn rooms_notify_mentions_only() {
        let store = Store::new();
        let e = Event::GroupMessage(room_message(true, false));
        let note = notification(&e, &store, true, true).expect("a mention notifies");
        assert_eq!(note.title, "witch in coven@chat.example.org");
        assert_eq!(
            note.target,
            Target::Room("coven@chat.example.org".parse().unwrap())
        );
        for (m, me) in [(false, false), (true, true)] {
            let e = Event::GroupMessage(room_message(m, me));
            assert_eq!(notification(&e, &store, true, true), None);
        }
    }
}
