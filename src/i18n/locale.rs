//! Which language the UI speaks.

use std::cell::Cell;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    En,
    Ru,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ru];

    /// The BCP 47 tag, also the `lang` attribute of the UI's root.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ru => "ru",
        }
    }

    /// The language's own name, for the language picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Ru => "Русский",
        }
    }

    /// `ru`, `ru-RU`, `RU`, `en-GB`…; `None` for a language we do not have.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.tag() == primary)
    }
}

/// The language to use: an explicit choice (`"ru"`, `"en"`; `"auto"`, empty or unknown means no
/// choice) wins, then the first of the browser's preferred languages that we have, then English.
pub fn pick<S: AsRef<str>>(choice: Option<&str>, preferred: &[S]) -> Locale {
    choice
        .and_then(Locale::from_tag)
        .or_else(|| preferred.iter().find_map(|t| Locale::from_tag(t.as_ref())))
        .unwrap_or_default()
}

thread_local! {
    static CURRENT: Cell<Locale> = const { Cell::new(Locale::En) };
}

/// The language [`crate::i18n::t`] speaks from now on.
pub fn set_locale(locale: Locale) {
    CURRENT.with(|c| c.set(locale));
}

pub fn locale() -> Locale {
    CURRENT.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_by_primary_language() {
        assert_eq!(Locale::from_tag("ru-RU"), Some(Locale::Ru));
        assert_eq!(Locale::from_tag("RU"), Some(Locale::Ru));
        assert_eq!(Locale::from_tag("en_GB"), Some(Locale::En));
        assert_eq!(Locale::from_tag("de-DE"), None);
        assert_eq!(Locale::from_tag(""), None);
    }

    #[test]
    fn choice_then_browser_then_english() {
        assert_eq!(pick(Some("ru"), &["en-US"]), Locale::Ru);
        assert_eq!(pick(Some("auto"), &["de", "ru-RU", "en"]), Locale::Ru);
        assert_eq!(pick(None, &["fr", "de"]), Locale::En);
        assert_eq!(pick::<&str>(None, &[]), Locale::En);
        assert_eq!(pick(Some("xx"), &["en-GB"]), Locale::En);
    }
}
