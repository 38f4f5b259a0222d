//! The sign-up page, the answer it gives (the same for every address), and the page a new
//! account's confirmation link opens.

use crate::accounts::api;
use crate::accounts::validation::{check_password, normalize_email, normalize_name};
use crate::ui::fields::refusal_in_address;
use crate::ui::fields::{Field, FormAlert, FormErrors};
use crate::ui::head::Title;
use crate::ui::layout::AuthCard;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

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
    let sent = use_query_map().with_untracked(|q| q.get("sent").is_some());
    if sent {
        return view! {
            <Title text="Check your inbox · Flashpage"/>
            <AuthCard title="Check your inbox" subtitle="One step left: confirm your address.">
                {sent_notice()}
                <p class="auth-switch">"Confirmed already? "<a href="/login">"Log in"</a></p>
            </AuthCard>
        }
        .into_any();
    }
    view! {
        <Title text="Create your account · Flashpage"/>
        <AuthCard title="Create your account" subtitle="Start free. Your first pages can be live in minutes.">
            <SignupForm/>
            <p class="auth-switch">"Already have an account? "<a href="/login">"Log in"</a></p>
        </AuthCard>
    }
    .into_any()
}

/// The answer to every sign-up, in the same words whatever the address: whether it has an account
/// is told only to its inbox.
fn sent_notice() -> impl IntoView {
    view! {
        <div class="form-notice" role="status" data-testid="signup-sent">
            "Check your inbox: we've sent a message to the address you gave. Open the link in it to confirm the \
             address and start using your account (it works for 7 days). If the address has an account already, \
             the message tells you how to log in instead. Nothing after a few minutes? Check your spam folder."
        </div>
    }
}

/// The page a new account's confirmation link opens: one button (mail scanners open links, they
/// don't press buttons), which confirms the address and signs in. A plain form: no island.
#[component]
pub fn ConfirmAccount() -> impl IntoView {
    let token = use_params_map().with_untracked(|p| p.get("token").unwrap_or_default());
    let refusal = refusal_in_address::<api::ConfirmAccount>();
    view! {
        <Title text="Confirm your address · Flashpage"/>
        // The token is in the address: keep it out of search engines.
        <Meta name="robots" content="noindex"/>
        <AuthCard title="Confirm your address" subtitle="Then your account is ready.">
            {match refusal {
                Some(refusal) => view! {
                    <div class="form-alert" role="alert">{refusal.message}</div>
                    <p class="auth-switch"><a href="/login">"Log in"</a></p>
                }
                .into_any(),
                None => view! {
                    <form method="post" action=api::ConfirmAccount::url() class="form">
                        <input type="hidden" name="token" value=token/>
                        <button class="button button--block" type="submit">"Confirm and continue"</button>
                    </form>
                }
                .into_any(),
            }}
        </AuthCard>
    }
}

/// The form, hydrated for inline checks (the server's own rules) and the answer in place: with
/// JavaScript the server's redirect to this same page is not followed (see
/// `ui::islands::follow_redirects_elsewhere`), so the island shows the answer itself.
// Loaded on demand in a split build (see build.rs).
#[cfg_attr(wasm_split, island(lazy))]
#[cfg_attr(not(wasm_split), island)]
fn SignupForm() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    crate::ui::islands::report_hydrated();
    let action = ServerAction::<api::Signup>::new();
    let errors = FormErrors::new(Signal::derive(move || action.value().get().and_then(Result::err)));
    let sent = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Show when=sent>{sent_notice()}</Show>
        <FormAlert message=errors.summary()/>
        <ActionForm action=action attr:class="form" attr:novalidate=true attr:hidden=sent>
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
