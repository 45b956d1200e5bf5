//! The session state machine. (Skeleton: the public surface that drivers rely on.)

use crate::{Command, Config, Event, Instant, SessionState};

/// Something for the transport to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmit {
    /// Send this text as one WebSocket message (or BOSH body child).
    Frame(String),
    /// Close the transport (after any frames queued before this).
    Close,
}

pub struct Client {
    _config: Config,
}

impl Client {
    pub fn new(config: Config) -> Self {
        Client { _config: config }
    }

    /// The transport is open: the core queues `<open/>`.
    pub fn handle_connected(&mut self, _now: Instant) {
        todo!()
    }

    /// One received frame (one complete XML element). Malformed input ends the session with
    /// `Error::Protocol`, never a panic.
    pub fn handle_frame(&mut self, _now: Instant, _frame: &[u8]) {
        todo!()
    }

    /// The transport closed. Ends the session (`Closed` after our own `<close/>`, else `Failed`).
    pub fn handle_closed(&mut self, _now: Instant, _reason: Option<String>) {
        todo!()
    }

    /// Call when `poll_timeout()`'s instant has passed.
    pub fn handle_timeout(&mut self, _now: Instant) {
        todo!()
    }

    pub fn handle_command(&mut self, _now: Instant, _command: Command) {
        todo!()
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        todo!()
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        todo!()
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        todo!()
    }

    pub fn state(&self) -> SessionState {
        todo!()
    }

    /// A fresh, unpredictable stanza id (derived from the config's entropy and a counter).
    pub fn next_id(&mut self) -> String {
        todo!()
    }
}
