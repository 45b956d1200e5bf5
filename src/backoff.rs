//! Reconnection delays: exponential backoff with jitter. Pure: tested natively.

/// First retry after about this long.
pub const BASE_MS: u32 = 1_000;
/// Never wait longer than this between attempts.
pub const MAX_MS: u32 = 30_000;

/// Delay before retry number `attempt` (0 for the first retry): 1 s, 2 s, 4 s … capped at
/// 30 s, each spread by ±20 % using `jitter` in `[0, 1)` so that many clients dropped by the
/// same server restart do not all come back in the same instant.
pub fn delay_ms(attempt: u32, jitter: f64) -> u32 {
    let base = BASE_MS.saturating_mul(1u32.checked_shl(attempt.min(15)).unwrap_or(u32::MAX));
    let base = base.min(MAX_MS);
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    ((f64::from(base) * factor) as u32).min(MAX_MS)
}

#[cfg(test)]
mod tests {
    use super::delay_ms;

    #[test]
    fn doubles_then_caps() {
        let d: Vec<u32> = (0..8).map(|a| delay_ms(a, 0.5)).collect();
        assert_eq!(
            d,
            vec![1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
        );
        assert_eq!(delay_ms(1_000, 0.5), 30_000);
    }

    #[test]
    fn jitter_spreads_within_bounds() {
        assert_eq!(delay_ms(0, 0.0), 800);
        assert_eq!(delay_ms(0, 0.999_999), 1_199);
        assert_eq!(delay_ms(10, 1.0), 30_000);
        assert_eq!(delay_ms(10, 0.0), 24_000);
    }
}
