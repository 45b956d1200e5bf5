//! The catalogues against each other and against the code that uses them.

use std::collections::BTreeSet;
use std::path::Path;

use fluent_bundle::FluentResource;
use fluent_bundle::{FluentArgs, FluentValue};

use super::{format_in, source};
use crate::i18n::Locale;

fn ids(locale: Locale) -> Vec<String> {
    let resource = FluentResource::try_new(source(locale).to_owned())
        .unwrap_or_else(|(_, errors)| panic!("{locale:?} catalogue: {errors:?}"));
    resource
        .entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn catalogues_parse_without_duplicates() {
    for locale in Locale::ALL {
        let ids = ids(locale);
        let unique: BTreeSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{locale:?} defines an id twice");
        assert!(!ids.is_empty(), "{locale:?} catalogue is empty");
    }
}

#[test]
fn russian_has_every_english_message_and_no_other() {
    let en: BTreeSet<_> = ids(Locale::En).into_iter().collect();
    let ru: BTreeSet<_> = ids(Locale::Ru).into_iter().collect();
    let missing: Vec<_> = en.difference(&ru).collect();
    let extra: Vec<_> = ru.difference(&en).collect();
    assert!(missing.is_empty(), "missing in ru: {missing:?}");
    assert!(extra.is_empty(), "only in ru: {extra:?}");
}

/// Every `t("…")` / `t_args("…"` in the source names a message that exists.
#[test]
fn every_id_used_in_the_code_exists() {
    let en: BTreeSet<_> = ids(Locale::En).into_iter().collect();
    let mut unknown = Vec::new();
    let mut used = 0;
    visit(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src").as_path(),
        &mut |file, text| {
            for call in ["t(\"", "t_args(\""] {
                for (at, _) in text.match_indices(call) {
                    // `t(` must be the whole name, not the end of `split(` or `set(`.
                    let before = text[..at].chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let rest = &text[at + call.len()..];
                    let id = &rest[..rest.find('"').unwrap_or(0)];
                    used += 1;
                    if !en.contains(id) {
                        unknown.push(format!("{}: {id}", file.display()));
                    }
                }
            }
        },
    );
    assert!(used > 0, "no t(\"…\") calls found: the scan is broken");
    assert!(unknown.is_empty(), "ids not in locales/en: {unknown:?}");
}

fn visit(dir: &Path, f: &mut dyn FnMut(&Path, &str)) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            visit(&path, f);
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("tests.rs") {
            f(&path, &std::fs::read_to_string(&path).unwrap());
        }
    }
}

fn count(locale: Locale, id: &str, n: i64) -> String {
    let mut args = FluentArgs::new();
    args.set("count", FluentValue::from(n));
    format_in(locale, id, Some(&args))
}

#[test]
fn russian_plurals_follow_cldr() {
    let cases = [
        (1, "1 непрочитанное"),
        (2, "2 непрочитанных"),
        (5, "5 непрочитанных"),
        (11, "11 непрочитанных"),
        (21, "21 непрочитанное"),
        (22, "22 непрочитанных"),
        (101, "101 непрочитанное"),
    ];
    for (n, want) in cases {
        assert_eq!(count(Locale::Ru, "unread-count", n), want, "n = {n}");
    }
    let contacts = [
        (1, "1 контакт"),
        (3, "3 контакта"),
        (5, "5 контактов"),
        (12, "12 контактов"),
        (24, "24 контакта"),
    ];
    for (n, want) in contacts {
        assert_eq!(count(Locale::Ru, "contact-count", n), want, "n = {n}");
    }
}

#[test]
fn english_plurals_and_fallback() {
    assert_eq!(count(Locale::En, "unread-count", 1), "1 unread");
    assert_eq!(count(Locale::En, "contact-count", 1), "1 contact");
    assert_eq!(count(Locale::En, "contact-count", 2), "2 contacts");
    // An unknown id shows itself rather than nothing.
    assert_eq!(
        format_in(Locale::Ru, "no-such-message", None),
        "no-such-message"
    );
}
