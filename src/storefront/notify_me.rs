//! The "notify me" form of a page before its launch (and after a countdown that offers it).
//!
//! The form is rendered by the server and works as a plain post. With JavaScript, a small island
//! sends it in place instead. That island renders nothing and holds no view of the form: it
//! reads and updates the server's markup through the DOM. Rendering the form inside the island
//! (signals, `<Show>`, reactive attributes) put about 35 KB of shared leptos code in front of a
//! scheduled page's visitors; this way the form's behaviour costs a few KB (issue 8's budget).

use super::api::NotifyMe as NotifyMeFn;
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

/// The ids the island finds the form's parts by.
const FORM_ID: &str = "notify-form";
const EMAIL_ID: &str = "notify-email";
const ERROR_ID: &str = "notify-email-error";
const THANKS_ID: &str = "notify-thanks";

/// The "notify me" sign-up: one email field and the thank-you line (hidden until it applies).
#[component]
pub fn NotifyMe(
    short_id: String,
    /// In the editor's preview: shown, not sent.
    preview: bool,
    /// The creator's button label (empty: "Notify me").
    label: String,
    /// What a post sent without JavaScript came back with.
    answer: NotifyAnswer,
) -> impl IntoView {
    let label = if label.trim().is_empty() { "Notify me".to_string() } else { label };
    let invalid = if answer.error.is_some() { "true" } else { "false" };
    view! {
        <section class="notify">
            <form id=FORM_ID method="post" action=NotifyMeFn::url() class="notify-form" novalidate=true hidden=answer.notified>
                <input type="hidden" name="short_id" value=short_id.clone()/>
                <label for=EMAIL_ID>"Get an email when it starts"</label>
                <div class="notify-row">
                    <input id=EMAIL_ID name="email" type="email" autocomplete="email" required=true
                        placeholder="you@example.com" aria-invalid=invalid aria-describedby=ERROR_ID/>
                    <button class="button" type="submit" disabled=preview>{label}</button>
                </div>
                <p class="field-error" id=ERROR_ID aria-live="polite">{answer.error}</p>
            </form>
            <p id=THANKS_ID class="form-notice" role="status" hidden=!answer.notified>"Thanks! We'll email you when it starts."</p>
            {(!preview).then(|| view! { <NotifyMeInPlace short_id/> })}
        </section>
    }
}

/// Sends the form above in place once hydrated (on demand: it is not needed to see the page).
// Loaded on demand in a split build (see build.rs).
#[cfg_attr(wasm_split, island(lazy))]
#[cfg_attr(not(wasm_split), island)]
fn NotifyMeInPlace(short_id: String) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        crate::ui::islands::report_hydrated();
        in_place::take_over(short_id);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = short_id;
}

/// The island's work, on the DOM the server rendered.
#[cfg(feature = "hydrate")]
mod in_place {
    use super::*;
    use crate::ui::islands::element;
    use crate::ui::post::{Payload, post};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    /// Handles the form's submit: one request at a time, the server's message beside the field,
    /// the thank-you line on success.
    pub fn take_over(short_id: String) {
        let Some(form) = element(FORM_ID) else { return };
        let on_submit = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            ev.prevent_default();
            let (Some(form), Some(input), Some(error)) = (element(FORM_ID), element(EMAIL_ID), element(ERROR_ID)) else { return };
            let Ok(Some(button)) = form.query_selector("button[type=submit]") else { return };
            if button.has_attribute("disabled") {
                return; // already sending
            }
            let email = input.dyn_ref::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let _ = button.set_attribute("disabled", "");
            error.set_text_content(None);
            post(NotifyMeFn::url(), Payload::Fields(vec![("short_id", short_id.clone()), ("email", email)]), None, move |answer| {
                let _ = button.remove_attribute("disabled");
                match answer {
                    Ok(_) => {
                        let _ = form.set_attribute("hidden", "");
                        if let Some(thanks) = element(THANKS_ID) {
                            let _ = thanks.remove_attribute("hidden");
                        }
                    }
                    Err(e) => {
                        let _ = input.set_attribute("aria-invalid", "true");
                        error.set_text_content(Some(&e.field_message("email").unwrap_or(e.message)));
                    }
                }
            });
        });
        let _ = form.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        // The listener lives as long as the page.
        on_submit.forget();
    }
}
