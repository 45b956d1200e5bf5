//! When to try again after a session drops: the session driver's retry decisions as a pure
//! state machine, tested natively. The driver tells it what happened (an attempt ended, the
//! timer fired, the browser went on- or offline, the user pressed "Retry now", the session is
//! online) and carries out the [`Action`] it returns; the view shows [`Waiting`].
//!
//! Rules: exponential backoff with jitter ([`crate::backoff`]); while the browser says it is
//! offline nothing is tried and no attempt is counted, and the moment it is back online the
//! next attempt starts at once with the backoff reset (the outage was the network's, not the
//! server's); "Retry now" starts the next attempt at once but keeps the backoff, so a server
//! that is really down is not hammered by an impatient user.

use natter_store::Phase;

use crate::backoff;
use crate::i18n::{t, t_args};

/// What the driver must do now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    Nothing,
    /// Start an attempt now.
    ConnectNow,
    /// Arm a timer for `delay_ms`, then call [`Reconnect::timer_fired`].
    Schedule {
        delay_ms: u32,
    },
    /// Cancel any timer; wait for [`Reconnect::network`] to say the browser is back online.
    WaitForNetwork,
}

/// Between attempts: what the `Connection` status shows.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Waiting {
    /// Connected, or an attempt is under way (or not signed in).
    #[default]
    No,
    /// The next attempt starts at this time (`performance.now()` milliseconds).
    Until(f64),
    /// The browser is offline; the next attempt starts when it comes back.
    Network,
}

#[derive(Debug, Clone)]
pub struct Reconnect {
    /// Retries since the session was last online (or since the network came back).
    retries: u32,
    /// What the browser last said (`navigator.onLine`, `online`/`offline` events).
    network: bool,
    waiting: Waiting,
}

impl Reconnect {
    pub fn new(network_online: bool) -> Self {
        Reconnect {
            retries: 0,
            network: network_online,
            waiting: Waiting::No,
        }
    }

    pub fn waiting(&self) -> Waiting {
        self.waiting
    }

    pub fn network_online(&self) -> bool {
        self.network
    }

    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// An attempt (or the online session) ended with a failure worth retrying. `jitter` is in
    /// `[0, 1)`.
    pub fn dropped(&mut self, now_ms: f64, jitter: f64) -> Action {
        if !self.network {
            self.waiting = Waiting::Network;
            return Action::WaitForNetwork;
        }
        let delay_ms = backoff::delay_ms(self.retries, jitter);
        self.retries = self.retries.saturating_add(1);
        self.waiting = Waiting::Until(now_ms + f64::from(delay_ms));
        Action::Schedule { delay_ms }
    }

    /// The timer armed by [`Action::Schedule`] fired.
    pub fn timer_fired(&mut self) -> Action {
        match self.waiting {
            Waiting::Until(_) => {
                self.waiting = Waiting::No;
                Action::ConnectNow
            }
            // A stale timer (the network went away, or the user retried already).
            Waiting::No | Waiting::Network => Action::Nothing,
        }
    }

    /// The browser's `online` (`true`) or `offline` (`false`) event.
    pub fn network(&mut self, online: bool) -> Action {
        let was = std::mem::replace(&mut self.network, online);
        match (online, self.waiting) {
            (true, Waiting::No) => Action::Nothing,
            (true, Waiting::Until(_) | Waiting::Network) => {
                self.retries = if was { self.retries } else { 0 };
                self.waiting = Waiting::No;
                Action::ConnectNow
            }
            (false, Waiting::Until(_)) => {
                self.waiting = Waiting::Network;
                Action::WaitForNetwork
            }
            (false, Waiting::No | Waiting::Network) => Action::Nothing,
        }
    }

    /// The user pressed "Retry now".
    pub fn retry_now(&mut self) -> Action {
        match self.waiting {
            Waiting::No => Action::Nothing,
            Waiting::Until(_) | Waiting::Network => {
                self.waiting = Waiting::No;
                Action::ConnectNow
            }
        }
    }

    /// The session is online: the next drop starts the backoff from the beginning.
    pub fn online(&mut self) {
        self.retries = 0;
        self.waiting = Waiting::No;
    }

    /// Signed out or signed in anew: forget everything but the network state.
    pub fn reset(&mut self) {
        *self = Reconnect::new(self.network);
    }
}

/// What the `Connection` status says (before " · WebSocket") and its `data-phase` token.
/// Waiting overrides the store's phase: the store knows only that the last attempt ended.
pub fn status(phase: Phase, waiting: Waiting, now_ms: f64) -> (&'static str, String) {
    match waiting {
        Waiting::Until(due) => ("reconnecting", countdown_text(due, now_ms)),
        Waiting::Network => ("offline", "Offline".to_string()),
        Waiting::No => {
            let token = match phase {
                Phase::Connected => "connected",
                Phase::Connecting => "connecting",
                Phase::Reconnecting => "reconnecting",
                Phase::Offline => "offline",
            };
            (token, phase.label().to_string())
        }
    }
}

/// [`status`]'s words in the UI's language, for sighted users; [`status`]'s English stays the
/// status's accessible text (the UI contract). In English the two are the same.
pub fn status_local(phase: Phase, waiting: Waiting, now_ms: f64) -> String {
    match waiting {
        Waiting::Until(due) => match seconds_left(due, now_ms) {
            Some(seconds) => t_args("conn-reconnecting-in", &[("seconds", seconds.into())]),
            None => t("conn-reconnecting"),
        },
        Waiting::Network => t("conn-offline"),
        Waiting::No => t(match phase {
            Phase::Connected => "conn-connected",
            Phase::Connecting => "conn-connecting",
            Phase::Reconnecting => "conn-reconnecting",
            Phase::Offline => "conn-offline",
        }),
    }
}

/// The countdown shown in the `Connection` status while waiting: "Reconnecting in 7 s".
/// Always English: it is the status's contract text (see [`status_local`]).
pub fn countdown_text(due_ms: f64, now_ms: f64) -> String {
    match seconds_left(due_ms, now_ms) {
        Some(seconds) => format!("Reconnecting in {seconds} s"),
        None => "Reconnecting".to_string(),
    }
}

/// Whole seconds rounded up, so it never says 0 while the attempt is still ahead. An integer:
/// formatting an f64 links core's float printing (about 10 KB of wasm).
fn seconds_left(due_ms: f64, now_ms: f64) -> Option<u64> {
    let left = ((due_ms - now_ms) / 1000.0).ceil();
    (left >= 1.0).then_some(left as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delay(a: Action) -> u32 {
        match a {
            Action::Schedule { delay_ms } => delay_ms,
            other => panic!("expected a schedule, got {other:?}"),
        }
    }

    #[test]
    fn backoff_grows_and_resets_when_online() {
        let mut r = Reconnect::new(true);
        let d: Vec<u32> = (0..4).map(|_| delay(r.dropped(0.0, 0.5))).collect();
        assert_eq!(d, vec![1_000, 2_000, 4_000, 8_000]);
        assert_eq!(r.retries(), 4);
        r.online();
        assert_eq!(delay(r.dropped(0.0, 0.5)), 1_000);
    }

    #[test]
    fn the_countdown_points_at_the_timer() {
        let mut r = Reconnect::new(true);
        assert_eq!(r.waiting(), Waiting::No);
        let d = delay(r.dropped(10_000.0, 0.0));
        assert_eq!(d, 800);
        assert_eq!(r.waiting(), Waiting::Until(10_800.0));
        assert_eq!(r.timer_fired(), Action::ConnectNow);
        assert_eq!(r.waiting(), Waiting::No);
        // A second firing of the same timer does nothing.
        assert_eq!(r.timer_fired(), Action::Nothing);
    }

    #[test]
    fn offline_does_not_burn_attempts() {
        let mut r = Reconnect::new(true);
        delay(r.dropped(0.0, 0.5));
        delay(r.dropped(0.0, 0.5));
        assert_eq!(r.network(false), Action::WaitForNetwork);
        assert_eq!(r.waiting(), Waiting::Network);
        // The timer that was armed is stale now.
        assert_eq!(r.timer_fired(), Action::Nothing);
        // Drops while offline only wait.
        for _ in 0..5 {
            assert_eq!(r.dropped(0.0, 0.5), Action::WaitForNetwork);
        }
        assert_eq!(r.retries(), 2);
        // Back online: at once, with the backoff from the start.
        assert_eq!(r.network(true), Action::ConnectNow);
        assert_eq!(r.waiting(), Waiting::No);
        assert_eq!(delay(r.dropped(0.0, 0.5)), 1_000);
    }

    #[test]
    fn online_event_while_waiting_for_the_timer_retries_at_once() {
        let mut r = Reconnect::new(true);
        for _ in 0..3 {
            r.dropped(0.0, 0.5);
        }
        // An `online` event without an `offline` before it (e.g. the network changed).
        assert_eq!(r.network(true), Action::ConnectNow);
        assert_eq!(r.timer_fired(), Action::Nothing);
        // The browser never went offline: the backoff is kept.
        assert_eq!(delay(r.dropped(0.0, 0.5)), 8_000);
    }

    #[test]
    fn network_events_while_connected_change_nothing_but_the_flag() {
        let mut r = Reconnect::new(true);
        assert_eq!(r.network(true), Action::Nothing);
        assert_eq!(r.network(false), Action::Nothing);
        assert!(!r.network_online());
        assert_eq!(r.dropped(0.0, 0.5), Action::WaitForNetwork);
        assert_eq!(r.network(true), Action::ConnectNow);
    }

    #[test]
    fn retry_now_keeps_the_backoff() {
        let mut r = Reconnect::new(true);
        assert_eq!(
            r.retry_now(),
            Action::Nothing,
            "nothing to retry while connected"
        );
        r.dropped(0.0, 0.5);
        r.dropped(0.0, 0.5);
        assert_eq!(r.retry_now(), Action::ConnectNow);
        assert_eq!(r.retry_now(), Action::Nothing, "already under way");
        assert_eq!(delay(r.dropped(0.0, 0.5)), 4_000);
        // Also while offline: navigator.onLine can be wrong (captive portals, VPNs).
        r.network(false);
        assert_eq!(r.retry_now(), Action::ConnectNow);
    }

    #[test]
    fn reset_forgets_retries_but_not_the_network() {
        let mut r = Reconnect::new(true);
        r.dropped(0.0, 0.5);
        r.network(false);
        r.reset();
        assert_eq!(r.waiting(), Waiting::No);
        assert_eq!(r.retries(), 0);
        assert!(!r.network_online());
    }

    #[test]
    fn status_says_what_the_user_waits_for() {
        assert_eq!(
            status(Phase::Connected, Waiting::No, 0.0),
            ("connected", "Connected".to_string())
        );
        assert_eq!(
            status(Phase::Reconnecting, Waiting::No, 0.0),
            ("reconnecting", "Reconnecting".to_string())
        );
        assert_eq!(
            status(Phase::Reconnecting, Waiting::Until(7_000.0), 0.0),
            ("reconnecting", "Reconnecting in 7 s".to_string())
        );
        // The store may still say Reconnecting; the browser being offline wins.
        assert_eq!(
            status(Phase::Reconnecting, Waiting::Network, 0.0),
            ("offline", "Offline".to_string())
        );
        assert_eq!(
            status(Phase::Offline, Waiting::No, 0.0),
            ("offline", "Offline".to_string())
        );
    }

    #[test]
    fn the_local_status_is_the_contract_text_in_english_and_translated_in_russian() {
        let cases = [
            (Phase::Connected, Waiting::No),
            (Phase::Connecting, Waiting::No),
            (Phase::Reconnecting, Waiting::No),
            (Phase::Offline, Waiting::No),
            (Phase::Reconnecting, Waiting::Until(7_000.0)),
            (Phase::Reconnecting, Waiting::Until(0.0)),
            (Phase::Connected, Waiting::Network),
        ];
        for (phase, waiting) in cases {
            assert_eq!(
                status_local(phase, waiting, 0.0),
                status(phase, waiting, 0.0).1,
                "{phase:?} {waiting:?}"
            );
        }
        crate::i18n::set_locale(crate::i18n::Locale::Ru);
        let ru = [
            status_local(Phase::Connected, Waiting::No, 0.0),
            status_local(Phase::Reconnecting, Waiting::Until(7_000.0), 0.0),
            status_local(Phase::Reconnecting, Waiting::Network, 0.0),
        ];
        crate::i18n::set_locale(crate::i18n::Locale::En);
        assert_eq!(ru, ["Подключено", "Переподключение через 7 с", "Не в сети"]);
        // The contract text does not follow the language.
        crate::i18n::set_locale(crate::i18n::Locale::Ru);
        let contract = status(Phase::Connected, Waiting::No, 0.0).1;
        crate::i18n::set_locale(crate::i18n::Locale::En);
        assert_eq!(contract, "Connected");
    }

    #[test]
    fn countdown_rounds_up_and_never_says_zero() {
        assert_eq!(countdown_text(7_000.0, 0.0), "Reconnecting in 7 s");
        assert_eq!(countdown_text(7_000.0, 100.0), "Reconnecting in 7 s");
        assert_eq!(countdown_text(7_000.0, 1_000.0), "Reconnecting in 6 s");
        assert_eq!(countdown_text(7_000.0, 6_999.0), "Reconnecting in 1 s");
        assert_eq!(countdown_text(7_000.0, 7_000.0), "Reconnecting");
        assert_eq!(countdown_text(7_000.0, 9_000.0), "Reconnecting");
        assert_eq!(countdown_text(30_000.0, 0.0), "Reconnecting in 30 s");
    }
}
