use crate::accounts::api;
use crate::accounts::validation::normalize_email;
use crate::ui::fields::{Field, FormAlert, FormErrors};
use crate::ui::head::Title;
use crate::ui::layout::AuthCard;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn email_check(v: &str) -> Option<String> {
    normalize_email(v).err()
}

#[component]
pub fn Login() -> impl IntoView {
    let query = use_query_map();
    let next = query.with_untracked(|q| q.get("next")).unwrap_or_default();
    let signed_out = query.with_untracked(|q| q.get("signed_out").is_some());
    view! {
        <Title text="Log in · Flashpage"/>
        <AuthCard title="Welcome back" subtitle="Log in to manage your pages.">
            <LoginForm next signed_out/>
            <p class="auth-switch">"New to Flashpage? "<a href="/signup">"Create an account"</a></p>
        </AuthCard>
    }
}

/// The form, hydrated for inline checks and the server's answer in place. `next` is where to go
/// after logging in; `signed_out` says the visitor just logged out.
// Loaded on demand in a split build (see build.rs).
#[cfg_attr(wasm_split, island(lazy))]
#[cfg_attr(not(wasm_split), island)]
fn LoginForm(next: String, signed_out: bool) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    crate::ui::islands::report_hydrated();
    let action = ServerAction::<api::Login>::new();
    let errors = FormErrors::new(Signal::derive(move || action.value().get().and_then(Result::err)));
    let signed_out = move || signed_out && action.value().get().is_none();
    view! {
        <Show when=signed_out>
            <div class="form-notice" role="status">"You have been logged out."</div>
        </Show>
        <FormAlert message=errors.summary()/>
        <ActionForm action=action attr:class="form" attr:novalidate=true>
            <input type="hidden" name="next" value=next/>
            <Field label="Email" name="email" kind="email" autocomplete="email" server_error=errors.field("email") check=email_check/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password" server_error=errors.field("password")/>
            <p class="form-aside"><a href="/forgot-password">"Forgot your password?"</a></p>
            <button class="button button--block" type="submit" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Logging in…" } else { "Log in" }}
            </button>
        </ActionForm>
    }
}
