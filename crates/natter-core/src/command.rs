//! What the user (through the view) asks the core to do.

use jid::{BareJid, Jid};

pub use xmpp_parsers::presence::Show;

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Send a chat message. `id` is the stanza id the store already shows the message under
    /// (generate it with [`crate::Client::next_id`]); the core answers with
    /// [`crate::Event::MessageSent`] once the stanza is queued for the wire.
    SendMessage { to: Jid, id: String, body: String },
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
    /// Close the stream cleanly (unavailable presence, `<close/>`).
    Disconnect,
}
