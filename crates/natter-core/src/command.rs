//! What the user (through the view) asks the core to do.

use jid::{BareJid, Jid};

pub use xmpp_parsers::presence::Show;

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Send a chat message. `id` is the stanza id the store already shows the message under
    /// (generate it with [`crate::Client::next_id`]); the core answers with
    /// [`crate::Event::MessageSent`] once the stanza is queued for the wire.
    SendMessage {
        to: Jid,
        id: String,
        body: String,
        ext: crate::MessageExt,
    },
    /// Change our own presence (broadcast to contacts).
    SetPresence {
        show: Option<Show>,
        status: Option<String>,
    },
    /// Add (or rename) a roster item and ask for a subscription to its presence.
    AddContact { jid: BareJid, name: Option<String> },
    /// Remove a roster item (the server also cancels subscriptions both ways).
    RemoveContact { jid: BareJid },
    /// Approve an inbound subscription request (`subscribed`), and ask back if not yet subscribed.
    ApproveSubscription { jid: BareJid },
    /// Deny an inbound subscription request (`unsubscribed`).
    DenySubscription { jid: BareJid },
    /// Fetch what the account's archive (XEP-0313) holds after `after`, the newest archive id
    /// the app has (`None`: only the newest page). Each result comes as
    /// [`crate::Event::Message`] with `archived: true`, then [`crate::Event::CaughtUp`].
    CatchUp { after: Option<String> },
    /// One page (at most `max`, capped at 100) of the archived conversation with `with`, the
    /// newest before the archive id `before` (`None`: the newest). The messages come as
    /// [`crate::Event::Message`] with `archived: true`, then [`crate::Event::HistoryPage`].
    LoadHistory {
        with: BareJid,
        before: Option<String>,
        max: usize,
    },
    /// XEP-0352: the user is (`true`) or is not looking (a hidden tab). Sent only to servers
    /// that advertise CSI; remembered for the rest of the session and re-sent after a fresh
    /// bind. Never fails.
    SetActive(bool),
    /// Close the stream cleanly (unavailable presence, `<close/>`).
    Disconnect,
    /// XEP-0085: tell `to` our chat state in a message of its own (dropped while offline).
    SendChatState {
        to: BareJid,
        state: crate::ChatState,
    },
    /// XEP-0333: tell `to` we displayed their message `id` (and everything before it).
    MarkDisplayed { to: BareJid, id: String },
    /// XEP-0184: whether receipt requests are answered (on by default; kept for the session).
    SetReceipts(bool),
    /// XEP-0363: ask the upload service for a place to `PUT` a file. `request` is the app's
    /// own id for it, given back in [`crate::Event::UploadSlot`] or
    /// [`crate::Event::UploadFailed`] (a file above the service's limit fails at once).
    /// Waits for the service to be found if that is still under way.
    RequestUploadSlot {
        request: String,
        filename: String,
        size: u64,
        content_type: Option<String>,
    },
    /// XEP-0191: block `jid` (an account, a full JID or a whole domain) on our server.
    /// Answered by [`crate::Event::Blocked`] or `RequestFailed`.
    Block { jid: Jid },
    /// XEP-0191: unblock `jid`. Answered by [`crate::Event::Unblocked`] or `RequestFailed`.
    Unblock { jid: Jid },
    /// XEP-0308: replace the body of our message `id` (the first one, also when correcting
    /// a correction) with `body`, sent as a new message `new_id`. Answered by `MessageSent`
    /// (carrying the correction in `ext.edits.replace`), which the store applies.
    Correct {
        to: Jid,
        id: String,
        new_id: String,
        body: String,
    },
    /// XEP-0424: take back our message `id`. Answered by `MessageSent` like `Correct`.
    Retract { to: Jid, id: String },
    /// XEP-0444: our whole set of reactions to the message `id` (empty: none). Answered by
    /// `MessageSent` like `Correct`.
    React {
        to: Jid,
        id: String,
        reactions: Vec<String>,
    },

    // ---- group chat (XEP-0045); see [`crate::room`] ----
    /// Join `room` as `nick`. `after`: the newest archive id of the room the app has; where
    /// the room keeps an archive, the room replays nothing and the core pages the archive
    /// after it (`None`: the newest page) — [`crate::Event::GroupMessage`]s with `archived`,
    /// then [`crate::Event::RoomCaughtUp`]. Rooms without an archive replay their recent
    /// history (delayed messages). Given before sign-in, the join waits for it. Answered by
    /// `RoomJoining`, then `RoomJoined` or `RoomJoinFailed`. Rooms joined stay joined across
    /// sessions: they travel in [`crate::Resumption::rooms`] and a fresh session rejoins them.
    /// A join that creates the room (status 201) accepts the service's default configuration
    /// at once, like `CreateInstantRoom`: servers lock a new room until its owner configures
    /// it (Prosody's default), and a user who typed a new room's address expects others to be
    /// able to come in; the owner can change the settings afterwards.
    JoinRoom {
        room: BareJid,
        nick: String,
        password: Option<String>,
        after: Option<String>,
    },
    /// Leave the room (`RoomLeft` right away).
    LeaveRoom { room: BareJid },
    /// Take another nick in a joined room (`NickChanged`, or `RequestFailed`).
    ChangeNick { room: BareJid, nick: String },
    /// Change the room's subject (if the room lets us).
    SetSubject { room: BareJid, subject: String },
    /// A message to everyone in a joined room; `id` as for `SendMessage`. Answered by
    /// `GroupMessageSent`.
    SendGroupMessage {
        room: BareJid,
        id: String,
        body: String,
    },
    /// A private message to one occupant of a joined room (`PrivateMessage`, outgoing).
    SendPrivateMessage {
        room: BareJid,
        nick: String,
        id: String,
        body: String,
    },
    /// Join `room`, creating it if it does not exist, and accept the service's default
    /// configuration for a room so created (XEP-0045 §10.1.2), so that it opens at once.
    CreateInstantRoom { room: BareJid, nick: String },
    /// Ask for the room's configuration (owners): answered by `RoomConfigForm`.
    GetRoomConfig { room: BareJid },
    /// Change the room's configuration (owners): the fields that are `Some`. Answered by
    /// `RoomConfigured` or `RequestFailed`.
    SubmitRoomConfig(crate::room::RoomConfig),
    /// Moderators: send an occupant out (it may come back).
    Kick {
        room: BareJid,
        nick: String,
        reason: Option<String>,
    },
    /// Admins: ban an account from the room.
    Ban {
        room: BareJid,
        jid: BareJid,
        reason: Option<String>,
    },
    /// Moderators: change an occupant's role (`Participant` gives voice, `Visitor` takes it,
    /// `None` kicks).
    SetRole {
        room: BareJid,
        nick: String,
        role: crate::room::Role,
        reason: Option<String>,
    },
    /// Admins and owners: change an account's affiliation (member, admin, outcast = ban, …).
    SetAffiliation {
        room: BareJid,
        jid: BareJid,
        affiliation: crate::room::Affiliation,
        reason: Option<String>,
    },
    /// Invite `to` into `room`: `direct` (XEP-0249, carries the room's password if we know
    /// it) or mediated through the room (XEP-0045 §7.8.2, which members-only rooms need).
    Invite {
        room: BareJid,
        to: BareJid,
        reason: Option<String>,
        direct: bool,
    },
    /// Say no to a mediated invitation (XEP-0045 §7.8.2): the room tells `inviter`, with
    /// the reason if given. A direct (XEP-0249) invitation has nothing to answer: just drop it.
    DeclineInvitation {
        room: BareJid,
        inviter: Jid,
        reason: Option<String>,
    },
    /// The rooms a chat service lists (disco#items): answered by `RoomList`.
    ListRooms { service: BareJid },
    /// What a room says about itself (disco#info): answered by `RoomInfo`.
    RoomInfo { room: BareJid },
    /// Add or change a bookmark (`Bookmarks` with the new set once the server has it).
    SetBookmark(crate::room::Bookmark),
    /// Remove a bookmark.
    RemoveBookmark { room: BareJid },
    /// One page (at most `max`, capped at 100) of the room's archive, the newest before the
    /// archive id `before` (`None`: the newest): `GroupMessage`s with `archived`, then
    /// `RoomHistoryPage`.
    LoadRoomHistory {
        room: BareJid,
        before: Option<String>,
        max: usize,
    },

    // ---- avatars and profiles (XEP-0084, XEP-0153, XEP-0172, XEP-0292, XEP-0054) ----
    /// Fetch the image `hash` names (from `Event::AvatarChanged`): XEP-0084 data, else the
    /// vCard-temp photo. Answered by `Event::Avatar` only if the bytes hash to `hash`;
    /// nothing otherwise. A fetch of the same image already running is not repeated.
    FetchAvatar { jid: BareJid, hash: String },
    /// Fetch a contact's names: XEP-0292 vCard4, else vCard-temp. Answered by `Event::Profile`.
    FetchProfile { jid: BareJid },
    /// Publish our avatar (XEP-0084: data, then metadata; open access). `bytes` must be a
    /// PNG, JPEG, GIF or WebP of at most 256 KiB. Answered by `Event::Avatar` (once stored)
    /// and `Event::AvatarChanged` (once announced), or `RequestFailed`.
    PublishAvatar {
        mime: String,
        bytes: Vec<u8>,
        width: u16,
        height: u16,
    },
    /// Publish our nickname (XEP-0172 PEP, and the NICKNAME of our vCard-temp, which servers
    /// mirror into vCard4).
    SetNickname { nickname: String },
}
