//! Small pure helpers for how things look: avatar initials and colours. Tested natively.

/// The letter shown in a contact's avatar: the first letter of the name, upper-cased.
pub fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map_or_else(|| "?".to_string(), |c| c.to_uppercase().collect())
}

/// A stable hue (0..360) for a JID, so each contact keeps its colour everywhere (FNV-1a over
/// the bytes; not XEP-0392's exact algorithm, which needs SHA-1).
pub fn hue(jid: &str) -> u16 {
    let mut h: u32 = 0x811c_9dc5;
    for b in jid.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    (h % 360) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials() {
        assert_eq!(initial("bob"), "B");
        assert_eq!(initial("  émile"), "É");
        assert_eq!(initial("@@"), "?");
        assert_eq!(initial(""), "?");
    }

    #[test]
    fn hues_are_stable_and_in_range() {
        assert_eq!(hue("bob@x"), hue("bob@x"));
        assert_ne!(hue("bob@x"), hue("carol@x"));
        assert!((0..10_000).all(|i| hue(&format!("u{i}@x")) < 360));
    }
}
