//! Group chat (XEP-0045 multi-user chat) as the store sees it: plain data, no protocol.
//!
//! A room is named by its bare JID ([`RoomJid`], e.g. `coven@chat.example.org`); an occupant
//! by its nickname in that room. Everything here comes from the room itself: an occupant's real
//! JID only when the room discloses it, an occupant-id (XEP-0421) only when the room announces
//! that it stamps them (so nobody else can forge one), a stanza-id only when the room stamped it.

use jid::{BareJid, Jid};

pub use xmpp_parsers::presence::Show;

use crate::Direction;

/// A room's address: the bare JID `room@service`.
pub type RoomJid = BareJid;

/// What an occupant may do in the room for as long as it is there (XEP-0045 §5.1). Ordered by
/// power, so that sorting an occupant list puts moderators first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Role {
    Moderator,
    Participant,
    /// May read but not speak in a moderated room.
    Visitor,
    /// Not in the room (what a leaving occupant's last presence says).
    #[default]
    None,
}

/// A long-lived standing with the room, kept while away (XEP-0045 §5.2). Ordered by power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Affiliation {
    Owner,
    Admin,
    Member,
    #[default]
    None,
    /// Banned.
    Outcast,
}

impl Role {
    /// The XEP-0045 name: `moderator`, `participant`, `visitor`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Moderator => "moderator",
            Role::Participant => "participant",
            Role::Visitor => "visitor",
            Role::None => "none",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = ();
    /// From the XEP-0045 name.
    fn from_str(s: &str) -> Result<Role, ()> {
        [
            Role::Moderator,
            Role::Participant,
            Role::Visitor,
            Role::None,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or(())
    }
}

impl Affiliation {
    /// The XEP-0045 name: `owner`, `admin`, `member`, `none`, `outcast`.
    pub fn as_str(self) -> &'static str {
        match self {
            Affiliation::Owner => "owner",
            Affiliation::Admin => "admin",
            Affiliation::Member => "member",
            Affiliation::None => "none",
            Affiliation::Outcast => "outcast",
        }
    }
}

impl std::str::FromStr for Affiliation {
    type Err = ();
    /// From the XEP-0045 name.
    fn from_str(s: &str) -> Result<Affiliation, ()> {
        [
            Affiliation::Owner,
            Affiliation::Admin,
            Affiliation::Member,
            Affiliation::None,
            Affiliation::Outcast,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
        .ok_or(())
    }
}

/// Why we, or another occupant, are no longer in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaveReason {
    /// Left on purpose (for us: `Command::LeaveRoom`).
    Left,
    /// Kicked by a moderator (status 307); may join again.
    Kicked,
    /// Banned (status 301); cannot join again.
    Banned,
    /// Removed because the affiliation changed (status 321), e.g. membership revoked.
    AffiliationChanged,
    /// Removed because the room became members-only (status 322).
    MembersOnly,
    /// The chat service is shutting down (status 332).
    Shutdown,
    /// Removed because of a technical problem (status 333).
    Error,
    /// The room was destroyed; `alternate`, if any, is where its owner suggests to go.
    Destroyed { alternate: Option<RoomJid> },
}

impl std::fmt::Display for LeaveReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LeaveReason::Left => write!(f, "left the room"),
            LeaveReason::Kicked => write!(f, "was kicked from the room"),
            LeaveReason::Banned => write!(f, "was banned from the room"),
            LeaveReason::AffiliationChanged => {
                write!(f, "was removed from the room (membership changed)")
            }
            LeaveReason::MembersOnly => {
                write!(f, "was removed: the room is now for members only")
            }
            LeaveReason::Shutdown => write!(f, "left: the chat service is shutting down"),
            LeaveReason::Error => write!(f, "was removed from the room by a technical error"),
            LeaveReason::Destroyed { .. } => write!(f, "left: the room was closed"),
        }
    }
}

/// Why joining a room failed. `Display` gives the plain words shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinError {
    /// `forbidden`: we are banned.
    Banned,
    /// `registration-required`: only members may enter.
    MembersOnly,
    /// `conflict`: someone else has this nickname there.
    NickInUse,
    /// `not-acceptable`: the nickname is reserved for someone else or not allowed.
    NickNotAllowed,
    /// `not-authorized`: the room wants a password (or the given one is wrong).
    PasswordRequired,
    /// `item-not-found` / `gone`: the room does not exist (any more), or is locked.
    RoomGone,
    /// `service-unavailable`: the room is full.
    RoomFull,
    /// `not-allowed`: the room does not exist and we may not create it.
    CreationRestricted,
    /// The room or its service cannot be reached (`remote-server-*`).
    Unreachable,
    /// No answer in time.
    Timeout,
    /// Anything else, in the server's words.
    Other(String),
}

impl std::fmt::Display for JoinError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JoinError::Banned => write!(f, "you are banned from this room"),
            JoinError::MembersOnly => write!(f, "this room is for members only"),
            JoinError::NickInUse => write!(f, "this nickname is already in use in the room"),
            JoinError::NickNotAllowed => write!(f, "this nickname is not allowed in the room"),
            JoinError::PasswordRequired => {
                write!(f, "the room needs a password (or the password is wrong)")
            }
            JoinError::RoomGone => write!(f, "the room does not exist (any more)"),
            JoinError::RoomFull => write!(f, "the room is full"),
            JoinError::CreationRestricted => {
                write!(f, "the room does not exist and you may not create it")
            }
            JoinError::Unreachable => write!(f, "the room's server cannot be reached"),
            JoinError::Timeout => write!(f, "the room did not answer in time"),
            JoinError::Other(words) => write!(f, "{words}"),
        }
    }
}

/// One occupant's presence in a room: it arrived, changed, or left (`available: false`).
/// Presence floods (hundreds at a join) come as one event each; the core keeps nothing per
/// occupant, the store holds the list.
#[derive(Debug, Clone, PartialEq)]
pub struct OccupantUpdate {
    pub room: RoomJid,
    pub nick: String,
    pub role: Role,
    pub affiliation: Affiliation,
    /// The occupant's real JID, only when the room discloses it (non-anonymous rooms, or to
    /// moderators).
    pub jid: Option<Jid>,
    /// XEP-0421 occupant-id: stable across nick changes and rejoins. Only from rooms that
    /// announce it.
    pub occupant_id: Option<String>,
    pub show: Option<Show>,
    pub status: Option<String>,
    /// `false`: the occupant left (see `exit`).
    pub available: bool,
    /// This occupant is us.
    pub me: bool,
    /// Why it left, when it did not leave on its own (kicked, banned, …); `None` otherwise.
    pub exit: Option<LeaveReason>,
}

/// A message to the whole room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomMessage {
    pub room: RoomJid,
    /// The sender's nickname at the time; empty for a message from the room itself.
    pub nick: String,
    /// XEP-0421 occupant-id of the sender, from rooms that announce it.
    pub occupant_id: Option<String>,
    /// The stanza id (the sender's; else origin-id, stanza-id, or one we derive).
    pub id: String,
    /// XEP-0359 id the room's archive gave it (`<stanza-id by=room>`; the archive id for
    /// archived ones): the same for the live and the archived copy, the key to deduplicate by.
    /// Never taken from anyone but the room.
    pub stanza_id: Option<String>,
    /// XEP-0359 origin-id chosen by the sending client.
    pub origin_id: Option<String>,
    pub body: String,
    /// XEP-0203 stamp (RFC 3339) for history the room replays or archived messages.
    pub delayed: Option<String>,
    /// From the room's archive (XEP-0313), not live.
    pub archived: bool,
    /// The body names our nickname (whole word, any case), and we did not send it.
    pub mentions_me: bool,
    /// We sent it (the room's reflection of our message, or its archived copy).
    pub from_me: bool,
}

/// A private message with one occupant of a room (XEP-0045 §7.5), kept apart from one-to-one
/// chats: the peer is a nickname in a room, not an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomPrivateMessage {
    pub room: RoomJid,
    /// The other occupant.
    pub nick: String,
    pub occupant_id: Option<String>,
    pub id: String,
    pub direction: Direction,
    pub body: String,
    pub delayed: Option<String>,
}

/// A room as a chat service lists it (disco#items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomListItem {
    pub jid: RoomJid,
    /// The room's name, as the service gives it.
    pub name: Option<String>,
}

impl RoomListItem {
    /// Whether the room's address or name contains `filter` (any case); an empty filter
    /// matches everything.
    pub fn matches(&self, filter: &str) -> bool {
        let filter = filter.trim().to_lowercase();
        filter.is_empty()
            || self.jid.as_str().to_lowercase().contains(&filter)
            || self
                .name
                .as_ref()
                .is_some_and(|n| n.to_lowercase().contains(&filter))
    }
}

/// What a room says about itself (disco#info).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomInfo {
    pub room: RoomJid,
    pub name: Option<String>,
    pub description: Option<String>,
    /// How many are in it, if the room says.
    pub occupants: Option<u32>,
    pub password_protected: bool,
    pub members_only: bool,
    pub persistent: bool,
    pub public: bool,
    pub moderated: bool,
    /// Keeps an archive (XEP-0313): history comes from there.
    pub archived: bool,
    /// Stamps XEP-0421 occupant-ids.
    pub occupant_ids: bool,
    /// Every feature `var` it lists, verbatim.
    pub features: Vec<String>,
}

impl RoomInfo {
    /// Nothing known about `room` yet.
    pub fn new(room: RoomJid) -> Self {
        RoomInfo {
            room,
            name: None,
            description: None,
            occupants: None,
            password_protected: false,
            members_only: false,
            persistent: false,
            public: false,
            moderated: false,
            archived: false,
            occupant_ids: false,
            features: Vec::new(),
        }
    }
}

/// The settings an owner can change (XEP-0045 §10.2), typed over the room's configuration form.
/// `None`: the room's form does not offer the field (and a submit leaves it unchanged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomConfig {
    pub room: RoomJid,
    pub name: Option<String>,
    pub description: Option<String>,
    pub persistent: Option<bool>,
    pub members_only: Option<bool>,
    pub public: Option<bool>,
    pub moderated: Option<bool>,
    /// The password; `Some("")` for none.
    pub password: Option<String>,
}

impl RoomConfig {
    /// Changes nothing in `room` (set the fields to change).
    pub fn new(room: RoomJid) -> Self {
        RoomConfig {
            room,
            name: None,
            description: None,
            persistent: None,
            members_only: None,
            public: None,
            moderated: None,
            password: None,
        }
    }
}

/// A room the user keeps (XEP-0402, or XEP-0048 on older servers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark {
    pub room: RoomJid,
    pub name: Option<String>,
    /// The nickname to join with; `None`: the account's own name.
    pub nick: Option<String>,
    pub password: Option<String>,
    /// Join it at every sign-in.
    pub autojoin: bool,
}

/// Someone invites us into a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub room: RoomJid,
    /// Who invites: the sender for a direct invitation (XEP-0249), what the room says for a
    /// mediated one (XEP-0045 §7.8.2).
    pub from: Jid,
    pub password: Option<String>,
    pub reason: Option<String>,
    /// XEP-0249 direct (from the inviter) rather than mediated (through the room).
    pub direct: bool,
}

/// Whether `body` names `nick` as a whole word, ignoring case: "Al" is named in "hi al!" and
/// "@AL: look", not in "also" or "Alice".
pub fn mentions(body: &str, nick: &str) -> bool {
    let nick = nick.trim().to_lowercase();
    if nick.is_empty() {
        return false;
    }
    let body = body.to_lowercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut from = 0;
    while let Some(at) = body.get(from..).and_then(|rest| rest.find(&nick)) {
        let start = from + at;
        let end = start + nick.len();
        let before = body[..start].chars().next_back();
        let after = body[end..].chars().next();
        if !word(before) && !word(after) {
            return true;
        }
        // Step one character on, so overlapping occurrences are found too.
        from = start + body[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_whole_words_in_any_case() {
        for (body, nick) in [
            ("hi al!", "Al"),
            ("@AL: look", "al"),
            ("al", "al"),
            ("ask Bob, Al and me", "al"),
            ("what do you think, Zoë?", "zoë"),
            ("ping third witch", "Third Witch"),
            ("alal al", "al"),
        ] {
            assert!(mentions(body, nick), "{body:?} names {nick:?}");
        }
        for (body, nick) in [
            ("also", "al"),
            ("Alice", "al"),
            ("pal", "al"),
            ("al_2 is here", "al"),
            ("", "al"),
            ("anything", ""),
            ("zoëlle", "zoë"),
        ] {
            assert!(!mentions(body, nick), "{body:?} does not name {nick:?}");
        }
    }

    #[test]
    fn list_filter() {
        let item = RoomListItem {
            jid: "coven@chat.example.org".parse().unwrap(),
            name: Some("The Witches' Coven".into()),
        };
        assert!(item.matches(""));
        assert!(item.matches("WITCH"));
        assert!(item.matches("coven@"));
        assert!(!item.matches("castle"));
    }
}
