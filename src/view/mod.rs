//! Components. They render the store (through `AppState`) and hand user actions to the
//! session; none of them talks to the network or builds HTML from strings.

mod add_contact;
mod chat;
mod composer;
mod contacts;
mod join_room;
mod log;
mod login;
mod main_view;
mod message;
mod occupants;
mod requests;
mod room;
mod rooms;
mod roster;
mod status;

pub use chat::ChatPane;
pub use contacts::{ContactList, ROW_HEIGHT};
pub use login::LoginView;
pub use main_view::MainView;
pub use message::MessageBody;
pub use room::RoomPane;
pub use rooms::RoomList;
pub use roster::RosterPane;
pub use status::{ConnectionStatus, ErrorAlert};
