//! Noticing a dead connection. A TCP connection whose peer vanished (sleeping laptop, NAT
//! timeout, server killed) can stay "open" for minutes; only silence tells. After
//! `idle_ms` without any inbound data the client asks the server something (XEP-0198 `<r/>` or a
//! XEP-0199 ping); if nothing at all arrives within `dead_ms` after that, the connection is dead.

use crate::Instant;

/// What the deadline means when it passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Nothing to do yet.
    Nothing,
    /// Ask the server for a sign of life.
    Probe,
    /// The server did not answer the probe: the connection is gone.
    Dead,
}

pub struct Keepalive {
    idle_ms: u64,
    dead_ms: u64,
    /// Armed once the session is online; `None` before (the sign-in deadline covers that).
    last_heard: Option<Instant>,
    probe_sent: Option<Instant>,
}

impl Keepalive {
    pub fn new(idle_ms: u64, dead_ms: u64) -> Self {
        Keepalive {
            idle_ms,
            dead_ms,
            last_heard: None,
            probe_sent: None,
        }
    }

    /// The session is online: start watching from `now`.
    pub fn start(&mut self, now: Instant) {
        self.last_heard = Some(now);
        self.probe_sent = None;
    }

    pub fn stop(&mut self) {
        self.last_heard = None;
        self.probe_sent = None;
    }

    /// Any frame from the server, even a whitespace keepalive, proves the connection alive.
    pub fn heard(&mut self, now: Instant) {
        if let Some(last) = &mut self.last_heard {
            *last = (*last).max(now);
            self.probe_sent = None;
        }
    }

    pub fn deadline(&self) -> Option<Instant> {
        match (self.last_heard, self.probe_sent) {
            (None, _) => None,
            (Some(_), Some(probe)) => Some(probe.after(self.dead_ms)),
            (Some(last), None) => Some(last.after(self.idle_ms)),
        }
    }

    /// What is due at `now`; a probe counts as sent once reported.
    pub fn due(&mut self, now: Instant) -> Due {
        match self.deadline() {
            Some(deadline) if now >= deadline => {
                if self.probe_sent.is_some() {
                    Due::Dead
                } else {
                    self.probe_sent = Some(now);
                    Due::Probe
                }
            }
            _ => Due::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_then_dead_unless_heard() {
        let mut k = Keepalive::new(30_000, 20_000);
        assert_eq!(k.deadline(), None);
        assert_eq!(k.due(Instant(1_000_000)), Due::Nothing, "not armed yet");
        k.start(Instant(0));
        assert_eq!(k.deadline(), Some(Instant(30_000)));
        assert_eq!(k.due(Instant(29_999)), Due::Nothing);
        k.heard(Instant(10_000));
        assert_eq!(k.due(Instant(30_000)), Due::Nothing);
        assert_eq!(k.due(Instant(40_000)), Due::Probe);
        assert_eq!(k.deadline(), Some(Instant(60_000)));
        assert_eq!(k.due(Instant(59_999)), Due::Nothing);
        assert_eq!(k.due(Instant(60_000)), Due::Dead);
        k.heard(Instant(60_001));
        assert_eq!(k.deadline(), Some(Instant(90_001)));
    }
}
