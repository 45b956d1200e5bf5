//! "Remember me" without the password: what SCRAM (RFC 5802) or FAST (XEP-0484) needs to sign
//! in again, as plain data the app can persist.
//!
//! The core hands one out in [`crate::Event::Credential`] after a sign-in that produced
//! something new, and takes it back in [`crate::Config::stored`] (used when the password is
//! empty). Both parts are kept when both exist: a FAST token belongs to one XEP-0388
//! user-agent id (one tab, see [`FastToken::client_id`]), while the SCRAM secret lets any tab
//! of the same account sign in.

use std::str::FromStr;

/// The `Error::AuthFailed` condition for a stored credential the server no longer takes (the
/// password changed, the token expired or was revoked): time to drop it and ask for the
/// password.
pub const SAVED_SIGN_IN_EXPIRED: &str = "saved-sign-in-expired";

/// What the app may persist to sign in again. Never holds the password.
///
/// `Debug` prints no secret bytes (salted password, token), so it is safe to log.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct StoredCredential {
    /// Enough for SCRAM with the salt and iteration count the server used.
    pub scram: Option<ScramSecret>,
    /// A XEP-0484 FAST token: one round trip, revocable by the server, expires.
    pub fast: Option<FastToken>,
}

/// RFC 5802 `SaltedPassword := Hi(password, salt, i)` for one salt and iteration count. It signs
/// in to this server like the password does (so keep it as carefully), but is not the password:
/// it is useless once the server re-salts (a password change), and reveals nothing for other
/// sites.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramSecret {
    /// `SCRAM-SHA-256` or `SCRAM-SHA-1`: the secret only works with the hash it was made with.
    pub mechanism: String,
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub salted_password: Vec<u8>,
}

/// A XEP-0484 token, as the server issued it.
#[derive(Clone, PartialEq, Eq)]
pub struct FastToken {
    /// The FAST mechanism the token is for, e.g. `HT-SHA-256-NONE`.
    pub mechanism: String,
    pub token: String,
    /// XEP-0082 date-time after which the server refuses it, as the server wrote it.
    pub expiry: String,
    /// The XEP-0388 user-agent id the token was issued to: servers look tokens up by it, so it
    /// is only offered again by a client with the same id.
    pub client_id: String,
}

impl StoredCredential {
    pub fn is_empty(&self) -> bool {
        self.scram.is_none() && self.fast.is_none()
    }
}

impl FastToken {
    /// The expiry as seconds since the Unix epoch; `None` if the server's date is unreadable.
    /// The core has no clock: the driver compares this with its own to drop a dead token
    /// before signing in with it.
    pub fn expires_at_unix(&self) -> Option<i64> {
        xmpp_parsers::date::DateTime::from_str(self.expiry.trim())
            .ok()
            .map(|d| d.0.timestamp())
    }
}

impl std::fmt::Debug for StoredCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredCredential")
            .field("scram", &self.scram)
            .field("fast", &self.fast)
            .finish()
    }
}

impl std::fmt::Debug for ScramSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramSecret")
            .field("mechanism", &self.mechanism)
            .field("iterations", &self.iterations)
            .field("salt", &format_args!("[{} bytes]", self.salt.len()))
            .field("salted_password", &format_args!("[redacted]"))
            .finish()
    }
}

impl std::fmt::Debug for FastToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastToken")
            .field("mechanism", &self.mechanism)
            .field("expiry", &self.expiry)
            .field("client_id", &self.client_id)
            .field("token", &format_args!("[redacted]"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_no_secret() {
        let credential = StoredCredential {
            scram: Some(ScramSecret {
                mechanism: "SCRAM-SHA-256".into(),
                salt: b"salt".to_vec(),
                iterations: 4096,
                salted_password: vec![0xAB; 32],
            }),
            fast: Some(FastToken {
                mechanism: "HT-SHA-256-NONE".into(),
                token: "secret-token:fast-XYZ".into(),
                expiry: "2030-01-02T03:04:05Z".into(),
                client_id: "id".into(),
            }),
        };
        let text = format!("{credential:?} {credential:#?}");
        assert!(!text.contains("fast-XYZ"), "{text}");
        assert!(!text.contains("171") && !text.contains("AB") && !text.contains("ab,"));
        assert!(!text.contains("salt\""), "{text}");
        assert!(text.contains("SCRAM-SHA-256") && text.contains("4096"));
    }

    #[test]
    fn expiry_in_unix_seconds() {
        let token = |expiry: &str| FastToken {
            mechanism: "HT-SHA-256-NONE".into(),
            token: "t".into(),
            expiry: expiry.into(),
            client_id: "id".into(),
        };
        assert_eq!(
            token("2030-01-01T00:00:00Z").expires_at_unix(),
            Some(1_893_456_000)
        );
        assert_eq!(
            token("2030-01-01T01:00:00+01:00").expires_at_unix(),
            Some(1_893_456_000)
        );
        assert_eq!(token("soon").expires_at_unix(), None);
    }
}
