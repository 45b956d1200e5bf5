//! SASL mechanisms (RFC 6120 §6, XEP-0388): choice, SCRAM-SHA-256/SHA-1 (RFC 5802, RFC 7677),
//! PLAIN, ANONYMOUS (RFC 4505, XEP-0175), and XEP-0484's HT-SHA-256-NONE for FAST tokens.
//!
//! SCRAM, PLAIN and ANONYMOUS are the `sasl` crate's own (`sasl::client::mechanisms::{Scram,
//! Plain, Anonymous}`); no
//! SCRAM step is written here. What this module adds is a thin check of the server-first
//! message before `sasl` sees it (nonce, mandatory extensions, salt, iteration cap, and the
//! salt/cost a stored secret was made for), an `e=` check, and plain-word errors. HT, which
//! `sasl` lacks, is one HMAC each way, computed with `sasl`'s HMAC-SHA-256.
//!
//! The SCRAM client nonce is the one exception to "no randomness inside the core": `sasl`
//! draws it from `getrandom` (the OS CSPRNG natively, `crypto.getRandomValues` on wasm) and
//! offers no way to pass one in. Taking it is the price of not hand-writing SCRAM. Stanza ids
//! still come from `Config::entropy`.

use std::collections::BTreeSet;
use std::marker::PhantomData;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::digest::InvalidLength;
use sasl::client::mechanisms::{Anonymous, Plain, Scram};
use sasl::client::{Mechanism as SaslMechanism, MechanismError};
use sasl::common::scram::{DeriveError, ScramProvider, Sha1, Sha256};
use sasl::common::{parse_frame, ChannelBinding, Password};
use xmpp_parsers::sasl::Mechanism as WireMechanism;

use crate::credential::ScramSecret;

/// A server asking for more PBKDF2 rounds than this is refused: a hostile server could
/// otherwise freeze the page for minutes.
const MAX_ITERATIONS: u32 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    ScramSha256,
    ScramSha1,
    Plain,
    /// XEP-0484's hashed-token mechanism without channel binding (a browser cannot reach the
    /// TLS channel). SASL2 only.
    HtSha256None,
    /// RFC 4505: the server makes up a throwaway account (XEP-0175). Only for a domain-only
    /// address with nothing to prove.
    Anonymous,
}

impl Mechanism {
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::ScramSha256 => "SCRAM-SHA-256",
            Mechanism::ScramSha1 => "SCRAM-SHA-1",
            Mechanism::Plain => "PLAIN",
            Mechanism::HtSha256None => "HT-SHA-256-NONE",
            Mechanism::Anonymous => "ANONYMOUS",
        }
    }

    /// The RFC 6120 (SASL1) mechanism; FAST has none.
    pub fn wire(self) -> Option<WireMechanism> {
        match self {
            Mechanism::ScramSha256 => Some(WireMechanism::ScramSha256),
            Mechanism::ScramSha1 => Some(WireMechanism::ScramSha1),
            Mechanism::Plain => Some(WireMechanism::Plain),
            Mechanism::HtSha256None => None,
            Mechanism::Anonymous => Some(WireMechanism::Anonymous),
        }
    }

    fn is_scram(self) -> bool {
        matches!(self, Mechanism::ScramSha256 | Mechanism::ScramSha1)
    }
}

/// What the user's side proves itself with.
#[derive(Clone, Copy)]
pub enum Secret<'a> {
    Password(&'a str),
    /// A salted password kept from an earlier SCRAM sign-in: SCRAM with its hash only.
    Scram(&'a ScramSecret),
    /// A XEP-0484 token: its HT mechanism only.
    Token(&'a str),
    /// Nothing: a domain-only address asks the server for a throwaway account.
    Anonymous,
}

/// Strongest mechanism we may use with `secret`. PLAIN sends the password itself, so only over
/// a transport the driver vouches for, and never for a stored secret (it has no password).
pub fn choose(
    offered: &BTreeSet<String>,
    secure_transport: bool,
    secret: Secret<'_>,
) -> Option<Mechanism> {
    match secret {
        Secret::Password(_) => {
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
        Secret::Scram(stored) => [Mechanism::ScramSha256, Mechanism::ScramSha1]
            .into_iter()
            .find(|m| m.name() == stored.mechanism && offered.contains(m.name())),
        Secret::Token(_) => None,
        Secret::Anonymous => offered
            .contains(Mechanism::Anonymous.name())
            .then_some(Mechanism::Anonymous),
    }
}

/// The FAST mechanism for a token issued for `token_mechanism`, if the server still offers it.
pub fn choose_fast(offered: &BTreeSet<String>, token_mechanism: &str) -> Option<Mechanism> {
    let ht = Mechanism::HtSha256None;
    (token_mechanism == ht.name() && offered.contains(ht.name())).then_some(ht)
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
    /// The server salts or stretches the password differently from when the stored secret was
    /// made (the password was changed or re-hashed): only the password can sign in now.
    StoredExpired,
    /// The mechanism cannot work with this kind of secret (a caller's mistake, never the
    /// server's).
    WrongSecret,
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
            AuthError::StoredExpired => f.write_str("saved sign-in expired, enter the password"),
            AuthError::WrongSecret => f.write_str("the saved sign-in does not fit this server"),
        }
    }
}

/// The `sasl` crate's SCRAM hashes, with one fix. `sasl` 0.5.2 derives the key for a stored
/// `Password::Pbkdf2` secret only when the server's salt and iteration count DIFFER from the
/// stored ones (its two comparisons are inverted), which would make a stored secret unusable
/// with the very server that issued it. Hash, HMAC and PBKDF2 stay the crate's own.
struct Checked<S>(PhantomData<S>);

impl<S: ScramProvider> ScramProvider for Checked<S> {
    type Secret = S::Secret;

    fn name() -> &'static str {
        S::name()
    }

    fn hash(data: &[u8]) -> Vec<u8> {
        S::hash(data)
    }

    fn hmac(data: &[u8], key: &[u8]) -> Result<Vec<u8>, InvalidLength> {
        S::hmac(data, key)
    }

    fn derive(password: &Password, salt: &[u8], iterations: u32) -> Result<Vec<u8>, DeriveError> {
        match password {
            Password::Plain(_) => S::derive(password, salt, iterations),
            Password::Pbkdf2 {
                method,
                salt: stored_salt,
                iterations: stored_iterations,
                data,
            } => {
                if method != S::name() {
                    Err(DeriveError::IncompatibleHashingMethod(
                        method.clone(),
                        S::name().to_owned(),
                    ))
                } else if stored_salt.as_slice() != salt {
                    Err(DeriveError::IncorrectSalt)
                } else if *stored_iterations != iterations {
                    Err(DeriveError::IncompatibleIterationCount(
                        *stored_iterations,
                        iterations,
                    ))
                } else {
                    Ok(data.clone())
                }
            }
        }
    }
}

/// The `sasl` crate's mechanism doing the actual work, or XEP-0484's HT, which it lacks.
enum Inner {
    Plain(Plain),
    Sha256(Scram<Checked<Sha256>>),
    Sha1(Scram<Checked<Sha1>>),
    Ht { username: String, token: String },
    Anonymous(Anonymous),
}

impl Inner {
    fn sasl(&mut self) -> Option<&mut dyn SaslMechanism> {
        match self {
            Inner::Plain(m) => Some(m),
            Inner::Sha256(m) => Some(m),
            Inner::Sha1(m) => Some(m),
            Inner::Anonymous(m) => Some(m),
            Inner::Ht { .. } => None,
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
    /// HT initial response sent; the server's own hashed token is due in the success.
    SentHt,
    Done,
}

pub struct Authenticator {
    mechanism: Mechanism,
    /// Boxed: `sasl`'s SCRAM state is a few hundred bytes, and this lives in the client's phase.
    inner: Box<Inner>,
    state: State,
    /// A stored SCRAM secret is only good for the salt and cost it was made with.
    expected: Option<(Vec<u8>, u32)>,
    /// The salt and cost the server used, once its first SCRAM message was accepted.
    server_params: Option<(Vec<u8>, u32)>,
    /// True once the server proved itself (SCRAM `v=`, HT's responder hash, PLAIN's success).
    succeeded: bool,
}

impl Authenticator {
    /// `server_binds_channels`: the server offered a `-PLUS` mechanism (see the GS2 flag below).
    pub fn new(
        mechanism: Mechanism,
        username: &str,
        secret: Secret<'_>,
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
        let (scram_password, expected) = match secret {
            Secret::Password(password) => (Some(Password::Plain(password.to_owned())), None),
            Secret::Scram(stored) if stored.mechanism == mechanism.name() => {
                let method = match mechanism {
                    Mechanism::ScramSha1 => Sha1::name(),
                    _ => Sha256::name(),
                };
                (
                    Some(Password::Pbkdf2 {
                        method: method.to_owned(),
                        salt: stored.salt.clone(),
                        iterations: stored.iterations,
                        data: stored.salted_password.clone(),
                    }),
                    Some((stored.salt.clone(), stored.iterations)),
                )
            }
            Secret::Scram(_) | Secret::Token(_) | Secret::Anonymous => (None, None),
        };
        let inner = match (mechanism, secret, scram_password) {
            (Mechanism::Plain, Secret::Password(password), _) => {
                Inner::Plain(Plain::new(username, password))
            }
            (Mechanism::ScramSha256, _, Some(password)) => Inner::Sha256(
                Scram::new(scram_name, password, binding).map_err(|_| AuthError::NoRandomness)?,
            ),
            (Mechanism::ScramSha1, _, Some(password)) => Inner::Sha1(
                Scram::new(scram_name, password, binding).map_err(|_| AuthError::NoRandomness)?,
            ),
            (Mechanism::HtSha256None, Secret::Token(token), _) => Inner::Ht {
                username: username.to_owned(),
                token: token.to_owned(),
            },
            (Mechanism::Anonymous, Secret::Anonymous, _) => Inner::Anonymous(Anonymous::new()),
            _ => return Err(AuthError::WrongSecret),
        };
        Ok(Authenticator {
            mechanism,
            inner: Box::new(inner),
            state: State::Start,
            expected,
            server_params: None,
            succeeded: false,
        })
    }

    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// The initial response carried in `<auth/>` / `<authenticate/>`.
    pub fn initial(&mut self) -> Vec<u8> {
        if let Inner::Ht { username, token } = &*self.inner {
            // XEP-0484 §HT: authcid NUL HMAC(token, "Initiator" || channel binding data), and
            // -NONE binds no channel.
            let mut data = username.as_bytes().to_vec();
            data.push(0);
            data.extend(ht_hash(token, b"Initiator"));
            self.state = State::SentHt;
            return data;
        }
        let Some(mechanism) = self.inner.sasl() else {
            return Vec::new();
        };
        let data = mechanism.initial();
        self.state = match self.mechanism {
            Mechanism::Plain | Mechanism::Anonymous | Mechanism::HtSha256None => State::Done,
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
                let params = check_server_first(&client_nonce, data)?;
                if self.expected.as_ref().is_some_and(|e| *e != params) {
                    return Err(AuthError::StoredExpired);
                }
                self.server_params = Some(params);
                let mechanism = self
                    .inner
                    .sasl()
                    .ok_or(AuthError::Malformed("unexpected challenge"))?;
                let reply = mechanism.response(data).map_err(plain_words)?;
                self.state = State::SentFinal;
                Ok(reply)
            }
            // RFC 4505 lets a server ask for the (optional) trace data it did not get; we have
            // none to give.
            State::Done if self.mechanism == Mechanism::Anonymous && data.is_empty() => {
                Ok(Vec::new())
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

    /// Checks `<success/>`: for SCRAM and HT the server must have proven it knows the secret.
    pub fn success(&mut self, data: &[u8]) -> Result<(), AuthError> {
        let outcome = match std::mem::replace(&mut self.state, State::Done) {
            // Nothing to verify: PLAIN proved nothing of the server, ANONYMOUS has no secret.
            State::Done if matches!(self.mechanism, Mechanism::Plain | Mechanism::Anonymous) => {
                Ok(())
            }
            State::SentFinal => self.verify_server_final(data),
            State::Verified if data.is_empty() => Ok(()),
            State::Verified => Err(AuthError::Malformed("unexpected data after the signature")),
            State::SentHt => match &*self.inner {
                Inner::Ht { token, .. } if ht_hash(token, b"Responder") == data => Ok(()),
                _ => Err(AuthError::BadServerSignature),
            },
            _ => Err(AuthError::BadServerSignature),
        };
        self.succeeded = outcome.is_ok();
        outcome
    }

    /// After a successful SCRAM sign-in with `password`: what signs in again without it. One
    /// more PBKDF2 run through the `sasl` crate, since it keeps its own result private.
    pub fn derive_secret(&self, password: &str) -> Option<ScramSecret> {
        if !self.succeeded || !self.mechanism.is_scram() || self.expected.is_some() {
            return None;
        }
        let (salt, iterations) = self.server_params.clone()?;
        let plain = Password::Plain(password.to_owned());
        let salted_password = match self.mechanism {
            Mechanism::ScramSha256 => Sha256::derive(&plain, &salt, iterations),
            _ => Sha1::derive(&plain, &salt, iterations),
        }
        .ok()?;
        Some(ScramSecret {
            mechanism: self.mechanism.name().to_owned(),
            salt,
            iterations,
            salted_password,
        })
    }

    /// `e=` is the server refusing; otherwise `sasl` checks the `v=` signature.
    fn verify_server_final(&mut self, data: &[u8]) -> Result<(), AuthError> {
        let attrs = parse_frame(data).map_err(|_| AuthError::Malformed("not UTF-8"))?;
        if let Some(e) = attrs.get("e") {
            return Err(AuthError::Refused(e.clone()));
        }
        let mechanism = self
            .inner
            .sasl()
            .ok_or(AuthError::Malformed("message out of order"))?;
        mechanism.success(data).map_err(plain_words)
    }
}

/// XEP-0484 hashed token: HMAC-SHA-256 keyed with the token, through the `sasl` crate's HMAC.
fn ht_hash(token: &str, label: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length; an empty result can never match a real one.
    Sha256::hmac(label, token.as_bytes()).unwrap_or_default()
}

/// What `sasl` 0.5 does not check in server-first, checked before it runs: the nonce must
/// extend ours (else a recorded exchange could be replayed), no unknown mandatory extension
/// (RFC 5802 §5.1 `m=`), a real salt, and a PBKDF2 cost the browser can pay. Parsed with
/// `sasl`'s own `parse_frame`, so we judge exactly the values it will use.
fn check_server_first(client_nonce: &str, data: &[u8]) -> Result<(Vec<u8>, u32), AuthError> {
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
    let salt = attrs
        .get("s")
        .and_then(|s| STANDARD.decode(s).ok())
        .filter(|s| !s.is_empty())
        .ok_or(AuthError::Malformed("no usable salt"))?;
    let iterations = attrs
        .get("i")
        .and_then(|i| i.parse::<u32>().ok())
        .filter(|i| (1..=MAX_ITERATIONS).contains(i))
        .ok_or(AuthError::Malformed(
            "the password hashing work it asks for is missing or unreasonable",
        ))?;
    Ok((salt, iterations))
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
        MechanismError::DeriveError(
            DeriveError::IncorrectSalt | DeriveError::IncompatibleIterationCount(..),
        ) => AuthError::StoredExpired,
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
    fn anonymous_only_without_a_secret() {
        let offered: BTreeSet<String> = ["ANONYMOUS".to_owned()].into();
        assert_eq!(
            choose(&offered, true, Secret::Anonymous),
            Some(Mechanism::Anonymous)
        );
        assert_eq!(choose(&offered, true, Secret::Password("pw")), None);
        let scram: BTreeSet<String> = ["SCRAM-SHA-256".to_owned()].into();
        assert_eq!(choose(&scram, true, Secret::Anonymous), None);
        let mut auth =
            Authenticator::new(Mechanism::Anonymous, "", Secret::Anonymous, false).unwrap();
        // RFC 4505 trace data is optional; we send none (no e-mail or name to leak).
        assert!(auth.initial().is_empty());
        assert_eq!(auth.success(b""), Ok(()));
        assert!(
            Authenticator::new(Mechanism::Anonymous, "", Secret::Password("pw"), false).is_err()
        );
    }

    #[test]
    fn escapes_username() {
        assert_eq!(escape_username("a=b,c"), "a=3Db=2Cc");
    }

    #[test]
    fn gs2_flag_follows_the_offer() {
        let mut auth =
            Authenticator::new(Mechanism::ScramSha1, "a,b", Secret::Password("pw"), false).unwrap();
        assert!(auth.initial().starts_with(b"y,,n=a=2Cb,r="));
        let mut auth =
            Authenticator::new(Mechanism::ScramSha1, "u", Secret::Password("pw"), true).unwrap();
        assert!(auth.initial().starts_with(b"n,,n=u,r="));
    }

    #[test]
    fn server_first_checks() {
        let check = |data: &str| check_server_first("abc", data.as_bytes());
        assert!(matches!(
            check("r=abcdef,s=QSXCR+Q6sek8bf92,i=4096"),
            Ok((_, 4096))
        ));
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
