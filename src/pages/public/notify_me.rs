//! The "notify me" form of a page before its launch (and after a countdown that offers it).

use leptos::prelude::*;

/// The "notify me" sign-up: one email field, a plain form post without JavaScript. Hydrated on
/// demand (after the countdown): without it, or before it, the form still posts.
#[island(lazy)]
pub fn NotifyMe(
    short_id: String,
    /// In the editor's preview: shown, not sent.
    preview: bool,
    /// The creator's button label (empty: "Notify me").
    label: String,
    /// Sent without JavaScript: the server came back with `?notified=1`.
    notified: bool,
) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    crate::ui::islands::report_hydrated();
    let label = if label.trim().is_empty() { "Notify me".to_string() } else { label };
    let action = ServerAction::<crate::registrations::api::NotifyMe>::new();
    let done = move || action.value().get().is_some_and(|r| r.is_ok()) || (notified && action.value().get().is_none());
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let email_error = Signal::derive(move || error.get().and_then(|e| e.field_message("email").or(Some(e.message))));
    view! {
        <section class="notify">
            <Show
                when=done
                fallback=move || {
                    let short_id = short_id.clone();
                    let label = label.clone();
                    view! {
                        <ActionForm action=action attr:class="notify-form" attr:novalidate=true>
                            <input type="hidden" name="short_id" value=short_id/>
                            <label for="notify-email">"Get an email when it starts"</label>
                            <div class="notify-row">
                                <input id="notify-email" name="email" type="email" autocomplete="email" required=true
                                    placeholder="you@example.com"
                                    aria-invalid=move || if email_error.get().is_some() { "true" } else { "false" }
                                    aria-describedby="notify-email-error"/>
                                <button class="button" type="submit" disabled=preview>{label}</button>
                            </div>
                            <p class="field-error" id="notify-email-error" aria-live="polite">{move || email_error.get().unwrap_or_default()}</p>
                        </ActionForm>
                    }
                }
            >
                <p class="form-notice" role="status">"Thanks! We'll email you when it starts."</p>
            </Show>
        </section>
    }
}
