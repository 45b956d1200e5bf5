//! natter-core: a sans-IO XMPP client (RFC 6120/6121 over RFC 7395 framing).
//!
//! No socket, timer, clock or random source lives here. The driver feeds inputs and drains
//! outputs after every input, as in quinn-proto or str0m:
//!
//! ```text
//! inputs:  handle_connected, handle_frame, handle_closed, handle_timeout, handle_command
//! outputs: poll_transmit (frames to send), poll_event (for the store), poll_timeout (next wake-up)
//! ```
//!
//! Every frame is one complete XML element (RFC 7395 §3.3.3): `<open/>`, `<close/>`, or a
//! stanza / nonza carrying its own namespace. BOSH (XEP-0206) bodies are unwrapped into the
//! same frames by [`bosh::Bosh`], a second sans-IO machine between the `Client` and HTTP.
//!
//! Randomness: stanza ids come from [`Config::entropy`]. The one exception is the SCRAM client
//! nonce, which the `sasl` crate draws from `getrandom` (the OS CSPRNG natively,
//! `crypto.getRandomValues` on wasm32). It is taken so that no SCRAM code is hand-written here:
//! SASL uses the `sasl` crate's mechanisms, which offer no way to pass a nonce in.

mod auth;
pub mod avatar;
mod awareness;
mod blocking;
mod bookmarks;
pub mod bosh;
mod carbons;
mod client;
mod command;
mod config;
mod credential;
mod disco;
pub mod edits;
mod event;
pub mod file_url;
mod forms;
mod frame;
mod ids;
mod iq;
mod keepalive;
mod mam;
mod message;
mod message_ext;
mod muc;
mod presence;
pub mod room;
mod roster;
mod sasl2;
mod sender;
mod sm;
mod stream;
mod styling;
mod time;
pub mod upload;
mod vcard;
pub mod visitor_nick;

pub use awareness::{Awareness, ChatState};
pub use client::{Client, Transmit};
pub use command::Command;
pub use config::Config;
pub use credential::{FastToken, ScramSecret, StoredCredential, SAVED_SIGN_IN_EXPIRED};
pub use event::{
    Ask, ChatMessage, Direction, Error, Event, MessageExt, PresenceUpdate, RosterItem,
    SessionState, Show, Subscription,
};
pub use muc::rooms::{JoinedRoom, RoomFeatures};
pub use room::{
    Affiliation, Bookmark, Invitation, JoinError, LeaveReason, OccupantUpdate, Role, RoomConfig,
    RoomInfo, RoomJid, RoomListItem, RoomMessage, RoomPrivateMessage,
};
pub use sm::{PendingMessage, PendingStanza, QueuedMessage, ResumableStream, Resumption};
pub use time::Instant;

/// Re-exported so drivers and tests name the same JID types.
pub use jid;
