//! The catalogues as Fluent bundles, one per language, built on first use.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

use super::{locale, Locale};

fn source(locale: Locale) -> &'static str {
    match locale {
        Locale::En => include_str!(concat!(env!("OUT_DIR"), "/en.ftl")),
        Locale::Ru => include_str!(concat!(env!("OUT_DIR"), "/ru.ftl")),
    }
}

fn bundle(locale: Locale) -> FluentBundle<FluentResource> {
    let lang = locale.tag().parse().expect("the tags in Locale are valid");
    let mut bundle = FluentBundle::new(vec![lang]);
    // No Unicode isolation marks around arguments: the UI's text must match what users (and
    // tests) type, and every value we pass is a plain name or number.
    bundle.set_use_isolating(false);
    // A catalogue with a syntax error still loads what parses; `tests::catalogues_parse`
    // keeps errors out of the committed files.
    let resource = FluentResource::try_new(source(locale).to_owned()).unwrap_or_else(|(r, _)| r);
    // An id defined twice keeps its first definition (also caught by the tests).
    let _ = bundle.add_resource(resource);
    bundle
}

thread_local! {
    static BUNDLES: RefCell<HashMap<Locale, FluentBundle<FluentResource>>> =
        RefCell::new(HashMap::new());
}

/// A value for a message's `{ $name }`.
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    Num(i64),
    Str(Cow<'a, str>),
}

macro_rules! num_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Num(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
num_arg!(usize, u64, u32, i64, i32);

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(Cow::Borrowed(s))
    }
}

impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Str(Cow::Owned(s))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Str(Cow::Borrowed(s.as_str()))
    }
}

/// The message `id` in the current language.
pub fn t(id: &str) -> String {
    format_in(locale(), id, None)
}

/// The message `id` with its arguments, e.g. `t_args("unread-count", &[("count", 3.into())])`.
pub fn t_args(id: &str, args: &[(&str, Arg<'_>)]) -> String {
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        let value = match value {
            Arg::Num(n) => FluentValue::from(*n),
            Arg::Str(s) => FluentValue::from(s.to_string()),
        };
        fluent.set(name.to_string(), value);
    }
    format_in(locale(), id, Some(&fluent))
}

pub(super) fn format_in(locale: Locale, id: &str, args: Option<&FluentArgs>) -> String {
    BUNDLES.with(|bundles| {
        let mut bundles = bundles.borrow_mut();
        for l in [locale, Locale::En] {
            let bundle = bundles.entry(l).or_insert_with(|| bundle(l));
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    })
}

#[cfg(test)]
mod tests;
