//! SASL (RFC 6120 §6): mechanism choice, SCRAM-SHA-256/SHA-1 (RFC 5802, RFC 7677) and PLAIN.
//!
//! Every mechanism is the `sasl` crate's own (`sasl::client::mechanisms::{Scram, Plain}`); no
//! SCRAM step is written here. What this module adds is a thin check of the server-first
//! message before `sasl` sees it (nonce, mandatory extensions, salt, iteration cap), an `e=`
//! check, and plain-word errors.
//!
//! The SCRAM client nonce is the one exception to "no randomness inside the core": `sasl`
//! draws it from `getrandom` (the OS CSPRNG natively, `crypto.getRandomValues` on wasm) and
//! offers no way to pass one in. Taking it is the price of not hand-writing SCRAM. Stanza ids
//! still come from `Config::entropy`.

use std::collections::BTreeSet;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sasl::client::mechanisms::{Plain, Scram};
use sasl::client::{Mechanism as SaslMechanism, MechanismError};
use sasl::common::scram::{Sha1, Sha256};
use sasl::common::{parse_frame, ChannelBinding};
use xmpp_parsers::sasl::Mechanism as WireMechanism;

/// A server asking for more PBKDF2 rounds than this is refused: a hostile server could
/// otherwise freeze the page for minutes.
const MAX_ITERATIONS: u32 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    ScramSha256,
    ScramSha1,
    Plain,
}

impl Mechanism {
    pub fn wire(self) -> WireMechanism {
        match self {
            Mechanism::ScramSha256 => WireMechanism::ScramSha256,
            Mechanism::ScramSha1 => WireMechanism::ScramSha1,
            Mechanism::Plain => WireMechanism::Plain,
        }
    }
}

/// Strongest mechanism we may use. PLAIN sends the password itself, so only over a transport
/// the driver vouches for.
pub fn choose(offered: &BTreeSet<String>, secure_transport: bool) -> Option<Mechanism> {
    if offered.contains("SCRAM-SHA-256") {
        Some(Mechanism::ScramSha256)
    } else if offered.contains("SCRAM-SHA-1") {
        Some(Mechanism::ScramSha1)
    } else if secure_transport && offered.contains("PLAIN") {
        Some(Mechanism::Plain)
    } else {
        None
    }
}

/// The server offers a `-PLUS` (channel-binding) mechanism.
pub fn offers_channel_binding(offered: &BTreeSet<String>) -> bool {
    offered.iter().any(|m| m.ends_with("-PLUS"))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// The server's SASL data breaks the mechanism's rules.
    Malformed(&'static str),
    /// The server could not prove it knows the password: possibly an impostor.
    BadServerSignature,
    /// SCRAM `e=`: the server refused, in SCRAM terms.
    Refused(String),
    /// No secure random source for the SCRAM nonce (`getrandom` failed).
    NoRandomness,
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthError::Malformed(what) => {
                write!(f, "sign-in data from the server was invalid ({what})")
            }
            AuthError::BadServerSignature => f.write_str(
                "the server could not prove it knows your password (it may be an impostor)",
            ),
            AuthError::Refused(e) => write!(f, "the server refused the sign-in ({e})"),
            AuthError::NoRandomness => {
                f.write_str("this system gave no secure random numbers, needed to sign in safely")
            }
        }
    }
}

/// The `sasl` crate's mechanism doing the actual work.
enum Inner {
    Plain(Plain),
    Sha256(Scram<Sha256>),
    Sha1(Scram<Sha1>),
}

impl Inner {
    fn get(&mut self) -> &mut dyn SaslMechanism {
        match self {
            Inner::Plain(m) => m,
            Inner::Sha256(m) => m,
            Inner::Sha1(m) => m,
        }
    }
}

enum State {
    Start,
    /// SCRAM client-first sent; `client_nonce` is its `r=`.
    SentFirst {
        client_nonce: String,
    },
    /// SCRAM client-final sent; the server signature is due.
    SentFinal,
    /// The server signature came in a challenge; only an empty `<success/>` may follow.
    Verified,
    Done,
}

pub struct Authenticator {
    mechanism: Mechanism,
    /// Boxed: `sasl`'s SCRAM state is a few hundred bytes, and this lives in the client's phase.
    inner: Box<Inner>,
    state: State,
}

impl Authenticator {
    /// `server_binds_channels`: the server offered a `-PLUS` mechanism (see the GS2 flag below).
    pub fn new(
        mechanism: Mechanism,
        username: &str,
        password: &str,
        server_binds_channels: bool,
    ) -> Result<Self, AuthError> {
        // A browser cannot reach the TLS channel data, so we never bind. RFC 5802 §6: the flag
        // `y` ("I could bind, I think you can't") makes a server that does offer -PLUS fail the
        // exchange as a downgrade, so to such a server we say `n` ("I can't bind") instead.
        let binding = if server_binds_channels {
            ChannelBinding::None
        } else {
            ChannelBinding::Unsupported
        };
        // RFC 5802 §5.1: `=` and `,` in the name travel as `=3D` and `=2C`; `sasl` sends the
        // name as given, so SCRAM gets the escaped form (PLAIN carries it raw).
        let scram_name = escape_username(username);
        let inner = match mechanism {
            Mechanism::Plain => Inner::Plain(Plain::new(username, password)),
            Mechanism::ScramSha256 => Inner::Sha256(
                Scram::new(scram_name, password, binding).map_err(|_| AuthError::NoRandomness)?,
            ),
            Mechanism::ScramSha1 => Inner::Sha1(
                Scram::new(scram_name, password, binding).map_err(|_| AuthError::NoRandomness)?,
            ),
        };
        Ok(Authenticator {
            mechanism,
            inner: Box::new(inner),
            state: State::Start,
        })
    }

    /// The initial response carried in `<auth/>`.
    pub fn initial(&mut self) -> Vec<u8> {
        let data = self.inner.get().initial();
        self.state = match self.mechanism {
            Mechanism::Plain => State::Done,
            Mechanism::ScramSha256 | Mechanism::ScramSha1 => {
                // Our nonce, as `sasl` put it in the client-first message.
                let client_nonce = parse_frame(&data)
                    .ok()
                    .and_then(|mut attrs| attrs.remove("r"))
                    .unwrap_or_default();
                State::SentFirst { client_nonce }
            }
        };
        data
    }

    /// Answers a `<challenge/>`.
    pub fn challenge(&mut self, data: &[u8]) -> Result<Vec<u8>, AuthError> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::SentFirst { client_nonce } => {
                check_server_first(&client_nonce, data)?;
                let reply = self.inner.get().response(data).map_err(plain_words)?;
                self.state = State::SentFinal;
                Ok(reply)
            }
            // Some servers send server-final as a challenge and expect an empty response.
            State::SentFinal => {
                self.verify_server_final(data)?;
                self.state = State::Verified;
                Ok(Vec::new())
            }
            _ => Err(AuthError::Malformed("unexpected challenge")),
        }
    }

    /// Checks `<success/>`: for SCRAM the server must have proven it knows the password.
    pub fn success(&mut self, data: &[u8]) -> Result<(), AuthError> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::Done if self.mechanism == Mechanism::Plain => Ok(()),
            State::SentFinal => self.verify_server_final(data),
            State::Verified if data.is_empty() => Ok(()),
            State::Verified => Err(AuthError::Malformed("unexpected data after the signature")),
            _ => Err(AuthError::BadServerSignature),
        }
    }

    /// `e=` is the server refusing; otherwise `sasl` checks the `v=` signature.
    fn verify_server_final(&mut self, data: &[u8]) -> Result<(), AuthError> {
        let attrs = parse_frame(data).map_err(|_| AuthError::Malformed("not UTF-8"))?;
        if let Some(e) = attrs.get("e") {
            return Err(AuthError::Refused(e.clone()));
        }
        self.inner.get().success(data).map_err(plain_words)
    }
}

/// What `sasl` 0.5 does not check in server-first, checked before it runs: the nonce must
/// extend ours (else a recorded exchange could be replayed), no unknown mandatory extension
/// (RFC 5802 §5.1 `m=`), a real salt, and a PBKDF2 cost the browser can pay. Parsed with
/// `sasl`'s own `parse_frame`, so we judge exactly the values it will use.
fn check_server_first(client_nonce: &str, data: &[u8]) -> Result<(), AuthError> {
    let attrs = parse_frame(data).map_err(|_| AuthError::Malformed("not UTF-8"))?;
    if let Some(e) = attrs.get("e") {
        return Err(AuthError::Refused(e.clone()));
    }
    if attrs.contains_key("m") {
        return Err(AuthError::Malformed(
            "it requires a SCRAM extension we do not know",
        ));
    }
    let nonce = attrs.get("r").ok_or(AuthError::Malformed("no nonce"))?;
    if client_nonce.is_empty()
        || !nonce.starts_with(client_nonce)
        || nonce.len() <= client_nonce.len()
    {
        return Err(AuthError::Malformed(
            "its reply does not continue our sign-in (nonce mismatch)",
        ));
    }
    attrs
        .get("s")
        .and_then(|s| STANDARD.decode(s).ok())
        .filter(|s| !s.is_empty())
        .ok_or(AuthError::Malformed("no usable salt"))?;
    attrs
        .get("i")
        .and_then(|i| i.parse::<u32>().ok())
        .filter(|i| (1..=MAX_ITERATIONS).contains(i))
        .ok_or(AuthError::Malformed(
            "the password hashing work it asks for is missing or unreasonable",
        ))?;
    Ok(())
}

fn plain_words(err: MechanismError) -> AuthError {
    match err {
        MechanismError::InvalidSignatureInSuccessResponse
        | MechanismError::NoSignatureInSuccessResponse => AuthError::BadServerSignature,
        MechanismError::CannotDecodeChallenge | MechanismError::CannotDecodeSuccessResponse => {
            AuthError::Malformed("not UTF-8")
        }
        MechanismError::NoServerNonce => AuthError::Malformed("no nonce"),
        MechanismError::NoServerSalt => AuthError::Malformed("no usable salt"),
        MechanismError::NoServerIterations => AuthError::Malformed("no iteration count"),
        MechanismError::InvalidState => AuthError::Malformed("message out of order"),
        _ => AuthError::Malformed("key derivation failed"),
    }
}

/// RFC 5802 §5.1: `=` and `,` in the user name travel as `=3D` and `=2C`.
fn escape_username(username: &str) -> String {
    username.replace('=', "=3D").replace(',', "=2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_username() {
        assert_eq!(escape_username("a=b,c"), "a=3Db=2Cc");
    }

    #[test]
    fn gs2_flag_follows_the_offer() {
        let mut auth = Authenticator::new(Mechanism::ScramSha1, "a,b", "pw", false).unwrap();
        assert!(auth.initial().starts_with(b"y,,n=a=2Cb,r="));
        let mut auth = Authenticator::new(Mechanism::ScramSha1, "u", "pw", true).unwrap();
        assert!(auth.initial().starts_with(b"n,,n=u,r="));
    }

    #[test]
    fn server_first_checks() {
        let check = |data: &str| check_server_first("abc", data.as_bytes());
        assert_eq!(check("r=abcdef,s=QSXCR+Q6sek8bf92,i=4096"), Ok(()));
        assert!(check("r=xyz123,s=QSXCR+Q6sek8bf92,i=4096").is_err());
        assert!(check("r=abc,s=QSXCR+Q6sek8bf92,i=4096").is_err());
        assert!(check("m=ext,r=abcdef,s=QSXCR+Q6sek8bf92,i=4096").is_err());
        assert!(check("r=abcdef,s=,i=4096").is_err());
        assert!(check("r=abcdef,s=QSXCR+Q6sek8bf92").is_err());
        assert!(check("r=abcdef,s=QSXCR+Q6sek8bf92,i=0").is_err());
        assert!(check("r=abcdef,s=QSXCR+Q6sek8bf92,i=1000001").is_err());
        assert!(check("r=abcdef,s=QSXCR+Q6sek8bf92,i=4294967296").is_err());
        assert_eq!(
            check("e=unknown-user"),
            Err(AuthError::Refused("unknown-user".into()))
        );
        assert!(check_server_first("", b"r=abcdef,s=QSXCR+Q6sek8bf92,i=4096").is_err());
    }
}
