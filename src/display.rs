//! Small pure helpers for how things look: avatar initials and colours, availability in
//! words. Tested natively.

use natter_store::Availability;

/// A contact's availability in the UI's language (the store's `label` is English).
pub fn availability(a: Availability) -> String {
    crate::i18n::t(match a {
        Availability::Chat => "presence-chat",
        Availability::Online => "presence-online",
        Availability::Away => "presence-away",
        Availability::ExtendedAway => "presence-xa",
        Availability::DoNotDisturb => "presence-busy",
        Availability::Offline => "presence-offline",
    })
}

/// The letter shown in a contact's avatar: the first letter of the name, upper-cased.
pub fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map_or_else(|| "?".to_string(), |c| c.to_uppercase().collect())
}

/// XEP-0392 consistent colour: the hue angle (0 ≤ angle < 360) for an identifier (a bare
/// JID, a room nick), from the first 16 bits of its SHA-1 read little-endian, so every client
/// that follows the XEP shows a contact in the same colour.
pub fn hue_angle(id: &str) -> f64 {
    let digest = natter_core::avatar::sha1(id.as_bytes());
    let bits = match digest.as_slice() {
        [a, b, ..] => u16::from_le_bytes([*a, *b]),
        _ => 0,
    };
    f64::from(bits) / 65536.0 * 360.0
}

/// [`hue_angle`] in whole degrees (0..360), for the CSS `--hue`.
pub fn hue(id: &str) -> u16 {
    (hue_angle(id) as u16).min(359)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availability_in_english_is_the_stores_label() {
        use Availability::*;
        for a in [Chat, Online, Away, ExtendedAway, DoNotDisturb, Offline] {
            assert_eq!(availability(a), a.label());
        }
        crate::i18n::set_locale(crate::i18n::Locale::Ru);
        let ru = [availability(Away), availability(DoNotDisturb)];
        crate::i18n::set_locale(crate::i18n::Locale::En);
        assert_eq!(ru, ["Отошёл", "Занят"]);
    }

    #[test]
    fn initials() {
        assert_eq!(initial("bob"), "B");
        assert_eq!(initial("  émile"), "É");
        assert_eq!(initial("@@"), "?");
        assert_eq!(initial(""), "?");
    }

    #[test]
    fn hue_follows_the_xep_0392_test_vectors() {
        // XEP-0392 §13.1 (version 0.8): identifier → hue angle.
        for (id, angle) in [
            ("Romeo", 327.255249),
            ("juliet@capulet.lit", 209.410400),
            ("\u{1F63A}", 331.199341),
            ("council", 359.994507),
            ("Board", 171.430664),
        ] {
            assert!(
                (hue_angle(id) - angle).abs() < 1e-5,
                "{id}: {}",
                hue_angle(id)
            );
        }
        assert_eq!(hue("council"), 359);
        assert_eq!(hue("Romeo"), 327);
    }

    #[test]
    fn hues_are_stable_and_in_range() {
        assert_eq!(hue("bob@x"), hue("bob@x"));
        assert_ne!(hue("bob@x"), hue("carol@x"));
        assert!((0..10_000).all(|i| hue(&format!("u{i}@x")) < 360));
    }
}
