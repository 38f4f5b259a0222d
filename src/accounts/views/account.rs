//! `/dashboard/account`: the person's own name, email, password and signed-in browsers; and
//! `/confirm-email/{token}`, where a new address is confirmed with a button (mail scanners open
//! links, they don't press buttons). Plain forms: each posts, comes back with `?saved=…` or with
//! the refusal beside its field, with or without JavaScript.

use crate::accounts::api::{
    ChangeAccountEmail, ChangeAccountPassword, ConfirmEmailChange, DeleteOrganization, DeleteOwnAccount, EndAccountSession, EndOtherAccountSessions,
    SaveAccountName, email_link_address, load_account,
};
use crate::accounts::model::{AccountView, SessionView};
use crate::error::AppError;
use crate::ui::fields::{Field, FormAlert, refusal_field, refusal_in_address, refusal_summary};
use crate::ui::head::Title;
use crate::ui::layout::{AppFrame, AuthCard};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The refusal that came back from one of the page's forms, and which.
#[derive(Clone, Default)]
struct Refusals {
    name: Option<AppError>,
    email: Option<AppError>,
    password: Option<AppError>,
    sessions: Option<AppError>,
    deletion: Option<AppError>,
}

#[component]
pub fn AccountRoute() -> impl IntoView {
    let saved = use_query_map().with_untracked(|q| q.get("saved"));
    let refusals = Refusals {
        name: refusal_in_address::<SaveAccountName>(),
        email: refusal_in_address::<ChangeAccountEmail>(),
        password: refusal_in_address::<ChangeAccountPassword>(),
        sessions: refusal_in_address::<EndAccountSession>().or_else(refusal_in_address::<EndOtherAccountSessions>),
        deletion: refusal_in_address::<DeleteOrganization>().or_else(refusal_in_address::<DeleteOwnAccount>),
    };
    let account = Resource::new(|| (), |_| load_account());
    let header = view! { <a class="back-link" href="/dashboard">"← Dashboard"</a> }.into_any();
    let notice = saved.as_deref().and_then(|s| match s {
        "name" => Some("Your name is saved.".to_string()),
        "password" => Some("Your new password is set. Every other browser has been logged out.".to_string()),
        "email" => Some("Check the inbox of the new address: the change happens when you use the link we sent there.".to_string()),
        "session" => Some("That browser is logged out.".to_string()),
        "sessions" => Some("Every other browser is logged out.".to_string()),
        _ => None,
    });
    view! {
        <Title text="Your account · Flashpage"/>
        <AppFrame current="/dashboard/account" header>
            <div class="panel-head"><h1>"Your account"</h1></div>
            {notice.map(|n| view! { <div class="form-notice" role="status" data-testid="account-saved">{n}</div> })}
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || {
                    let refusals = refusals.clone();
                    Suspend::new(async move {
                        match account.await {
                            Ok(v) => view! { <Account v refusals/> }.into_any(),
                            Err(error) => view! { <crate::ui::status::LoadRefused error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </AppFrame>
    }
}

#[component]
fn Account(v: AccountView, refusals: Refusals) -> impl IntoView {
    let others = v.sessions.iter().filter(|s| !s.current).count();
    view! {
        <section class="panel-grid account-grid">
            <article class="panel" aria-labelledby="account-name">
                <h2 id="account-name">"Name"</h2>
                <FormAlert message=refusal_summary(&refusals.name)/>
                <form method="post" action=SaveAccountName::url() class="form" novalidate>
                    <Field label="Your name" name="name" autocomplete="name" value=v.name.clone() server_error=refusal_field(&refusals.name, "name")/>
                    <button class="button" type="submit">"Save name"</button>
                </form>
            </article>
            <article class="panel" aria-labelledby="account-email">
                <h2 id="account-email">"Email"</h2>
                <p>"You log in with " <strong data-testid="account-email">{v.email.clone()}</strong> "."</p>
                {v.pending_email.clone().map(|p| view! {
                    <p class="field-hint" data-testid="pending-email">"Waiting for " <strong>{p}</strong> " to be confirmed from the link we sent there."</p>
                })}
                <FormAlert message=refusal_summary(&refusals.email)/>
                <form method="post" action=ChangeAccountEmail::url() class="form" novalidate>
                    <Field label="New email address" name="email" kind="email" autocomplete="email" server_error=refusal_field(&refusals.email, "email")/>
                    <Field label="Your current password" name="password" kind="password" autocomplete="current-password" server_error=refusal_field(&refusals.email, "current_password")/>
                    <button class="button" type="submit">"Send a confirmation link"</button>
                </form>
            </article>
            <article class="panel" aria-labelledby="account-password">
                <h2 id="account-password">"Password"</h2>
                <FormAlert message=refusal_summary(&refusals.password)/>
                <form method="post" action=ChangeAccountPassword::url() class="form" novalidate>
                    <Field label="Current password" name="current_password" kind="password" autocomplete="current-password" server_error=refusal_field(&refusals.password, "current_password")/>
                    <Field
                        label="New password"
                        name="new_password"
                        kind="password"
                        autocomplete="new-password"
                        hint="At least 10 characters. Every other browser is logged out."
                        server_error=refusal_field(&refusals.password, "new_password")
                    />
                    <button class="button" type="submit">"Change password"</button>
                </form>
            </article>
        </section>
        <section class="panel sessions-panel" aria-labelledby="account-sessions">
            <h2 id="account-sessions">"Where you're logged in"</h2>
            <FormAlert message=refusals.sessions.as_ref().map(|e| e.message.clone())/>
            <div class="table-wrap">
                <table class="pages-table" data-testid="sessions">
                    <thead><tr><th scope="col">"Browser"</th><th scope="col">"Address"</th><th scope="col">"Logged in"</th><th scope="col">"Last used"</th><th scope="col"><span class="visually-hidden">"Action"</span></th></tr></thead>
                    <tbody>{v.sessions.into_iter().map(session_row).collect_view()}</tbody>
                </table>
            </div>
            {(others > 0).then(|| view! {
                <form method="post" action=EndOtherAccountSessions::url()>
                    <button class="button button--ghost" type="submit">"Log out every other browser"</button>
                </form>
            })}
        </section>
        <section class="panel" aria-labelledby="account-data">
            <h2 id="account-data">"Your data"</h2>
            {v.can_export.then(|| view! {
                <p>"Download everything: the organization, its members, pages and products as JSON, and its orders and registrations as spreadsheets (CSV)."</p>
                <ul class="download-list" data-testid="exports">
                    <li><a href="/dashboard/export/organization.json" download>"Organization (JSON)"</a></li>
                    <li><a href="/dashboard/orders.csv" download>"Orders (CSV)"</a></li>
                    <li><a href="/dashboard/export/registrations.csv" download>"Registrations (CSV)"</a></li>
                </ul>
            })}
            {match v.owner_of.clone() {
                Some(name) => deletion_form(name, &refusals.deletion),
                None => own_deletion_form(v.email.clone(), &refusals.deletion),
            }}
        </section>
    }
}

/// A member's "delete my account": what goes, what stays, the email to type, the password.
fn own_deletion_form(email: String, refusal: &Option<AppError>) -> AnyView {
    view! {
        <div class="danger-zone" data-testid="delete-account">
            <h3>"Delete your account"</h3>
            <p>"You are logged out everywhere and can't log in again. The pages and products you made stay with the organization (its owner takes them over)."</p>
            <FormAlert message=refusal_summary(refusal)/>
            <form method="post" action=DeleteOwnAccount::url() class="form" novalidate>
                <p>"To confirm, type your email address: " <strong>{email}</strong></p>
                <Field label="Your email address" name="confirm" kind="email" autocomplete="off" server_error=refusal_field(refusal, "confirm")/>
                <Field label="Your password" name="password" kind="password" autocomplete="current-password" server_error=refusal_field(refusal, "current_password")/>
                <button class="button button--danger" type="submit">"Delete my account"</button>
            </form>
        </div>
    }
    .into_any()
}

/// The owner's "delete the organization": its consequences, the name to type, the password.
fn deletion_form(name: String, refusal: &Option<AppError>) -> AnyView {
    view! {
        <div class="danger-zone" data-testid="delete-organization">
            <h3>"Delete the organization"</h3>
            <p>
                "Every page goes offline at once and is deleted, with its registrations (registrants are told the event is off); "
                "products and their files, every member's account and the security log go too; a paid plan ends now, without a refund. "
                "Orders stay, without any link to you, because the law keeps sales records for years. Download the data above first."
            </p>
            <FormAlert message=refusal_summary(refusal)/>
            <form method="post" action=DeleteOrganization::url() class="form" novalidate>
                <p>"To confirm, type the organization's name: " <strong data-testid="organization-name">{name}</strong></p>
                <Field label="Organization's name" name="confirm" autocomplete="off" server_error=refusal_field(refusal, "confirm")/>
                <Field label="Your password" name="password" kind="password" autocomplete="current-password" server_error=refusal_field(refusal, "current_password")/>
                <button class="button button--danger" type="submit">"Delete the organization forever"</button>
            </form>
        </div>
    }
    .into_any()
}

fn session_row(s: SessionView) -> impl IntoView {
    view! {
        <tr>
            <td>{s.device.clone()} {s.current.then(|| view! { <span class="badge badge--live">" This browser"</span> })}</td>
            <td>{s.ip.clone().unwrap_or_else(|| "unknown".into())}</td>
            <td>{s.started.clone()}</td>
            <td>{s.last_used.clone()}</td>
            <td>
                {(!s.current).then(|| view! {
                    <form method="post" action=EndAccountSession::url()>
                        <input type="hidden" name="id" value=s.id.clone()/>
                        <button class="button button--ghost button--small" type="submit" aria-label=format!("Log out {}", s.device)>"Log out"</button>
                    </form>
                })}
            </td>
        </tr>
    }
}

/// `/confirm-email/{token}` (and `/confirm-email/done` after the button).
#[component]
pub fn ConfirmEmailRoute() -> impl IntoView {
    let token = use_params_map().with_untracked(|p| p.get("token").unwrap_or_default());
    let done = token == "done";
    let refusal = refusal_in_address::<ConfirmEmailChange>();
    let address = Resource::new(move || token.clone(), |token| async move { if token == "done" { Ok(None) } else { email_link_address(token).await } });
    view! {
        <Title text="Confirm your email address · Flashpage"/>
        <Meta name="robots" content="noindex"/>
        <AuthCard title="Your email address" subtitle="The address you log in with and get mail at.">
            <Suspense fallback=|| ()>
                {move || {
                    let refusal = refusal.clone();
                    Suspend::new(async move {
                        if done {
                            return view! {
                                <div class="form-notice" role="status" data-testid="email-confirmed">"Done: your account uses its new address. Log in with it from now on."</div>
                                <p class="auth-switch"><a href="/dashboard/account">"Your account"</a></p>
                            }
                            .into_any();
                        }
                        match (address.await, refusal) {
                            (_, Some(refusal)) => view! { <div class="form-alert" role="alert">{refusal.message}</div> }.into_any(),
                            (Ok(Some(email)), None) => view! {
                                <p>"Use " <strong>{email}</strong> " to log in to Flashpage from now on?"</p>
                                <form method="post" action=ConfirmEmailChange::url() class="form">
                                    <input type="hidden" name="token" value=use_params_map().with_untracked(|p| p.get("token").unwrap_or_default())/>
                                    <button class="button button--block" type="submit">"Confirm new address"</button>
                                </form>
                            }
                            .into_any(),
                            _ => view! {
                                <div class="form-alert" role="alert" data-testid="email-link-dead">{crate::accounts::validation::EMAIL_LINK_DEAD}</div>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Suspense>
        </AuthCard>
    }
}
