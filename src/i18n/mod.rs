//! The UI's words in English and Russian: Fluent catalogues (`locales/<lang>/*.ftl`, one file
//! per area of the UI, joined by build.rs) formatted by `fluent-bundle`, whose CLDR plural rules
//! give Russian its one/few/many forms.
//!
//! The language is picked once per mount (browser languages, or the user's or the embedding
//! page's choice) with [`set_locale`]; [`t`] and [`t_args`] then read the current one. A message
//! missing from Russian falls back to English, one missing from both shows its id, so a typo is
//! visible rather than a blank (and `tests` below fail on it).
//!
//! Accessible names in the UI contract (/work/shared/ui-contract.md) are English in every
//! language: a translated control keeps them through `aria-label` ([`contract`]).

mod catalogue;
mod locale;

pub use catalogue::{t, t_args, Arg};
pub use locale::{locale, pick, set_locale, Locale};

/// A UI-contract name: the same English words in every language (see the module docs).
pub fn contract(name: &'static str) -> &'static str {
    name
}
