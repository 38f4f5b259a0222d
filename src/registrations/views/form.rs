//! The registration form of a live event page. Rendered by the server and sent as a plain post
//! (`/p/{shortId}/register`), so it works without JavaScript; a refused form comes back filled
//! in, with each message beside its field (`FormAnswer`).

use crate::pages::questions::{CustomField, FieldKind, FormConfig, PhoneField};
use crate::registrations::form::HONEYPOT;
use crate::registrations::model::{FormAnswer, Seats};
use leptos::prelude::*;

#[component]
pub fn RegistrationForm(
    short_id: String,
    seats: Seats,
    form: FormConfig,
    /// In the editor's preview: shown, not sent.
    preview: bool,
    answer: FormAnswer,
) -> impl IntoView {
    let full = seats.left() == 0;
    let seats_line = view! { <p class="reg-seats" data-testid="seats">{seats.describe()}</p> };
    if answer.sent {
        // The answer depends on the event (full or not), never on the person: someone who holds a
        // seat already and sends the form again after the event filled is told the same as a
        // newcomer, and the mail sent to them says what is true for them (a seat, or a place in
        // line). So the full answer must be true for both.
        let text = if answer.waitlist {
            "The event is full, so new registrations go on the waitlist. Check your inbox: we've emailed you where you stand and a link to manage it."
        } else {
            "Check your inbox: we've emailed your confirmation, with a calendar invitation and a link to manage your registration."
        };
        return view! {
            <section class="reg" id="register">
                {seats_line}
                <p class="form-notice" role="status" data-testid="registration-sent">{text}</p>
            </section>
        }
        .into_any();
    }
    if full && !seats.waitlist_enabled {
        return view! {
            <section class="reg" id="register">
                <p class="reg-full" role="status" data-testid="fully-booked">"Fully booked: every place has been taken."</p>
            </section>
        }
        .into_any();
    }
    let action = format!("/p/{short_id}/register");
    let error = |name: &str| answer.error(name);
    let field_text = |name: &'static str, label: &'static str, kind: &'static str, autocomplete: &'static str, required: bool| {
        let id = format!("reg-{name}");
        let err_id = format!("{id}-error");
        let message = error(name);
        view! {
            <div class="field">
                <label for=id.clone()>{label}{(!required).then(|| view! { <span class="optional">" (optional)"</span> })}</label>
                <input id=id name=name type=kind autocomplete=autocomplete required=required value=answer.value(name)
                    aria-invalid=if message.is_some() { "true" } else { "false" } aria-describedby=err_id.clone()/>
                <p class="field-error" id=err_id>{message}</p>
            </div>
        }
    };
    let questions = form.fields.iter().map(|q| question(q, &answer)).collect_view();
    view! {
        <section class="reg" id="register" aria-labelledby="reg-title">
            <h2 id="reg-title">{if full { "Join the waitlist" } else { "Register" }}</h2>
            {seats_line}
            {answer.message.clone().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <form id=FORM_ID method="post" action=action class="reg-form" novalidate=true>
                <p class="form-error" id="reg-form-error" role="alert">{error("form")}</p>
                {field_text("name", "Your name", "text", "name", true)}
                {field_text("email", "Email", "email", "email", true)}
                {(form.phone != PhoneField::Hidden).then(|| field_text("phone", "Phone (with country code, e.g. +44 20 7946 0958)", "tel", "tel", form.phone == PhoneField::Required))}
                {questions}
                <div class="reg-hp" aria-hidden="true">
                    <label for="reg-website">"Leave this empty"</label>
                    <input id="reg-website" name=HONEYPOT type="text" tabindex="-1" autocomplete="off"/>
                </div>
                <button class="button" type="submit" disabled=preview>{if full { "Join the waitlist" } else { "Register" }}</button>
            </form>
            {(!preview).then(|| view! { <RegistrationChecks form_json=serde_json::to_string(&form).unwrap_or_default()/> })}
        </section>
    }
    .into_any()
}

/// One of the creator's questions, with its answer so far and its message.
fn question(q: &CustomField, answer: &FormAnswer) -> AnyView {
    let name = q.input_name();
    let id = format!("reg-{name}");
    let err_id = format!("{id}-error");
    let message = answer.error(&name);
    let invalid = if message.is_some() { "true" } else { "false" };
    let chosen = answer.values_of(&name);
    let optional = (!q.required).then(|| view! { <span class="optional">" (optional)"</span> });
    let link = q.link.clone().map(|href| view! { " " <a href=href target="_blank" rel="noopener">"(read)"</a> });
    let error = view! { <p class="field-error" id=err_id.clone()>{message.clone()}</p> };
    match q.kind {
        FieldKind::ShortText | FieldKind::LongText => {
            let value = chosen.first().cloned().unwrap_or_default();
            let control = if q.kind == FieldKind::LongText {
                view! { <textarea id=id.clone() name=name.clone() rows="4" maxlength=q.kind.max_chars().to_string() required=q.required aria-invalid=invalid aria-describedby=err_id.clone()>{value}</textarea> }.into_any()
            } else {
                view! { <input id=id.clone() name=name.clone() type="text" maxlength=q.kind.max_chars().to_string() required=q.required value=value aria-invalid=invalid aria-describedby=err_id.clone()/> }.into_any()
            };
            view! { <div class="field"><label for=id>{q.label.clone()}{optional}{link}</label>{control}{error}</div> }.into_any()
        }
        FieldKind::SingleChoice | FieldKind::MultipleChoice => {
            let kind = if q.kind == FieldKind::SingleChoice { "radio" } else { "checkbox" };
            let options = q
                .options
                .iter()
                .enumerate()
                .map(|(i, option)| {
                    let option_id = format!("{id}-{i}");
                    let checked = chosen.iter().any(|c| c == option);
                    view! {
                        <label class="choice" for=option_id.clone()>
                            <input id=option_id.clone() type=kind name=name.clone() value=option.clone() checked=checked/>
                            " " {option.clone()}
                        </label>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="field" aria-invalid=invalid aria-describedby=err_id.clone()>
                    <legend>{q.label.clone()}{optional}{link}</legend>
                    {options}
                    {error}
                </fieldset>
            }
            .into_any()
        }
        FieldKind::Checkbox => {
            let checked = !chosen.is_empty();
            view! {
                <div class="field field--check">
                    <label for=id.clone()>
                        <input id=id.clone() type="checkbox" name=name value="on" checked=checked required=q.required aria-invalid=invalid aria-describedby=err_id.clone()/>
                        " " {q.label.clone()}{link}
                    </label>
                    {error}
                </div>
            }
            .into_any()
        }
    }
}

/// The form's id, for the island that checks it.
const FORM_ID: &str = "reg-form";

/// Checks the form in the browser before it is sent, with the server's own validator
/// (`registrations::form::validate`): a mistake shows beside its field without a round trip; a
/// form that passes is sent as the plain post it is. The island renders nothing and holds only
/// the form's shape as JSON; the validator (Unicode tables and all, about 15 KB) is a lazy chunk
/// fetched at the first submit, so a visitor who only looks pays nothing for it (issue 8's
/// first-visit budget). The island itself is not split off: a split island of its own cut the
/// code it shares with the notify-me island into more, smaller chunks, and put the scheduled
/// page 1.1 KB over that budget.
#[island]
fn RegistrationChecks(form_json: String) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        crate::ui::islands::report_hydrated();
        checks::attach(form_json);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = form_json;
}

#[cfg(feature = "hydrate")]
mod checks {
    use super::FORM_ID;
    use crate::ui::islands::element;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    /// The validator, in a chunk of its own in a split build (see build.rs): (field, message) for
    /// each problem.
    #[cfg(wasm_split)]
    #[leptos::lazy]
    fn problems(form_json: String, pairs: Vec<(String, String)>) -> Vec<(String, String)> {
        check(form_json, pairs)
    }

    /// The validator, in the one wasm file of a build that was not split.
    #[cfg(not(wasm_split))]
    async fn problems(form_json: String, pairs: Vec<(String, String)>) -> Vec<(String, String)> {
        check(form_json, pairs)
    }

    fn check(form_json: String, pairs: Vec<(String, String)>) -> Vec<(String, String)> {
        let Ok(config) = serde_json::from_str::<crate::pages::questions::FormConfig>(&form_json) else { return Vec::new() };
        match crate::registrations::form::validate(&config, &pairs) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
        }
    }

    fn form() -> Option<web_sys::HtmlFormElement> {
        element(FORM_ID).and_then(|e| e.dyn_into::<web_sys::HtmlFormElement>().ok())
    }

    /// The form's fields as the browser would send them (unticked boxes absent, as on the wire).
    fn pairs(form: &web_sys::HtmlFormElement) -> Vec<(String, String)> {
        let Ok(data) = web_sys::FormData::new_with_form(form) else { return Vec::new() };
        let Ok(controls) = form.query_selector_all("[name]") else { return Vec::new() };
        let mut names: Vec<String> = Vec::new();
        for i in 0..controls.length() {
            let name = controls.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.get_attribute("name"));
            if let Some(name) = name.filter(|n| !names.contains(n)) {
                names.push(name);
            }
        }
        let mut pairs = Vec::new();
        for name in names {
            for value in data.get_all(&name).iter() {
                if let Some(value) = value.as_string() {
                    pairs.push((name.clone(), value));
                }
            }
        }
        pairs
    }

    /// Clears the messages of an earlier try.
    fn clear(form: &web_sys::HtmlFormElement) {
        if let Ok(slots) = form.query_selector_all(".field-error, .form-error") {
            for i in 0..slots.length() {
                if let Some(slot) = slots.item(i) {
                    slot.set_text_content(None);
                }
            }
        }
        if let Ok(marked) = form.query_selector_all("[aria-invalid=true]") {
            for i in 0..marked.length() {
                if let Some(el) = marked.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                    let _ = el.set_attribute("aria-invalid", "false");
                }
            }
        }
    }

    pub fn attach(form_json: String) {
        let Some(target) = form() else { return };
        let on_submit = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            ev.prevent_default();
            let Some(form) = form() else { return };
            let fields = pairs(&form);
            let form_json = form_json.clone();
            leptos::task::spawn_local(async move {
                let found = problems(form_json, fields).await;
                clear(&form);
                if found.is_empty() {
                    // Sent as the plain post it is (this does not come back through the listener).
                    let _ = form.submit();
                    return;
                }
                let mut first = None;
                for (field, message) in &found {
                    if let Some(slot) = element(&format!("reg-{field}-error")) {
                        slot.set_text_content(Some(message));
                    }
                    if let Some(control) = element(&format!("reg-{field}")) {
                        let _ = control.set_attribute("aria-invalid", "true");
                        first.get_or_insert(control);
                    }
                }
                if let Some(el) = first.and_then(|c| c.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            });
        });
        let _ = target.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        // The listener lives as long as the page.
        on_submit.forget();
    }
}
