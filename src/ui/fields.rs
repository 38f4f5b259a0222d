//! Accessible form pieces: every input has a label; errors are linked with `aria-describedby`,
//! flagged with `aria-invalid`, and announced politely. The same validation functions the server
//! runs give inline feedback in the browser on blur.

use crate::error::AppError;
use leptos::prelude::*;

/// The refusal of a form sent to server function `F` without JavaScript: leptos redirects back to
/// the form's page with it in `__err` (and the function's path in `__path`). Read on the server,
/// so the page renders the message (or each field's) without any script.
pub fn refusal_in_address<F: leptos::server_fn::ServerFn>() -> Option<AppError> {
    leptos_router::hooks::use_query_map().with_untracked(|q| {
        q.get("__err").filter(|_| q.get("__path").as_deref() == Some(F::url())).map(|e| leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(&e))
    })
}

/// A refusal's message for the form as a whole: only when it names no field (field messages
/// stand beside their fields).
pub fn refusal_summary(error: &Option<AppError>) -> Option<String> {
    error.as_ref().filter(|e| e.fields.is_empty()).map(|e| e.message.clone())
}

/// A refusal's message for one field.
pub fn refusal_field(error: &Option<AppError>, field: &str) -> Option<String> {
    error.as_ref().and_then(|e| e.field_message(field))
}

/// A checker shared with the server: `Some(message)` when the value is not acceptable.
pub type Check = fn(&str) -> Option<String>;

#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    /// The server's message for this field, if the last submission had one.
    #[prop(into)]
    server_error: Signal<Option<String>>,
    /// Inline check run in the browser when the field loses focus.
    #[prop(optional)]
    check: Option<Check>,
    #[prop(optional, into)] value: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let local_error = RwSignal::new(None::<String>);
    // A new server answer replaces whatever the inline check said.
    Effect::new(move |_| {
        server_error.track();
        local_error.set(None);
    });
    let error = move || local_error.get().or_else(|| server_error.get());
    let described_by = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let on_blur = move |ev: leptos::ev::FocusEvent| {
        if let Some(check) = check {
            let value = event_target_value(&ev);
            local_error.set(if value.is_empty() { None } else { check(&value) });
        }
    };
    view! {
        <div class="field" class:field--invalid=move || error().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id.clone()
                name=name
                type=kind
                autocomplete=autocomplete
                required=true
                value=value
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                on:blur=on_blur
            />
            <p class="field-error" id=error_id aria-live="polite">
                {move || error().unwrap_or_default()}
            </p>
        </div>
    }
}

/// The error of the last submission of a form, split into what goes where.
#[derive(Clone, Copy)]
pub struct FormErrors {
    error: Signal<Option<AppError>>,
}

impl FormErrors {
    pub fn new(error: Signal<Option<AppError>>) -> Self {
        Self { error }
    }

    /// The message for one field.
    pub fn field(self, name: &'static str) -> Signal<Option<String>> {
        let error = self.error;
        Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
    }

    /// The message for the form as a whole, when the error is not about particular fields.
    pub fn summary(self) -> Signal<Option<String>> {
        let error = self.error;
        Signal::derive(move || error.get().map(|e| e.message))
    }
}

/// The alert at the top of a form.
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <div class="form-alert" role="alert">
                    {m}
                </div>
            }
        })
    }
}
