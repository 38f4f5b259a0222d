//! The forgotten-password pages: ask for a link (`/forgot-password`), then choose a new password
//! from it (`/reset-password/{token}`). Plain server-rendered forms, no island: they work the
//! same with and without JavaScript, a refusal comes back in the address (leptos' `__err`) and is
//! shown beside its field, and the visitor's wasm does not grow for pages they never see.

use crate::accounts::api::{self, RequestPasswordReset, ResetPassword as ResetPasswordFn};
use crate::accounts::validation::RESET_LINK_DEAD;
use crate::ui::fields::{Field, FormAlert, refusal_field, refusal_in_address, refusal_summary};
use crate::ui::head::Title;
use crate::ui::layout::AuthCard;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ForgotPassword() -> impl IntoView {
    let sent = use_query_map().with_untracked(|q| q.get("sent").is_some());
    let error = refusal_in_address::<RequestPasswordReset>();
    view! {
        <Title text="Forgot your password? · Flashpage"/>
        <AuthCard title="Forgot your password?" subtitle="We'll email you a link to choose a new one.">
            {sent.then(|| view! {
                <div class="form-notice" role="status" data-testid="reset-sent">
                    "If an account uses that address, a link is on its way. It works once, within an hour. \
                     Nothing after a few minutes? Check your spam folder, or ask again."
                </div>
            })}
            <FormAlert message=refusal_summary(&error)/>
            <form method="post" action=RequestPasswordReset::url() class="form" novalidate>
                <Field label="Email" name="email" kind="email" autocomplete="email" server_error=refusal_field(&error, "email")/>
                <button class="button button--block" type="submit">"Send me a reset link"</button>
            </form>
            <p class="auth-switch">"Remembered it? "<a href="/login">"Log in"</a></p>
        </AuthCard>
    }
}

#[component]
pub fn ResetPassword() -> impl IntoView {
    let token = use_params_map().with_untracked(|p| p.get("token").unwrap_or_default());
    let error = refusal_in_address::<ResetPasswordFn>();
    let works = Resource::new(move || token.clone(), api::reset_link_works);
    view! {
        <Title text="Choose a new password · Flashpage"/>
        // The token is in the address: keep it out of search engines.
        <Meta name="robots" content="noindex"/>
        <AuthCard title="Choose a new password" subtitle="Setting it logs you out on every other device.">
            <Suspense fallback=|| ()>
                {move || {
                    let error = error.clone();
                    Suspend::new(async move {
                        match works.await {
                            Ok(true) => view! {
                                <FormAlert message=refusal_summary(&error)/>
                                <form method="post" action=ResetPasswordFn::url() class="form" novalidate>
                                    <input type="hidden" name="token" value=use_params_map().with_untracked(|p| p.get("token").unwrap_or_default())/>
                                    <Field
                                        label="New password"
                                        name="password"
                                        kind="password"
                                        autocomplete="new-password"
                                        hint=crate::accounts::validation::PASSWORD_HINT
                                        server_error=refusal_field(&error, "password")
                                    />
                                    <button class="button button--block" type="submit">"Set new password"</button>
                                </form>
                            }
                            .into_any(),
                            _ => view! {
                                <div class="form-alert" role="alert" data-testid="reset-dead">{RESET_LINK_DEAD}</div>
                                <p class="auth-switch"><a href="/forgot-password">"Send me a new link"</a></p>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Suspense>
        </AuthCard>
    }
}
