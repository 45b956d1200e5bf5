//! Natter, the web XMPP client: the Leptos app.
//!
//! Pure logic (endpoints, discovery parsing, the fallback plan, backoff and retry decisions,
//! what a new session sends first, the chat log's virtualization, link splitting, display
//! helpers) compiles everywhere and is tested natively; everything that touches the browser
//! is wasm32-only.

pub mod attachment;
pub mod awareness;
pub mod backoff;
pub mod catchup;
pub mod discovery;
pub mod display;
pub mod endpoint;
/// The core's errors in the UI's language.
pub mod error_text;
pub mod i18n;
pub mod linkify;
pub mod log_window;
/// The offline cache (IndexedDB) behind the store; its pure parts compile natively.
pub mod persist;
pub mod plan;
pub mod reconnect;
/// The roster's and rooms' data-dependent words (counts, standings, invitations), from the catalogue.
pub mod room_words;
pub mod styling;
pub mod upload;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod notify;
#[cfg(target_arch = "wasm32")]
pub mod session;
#[cfg(target_arch = "wasm32")]
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod transport;
#[cfg(target_arch = "wasm32")]
pub mod uploader;
#[cfg(target_arch = "wasm32")]
pub mod view;
/// The embeddable `<xmpp-chat>` widget's side of the wasm (widget/widget.js is the other).
pub mod widget;

#[cfg(target_arch = "wasm32")]
pub use app::start;
