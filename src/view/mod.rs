//! Components. They render the store (through `AppState`) and hand user actions to the
//! session; none of them talks to the network or builds HTML from strings.

mod add_contact;
mod chat;
mod composer;
mod contacts;
mod log;
mod login;
mod main_view;
mod message;
mod requests;
mod roster;
mod status;

pub use chat::ChatPane;
pub use contacts::{ContactList, ROW_HEIGHT};
pub use login::LoginView;
pub use main_view::MainView;
pub use message::MessageBody;
pub use roster::RosterPane;
pub use status::{ConnectionStatus, ErrorAlert};
