//! The "notify me" form of a page before its launch (and after a countdown that offers it).

use crate::registrations::api::NotifyMe as NotifyMeFn;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

/// How a notify-me form sent without JavaScript came back: `?notified=1`, or with the server's
/// refusal in the address (leptos puts it in `__err`, for the server function named in `__path`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NotifyAnswer {
    pub notified: bool,
    /// The message to show beside the email field.
    pub error: Option<String>,
}

impl NotifyAnswer {
    pub fn from_query(notified: bool, path: Option<&str>, error: Option<&str>) -> NotifyAnswer {
        let error = error.filter(|_| path == Some(NotifyMeFn::url())).map(|encoded| {
            let err = leptos::server_fn::error::ServerFnUrlError::<crate::error::AppError>::decode_err(encoded);
            err.field_message("email").unwrap_or(err.message)
        });
        NotifyAnswer { notified, error }
    }
}

/// The "notify me" sign-up: one email field, a plain form post without JavaScript. Hydrated on
/// demand (after the countdown): without it, or before it, the form still posts.
///
/// Hydrated, it sends the form itself (`ui::post`) rather than through a `ServerAction`, whose
/// client would add about 50 KB of wasm to a scheduled page, the one a visitor meets first.
#[island(lazy)]
pub fn NotifyMe(
    short_id: String,
    /// In the editor's preview: shown, not sent.
    preview: bool,
    /// The creator's button label (empty: "Notify me").
    label: String,
    /// What a post sent without JavaScript came back with.
    answer: NotifyAnswer,
) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    crate::ui::islands::report_hydrated();
    let label = if label.trim().is_empty() { "Notify me".to_string() } else { label };
    let done = RwSignal::new(answer.notified);
    let email_error = RwSignal::new(answer.error);
    let pending = RwSignal::new(false);
    let email_input = NodeRef::<leptos::html::Input>::new();
    let on_submit = {
        let short_id = short_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if preview || pending.get_untracked() {
                return;
            }
            let email = email_input.get_untracked().map(|input| input.value()).unwrap_or_default();
            pending.set(true);
            email_error.set(None);
            send(short_id.clone(), email, move |outcome| {
                pending.set(false);
                match outcome {
                    Ok(()) => done.set(true),
                    Err(message) => email_error.set(Some(message)),
                }
            });
        }
    };
    view! {
        <section class="notify">
            <Show
                when=move || done.get()
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
                                <button class="button" type="submit" disabled=move || preview || pending.get()>{label}</button>
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

/// Sends the sign-up; `done` gets the message to show beside the field when it was refused.
#[cfg(feature = "hydrate")]
fn send(short_id: String, email: String, done: impl FnOnce(Result<(), String>) + 'static) {
    use crate::ui::post::{Payload, post};
    post(NotifyMeFn::url(), Payload::Fields(vec![("short_id", short_id), ("email", email)]), None, move |answer| {
        done(answer.map(|_| ()).map_err(|e| e.field_message("email").unwrap_or(e.message)));
    });
}

/// The server never submits a form.
#[cfg(not(feature = "hydrate"))]
fn send(_short_id: String, _email: String, _done: impl FnOnce(Result<(), String>) + 'static) {}
