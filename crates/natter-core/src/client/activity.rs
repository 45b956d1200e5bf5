//! Whether anyone is there, on either end: XEP-0352 client state (is the user looking?) and
//! the keepalive (is the server still answering?).

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::csi::{Active, Inactive};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::ns;
use xmpp_parsers::ping::Ping;

use super::{Client, Phase};
use crate::keepalive::Due;
use crate::{Error, Instant};

impl Client {
    /// `Command::SetActive`: remembered, and told to the server when it listens (CSI).
    pub(super) fn set_active(&mut self, active: bool) {
        self.inactive = !active;
        if matches!(self.phase, Phase::Online) {
            self.sync_activity();
        }
    }

    /// Tells the server the user's state if it differs from what the server last heard. Only
    /// to servers that advertise CSI: others would answer the unknown element with a stream
    /// error.
    pub(super) fn sync_activity(&mut self) {
        if !self.features.csi || self.inactive == self.server_inactive {
            return;
        }
        if self.inactive {
            self.send(Inactive);
        } else {
            self.send(Active);
        }
        self.server_inactive = self.inactive;
    }

    /// The answer to our keepalive ping, which needs nothing more than having arrived.
    pub(super) fn is_pong(&mut self, element: &Element) -> bool {
        let answer = element.is("iq", ns::JABBER_CLIENT)
            && matches!(element.attr("type"), Some("result" | "error"));
        if answer && self.ping.is_some() && element.attr("id") == self.ping.as_deref() {
            self.ping = None;
            return true;
        }
        false
    }

    /// On every timeout: probe a silent server, give up on one that stays silent. Ending
    /// without `<close/>` keeps the XEP-0198 session resumable on a server that is merely
    /// unreachable.
    pub(super) fn check_alive(&mut self, now: Instant) {
        match self.keepalive.due(now) {
            Due::Nothing => {}
            Due::Probe if self.sm.enabled() => {
                let request = self.sm.request();
                self.send(request);
            }
            Due::Probe => {
                // Unlike other IQs, no deadline of its own: any answer at all, even an error,
                // is the sign of life wanted, and silence is the keepalive's to judge.
                let id = self.ids.next();
                let server = Jid::from(BareJid::from_parts(None, self.account.domain()));
                self.send(Iq::from_get(id.clone(), Ping).with_to(server));
                self.ping = Some(id);
            }
            Due::Dead => self.end(
                Err(Error::TransportClosed {
                    reason: Some("the server stopped answering".into()),
                }),
                false,
                true,
            ),
        }
    }
}
