//! Components. They render the store (through `AppState`) and hand user actions to the
//! session; none of them talks to the network or builds HTML from strings.

mod add_contact;
mod attachment;
pub(crate) mod avatar;
pub mod awareness;
mod blocking;
mod chat;
mod composer;
mod contacts;
mod edits;
mod invitations;
mod invite;
mod join_room;
pub mod language;
mod log;
mod login;
mod main_view;
mod message;
mod occupant_actions;
mod occupants;
mod private_chat;
mod profile;
mod requests;
mod room;
mod room_actions;
mod room_browser;
mod room_log;
mod room_settings;
mod rooms;
mod roster;
mod status;
mod stranger_chats;
mod styled;
mod upload_bar;

pub use chat::ChatPane;
pub use contacts::{ContactList, ROW_HEIGHT};
pub use login::LoginView;
pub use main_view::MainView;
pub use message::MessageBody;
pub use private_chat::PrivateChat;
pub use room::RoomPane;
pub use rooms::RoomList;
pub use roster::RosterPane;
pub use status::{ConnectionStatus, ErrorAlert};
