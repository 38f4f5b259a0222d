use crate::accounts::api;
use crate::accounts::validation::{check_password, normalize_email, normalize_name};
use crate::ui::fields::{Field, FormAlert, FormErrors};
use crate::ui::layout::AuthCard;
use leptos::prelude::*;
use crate::ui::head::Title;

fn email_check(v: &str) -> Option<String> {
    normalize_email(v).err()
}
fn name_check(v: &str) -> Option<String> {
    normalize_name(v).err()
}
fn password_check(v: &str) -> Option<String> {
    check_password(v, "", "").err()
}

#[component]
pub fn Signup() -> impl IntoView {
    view! {
        <Title text="Create your account · Flashpage"/>
        <AuthCard title="Create your account" subtitle="Start free. Your first pages can be live in minutes.">
            <SignupForm/>
            <p class="auth-switch">"Already have an account? "<a href="/login">"Log in"</a></p>
        </AuthCard>
    }
}

/// The form, hydrated for inline checks (the server's own rules) and the answer in place.
#[island(lazy)]
fn SignupForm() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    crate::ui::islands::report_hydrated();
    let action = ServerAction::<api::Signup>::new();
    let errors = FormErrors::new(Signal::derive(move || action.value().get().and_then(Result::err)));
    view! {
        <FormAlert message=errors.summary()/>
        <ActionForm action=action attr:class="form" attr:novalidate=true>
            <Field label="Your name" name="name" autocomplete="name" server_error=errors.field("name") check=name_check/>
            <Field label="Email" name="email" kind="email" autocomplete="email" server_error=errors.field("email") check=email_check/>
            <Field
                label="Password"
                name="password"
                kind="password"
                autocomplete="new-password"
                hint=crate::accounts::validation::PASSWORD_HINT
                server_error=errors.field("password")
                check=password_check
            />
            <button class="button button--block" type="submit" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Creating your account…" } else { "Create account" }}
            </button>
        </ActionForm>
    }
}
