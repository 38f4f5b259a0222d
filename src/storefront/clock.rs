//! The visitor's clock, corrected to the server's.
//!
//! On the server the clock is the render instant, so the HTML is right with JavaScript off. In the
//! browser it starts at the same instant (identical hydration), then ticks from the browser's
//! clock shifted by the skew measured at hydration: a visitor whose clock is wrong still sees the
//! server's deadline.
//!
//! Times are Unix milliseconds here, not chrono values: this runs in the visitor's first download,
//! and the browser's own `Date.now()` is all it needs.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Unix milliseconds of `t`, the unit the countdown works in.
pub fn unix_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A signal holding "now" (Unix ms), server-corrected, updated four times a second in the browser.
pub fn corrected_clock(server_now_ms: i64) -> ReadSignal<i64> {
    let (now, set_now) = signal(server_now_ms);
    Effect::new(move |_| {
        let skew = server_now_ms - browser_now_ms();
        let tick = move || set_now.set(browser_now_ms() + skew);
        tick();
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_millis(250)) {
            on_cleanup(move || handle.clear());
        }
    });
    now
}

#[cfg(feature = "hydrate")]
fn browser_now_ms() -> i64 {
    web_sys::js_sys::Date::now() as i64
}

/// Effects never run on the server; this keeps the clock's code one for both sides.
#[cfg(not(feature = "hydrate"))]
fn browser_now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Whole seconds left from `now_ms` until `target_ms` (never negative).
pub fn seconds_left(now_ms: i64, target_ms: i64) -> i64 {
    let left = target_ms - now_ms;
    if left <= 0 { 0 } else { (left + 999) / 1000 }
}

/// Days, hours, minutes, seconds.
pub fn split(seconds: i64) -> (i64, i64, i64, i64) {
    (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60, seconds % 60)
}

/// What a screen reader hears: coarse, so a polite live region is not chatty.
pub fn spoken(seconds: i64) -> String {
    let (d, h, m, _) = split(seconds);
    match (d, h, m) {
        _ if seconds == 0 => "Time is up.".into(),
        (0, 0, 0) => "Less than a minute left.".into(),
        (0, 0, m) => format!("{m} minute{} left.", if m == 1 { "" } else { "s" }),
        (0, h, _) => format!("About {h} hour{} left.", if h == 1 { "" } else { "s" }),
        (d, _, _) => format!("{d} day{} left.", if d == 1 { "" } else { "s" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_second_around_zero() {
        let target = unix_ms(Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).single().expect("valid"));
        assert_eq!(seconds_left(target - 1001, target), 2);
        assert_eq!(seconds_left(target - 1000, target), 1);
        assert_eq!(seconds_left(target - 1, target), 1, "still counting in the last millisecond");
        assert_eq!(seconds_left(target, target), 0);
        assert_eq!(seconds_left(target + 500, target), 0);
    }

    #[test]
    fn splits_and_speaks() {
        assert_eq!(split(2 * 86_400 + 3 * 3600 + 4 * 60 + 5), (2, 3, 4, 5));
        assert_eq!(spoken(0), "Time is up.");
        assert_eq!(spoken(59), "Less than a minute left.");
        assert_eq!(spoken(61), "1 minute left.");
        assert_eq!(spoken(3 * 3600 + 5), "About 3 hours left.");
        assert_eq!(spoken(86_400 * 2), "2 days left.");
    }
}
