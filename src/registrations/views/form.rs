//! The registration form of a live event page. Rendered by the server and sent as a plain post
//! (`/p/{shortId}/register`), so it works without JavaScript; a refused form comes back filled
//! in, with each message beside its field (`FormAnswer`).

use crate::registrations::form::{CustomField, FieldKind, FormConfig, HONEYPOT, PhoneField};
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
        let text = if answer.waitlist {
            "The event is full, so you're on the waitlist. Check your inbox: we've emailed your place in line and a link to manage it."
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
            {error("form").map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <form method="post" action=action class="reg-form" novalidate=true>
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
