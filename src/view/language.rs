//! The UI's language as the view sees it: picked at start (the user's stored choice, else the
//! browser's languages), changed from the `Language` picker in Settings, which re-renders the
//! whole tree in the new language (src/app.rs keys the root on it).

use leptos::prelude::*;

use crate::i18n::{self, t, Locale};

/// `localStorage`: the language chosen in Settings (`en`, `ru`), absent for the browser's.
const CHOICE: &str = "natter.lang";

/// The current language; the root re-renders when it changes.
#[derive(Clone, Copy)]
pub struct UiLanguage {
    pub locale: RwSignal<Locale>,
    /// The user's explicit choice, `None` for the browser's language.
    pub choice: RwSignal<Option<Locale>>,
}

impl UiLanguage {
    /// The language for a page: `choice` (an embedding page's `lang`, or `None` for the
    /// stored choice), then the browser's languages.
    pub fn new(choice: Option<&str>) -> Self {
        let stored = choice.is_none().then(stored_choice).flatten();
        let choice = choice.and_then(Locale::from_tag).or(stored);
        let locale = i18n::pick(choice.map(Locale::tag), &browser_languages());
        i18n::set_locale(locale);
        UiLanguage {
            locale: RwSignal::new(locale),
            choice: RwSignal::new(choice),
        }
    }

    /// Remember `choice` and switch to it (or to the browser's language).
    pub fn choose(&self, choice: Option<Locale>) {
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = match choice {
                Some(l) => storage.set_item(CHOICE, l.tag()),
                None => storage.remove_item(CHOICE),
            };
        }
        self.choice.set(choice);
        let locale = i18n::pick(choice.map(Locale::tag), &browser_languages());
        i18n::set_locale(locale);
        self.locale.set(locale);
    }
}

fn stored_choice() -> Option<Locale> {
    let storage = window().local_storage().ok().flatten()?;
    Locale::from_tag(&storage.get_item(CHOICE).ok().flatten()?)
}

fn browser_languages() -> Vec<String> {
    let navigator = window().navigator();
    let list: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if list.is_empty() {
        navigator.language().into_iter().collect()
    } else {
        list
    }
}

/// The `Language` picker (Settings): the browser's language, English, Русский.
#[component]
pub fn LanguagePicker() -> impl IntoView {
    let lang = expect_context::<UiLanguage>();
    let value = move || lang.choice.get().map_or("auto", Locale::tag);
    view! {
        <label class="settings-row">
            {t("language")}
            " "
            <select
                aria-label="Language"
                prop:value=value
                on:change=move |ev| lang.choose(Locale::from_tag(&event_target_value(&ev)))
            >
                <option value="auto" selected=move || value() == "auto">
                    {t("language-auto")}
                </option>
                {Locale::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.tag() lang=l.tag() selected=move || value() == l.tag()>
                                {l.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
