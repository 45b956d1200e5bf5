//! Which connection endpoint to try, and what to do when one fails: the fallback decisions of
//! the session driver as a pure state machine, tested natively.
//!
//! Order, without a URL typed by the user: the endpoint that worked last time for this domain
//! (remembered in `localStorage`), the WebSocket and BOSH endpoints found by XEP-0156
//! discovery, then `wss://<domain>/xmpp-websocket` and `https://<domain>/http-bind`, each
//! tried once. A URL typed by the user is the only candidate. Only transport-level failures
//! (could not open, closed before the server said anything, no answer in time) move on to the
//! next candidate; an answer from the server (wrong password, stream error) is final.

use natter_core::Error;

use crate::discovery::Discovered;
use crate::endpoint::{self, Endpoint};

/// How long to wait for the server's first frame before trying the next candidate, at most.
pub const OPEN_TIMEOUT_MAX_MS: u32 = 3_500;
/// …and at least.
pub const OPEN_TIMEOUT_MIN_MS: u32 = 1_500;
/// The wait is shortened so that the fallback starts by this long after pressing Sign in
/// (discovery included), while the bounds above allow.
pub const FALLBACK_BY_MS: u64 = 4_000;

/// Why a connection attempt ended before the session was online.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The transport never opened, closed before the server's first frame, or the server
    /// said nothing in time: another endpoint may work.
    Transport,
    /// The server answered (wrong password, stream error, protocol violation): it is final.
    Server,
}

impl Failure {
    /// Classify the end of an attempt: `answered` says whether any frame came from the server.
    pub fn of(answered: bool, error: Option<&Error>) -> Failure {
        match error {
            _ if answered => Failure::Server,
            None | Some(Error::TransportClosed { .. } | Error::Timeout) => Failure::Transport,
            Some(_) => Failure::Server,
        }
    }
}

/// What the driver should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Connect to this endpoint.
    Try(Endpoint),
    /// Everything known was tried; discovery is still running and may find more.
    Wait,
    /// Nothing (more) to try: report the failure.
    GiveUp,
}

#[derive(Debug, Clone)]
pub struct Plan {
    /// The URL the user typed: then it is the only candidate.
    user: Option<Endpoint>,
    /// Tried first: remembered from an earlier session, or the one that worked in this one.
    preferred: Option<Endpoint>,
    /// `None` while discovery runs.
    discovered: Option<Discovered>,
    defaults: [Endpoint; 2],
    tried: Vec<Endpoint>,
    current: Option<Endpoint>,
}

/// The endpoints to use when neither the user nor discovery gave any.
pub fn defaults(domain: &str) -> [Endpoint; 2] {
    [
        Endpoint::WebSocket(format!("wss://{domain}/xmpp-websocket")),
        Endpoint::Bosh(format!("https://{domain}/http-bind")),
    ]
}

/// The `localStorage` key under which the endpoint that worked for `domain` is kept.
pub fn remember_key(domain: &str) -> String {
    format!("natter.endpoint.{}", domain.to_ascii_lowercase())
}

/// A remembered value back to an endpoint (anything else is ignored).
pub fn parse_remembered(value: Option<&str>) -> Option<Endpoint> {
    endpoint::parse_endpoint(value?).ok().flatten()
}

impl Plan {
    /// `user`: the typed URL. `discovered`: `None` while discovery has not answered (it is
    /// not started at all when `user` is given). `remembered`: what worked last time.
    pub fn new(
        domain: &str,
        user: Option<Endpoint>,
        discovered: Option<Discovered>,
        remembered: Option<Endpoint>,
    ) -> Plan {
        Plan {
            preferred: if user.is_some() { None } else { remembered },
            user,
            discovered,
            defaults: defaults(domain),
            tried: Vec::new(),
            current: None,
        }
    }

    /// Whether the driver should run discovery (and feed it to [`Plan::discovered`]).
    pub fn wants_discovery(&self) -> bool {
        self.user.is_none() && self.discovered.is_none()
    }

    /// Discovery's answer (empty when it found nothing or timed out).
    pub fn discovered(&mut self, found: Discovered) {
        if self.user.is_none() {
            self.discovered = Some(found);
        }
    }

    /// Every candidate known now, in order, without duplicates.
    pub fn candidates(&self) -> Vec<Endpoint> {
        if let Some(user) = &self.user {
            return vec![user.clone()];
        }
        let mut list: Vec<Endpoint> = Vec::new();
        let mut add = |ep: &Endpoint| {
            if !list.iter().any(|e| same(e, ep)) {
                list.push(ep.clone());
            }
        };
        self.preferred.iter().for_each(&mut add);
        if let Some(d) = &self.discovered {
            d.websocket.iter().for_each(&mut add);
            d.bosh.iter().for_each(&mut add);
            self.defaults.iter().for_each(&mut add);
        }
        list
    }

    /// The endpoint being tried (or last tried).
    pub fn current(&self) -> Option<&Endpoint> {
        self.current.as_ref()
    }

    /// The endpoints tried since the last (re)start, in order.
    pub fn tried(&self) -> &[Endpoint] {
        &self.tried
    }

    /// Try the first endpoint not tried yet in this round: the round's first step (also
    /// after [`Plan::restart`]), or the next one once discovery answered while the driver
    /// was waiting.
    pub fn step(&mut self) -> Step {
        let untried = self
            .candidates()
            .into_iter()
            .find(|c| !self.tried.iter().any(|t| same(t, c)));
        match untried {
            Some(ep) => {
                self.tried.push(ep.clone());
                self.current = Some(ep.clone());
                Step::Try(ep)
            }
            None if self.wants_discovery() => Step::Wait,
            None => Step::GiveUp,
        }
    }

    /// The current attempt failed this way: what now.
    pub fn next_after(&mut self, failure: Failure) -> Step {
        match failure {
            Failure::Server => Step::GiveUp,
            Failure::Transport => self.step(),
        }
    }

    /// Whether a transport failure of the current attempt would lead somewhere else: only
    /// then is the attempt given a short deadline for the server's first frame.
    pub fn has_fallback(&self) -> bool {
        self.wants_discovery()
            || self
                .candidates()
                .iter()
                .any(|c| !self.tried.iter().any(|t| same(t, c)))
    }

    /// The server sent us elsewhere (`see-other-uri`): try that now.
    pub fn redirect(&mut self, to: Endpoint) -> Step {
        if self.user.is_some() {
            self.user = Some(to.clone());
        }
        self.tried.push(to.clone());
        self.current = Some(to.clone());
        Step::Try(to)
    }

    /// The current endpoint took the session online: it comes first from now on (and is
    /// what the driver remembers for the domain).
    pub fn worked(&mut self) -> Option<&Endpoint> {
        if self.user.is_none() {
            self.preferred = self.current.clone();
        }
        self.current.as_ref()
    }

    /// Start over (a reconnection after a drop): the endpoint that worked first, then the
    /// others again.
    pub fn restart(&mut self) {
        self.tried.clear();
        self.current = None;
    }
}

/// Same endpoint: URLs equal up to the case of the scheme and host.
fn same(a: &Endpoint, b: &Endpoint) -> bool {
    fn key(e: &Endpoint) -> (bool, String) {
        let url = e.url();
        let split = url
            .find("://")
            .map(|k| k + 3)
            .and_then(|k| url[k..].find(['/', '?', '#']).map(|j| k + j))
            .unwrap_or(url.len());
        let mut s = url[..split].to_ascii_lowercase();
        s.push_str(&url[split..]);
        (matches!(e, Endpoint::WebSocket(_)), s)
    }
    key(a) == key(b)
}

/// How long an attempt may wait for the server's first frame before the next candidate is
/// tried, given how long ago the user pressed Sign in (or the reconnection began).
pub fn open_timeout_ms(elapsed_ms: u64) -> u32 {
    let left = FALLBACK_BY_MS.saturating_sub(elapsed_ms);
    left.clamp(OPEN_TIMEOUT_MIN_MS.into(), OPEN_TIMEOUT_MAX_MS.into()) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(u: &str) -> Endpoint {
        Endpoint::WebSocket(u.into())
    }
    fn bosh(u: &str) -> Endpoint {
        Endpoint::Bosh(u.into())
    }
    fn found(w: Option<&str>, b: Option<&str>) -> Discovered {
        Discovered {
            websocket: w.map(ws),
            bosh: b.map(bosh),
        }
    }
    const DEF_WS: &str = "wss://example.org/xmpp-websocket";
    const DEF_BOSH: &str = "https://example.org/http-bind";

    #[test]
    fn discovered_then_defaults() {
        let mut plan = Plan::new(
            "example.org",
            None,
            Some(found(
                Some("wss://xmpp.example.org/ws"),
                Some("https://xmpp.example.org/bosh"),
            )),
            None,
        );
        assert!(!plan.wants_discovery());
        assert_eq!(
            plan.candidates(),
            [
                ws("wss://xmpp.example.org/ws"),
                bosh("https://xmpp.example.org/bosh"),
                ws(DEF_WS),
                bosh(DEF_BOSH)
            ]
        );
        assert_eq!(plan.step(), Step::Try(ws("wss://xmpp.example.org/ws")));
        assert!(plan.has_fallback());
        assert_eq!(
            plan.next_after(Failure::Transport),
            Step::Try(bosh("https://xmpp.example.org/bosh"))
        );
        assert_eq!(plan.current(), Some(&bosh("https://xmpp.example.org/bosh")));
        assert_eq!(plan.next_after(Failure::Transport), Step::Try(ws(DEF_WS)));
        assert_eq!(
            plan.next_after(Failure::Transport),
            Step::Try(bosh(DEF_BOSH))
        );
        assert!(!plan.has_fallback());
        assert_eq!(plan.next_after(Failure::Transport), Step::GiveUp);
        assert_eq!(plan.tried().len(), 4);
    }

    #[test]
    fn nothing_discovered_means_defaults() {
        let mut plan = Plan::new("example.org", None, Some(Discovered::default()), None);
        assert_eq!(plan.step(), Step::Try(ws(DEF_WS)));
        assert_eq!(
            plan.next_after(Failure::Transport),
            Step::Try(bosh(DEF_BOSH))
        );
        assert_eq!(plan.next_after(Failure::Transport), Step::GiveUp);
    }

    #[test]
    fn only_bosh_discovered_and_duplicates_dropped() {
        let plan = Plan::new(
            "example.org",
            None,
            Some(found(
                Some("WSS://Example.org/xmpp-websocket"),
                Some(DEF_BOSH),
            )),
            None,
        );
        assert_eq!(
            plan.candidates(),
            [ws("WSS://Example.org/xmpp-websocket"), bosh(DEF_BOSH)]
        );
        let mut plan = Plan::new(
            "example.org",
            None,
            Some(found(None, Some("https://b/x"))),
            None,
        );
        assert_eq!(plan.step(), Step::Try(bosh("https://b/x")));
    }

    #[test]
    fn the_users_url_always_wins_and_never_falls_back() {
        let mut plan = Plan::new(
            "example.org",
            Some(ws("ws://127.0.0.1:5280/xmpp-websocket")),
            None,
            Some(bosh("https://remembered/http-bind")),
        );
        assert!(!plan.wants_discovery());
        assert_eq!(
            plan.candidates(),
            [ws("ws://127.0.0.1:5280/xmpp-websocket")]
        );
        assert_eq!(
            plan.step(),
            Step::Try(ws("ws://127.0.0.1:5280/xmpp-websocket"))
        );
        assert!(!plan.has_fallback());
        assert_eq!(plan.next_after(Failure::Transport), Step::GiveUp);
        // Discovery answering anyway changes nothing.
        plan.discovered(found(Some("wss://x/ws"), None));
        assert_eq!(plan.candidates().len(), 1);
        let mut plan = Plan::new(
            "example.org",
            Some(bosh("http://127.0.0.1:5280/http-bind")),
            None,
            None,
        );
        assert_eq!(
            plan.step(),
            Step::Try(bosh("http://127.0.0.1:5280/http-bind"))
        );
    }

    #[test]
    fn server_answers_are_final() {
        let mut plan = Plan::new("example.org", None, Some(Discovered::default()), None);
        assert_eq!(plan.step(), Step::Try(ws(DEF_WS)));
        assert_eq!(plan.next_after(Failure::Server), Step::GiveUp);
    }

    #[test]
    fn failure_kinds() {
        let closed = Error::TransportClosed { reason: None };
        assert_eq!(Failure::of(false, None), Failure::Transport);
        assert_eq!(Failure::of(false, Some(&closed)), Failure::Transport);
        assert_eq!(
            Failure::of(false, Some(&Error::Timeout)),
            Failure::Transport
        );
        // Once the server said anything, the failure is its answer.
        assert_eq!(Failure::of(true, Some(&closed)), Failure::Server);
        assert_eq!(Failure::of(true, None), Failure::Server);
        let auth = Error::AuthFailed {
            condition: "not-authorized".into(),
            text: None,
        };
        assert_eq!(Failure::of(true, Some(&auth)), Failure::Server);
        assert_eq!(Failure::of(false, Some(&auth)), Failure::Server);
        let stream = Error::StreamError {
            condition: "host-unknown".into(),
            text: None,
        };
        assert_eq!(Failure::of(true, Some(&stream)), Failure::Server);
    }

    #[test]
    fn remembered_first_while_discovery_runs() {
        let mut plan = Plan::new("example.org", None, None, Some(bosh("https://x.org/bosh")));
        assert!(plan.wants_discovery());
        assert_eq!(plan.step(), Step::Try(bosh("https://x.org/bosh")));
        // It still may fall back: discovery will say to where.
        assert!(plan.has_fallback());
        assert_eq!(plan.next_after(Failure::Transport), Step::Wait);
        assert_eq!(plan.step(), Step::Wait);
        plan.discovered(found(Some("wss://x.org/ws"), Some("https://x.org/bosh")));
        assert_eq!(plan.step(), Step::Try(ws("wss://x.org/ws")));
        assert_eq!(plan.next_after(Failure::Transport), Step::Try(ws(DEF_WS)));
    }

    #[test]
    fn nothing_known_yet_means_wait() {
        let mut plan = Plan::new("example.org", None, None, None);
        assert!(plan.has_fallback());
        assert_eq!(plan.step(), Step::Wait);
        assert_eq!(plan.current(), None);
        plan.discovered(Discovered::default());
        assert_eq!(plan.step(), Step::Try(ws(DEF_WS)));
    }

    #[test]
    fn reconnect_reuses_what_worked_and_falls_back_the_same_way() {
        let mut plan = Plan::new(
            "example.org",
            None,
            Some(found(Some("wss://x.org/ws"), Some("https://x.org/bosh"))),
            None,
        );
        assert_eq!(plan.step(), Step::Try(ws("wss://x.org/ws")));
        assert_eq!(
            plan.next_after(Failure::Transport),
            Step::Try(bosh("https://x.org/bosh"))
        );
        assert_eq!(plan.worked(), Some(&bosh("https://x.org/bosh")));
        // Dropped: start again from BOSH, then the rest in the usual order.
        plan.restart();
        assert_eq!(plan.step(), Step::Try(bosh("https://x.org/bosh")));
        assert_eq!(
            plan.next_after(Failure::Transport),
            Step::Try(ws("wss://x.org/ws"))
        );
        assert_eq!(plan.next_after(Failure::Transport), Step::Try(ws(DEF_WS)));
        assert_eq!(
            plan.next_after(Failure::Transport),
            Step::Try(bosh(DEF_BOSH))
        );
        assert_eq!(plan.next_after(Failure::Transport), Step::GiveUp);
        // The backoff retry starts over again.
        plan.restart();
        assert_eq!(plan.step(), Step::Try(bosh("https://x.org/bosh")));
    }

    #[test]
    fn redirects() {
        let mut plan = Plan::new("example.org", None, Some(Discovered::default()), None);
        assert_eq!(plan.step(), Step::Try(ws(DEF_WS)));
        assert_eq!(
            plan.redirect(ws("wss://other.org/ws")),
            Step::Try(ws("wss://other.org/ws"))
        );
        assert_eq!(plan.current(), Some(&ws("wss://other.org/ws")));
        assert_eq!(
            plan.next_after(Failure::Transport),
            Step::Try(bosh(DEF_BOSH))
        );
        let mut user = Plan::new("example.org", Some(ws("wss://a/ws")), None, None);
        assert_eq!(user.step(), Step::Try(ws("wss://a/ws")));
        user.redirect(ws("wss://b/ws"));
        assert_eq!(user.worked(), Some(&ws("wss://b/ws")));
        user.restart();
        assert_eq!(user.step(), Step::Try(ws("wss://b/ws")));
    }

    #[test]
    fn remembering() {
        assert_eq!(remember_key("Example.org"), "natter.endpoint.example.org");
        assert_eq!(
            parse_remembered(Some("https://x.org/http-bind")),
            Some(bosh("https://x.org/http-bind"))
        );
        assert_eq!(parse_remembered(Some("garbage")), None);
        assert_eq!(parse_remembered(Some("")), None);
        assert_eq!(parse_remembered(None), None);
        // The remembered endpoint is not tried twice when discovery names it too.
        let mut plan = Plan::new("example.org", None, None, Some(ws("wss://x.org/ws")));
        plan.discovered(found(Some("wss://x.org/ws"), None));
        assert_eq!(
            plan.candidates(),
            [ws("wss://x.org/ws"), ws(DEF_WS), bosh(DEF_BOSH)]
        );
    }

    #[test]
    fn open_timeouts_keep_the_fallback_within_five_seconds() {
        assert_eq!(open_timeout_ms(0), OPEN_TIMEOUT_MAX_MS);
        assert_eq!(open_timeout_ms(400), 3_500);
        assert_eq!(open_timeout_ms(1_000), 3_000);
        assert_eq!(open_timeout_ms(3_000), OPEN_TIMEOUT_MIN_MS);
        assert_eq!(open_timeout_ms(60_000), OPEN_TIMEOUT_MIN_MS);
        const { assert!(OPEN_TIMEOUT_MAX_MS <= 5_000) };
    }
}
