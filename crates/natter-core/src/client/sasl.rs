//! Authentication: XEP-0388 SASL2 (with XEP-0386 Bind2 and XEP-0484 FAST) when the server
//! offers it, RFC 6120 SASL otherwise; signing in with a stored credential, and handing out a
//! new one ("remember me" without the password).

use std::collections::BTreeSet;

use jid::FullJid;
use minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::sasl::{Auth, Challenge, Response, Success};
use xmpp_parsers::sasl2;
use xmpp_parsers::stream_error::DefinedCondition as StreamCondition;

use super::{Client, Phase};
use crate::auth::{self, AuthError, Authenticator, Mechanism, Secret};
use crate::credential::{FastToken, StoredCredential, SAVED_SIGN_IN_EXPIRED};
use crate::sasl2::{self as sasl2_elements, Offer, Request};
use crate::stream::{self, Features};
use crate::{Error, Event, Instant};

/// A sign-in in progress.
pub(crate) struct Negotiation {
    auth: Authenticator,
    /// `Some` for SASL2.
    sasl2: Option<Sasl2>,
    /// Signing in with `Config::stored` rather than the password.
    stored: bool,
}

struct Sasl2 {
    offer: Offer,
    client_id: uuid::Uuid,
    /// Bind2 was requested: a `<bound/>` success leaves us online.
    bind2: bool,
    /// The FAST mechanism we asked a token for.
    token_request: Option<Mechanism>,
}

/// What to sign in with, and how.
struct Choice<'a> {
    mechanism: Mechanism,
    secret: Secret<'a>,
}

/// The mechanism for the credential at hand: the password if there is one, else the stored
/// FAST token (SASL2 only, and only the one issued to our user-agent id), else the stored
/// SCRAM secret. PLAIN only ever with a password. ANONYMOUS only when there is nothing at all
/// to sign in with (`anonymous`: a domain-only address, no password, nothing stored), so a
/// named account is never quietly signed in as a stranger by a server that offers only that.
fn pick<'a>(
    password: &'a str,
    stored: Option<&'a StoredCredential>,
    offered: &BTreeSet<String>,
    fast: Option<(&BTreeSet<String>, &str)>,
    secure_transport: bool,
    anonymous: bool,
) -> Option<Choice<'a>> {
    if anonymous {
        let secret = Secret::Anonymous;
        return auth::choose(offered, secure_transport, secret)
            .map(|mechanism| Choice { mechanism, secret });
    }
    let Some(stored) = stored.filter(|_| password.is_empty()) else {
        let secret = Secret::Password(password);
        return auth::choose(offered, secure_transport, secret)
            .map(|mechanism| Choice { mechanism, secret });
    };
    let token = stored.fast.as_ref().and_then(|token| {
        let (fast_offered, client_id) = fast?;
        (token.client_id == client_id)
            .then(|| auth::choose_fast(fast_offered, &token.mechanism))
            .flatten()
            .map(|mechanism| Choice {
                mechanism,
                secret: Secret::Token(&token.token),
            })
    });
    token.or_else(|| {
        let secret = Secret::Scram(stored.scram.as_ref()?);
        auth::choose(offered, secure_transport, secret)
            .map(|mechanism| Choice { mechanism, secret })
    })
}

impl Client {
    /// A XEP-0175 sign-in: the address is only a domain and there is nothing to prove; the
    /// server makes the account up and tells us at bind.
    pub(super) fn is_anonymous(&self) -> bool {
        self.config.jid.node().is_none()
            && self.config.password.is_empty()
            && self.stored_in_use().is_none()
    }

    /// The stored credential when it is what signs in (the password is empty).
    fn stored_in_use(&self) -> Option<&StoredCredential> {
        self.config
            .stored
            .as_ref()
            .filter(|s| self.config.password.is_empty() && !s.is_empty())
    }

    pub(super) fn start_sasl(&mut self, features: &Features, element: &Element) {
        // RFC 6120 §6.3.8: the simple user name is the account's localpart.
        let username = self.config.jid.node().map_or("", |n| n.as_str()).to_owned();
        let password = self.config.password.clone();
        let stored = self.stored_in_use().cloned();
        let secure = self.config.secure_transport;
        let anonymous = self.is_anonymous();

        if let Some(offer) = sasl2_elements::offer(element) {
            let client_id =
                sasl2_elements::client_id(&self.config.jid, self.config.resource.as_deref());
            let client_id_text = client_id.to_string();
            let choice = pick(
                &password,
                stored.as_ref(),
                &offer.mechanisms,
                Some((&offer.fast, &client_id_text)),
                secure,
                anonymous,
            );
            if let Some(choice) = choice {
                let binds = auth::offers_channel_binding(&offer.mechanisms);
                let Ok(mut auth) =
                    Authenticator::new(choice.mechanism, &username, choice.secret, binds)
                else {
                    self.no_mechanism(features);
                    return;
                };
                // A stream to resume must not be bound first (XEP-0198 §5): then bind (or
                // resume) after SASL2 as after RFC 6120 SASL.
                let bind2 = offer.bind2 && !self.sm.has_resumable();
                // A throwaway account has nothing to sign in to again: no token for it.
                let token_request = (!matches!(
                    choice.mechanism,
                    Mechanism::HtSha256None | Mechanism::Anonymous
                ))
                .then(|| auth::choose_fast(&offer.fast, Mechanism::HtSha256None.name()))
                .flatten();
                let request = Request {
                    mechanism: choice.mechanism.name(),
                    initial: auth.initial(),
                    client_id,
                    software: &self.config.client_name,
                    bind_tag: bind2.then_some(self.config.client_name.as_str()),
                    request_token: token_request.map(Mechanism::name),
                    fast: choice.mechanism == Mechanism::HtSha256None,
                };
                let authenticate = sasl2_elements::authenticate(request);
                self.send(authenticate);
                self.phase = Phase::Sasl(Box::new(Negotiation {
                    auth,
                    sasl2: Some(Sasl2 {
                        offer,
                        client_id,
                        bind2,
                        token_request,
                    }),
                    stored: stored.is_some(),
                }));
                return;
            }
        }

        let choice = pick(
            &password,
            stored.as_ref(),
            &features.sasl_mechanisms,
            None,
            secure,
            anonymous,
        );
        let Some((choice, wire)) = choice.and_then(|c| c.mechanism.wire().map(|w| (c, w))) else {
            self.no_mechanism(features);
            return;
        };
        let binds = auth::offers_channel_binding(&features.sasl_mechanisms);
        // Only SCRAM's nonce can fail (no OS/browser CSPRNG): no safe way to sign in here.
        let Ok(mut auth) = Authenticator::new(choice.mechanism, &username, choice.secret, binds)
        else {
            self.no_mechanism(features);
            return;
        };
        let data = auth.initial();
        self.send(Auth {
            mechanism: wire,
            data,
        });
        self.phase = Phase::Sasl(Box::new(Negotiation {
            auth,
            sasl2: None,
            stored: stored.is_some(),
        }));
    }

    /// Nothing we may use. With a stored credential that is "enter the password": the server
    /// dropped what the credential needs (FAST, the SCRAM hash it was made with).
    fn no_mechanism(&mut self, features: &Features) {
        let err = if self.stored_in_use().is_some() {
            Error::AuthFailed {
                condition: SAVED_SIGN_IN_EXPIRED.into(),
                text: None,
            }
        } else {
            Error::NoUsableMechanism {
                offered: features.sasl_mechanisms.iter().cloned().collect(),
            }
        };
        self.end(Err(err), true, true);
    }

    pub(super) fn on_sasl(&mut self, now: Instant, element: Element) {
        let Phase::Sasl(negotiation) = &mut self.phase else {
            return;
        };
        let sasl2 = negotiation.sasl2.is_some();
        if element.ns() != if sasl2 { ns::SASL2 } else { ns::SASL } {
            self.protocol_failure(
                StreamCondition::InvalidXml,
                "the server broke off the sign-in".into(),
            );
            return;
        }
        match element.name() {
            "challenge" => {
                let data = if sasl2 {
                    sasl2::Challenge::try_from(element)
                        .ok()
                        .map(|c| c.sasl_data)
                } else {
                    sasl_data(element)
                };
                let reply = match data {
                    Some(data) => negotiation.auth.challenge(&data),
                    None => Err(AuthError::Malformed("unreadable challenge")),
                };
                match reply {
                    Ok(data) if sasl2 => {
                        self.send(sasl2::Response { sasl_data: data });
                    }
                    Ok(data) => {
                        self.send(Response { data });
                    }
                    Err(err) => self.sasl_refused(err),
                }
            }
            "success" if sasl2 => self.on_sasl2_success(now, element),
            "success" => {
                let verified = match sasl_data(element) {
                    Some(data) => negotiation.auth.success(&data),
                    None => Err(AuthError::Malformed("unreadable success")),
                };
                if let Err(err) = verified {
                    self.sasl_refused(err);
                    return;
                }
                self.hand_out_credential(None);
                // Authenticated: RFC 6120 §6.4.6 restarts the stream.
                self.send(stream::open(&self.config.jid));
                self.phase = Phase::AwaitOpen {
                    authenticated: true,
                };
            }
            "failure" => {
                let (condition, text) = sasl_failure(&element);
                self.auth_failed(condition, text);
            }
            // XEP-0388 §2.6.3: further steps (second factor, password change) that this client
            // cannot take.
            "continue" if sasl2 => {
                let text = stream::best_text(&element, ns::SASL2)
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .or_else(|| Some("the server asks for a further sign-in step".into()));
                self.end(
                    Err(Error::AuthFailed {
                        condition: "continue".into(),
                        text,
                    }),
                    true,
                    true,
                );
            }
            _ => self.sasl_refused(AuthError::Malformed("unexpected element")),
        }
    }

    fn on_sasl2_success(&mut self, now: Instant, element: Element) {
        let Phase::Sasl(negotiation) = &mut self.phase else {
            return;
        };
        let Some(outcome) = sasl2_elements::success(element) else {
            self.protocol_failure(
                StreamCondition::InvalidXml,
                "the server's sign-in success was unreadable".into(),
            );
            return;
        };
        if let Err(err) = negotiation.auth.success(&outcome.additional_data) {
            self.sasl_refused(err);
            return;
        }
        let Some(sasl2) = negotiation.sasl2.take() else {
            return;
        };
        // A token only counts for the mechanism we asked for, or the one we used (rotation).
        let token_mechanism = sasl2
            .token_request
            .or_else(|| {
                (negotiation.auth.mechanism() == Mechanism::HtSha256None)
                    .then_some(Mechanism::HtSha256None)
            })
            .map(Mechanism::name);
        let token = outcome
            .token
            .zip(token_mechanism)
            .map(|(token, mechanism)| {
                sasl2_elements::fast_token(mechanism, token, sasl2.client_id)
            });
        self.hand_out_credential(token);

        let bound = if sasl2.bind2 && outcome.bound {
            outcome.authorized.try_into_full().ok()
        } else {
            None
        };
        match bound {
            Some(jid) => self.bound_by_bind2(now, jid, &sasl2.offer),
            // XEP-0388: no stream restart; the server sends the features of the authenticated
            // stream next, and binding (or resuming) goes on from there as after RFC 6120 SASL.
            None if sasl2.bind2 && outcome.bound => self.protocol_failure(
                StreamCondition::InvalidXml,
                "the server did not say which address it bound".into(),
            ),
            None => {
                self.phase = Phase::AwaitFeatures {
                    authenticated: true,
                };
            }
        }
    }

    /// Bind2 bound our resource inside the authentication: what a bind result does, without
    /// the round trip. The stream features of a Bind2 session need not be sent, so what the
    /// server supports comes from its SASL2 offer.
    fn bound_by_bind2(&mut self, now: Instant, jid: FullJid, offer: &Offer) {
        // Roster versioning is not among them: without its feature the roster is fetched
        // whole (RFC 6121 §2.6.1 forbids `ver` unless advertised).
        self.features.sm = offer.sm || offer.bind2_features.contains(ns::SM);
        self.features.csi = offer.bind2_features.contains(ns::CSI);
        self.account = jid.to_bare();
        self.bound = Some(jid);
        self.go_online(now);
    }

    /// Emits `Event::Credential` when this sign-in produced something new to keep: a SCRAM
    /// secret derived from the password, a FAST token. What a stored credential held and
    /// nothing replaced is carried over (the token we signed in with, the SCRAM secret).
    fn hand_out_credential(&mut self, token: Option<FastToken>) {
        let Phase::Sasl(negotiation) = &self.phase else {
            return;
        };
        let derived = negotiation.auth.derive_secret(&self.config.password);
        if derived.is_none() && token.is_none() {
            return;
        }
        let previous = self.stored_in_use().filter(|_| negotiation.stored);
        let used_token = negotiation.auth.mechanism() == Mechanism::HtSha256None;
        let credential = StoredCredential {
            scram: derived.or_else(|| previous.and_then(|p| p.scram.clone())),
            fast: token.or_else(|| previous.filter(|_| used_token).and_then(|p| p.fast.clone())),
        };
        if Some(&credential) != previous {
            self.events.push_back(Event::Credential(credential));
        }
    }

    /// The server's `<failure/>`. With a stored credential, "not authorized" means it no longer
    /// works: the user must enter the password.
    fn auth_failed(&mut self, condition: String, text: Option<String>) {
        let stored = matches!(&self.phase, Phase::Sasl(n) if n.stored);
        let expired = matches!(
            condition.as_str(),
            "not-authorized" | "credentials-expired" | "invalid-mechanism" | "malformed-request"
        );
        let err = if stored && expired {
            Error::AuthFailed {
                condition: SAVED_SIGN_IN_EXPIRED.into(),
                text: text.or(Some(condition)),
            }
        } else {
            Error::AuthFailed { condition, text }
        };
        self.end(Err(err), true, true);
    }

    /// Our side of the mechanism refused what the server sent.
    fn sasl_refused(&mut self, err: AuthError) {
        match err {
            AuthError::Refused(condition) => self.auth_failed(condition, None),
            AuthError::StoredExpired => self.end(
                Err(Error::AuthFailed {
                    condition: SAVED_SIGN_IN_EXPIRED.into(),
                    text: None,
                }),
                true,
                true,
            ),
            err => self.protocol_failure(StreamCondition::NotAuthorized, err.to_string()),
        }
    }
}

/// SASL payload bytes. RFC 6120 §6.4.2 writes empty data as `=`, which is not base64.
fn sasl_data(element: Element) -> Option<Vec<u8>> {
    if element.text().trim() == "=" {
        return Some(Vec::new());
    }
    match element.name() {
        "challenge" => Challenge::try_from(element).ok().map(|c| c.data),
        "success" => Success::try_from(element).ok().map(|s| s.data),
        _ => None,
    }
}

/// The failure's condition name and text, read from the element (unknown conditions are still
/// reported by name; `Failure`'s generated parser would add ~10 KB of wasm for nothing more).
/// SASL2 failures carry the RFC 6120 condition element inside the SASL2 `<failure/>`.
fn sasl_failure(element: &Element) -> (String, Option<String>) {
    let condition = element
        .children()
        .find(|c| c.ns() == ns::SASL && c.name() != "text")
        // Prosody's mod_sasl2 also words some failures in its own namespace.
        .or_else(|| {
            element
                .children()
                .find(|c| c.ns() == ns::SASL2 && c.name() != "text")
        })
        .map_or_else(|| "not-authorized".to_owned(), |c| c.name().to_owned());
    let text = stream::best_text(element, element.ns().as_str())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    (condition, text)
}
