//! What the core reports to the store and the view.

use jid::{BareJid, FullJid, Jid};

use crate::room::{
    Bookmark, Invitation, JoinError, LeaveReason, OccupantUpdate, RoomConfig, RoomInfo, RoomJid,
    RoomListItem, RoomMessage, RoomPrivateMessage,
};

pub use xmpp_parsers::presence::Show;
pub use xmpp_parsers::roster::{Ask, Subscription};

/// Where the session is. `Failed`/`Closed` are terminal: a new [`crate::Client`] is needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Transport not yet open.
    Connecting,
    /// Stream opened, negotiating SASL and binding.
    Authenticating,
    /// Resource bound, initial roster and presence sent.
    Online,
    /// Closed on purpose (sign out) or by the server without an error.
    Closed,
    /// Ended by an error.
    Failed,
}

/// Why a session ended. `Display` gives plain words fit for the `alert` the user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// SASL failed: wrong address or password (or the account is disabled).
    AuthFailed {
        condition: String,
        text: Option<String>,
    },
    /// The server offers no mechanism we may use (e.g. only PLAIN over an insecure transport).
    NoUsableMechanism { offered: Vec<String> },
    /// The server ended the stream with an error.
    StreamError {
        condition: String,
        text: Option<String>,
    },
    /// The server told us to connect elsewhere (RFC 7395 `see-other-uri`, RFC 6120
    /// `see-other-host`). The driver may reconnect there once.
    Redirect { to: String },
    /// The server sent something that is not well-formed XML or breaks the protocol.
    Protocol(String),
    /// The transport closed (or never opened) before the stream ended cleanly.
    TransportClosed { reason: Option<String> },
    /// Sign-in did not finish in time.
    Timeout,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // RFC 6120 §6.5 conditions in the user's words; the server's own text is jargon
            // for the common case and is only shown for the rare ones.
            Error::AuthFailed { condition, text } => match condition.as_str() {
                "not-authorized" | "invalid-authzid" | "invalid-mechanism" => {
                    write!(f, "Sign-in failed: wrong address or password.")
                }
                "account-disabled" => write!(f, "Sign-in failed: this account is disabled."),
                // A stored credential ("remember me") the server no longer takes.
                crate::SAVED_SIGN_IN_EXPIRED => {
                    write!(
                        f,
                        "Sign-in failed: saved sign-in expired, enter the password."
                    )
                }
                "credentials-expired" => {
                    write!(f, "Sign-in failed: the password has expired.")
                }
                "temporary-auth-failure" => write!(
                    f,
                    "Sign-in failed: the server could not check the password right now. Try again."
                ),
                _ => {
                    write!(f, "Sign-in failed: wrong address or password ({condition})")?;
                    if let Some(t) = text {
                        write!(f, ": {t}")?;
                    }
                    Ok(())
                }
            },
            Error::NoUsableMechanism { offered } => write!(
                f,
                "The server offers no safe way to sign in over this connection (it offers: {})",
                if offered.is_empty() {
                    "nothing".to_string()
                } else {
                    offered.join(", ")
                }
            ),
            Error::StreamError { condition, text } => {
                write!(f, "The server ended the session ({condition})")?;
                if let Some(t) = text {
                    write!(f, ": {t}")?;
                }
                Ok(())
            }
            Error::Redirect { to } => write!(f, "The server redirected the connection to {to}"),
            Error::Protocol(what) => write!(f, "The server sent invalid data: {what}"),
            Error::TransportClosed { reason: Some(r) } => {
                write!(f, "The connection to the server was lost: {r}")
            }
            Error::TransportClosed { reason: None } => {
                write!(f, "The connection to the server was lost")
            }
            Error::Timeout => write!(f, "The server did not answer in time"),
        }
    }
}

impl std::error::Error for Error {}

/// One roster item (RFC 6121 §2.1.2).
#[derive(Debug, Clone, PartialEq)]
pub struct RosterItem {
    pub jid: BareJid,
    pub name: Option<String>,
    pub subscription: Subscription,
    pub ask: bool,
    pub groups: Vec<String>,
}

/// Availability of one resource of a contact (or of our own account's other resources).
#[derive(Debug, Clone, PartialEq)]
pub struct PresenceUpdate {
    /// Usually a full JID; a bare JID for an unavailable presence that covers every resource.
    pub from: Jid,
    /// `false` for `type='unavailable'`.
    pub available: bool,
    pub show: Option<Show>,
    pub status: Option<String>,
    pub priority: i8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Incoming,
    Outgoing,
}

/// A one-to-one message with a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// The stanza id (ours for outgoing; the sender's, or one we derive, for incoming).
    pub id: String,
    pub direction: Direction,
    /// The other party's bare JID: the conversation it belongs to.
    pub peer: BareJid,
    /// Full sender as seen on the wire.
    pub from: Jid,
    pub body: String,
    /// XEP-0203 delay stamp as RFC 3339 text, if the server delayed it (offline storage) or
    /// it came from the archive (the time it was archived).
    pub delayed: Option<String>,
    /// XEP-0359 id our own server's archive gave it (`<stanza-id by=our bare JID>`; for
    /// archive results the archive id). The same for the live, carbon and archive copies of
    /// one message, so it is the key to deduplicate them by. Never taken from anyone else.
    pub stanza_id: Option<String>,
    /// XEP-0359 origin-id: the id the sending client chose, kept by archives and carbons.
    pub origin_id: Option<String>,
    /// Came from the archive (XEP-0313), not live.
    pub archived: bool,
    /// What the message carries besides its text (modern-messaging XEPs).
    pub ext: MessageExt,
}

/// A one-to-one message's extensions beyond body and ids: one struct with a `Default` so that
/// each XEP adds its own fields here without touching every place a message is built.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageExt {
    /// XEP-0393 §6: the sender asked that the body be shown as plain text, not styled.
    pub unstyled: bool,
    /// XEP-0308 corrections, XEP-0424 retractions, XEP-0444 reactions, XEP-0461 replies
    /// (boxed: most messages have none, and every `Command::SendMessage` carries one).
    pub edits: Box<crate::edits::Edits>,
    /// XEP-0184: the sender asks for a delivery receipt.
    pub receipt_request: bool,
    /// XEP-0333: the sender wants to hear when it was displayed.
    pub markable: bool,
    /// XEP-0085: the chat state sent along with the message.
    pub chat_state: Option<crate::awareness::ChatState>,
    /// XEP-0066: the file (or page) the message shares; when the body is just this URL,
    /// the message is the file (an HTTP upload).
    /// Boxed: most messages have none, and every stored message carries this struct.
    pub oob: Option<Box<crate::upload::OutOfBand>>,
    /// XEP-0172: the name the sender asks to be called by, cleaned
    /// ([`crate::visitor_nick::clean`]). Anonymous visitors send it in every message, having
    /// no roster entry or profile to carry it; on outgoing messages the core fills it from
    /// [`crate::Config::nick`].
    pub nick: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    StateChanged(SessionState),
    /// The session is usable; `jid` is our bound full JID. `resumed`: the previous session
    /// continues (XEP-0198), so the roster, presences and archive need no refetch.
    Online {
        jid: FullJid,
        resumed: bool,
    },
    /// The session ended with an error (the state is now `Failed`).
    Failed(Error),
    /// Signed in: what signs in again without the password (a SCRAM secret, a FAST token), for
    /// the app to keep if the user asked to be remembered. Replaces any earlier one; only sent
    /// when something changed. Comes before `Online`.
    Credential(crate::StoredCredential),
    /// The full roster from the initial roster get; replaces what the store had.
    RosterReset {
        items: Vec<RosterItem>,
        ver: Option<String>,
    },
    /// A roster push added or changed one item.
    RosterUpdated(RosterItem),
    /// A roster push removed one item.
    RosterRemoved(BareJid),
    /// The roster version we asked with is still current: keep the cached roster (RFC 6121
    /// §2.6.3, an empty result).
    RosterUnchanged,
    /// A roster push carried this version: store it with the roster updated just before.
    RosterVersion(String),
    Presence(PresenceUpdate),
    /// Someone asks to see our presence. Answer with Approve/DenySubscription.
    SubscriptionRequest {
        from: BareJid,
    },
    /// A contact approved (`subscribed`) or revoked (`unsubscribed`) our subscription.
    SubscriptionChanged {
        from: BareJid,
        approved: bool,
    },
    /// An incoming chat (or normal) message with a body.
    Message(ChatMessage),
    /// An outgoing message was put on the wire.
    MessageSent(ChatMessage),
    /// The server confirmed (XEP-0198 `<a h/>`) that it holds an outgoing message: it is safe
    /// on the server. Without stream management only `MessageSent` is reported.
    MessageAcked {
        id: String,
        peer: BareJid,
    },
    /// A message we sent bounced with an error.
    MessageFailed {
        id: String,
        peer: BareJid,
        reason: String,
    },
    /// A request of ours (roster set, …) failed or timed out; plain words for the user.
    RequestFailed {
        what: String,
        reason: String,
    },
    /// XEP-0280 carbons are on: from now on messages our other devices send or receive are
    /// copied to this session.
    CarbonsEnabled,
    /// `Command::CatchUp` is done: every archived message after the given id was reported.
    /// `last` is the newest archive id now known (store it for the next catch-up);
    /// `complete: false` means a gap the archive could not fill (the id was unknown to the
    /// archive, the page limit was reached, or the archive failed).
    CaughtUp {
        last: Option<String>,
        complete: bool,
    },
    /// `Command::LoadHistory` is done: its messages were reported. `first` is the oldest
    /// archive id of the page (the `before` for the next, older page); `complete: true` means
    /// there is nothing older.
    HistoryPage {
        with: BareJid,
        first: Option<String>,
        complete: bool,
    },
    /// XEP-0363: our server offers HTTP file upload at `jid`, taking files up to `max_size`
    /// bytes (if it says). Sent once per session, when found; never sent without one.
    UploadService {
        jid: BareJid,
        max_size: Option<u64>,
    },
    /// The slot for `Command::RequestUploadSlot { request, .. }`: `PUT` the bytes to
    /// `put_url` with `put_headers` (only Authorization, Cookie, Expires), then share
    /// `get_url`. Both URLs are `https` (or `http` to a loopback host: test servers).
    UploadSlot {
        request: String,
        put_url: String,
        put_headers: Vec<(String, String)>,
        get_url: String,
    },
    /// No slot for `request`; `reason` in plain words.
    UploadFailed {
        request: String,
        reason: String,
    },
    /// XEP-0191: the blocklist as our server keeps it, fetched after a fresh sign-in. Only
    /// sent when the server supports blocking: its absence means the controls have no use.
    BlockList(Vec<Jid>),
    /// These JIDs are now blocked (our request, or a push from another device of ours).
    Blocked(Vec<Jid>),
    /// These JIDs are no longer blocked; empty: the whole blocklist was cleared.
    Unblocked(Vec<Jid>),
    /// Receipts, chat markers and chat states (XEP-0184, XEP-0333, XEP-0085).
    Awareness(crate::awareness::Awareness),
    /// A stanza was thrown away because its sender may not send it (a forged roster push,
    /// carbon or archive result, an answer from someone we did not ask, a presence from a
    /// room we are not in). For the log only.
    Dropped {
        from: Option<Jid>,
        reason: String,
    },

    // ---- group chat (XEP-0045); the types are in [`crate::room`] ----
    /// A join started (`Command::JoinRoom`, an autojoin bookmark, or a rejoin after a fresh
    /// session or a failed self-ping): the room's occupant list is about to be sent anew, so
    /// the store forgets the one it has.
    RoomJoining {
        room: RoomJid,
        nick: String,
    },
    /// We are in: the room sent our own presence (its other occupants came before, as
    /// [`Event::Occupant`]). `subject`: the one known from before a rejoin (the current one
    /// follows as [`Event::Subject`]). `created`: the join created the room.
    RoomJoined {
        room: RoomJid,
        nick: String,
        occupant_id: Option<String>,
        subject: Option<String>,
        created: bool,
    },
    /// The room refused us; `reason` reads as plain words (`Display`).
    RoomJoinFailed {
        room: RoomJid,
        reason: JoinError,
    },
    /// We are out of the room: left on purpose, kicked, banned, room destroyed, …; `text` is
    /// the moderator's (or destroyer's) reason, if given.
    RoomLeft {
        room: RoomJid,
        reason: LeaveReason,
        text: Option<String>,
    },
    /// One occupant arrived, changed or left (ourselves included, `me: true`).
    Occupant(OccupantUpdate),
    /// An occupant (`me`: we) took another nick; the same occupant-id where the room gives one.
    NickChanged {
        room: RoomJid,
        old: String,
        new: String,
        occupant_id: Option<String>,
        me: bool,
    },
    /// The room's subject (also sent once at every join; empty: none). `by`: the nick that set
    /// it, `None` when the room did.
    Subject {
        room: RoomJid,
        subject: String,
        by: Option<String>,
    },
    /// A message to the room: live, replayed at join, or archived.
    GroupMessage(RoomMessage),
    /// Our message to the room was put on the wire (the room's reflection follows as a
    /// `GroupMessage` with the same id and `from_me`). Bounces come as
    /// [`Event::MessageFailed`] and XEP-0198 acks as [`Event::MessageAcked`], both with the
    /// room as `peer`.
    GroupMessageSent(RoomMessage),
    /// A private message with an occupant, either way (ours once it is on the wire).
    PrivateMessage(RoomPrivateMessage),
    /// `Command::ListRooms`: the rooms a chat service lists.
    RoomList {
        service: BareJid,
        items: Vec<RoomListItem>,
    },
    /// `Command::RoomInfo`: what a room says about itself.
    RoomInfo(RoomInfo),
    /// The room's configuration form as typed fields (`Command::GetRoomConfig`).
    RoomConfigForm(RoomConfig),
    /// A configuration (or an instant room's default one) was accepted.
    RoomConfigured {
        room: RoomJid,
    },
    /// The full set of bookmarks: at sign-in, and after every change (ours, or another
    /// device's, pushed live).
    Bookmarks(Vec<Bookmark>),
    /// Someone invites us into a room.
    Invitation(Invitation),
    /// The archive catch-up after joining `room` is done (like [`Event::CaughtUp`]): `last` is
    /// the newest archive id known in the room; `complete: false` marks a gap. `beginning`:
    /// the catch-up was the newest page and the archive has nothing older, so the room's
    /// whole history is what came (no "load older" to offer).
    RoomCaughtUp {
        room: RoomJid,
        last: Option<String>,
        complete: bool,
        beginning: bool,
    },
    /// `Command::LoadRoomHistory` is done (like [`Event::HistoryPage`]).
    RoomHistoryPage {
        room: RoomJid,
        first: Option<String>,
        complete: bool,
    },

    // ---- avatars and profiles (XEP-0084, XEP-0153, XEP-0172, XEP-0292, XEP-0054) ----
    /// `jid` announced its avatar (PEP metadata, or the XEP-0153 hash in presence): `hash` is
    /// the image's SHA-1 in lowercase hex, `None` means no avatar. Fetch the image with
    /// `Command::FetchAvatar` unless it is known by that hash.
    AvatarChanged {
        jid: BareJid,
        hash: Option<String>,
    },
    /// An image, checked: its SHA-1 is `hash`, it is at most 256 KiB and `mime` (read from its
    /// bytes, not from the sender) is one of image/png, image/jpeg, image/gif, image/webp.
    Avatar {
        jid: BareJid,
        hash: String,
        mime: String,
        bytes: Vec<u8>,
    },
    /// A contact's names from its vCard (`Command::FetchProfile`), cleaned and capped.
    Profile {
        jid: BareJid,
        full_name: Option<String>,
        nickname: Option<String>,
    },
    /// A XEP-0172 nickname announced through PEP (`None`: removed).
    Nickname {
        jid: BareJid,
        nickname: Option<String>,
    },
}
