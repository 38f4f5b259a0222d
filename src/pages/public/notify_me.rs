//! The "notify me" form of a page before its launch (and after a countdown that offers it).

use crate::registrations::api::NotifyMe as NotifyMeFn;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

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
    // Dispatched by hand rather than through `ActionForm`, which decodes the form generically and
    // would put a query-string parser into the visitor's download. The action still picks up the
    // error of a post sent without JavaScript (`?__err=`).
    let action = ServerAction::<NotifyMeFn>::new();
    let email_input = NodeRef::<leptos::html::Input>::new();
    let on_submit = {
        let short_id = short_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if preview || action.pending().get_untracked() {
                return;
            }
            let email = email_input.get_untracked().map(|input| input.value()).unwrap_or_default();
            action.dispatch(NotifyMeFn { short_id: short_id.clone(), email });
        }
    };
    let done = move || action.value().get().is_some_and(|r| r.is_ok()) || (notified && action.value().get().is_none());
    let email_error = Signal::derive(move || action.value().get().and_then(Result::err).map(|e| e.field_message("email").unwrap_or(e.message)));
    view! {
        <section class="notify">
            <Show
                when=done
                fallback=move || {
                    let short_id = short_id.clone();
                    let label = label.clone();
                    view! {
                        <form method="post" action=NotifyMeFn::url() class="notify-form" novalidate=true on:submit=on_submit.clone()>
                            <input type="hidden" name="short_id" value=short_id/>
                            <label for="notify-email">"Get an email when it starts"</label>
                            <div class="notify-row">
                                <input node_ref=email_input id="notify-email" name="email" type="email" autocomplete="email" required=true
                                    placeholder="you@example.com"
                                    aria-invalid=move || if email_error.get().is_some() { "true" } else { "false" }
                                    aria-describedby="notify-email-error"/>
                                <button class="button" type="submit" disabled=move || preview || action.pending().get()>{label}</button>
                            </div>
                            <p class="field-error" id="notify-email-error" aria-live="polite">{move || email_error.get().unwrap_or_default()}</p>
                        </form>
                    }
                }
            >
                <p class="form-notice" role="status">"Thanks! We'll email you when it starts."</p>
            </Show>
        </section>
    }
}
