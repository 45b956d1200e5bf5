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
}
