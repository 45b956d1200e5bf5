//! Browser transports. Each carries RFC 7395 frames (one complete XML element per message) and
//! reports what happened through a callback; the session driver feeds that to the core.

mod bosh;
mod websocket;

pub use bosh::BoshTransport;
pub use websocket::WebSocketTransport;

/// What a transport reports, in order: `Opened` once (or never), any number of `Frame`s, then
/// `Closed` once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportEvent {
    Opened,
    Frame(String),
    /// The connection ended. `opened` says whether it ever opened (if not: the server could
    /// not be reached); `reason` is plain words when there are any.
    Closed {
        opened: bool,
        reason: Option<String>,
    },
}

/// A way to exchange frames with the server. Dropping it closes it and silences its callback.
pub trait Transport {
    /// "WebSocket" or "BOSH", for the `Connection` status.
    fn name(&self) -> &'static str;
    fn send(&self, frame: &str);
    /// Close after the frames already sent.
    fn close(&self);
    /// BOSH only: the open session, for the next page of the site to continue (an anonymous
    /// visitor's, see `session::visitor`).
    fn bosh_snapshot(&self) -> Option<natter_core::bosh::BoshSnapshot> {
        None
    }
}

/// Where a transport delivers its events.
pub type Sink = std::rc::Rc<dyn Fn(TransportEvent)>;
