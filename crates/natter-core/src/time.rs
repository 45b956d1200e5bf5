//! Time as an input. The core never reads a clock: every call that can depend on time takes `now`.

/// A monotonic point in time, in milliseconds since an origin the driver picks (page load, process
/// start). Only differences matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(pub u64);

impl Instant {
    pub const fn from_millis(ms: u64) -> Self {
        Instant(ms)
    }
    pub const fn as_millis(self) -> u64 {
        self.0
    }
    /// `self + ms`, saturating.
    pub const fn after(self, ms: u64) -> Self {
        Instant(self.0.saturating_add(ms))
    }
    /// Milliseconds from `earlier` to `self`, zero if `earlier` is later.
    pub const fn since(self, earlier: Instant) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}
