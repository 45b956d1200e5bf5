//! What the driver tells the core before connecting.

use jid::BareJid;

use crate::{Resumption, StoredCredential};

/// Connection settings and the entropy the core may use. The core has no random source of its
/// own: the driver fills `entropy` from a CSPRNG (`crypto.getRandomValues`, `getrandom`), which
/// keeps the core deterministic under test. The one exception is the SCRAM client nonce, which
/// the `sasl` crate draws from `getrandom` itself (see the crate docs).
#[derive(Clone)]
pub struct Config {
    /// The account, e.g. `alice@example.org`.
    pub jid: BareJid,
    /// Empty to sign in with `stored` instead.
    pub password: String,
    /// "Remember me": what an earlier sign-in handed out in `Event::Credential`. Used only when
    /// `password` is empty; never with PLAIN.
    pub stored: Option<StoredCredential>,
    /// Resource to ask for at bind; `None` lets the server choose.
    pub resource: Option<String>,
    /// The transport is encrypted (wss/https) or on loopback; only then is SASL PLAIN allowed.
    pub secure_transport: bool,
    /// Seeds stanza ids. Must come from a CSPRNG.
    pub entropy: [u8; 32],
    /// How long an IQ may stay unanswered before it fails with a timeout.
    pub iq_timeout_ms: u64,
    /// How long the whole sign-in (stream open to bound resource) may take.
    pub login_timeout_ms: u64,
    /// Client name for XEP-0030 identity and XEP-0115 caps.
    pub client_name: String,
    /// XEP-0115 caps node, e.g. `https://natter.example/caps`.
    pub caps_node: String,
    /// What the previous session left ([`crate::Client::take_resumption`]): resume it
    /// (XEP-0198) or, failing that, send its unconfirmed messages again in a fresh session.
    pub resumption: Option<Resumption>,
    /// After this long without any data from the server, ask it for a sign of life.
    pub keepalive_ms: u64,
    /// No data at all for this long after asking: the connection is dead and the session ends.
    pub dead_after_ms: u64,
    /// Start XEP-0352 inactive (a hidden tab): the server may hold back unimportant traffic.
    pub inactive: bool,
    /// The RFC 6121 roster version of the app's cached roster, if it has one.
    pub roster_ver: Option<String>,
    /// The cached roster `roster_ver` names: what the core knows of subscriptions (who may
    /// get a XEP-0184 receipt, whom to ask back) when the server says it is unchanged.
    pub roster_items: Vec<crate::RosterItem>,
    /// XEP-0410: a joined room that said nothing for this long is pinged to check that we
    /// are still in it (and rejoined if not).
    pub room_ping_ms: u64,
    /// At a fresh sign-in, join the bookmarked rooms marked autojoin (otherwise only report
    /// them, in `Event::Bookmarks`).
    pub autojoin: bool,
    /// XEP-0172 nick sent in every message and in our presence. For anonymous visitors
    /// (XEP-0175), whose made-up address says nothing about who they are; `None` otherwise.
    pub nick: Option<String>,
}

impl Config {
    pub fn new(jid: BareJid, password: impl Into<String>, entropy: [u8; 32]) -> Self {
        Config {
            jid,
            password: password.into(),
            stored: None,
            resource: None,
            secure_transport: false,
            entropy,
            iq_timeout_ms: 30_000,
            login_timeout_ms: 20_000,
            client_name: "Natter".into(),
            caps_node: "https://github.com/natter-xmpp/natter".into(),
            resumption: None,
            keepalive_ms: 30_000,
            dead_after_ms: 20_000,
            inactive: false,
            roster_ver: None,
            roster_items: Vec::new(),
            room_ping_ms: 300_000,
            autojoin: true,
            nick: None,
        }
    }
}

impl std::fmt::Debug for Config {
    // Never print the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("jid", &self.jid)
            .field("resource", &self.resource)
            .field("secure_transport", &self.secure_transport)
            .field("stored", &self.stored)
            .field("resumption", &self.resumption.is_some())
            .field("inactive", &self.inactive)
            .finish_non_exhaustive()
    }
}
