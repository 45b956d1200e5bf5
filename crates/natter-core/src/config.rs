//! What the driver tells the core before connecting.

use jid::BareJid;

/// Connection settings and the entropy the core may use. The core has no random source of its
/// own: the driver fills `entropy` from a CSPRNG (`crypto.getRandomValues`, `getrandom`), which
/// keeps the core deterministic under test. The one exception is the SCRAM client nonce, which
/// the `sasl` crate draws from `getrandom` itself (see the crate docs).
#[derive(Clone)]
pub struct Config {
    /// The account, e.g. `alice@example.org`.
    pub jid: BareJid,
    pub password: String,
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
}

impl Config {
    pub fn new(jid: BareJid, password: impl Into<String>, entropy: [u8; 32]) -> Self {
        Config {
            jid,
            password: password.into(),
            resource: None,
            secure_transport: false,
            entropy,
            iq_timeout_ms: 30_000,
            login_timeout_ms: 20_000,
            client_name: "Natter".into(),
            caps_node: "https://github.com/natter-xmpp/natter".into(),
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
            .finish_non_exhaustive()
    }
}
