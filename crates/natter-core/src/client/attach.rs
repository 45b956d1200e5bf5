//! A `Client` for a session that is already bound: an anonymous visitor's BOSH session that
//! another page of the same site signed in, continued here after a page navigation
//! ([`crate::bosh::Bosh::resume`]). No stream negotiation happens: the server still has the
//! session, and signing in again would make a new anonymous account that the support's replies
//! would never reach.

use jid::FullJid;
use xmpp_parsers::iq::Iq;

use super::{Client, Phase};
use crate::iq::IqKind;
use crate::{presence, roster, Config, Event, Instant};

impl Client {
    /// Online from the start as `bound`. What the old page's core knew is gone, so this one
    /// announces itself again (initial presence, with the configured nick) and, unless the
    /// account is anonymous (its roster is always empty), asks for the roster. It reports
    /// `Event::Online { resumed: true }`: the same session goes on, nothing needs catching up.
    /// XEP-0198 is off: the counts the old page kept died with it (and anonymous sessions never
    /// enable it, see `enable_sm`). Transmits and events are queued as after any input.
    pub fn attach(config: Config, bound: FullJid, now: Instant) -> Client {
        let mut client = Client::new(config);
        client.account = bound.to_bare();
        client.bound = Some(bound.clone());
        client.events.push_back(Event::Online {
            jid: bound,
            resumed: true,
        });
        client.set_phase(Phase::Online);
        client.keepalive.start(now);
        if !client.is_anonymous() {
            client.send_request(now, Iq::from_get("", roster::get(None)), IqKind::RosterGet);
        }
        let presence = presence::available(None, None, client.disco.caps());
        client.send(client.with_nick(presence));
        client.resend_unconfirmed();
        for queued in std::mem::take(&mut client.queued) {
            client.send_chat(queued.to, &queued.id, &queued.body, queued.ext);
        }
        client
    }
}
