//! Thin wrappers over browser APIs the views need: query parameters, localStorage, clock
//! formatting.

use leptos::prelude::window;
use wasm_bindgen::JsValue;

/// A query parameter of the page URL (`?jid=…&service=…`).
pub fn query_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
        .filter(|v| !v.is_empty())
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

pub fn load(key: &str) -> Option<String> {
    storage()?
        .get_item(key)
        .ok()
        .flatten()
        .filter(|v| !v.is_empty())
}

/// Remember a value (never a password). Errors (private mode, quota) are ignored.
pub fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = if value.is_empty() {
            s.remove_item(key)
        } else {
            s.set_item(key, value)
        };
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// When a message was sent, for display: `14:05` today, `25 Nov 14:05` otherwise; plus the
/// ISO form for `<time datetime>` and the full local form for a tooltip.
pub struct Clock {
    pub short: String,
    pub iso: String,
    pub full: String,
}

pub fn clock(unix_ms: u64) -> Option<Clock> {
    if unix_ms == 0 {
        return None;
    }
    let d = js_sys::Date::new(&JsValue::from_f64(unix_ms as f64));
    let today = js_sys::Date::new_0();
    let hm = format!("{:02}:{:02}", d.get_hours(), d.get_minutes());
    let same_day = d.get_full_year() == today.get_full_year()
        && d.get_month() == today.get_month()
        && d.get_date() == today.get_date();
    let short = if same_day {
        hm
    } else {
        format!(
            "{} {} {hm}",
            d.get_date(),
            MONTHS[d.get_month() as usize % 12]
        )
    };
    Some(Clock {
        short,
        iso: d.to_iso_string().into(),
        full: full_format(&d),
    })
}

thread_local! {
    /// `Date.toLocaleString()`'s default form through one formatter made once: each
    /// `toLocaleString` call builds an `Intl.DateTimeFormat` of its own, about 0.4 ms, which
    /// a room's first page of 50 messages paid 50 times in one task.
    static FULL: js_sys::Intl::DateTimeFormat = {
        let options = js_sys::Object::new();
        for key in ["year", "month", "day", "hour", "minute", "second"] {
            let _ = js_sys::Reflect::set(&options, &key.into(), &"numeric".into());
        }
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options)
    };
}

/// Makes the date formatter in an idle moment: the first `Intl.DateTimeFormat` of a page
/// loads the browser's locale data (about 20 ms), which would otherwise land on the first
/// chat or room the user opens.
pub fn warm_clock_when_idle() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let warm = Closure::once_into_js(|| FULL.with(|_| ()));
    let options = web_sys::IdleRequestOptions::new();
    options.set_timeout(10_000);
    let _ = leptos::prelude::window()
        .request_idle_callback_with_options(warm.unchecked_ref(), &options);
}

fn full_format(d: &js_sys::Date) -> String {
    FULL.with(|f| {
        f.format()
            .call1(&JsValue::UNDEFINED, d)
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    })
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn the_tooltip_reads_as_to_locale_string_does() {
        for ms in [1_764_000_000_000u64, 1_700_000_123_456, 946_684_799_000] {
            let d = js_sys::Date::new(&JsValue::from_f64(ms as f64));
            let expected: String = d.to_locale_string("default", &JsValue::UNDEFINED).into();
            let clock = super::clock(ms).expect("a clock");
            assert_eq!(clock.full, expected);
            assert!(!clock.full.is_empty());
        }
    }
}
