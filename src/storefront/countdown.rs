//! The countdown: right in the server's HTML, ticking in the browser by the server-corrected
//! clock. It is the visitor's page's only eager island, so it stays small: Unix milliseconds
//! instead of chrono, a phase name from the server instead of the whole page.
//!
//! At zero the server decides what happens, by its own clock: the browser asks it for the page's
//! phase (`/api/p/now`) and loads the page again once the phase has changed (an ended page that
//! redirects answers that request with its 302). A visitor whose clock runs ahead of the
//! correction gets the same phase back and asks again after 1 s, 2 s, … up to 10 s.

use super::clock::{corrected_clock, seconds_left, split, spoken};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the browser does when a countdown reaches zero.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AtZero {
    /// The target ends the page's current phase (`phase`, by name): ask the server whether the
    /// phase has changed, and load the page again once it has.
    AskServer { short_id: String, phase: String },
    /// Something the page shows differently once passed that is not a phase (an event starting):
    /// load the page again.
    Reload,
    /// The editor's preview: never navigates.
    Stay,
}

/// The countdown with its label and deadline (those two are plain HTML).
#[component]
pub fn Countdown(label: &'static str, target: chrono::DateTime<chrono::Utc>, server_now: chrono::DateTime<chrono::Utc>, at_zero: AtZero) -> impl IntoView {
    use super::clock::unix_ms;
    view! {
        <section class="cd" aria-label=label>
            <p class="cd-label">{label}</p>
            <CountdownDigits target_ms=unix_ms(target) server_now_ms=unix_ms(server_now) at_zero/>
            <p class="cd-deadline">
                "Counting down to " <time datetime=target.to_rfc3339()>{target.format("%-d %B %Y, %H:%M UTC").to_string()}</time>
            </p>
        </section>
    }
}

/// The ticking digits. The digits are hidden from screen readers; a polite live region speaks a
/// coarse summary when it changes.
#[island]
fn CountdownDigits(target_ms: i64, server_now_ms: i64, at_zero: AtZero) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    crate::ui::islands::report_hydrated();
    let now = corrected_clock(server_now_ms);
    let left = Memo::new(move |_| seconds_left(now.get(), target_ms));
    #[cfg(feature = "hydrate")]
    act_at_zero(left, now, at_zero);
    #[cfg(not(feature = "hydrate"))]
    let _ = at_zero;
    let spoken_text = Memo::new(move |_| spoken(left.get()));
    let unit = |value: i64, name: &'static str| {
        view! {
            <span class="cd-unit">
                <span class="cd-value">{format!("{value:02}")}</span>
                <span class="cd-name">{name}</span>
            </span>
        }
    };
    view! {
        <div class="cd-digits" role="timer" aria-hidden="true" data-seconds-left=move || left.get()>
            {move || {
                let (d, h, m, s) = split(left.get());
                view! { {unit(d, "days")} {unit(h, "hours")} {unit(m, "minutes")} {unit(s, "seconds")} }
            }}
        </div>
        <p class="visually-hidden" aria-live="polite">{move || spoken_text.get()}</p>
    }
}

/// Once `left` is zero: ask the server (one request at a time, backing off while it still sees
/// the same phase) or reload, as `at_zero` says. A page that went away (switched off, expired) is
/// reloaded too, to show why.
#[cfg(feature = "hydrate")]
fn act_at_zero(left: Memo<i64>, now: ReadSignal<i64>, at_zero: AtZero) {
    let reload = || {
        let _ = window().location().reload();
    };
    let (short_id, phase) = match at_zero {
        AtZero::Stay => return,
        AtZero::Reload => {
            Effect::new(move |_| {
                if left.get() == 0 {
                    reload();
                }
            });
            return;
        }
        AtZero::AskServer { short_id, phase } => (short_id, phase),
    };
    let asking = StoredValue::new(false);
    let not_before = StoredValue::new(0i64);
    let attempts = StoredValue::new(0i64);
    Effect::new(move |_| {
        let t = now.get();
        if left.get() > 0 || asking.get_value() || t < not_before.get_value() {
            return;
        }
        asking.set_value(true);
        let (short_id, phase) = (short_id.clone(), phase.clone());
        leptos::task::spawn_local(async move {
            match super::api::phase_now(short_id).await {
                Ok(answer) if answer == phase => {
                    let n = (attempts.get_value() + 1).min(10);
                    attempts.set_value(n);
                    not_before.set_value(now.get_untracked() + n * 1000);
                    asking.set_value(false);
                }
                Ok(_) => reload(),
                Err(e) if matches!(e.kind, crate::error::ErrorKind::Gone | crate::error::ErrorKind::NotFound) => reload(),
                // The network or the server failed: try again a little later.
                Err(_) => {
                    not_before.set_value(now.get_untracked() + 5000);
                    asking.set_value(false);
                }
            }
        });
    });
}
