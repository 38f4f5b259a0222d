//! The editor's part for an event's registration form: whether to ask for a phone number, the
//! per-minute brake, and the creator's questions, one row each plus an empty row to add one. Plain
//! form fields (`form[questions][i][…]`), so it works without JavaScript too: a new question is
//! saved with the form, and the next visit shows another empty row.

use super::editor_fields::{EditorField, EditorSelect, Kind};
use crate::editor::form::{PageForm, QuestionForm};
use crate::pages::questions::{FieldKind, MAX_CUSTOM_FIELDS, PhoneField};
use crate::ui::fields::FormErrors;
use leptos::prelude::*;

#[component]
pub fn RegistrationFormFields(form: StoredValue<PageForm>, errors: FormErrors) -> impl IntoView {
    let mut rows = form.with_value(|f| f.questions.clone());
    if rows.len() < MAX_CUSTOM_FIELDS {
        rows.push(QuestionForm::default());
    }
    let phone_options: Vec<(&'static str, &'static str)> = PhoneField::ALL.iter().map(|p| (p.as_str(), p.label())).collect();
    let error = errors.field("questions");
    view! {
        <fieldset class="questions">
            <legend>"Registration form"</legend>
            <p class="field-hint">"Everyone gives their name and email. Add what else you need to know; to remove a question, clear its label and choices."</p>
            <EditorSelect label="Phone number" key="phoneField" options=phone_options form errors/>
            <EditorField label="Registrations per minute at most" key="registrationsPerMinute" kind=Kind::Number form errors
                hint="A brake on scripted sign-ups; empty means 1200. The registrations page shows when it turns people away."/>
            {rows.into_iter().enumerate().map(|(i, q)| question_row(i, q)).collect_view()}
            <p class="field-error" aria-live="polite" data-testid="questions-error">{move || error.get().unwrap_or_default()}</p>
        </fieldset>
    }
}

fn question_row(i: usize, q: QuestionForm) -> impl IntoView {
    let name = move |part: &str| format!("form[questions][{i}][{part}]");
    let id = move |part: &str| format!("q{i}-{part}");
    let kind = q.kind.clone().unwrap_or_else(|| FieldKind::ShortText.as_str().into());
    let legend = if q.label.as_deref().unwrap_or("").is_empty() { "New question".to_string() } else { format!("Question {}", i + 1) };
    view! {
        <fieldset class="question" data-testid="question-row">
            <legend>{legend}</legend>
            <input type="hidden" name=name("id") value=q.id.clone().unwrap_or_default()/>
            <div class="field">
                <label for=id("label")>"Question"</label>
                <input id=id("label") name=name("label") type="text" maxlength="200" value=q.label.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for=id("kind")>"Answer"</label>
                <select id=id("kind") name=name("kind")>
                    {FieldKind::ALL.into_iter().map(|k| view! { <option value=k.as_str() selected=k.as_str() == kind>{k.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field field--check">
                <label for=id("required")>"Required"</label>
                <input id=id("required") name=name("required") type="checkbox" checked=q.required.is_some()/>
            </div>
            <div class="field">
                <label for=id("options")>"Choices (one per line, for a choice)"</label>
                <textarea id=id("options") name=name("options") rows="3">{q.options.clone().unwrap_or_default()}</textarea>
            </div>
            <div class="field">
                <label for=id("link")>"Link (optional, e.g. the terms a box accepts)"</label>
                <input id=id("link") name=name("link") type="url" value=q.link.clone().unwrap_or_default()/>
            </div>
        </fieldset>
    }
}
