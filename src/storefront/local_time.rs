//! An event's times in the visitor's own zone, which only the browser knows.
//!
//! Formatted by the browser's own `Intl` (through `Date.toLocaleString`): no time-zone or
//! formatting code in the visitor's download.

use leptos::prelude::*;

/// Empty in the server's HTML (so the first browser render matches it), filled in once hydrated.
#[island]
pub fn LocalTime(starts_at_ms: i64, ends_at_ms: i64) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    crate::ui::islands::report_hydrated();
    let local = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| local.set(Some(format!("{} (your time)", local_range(starts_at_ms, ends_at_ms)))));
    #[cfg(not(feature = "hydrate"))]
    let _ = (starts_at_ms, ends_at_ms);
    view! { <span class="pp-local">{move || local.get()}</span> }
}

/// "Thursday 3 December 2026 at 22:00 – 23:30": the date once when both ends fall on the same
/// local day, like the server's own range in the event's zone.
#[cfg(feature = "hydrate")]
fn local_range(start_ms: i64, end_ms: i64) -> String {
    use web_sys::js_sys::{Date, Object, Reflect};
    let options = |pairs: &[(&str, &str)]| {
        let o = Object::new();
        for (k, v) in pairs {
            let _ = Reflect::set(&o, &(*k).into(), &(*v).into());
        }
        o
    };
    let day = options(&[("weekday", "long"), ("day", "numeric"), ("month", "long"), ("year", "numeric"), ("hour", "2-digit"), ("minute", "2-digit")]);
    let time = options(&[("hour", "2-digit"), ("minute", "2-digit")]);
    let (start, end) = (Date::new(&(start_ms as f64).into()), Date::new(&(end_ms as f64).into()));
    let same_day = String::from(start.to_date_string()) == String::from(end.to_date_string());
    let end_text = end.to_locale_string("en-GB", if same_day { &time } else { &day });
    format!("{} – {}", String::from(start.to_locale_string("en-GB", &day)), String::from(end_text))
}
