//! Stanza ids come from `Config::entropy`, expanded with HMAC-SHA-256, so tests stay
//! deterministic. (The SCRAM client nonce does not: the `sasl` crate draws it, see `auth`.)

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sasl::common::scram::{ScramProvider, Sha256};

pub(crate) fn expand(entropy: &[u8; 32], label: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail; fall back to the raw entropy rather
    // than panic should that ever change.
    Sha256::hmac(label, entropy).unwrap_or_else(|_| entropy.to_vec())
}

/// Stanza ids: a per-session prefix nobody can guess, plus a counter for uniqueness.
pub struct IdGen {
    prefix: String,
    counter: u64,
}

impl IdGen {
    pub fn new(entropy: &[u8; 32]) -> Self {
        let bytes = expand(entropy, b"natter stanza id prefix");
        IdGen {
            prefix: URL_SAFE_NO_PAD.encode(bytes.get(..9).unwrap_or(&bytes)),
            counter: 0,
        }
    }

    pub fn next(&mut self) -> String {
        self.counter = self.counter.wrapping_add(1);
        format!("{}-{}", self.prefix, self.counter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_depend_on_entropy() {
        let mut a = IdGen::new(&[1; 32]);
        let mut b = IdGen::new(&[2; 32]);
        let (a1, a2, b1) = (a.next(), a.next(), b.next());
        assert_ne!(a1, a2);
        assert_ne!(a1, b1);
        assert_eq!(IdGen::new(&[1; 32]).next(), a1);
    }
}
