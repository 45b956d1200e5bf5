//! Sign-in: stream open, features, stream restart, resource binding, legacy session, and the
//! first things sent once online. Authentication itself is in `sasl`.

use minidom::Element;
use xmpp_parsers::bind::{BindQuery, BindResponse};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::presence::Presence;
use xmpp_parsers::stanza_error::StanzaError;
use xmpp_parsers::stream_error::DefinedCondition as StreamCondition;
use xmpp_parsers::websocket::Open;

use super::{Client, Phase};
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
            self.after_auth(now, features);
        } else {
            self.start_sasl(&features, &element);
        }
    }

    pub(super) fn bind(&mut self, now: Instant, features: &Features) {
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

    /// Our broadcast presence with the configured XEP-0172 nick (§4.2 puts it in presence
    /// for those who do not know us: an anonymous visitor's only way to be named).
    pub(super) fn with_nick(&self, mut presence: Presence) -> Presence {
        if let Some(nick) = self
            .config
            .nick
            .as_deref()
            .and_then(crate::visitor_nick::element)
        {
            presence.payloads.push(nick);
        }
        presence
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
    /// follow land on known contacts. Stream management and the user's CSI state come first,
    /// so that they cover all of it. The announcement itself (`announce`) waits for the
    /// roster's answer: a server handles what arrives together before it writes anything
    /// back (Prosody flushes once per read), so an initial presence sent with the roster get
    /// would hold the roster behind the server's whole presence fan-out (a probe per contact,
    /// an unavailable presence and a PEP disco#info back for each: 900 KB for 2,000 contacts
    /// in one BOSH response, where the roster alone is 200 KB).
    pub(super) fn go_online(&mut self, now: Instant) {
        let Some(jid) = self.bound.clone() else {
            return;
        };
        self.login_deadline = None;
        self.events.push_back(Event::Online {
            jid,
            resumed: false,
        });
        self.set_phase(Phase::Online);
        self.keepalive.start(now);
        self.enable_sm();
        self.server_inactive = false;
        self.sync_activity();
        if self.is_anonymous() {
            // A throwaway account has no roster to fetch, and ejabberd's anonymous hosts answer
            // the get with an error the visitor would see: start from an empty one.
            self.roster_versioned = false;
            self.roster_answered(None);
        } else {
            // RFC 6121 §2.6.2: an empty version asks for one when there is no cached roster.
            self.roster_versioned = self.features.roster_ver;
            let ver = self
                .features
                .roster_ver
                .then(|| self.config.roster_ver.clone().unwrap_or_default());
            self.send_request(now, Iq::from_get("", roster::get(ver)), IqKind::RosterGet);
        }
        // Carbons are per session: a fresh one asks whether the server copies (XEP-0280).
        self.discover_server(now);
        if self.is_anonymous() {
            self.announce(now);
        } else {
            self.awaiting_roster = true;
        }
    }

    /// The second half of going online, once the roster get is answered (or failed, or timed
    /// out: a session without its roster still works): initial presence with the status the
    /// user chose meanwhile, bookmarks, rooms, and what waited to be sent.
    pub(super) fn announce(&mut self, now: Instant) {
        self.awaiting_roster = false;
        let (show, status) = self.own_presence.clone();
        let presence = presence::available(show, status.as_deref(), self.disco.caps());
        self.send(self.with_nick(presence));
        // Nor stored bookmarks (and no rooms to rejoin).
        if !self.is_anonymous() {
            self.load_bookmarks(now);
        }
        self.upload_discover(now);
        // Before resending: group messages among them need us back in their rooms.
        self.rejoin_rooms(now);
        self.resend_unconfirmed();
        for queued in std::mem::take(&mut self.queued) {
            self.send_chat(queued.to, &queued.id, &queued.body, queued.ext);
        }
        for query in std::mem::take(&mut self.deferred_queries) {
            self.command(now, query);
        }
    }
}
