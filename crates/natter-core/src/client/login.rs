//! Sign-in: stream open, features, SASL, stream restart, resource binding, legacy session, and
//! the first things sent once online.

use minidom::Element;
use xmpp_parsers::bind::{BindQuery, BindResponse};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::ns;
use xmpp_parsers::sasl::{Auth, Challenge, Response, Success};
use xmpp_parsers::stanza_error::StanzaError;
use xmpp_parsers::stream_error::DefinedCondition as StreamCondition;
use xmpp_parsers::websocket::Open;

use super::{Client, Phase};
use crate::auth::{self, AuthError, Authenticator};
use crate::frame::xml_text;
use crate::iq::{condition_name, describe, IqKind};
use crate::stream::{Features, SESSION_NS};
use crate::{presence, roster, stream, Error, Event, Instant};

impl Client {
    pub(super) fn on_open(&mut self, element: Element, authenticated: bool) {
        if !stream::is_open(&element) || Open::try_from(element).is_err() {
            self.protocol_failure(
                StreamCondition::InvalidXml,
                "the server did not open the stream".into(),
            );
            return;
        }
        self.set_phase(Phase::AwaitFeatures { authenticated });
    }

    pub(super) fn on_features(&mut self, now: Instant, element: Element, authenticated: bool) {
        let features = match stream::features(&element) {
            Some(features) => features,
            None => {
                self.protocol_failure(
                    StreamCondition::InvalidXml,
                    "the server did not list its stream features".into(),
                );
                return;
            }
        };
        if authenticated {
            self.bind(now, &features);
        } else {
            self.start_sasl(&features);
        }
    }

    fn start_sasl(&mut self, features: &Features) {
        let Some(mechanism) = auth::choose(&features.sasl_mechanisms, self.config.secure_transport)
        else {
            let offered = features.sasl_mechanisms.iter().cloned().collect();
            self.end(Err(Error::NoUsableMechanism { offered }), true, true);
            return;
        };
        // RFC 6120 §6.3.8: the simple user name is the account's localpart.
        let username = self.config.jid.node().map_or("", |n| n.as_str());
        let authenticator = Authenticator::new(
            mechanism,
            username,
            &self.config.password,
            auth::offers_channel_binding(&features.sasl_mechanisms),
        );
        let mut authenticator = match authenticator {
            Ok(authenticator) => authenticator,
            // Only SCRAM's nonce can fail (no OS/browser CSPRNG): no safe way to sign in here.
            Err(_) => {
                let offered = features.sasl_mechanisms.iter().cloned().collect();
                self.end(Err(Error::NoUsableMechanism { offered }), true, true);
                return;
            }
        };
        let data = authenticator.initial();
        self.send(Auth {
            mechanism: mechanism.wire(),
            data,
        });
        self.phase = Phase::Sasl(authenticator);
    }

    pub(super) fn on_sasl(&mut self, element: Element) {
        let Phase::Sasl(authenticator) = &mut self.phase else {
            return;
        };
        if element.ns() != ns::SASL {
            self.protocol_failure(
                StreamCondition::InvalidXml,
                "the server broke off the sign-in".into(),
            );
            return;
        }
        let outcome = match element.name() {
            "challenge" => match sasl_data(element) {
                Some(data) => authenticator.challenge(&data).map(Some),
                None => Err(AuthError::Malformed("unreadable challenge")),
            },
            "success" => match sasl_data(element) {
                Some(data) => authenticator.success(&data).map(|()| None),
                None => Err(AuthError::Malformed("unreadable success")),
            },
            "failure" => {
                let (condition, text) = sasl_failure(element);
                self.end(Err(Error::AuthFailed { condition, text }), true, true);
                return;
            }
            _ => Err(AuthError::Malformed("unexpected element")),
        };
        match outcome {
            Ok(Some(data)) => {
                self.send(Response { data });
            }
            // Authenticated: RFC 6120 §6.4.6 restarts the stream.
            Ok(None) => {
                self.send(stream::open(&self.config.jid));
                self.phase = Phase::AwaitOpen {
                    authenticated: true,
                };
            }
            Err(AuthError::Refused(condition)) => {
                self.end(
                    Err(Error::AuthFailed {
                        condition,
                        text: None,
                    }),
                    true,
                    true,
                );
            }
            Err(err) => self.protocol_failure(StreamCondition::NotAuthorized, err.to_string()),
        }
    }

    fn bind(&mut self, now: Instant, features: &Features) {
        if !features.bind {
            self.protocol_failure(
                StreamCondition::UnsupportedFeature,
                "the server did not offer to bind a resource".into(),
            );
            return;
        }
        let session_required = features.session_required;
        let resource = self
            .config
            .resource
            .as_deref()
            .map(xml_text)
            .filter(|r| !r.trim().is_empty());
        self.send_request(
            now,
            Iq::from_set("", BindQuery::new(resource)),
            IqKind::Bind,
        );
        self.phase = Phase::Binding { session_required };
    }

    pub(super) fn bind_answered(&mut self, now: Instant, payload: Option<Element>) {
        let Some(Ok(response)) = payload.map(BindResponse::try_from) else {
            self.protocol_failure(
                StreamCondition::InvalidXml,
                "the server did not say which address it bound".into(),
            );
            return;
        };
        let jid = response.jid;
        self.account = jid.to_bare();
        self.bound = Some(jid);
        if matches!(
            self.phase,
            Phase::Binding {
                session_required: true
            }
        ) {
            let session = Element::builder("session", SESSION_NS).build();
            self.send_request(
                now,
                Iq::Set {
                    from: None,
                    to: None,
                    id: String::new(),
                    payload: session,
                },
                IqKind::Session,
            );
            self.phase = Phase::Session;
        } else {
            self.go_online(now);
        }
    }

    /// Bind or session refused: the session cannot go on.
    pub(super) fn login_refused(&mut self, error: &StanzaError) {
        self.end(
            Err(Error::StreamError {
                condition: condition_name(&error.defined_condition),
                text: Some(format!(
                    "the server refused to start the session: {}",
                    describe(error)
                )),
            }),
            true,
            true,
        );
    }

    /// RFC 6121 §2.2 / §4.2: ask for the roster before announcing ourselves, so presences that
    /// follow land on known contacts; then send what the user wrote while we were signing in.
    pub(super) fn go_online(&mut self, now: Instant) {
        let Some(jid) = self.bound.clone() else {
            return;
        };
        self.login_deadline = None;
        self.events.push_back(Event::Online { jid });
        self.set_phase(Phase::Online);
        self.send_request(now, Iq::from_get("", roster::get()), IqKind::RosterGet);
        self.send(presence::available(None, None, self.disco.caps()));
        for queued in std::mem::take(&mut self.queued) {
            self.send_chat(queued.to, &queued.id, &queued.body);
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
fn sasl_failure(element: Element) -> (String, Option<String>) {
    let condition = element
        .children()
        .find(|c| c.ns() == ns::SASL && c.name() != "text")
        .map_or_else(|| "not-authorized".to_owned(), |c| c.name().to_owned());
    let text = stream::best_text(&element, ns::SASL)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    (condition, text)
}
