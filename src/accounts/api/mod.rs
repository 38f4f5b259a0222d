//! Account server functions. Thin: the guard, the service, the cookie, the redirect.
//! Each works from a plain HTML form post (no JavaScript) and from the hydrated app.

mod team;

pub use team::*;

use super::model::CurrentUser;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::accounts::guard::Guard;
#[cfg(feature = "ssr")]
use crate::infra::request::redirect;

/// Signs up: the same answer for any address (the link, or a note to an existing account's
/// owner, goes by mail).
#[server(prefix = "/api", endpoint = "signup")]
pub async fn signup(name: String, email: String, password: String) -> Result<(), AppError> {
    use crate::accounts::backend::service;
    let guard = Guard::current()?;
    let state = guard.state();
    service::signup(state, &guard.client(), &name, &email, &password).await?;
    redirect("/signup?sent=1")
}

/// Confirms a new account's address from the mailed link, and signs in.
#[server(prefix = "/api", endpoint = "account/confirm")]
pub async fn confirm_account(token: String) -> Result<(), AppError> {
    use crate::accounts::backend::{service, sessions};
    let guard = Guard::current()?;
    let state = guard.state();
    let session = service::confirm_account(state, &guard.client(), &token).await?;
    guard.set_cookie(&sessions::session_cookie(&session, state.config.session_ttl_hours, state.config.secure_cookies()));
    redirect("/dashboard?confirmed=1")
}

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::accounts::backend::{service, sessions};
    let guard = Guard::current()?;
    let state = guard.state();
    let token = service::login(state, &guard.client(), &email, &password).await?;
    guard.set_cookie(&sessions::session_cookie(&token, state.config.session_ttl_hours, state.config.secure_cookies()));
    redirect(&service::safe_next(next.as_deref(), &state.config.public_url))
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::accounts::backend::{service, sessions};
    let guard = Guard::current()?;
    let user = guard.user().await.ok().flatten();
    service::logout(guard.state(), &guard.client(), guard.session_token().as_deref(), user.as_ref().map(|u| u.id.as_str())).await?;
    guard.set_cookie(&sessions::clear_cookie(guard.state().config.secure_cookies()));
    redirect("/login?signed_out=1")
}

/// The signed-in user, or `None` for visitors.
#[server(prefix = "/api", endpoint = "me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    Guard::current()?.user().await
}

/// Asks for a reset link. The answer is the same whether the address has an account or not.
#[server(prefix = "/api", endpoint = "password/forgot")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    crate::accounts::backend::service::request_password_reset(guard.state(), &guard.client(), &email).await?;
    redirect("/forgot-password?sent=1")
}

/// Whether a reset link still works (the reset page shows the form only then).
#[server(prefix = "/api", endpoint = "password/link")]
pub async fn reset_link_works(token: String) -> Result<bool, AppError> {
    let guard = Guard::current()?;
    crate::accounts::backend::service::reset_link_works(guard.state(), &token).await
}

/// Sets a new password from a reset link, and signs in (every other session has ended).
#[server(prefix = "/api", endpoint = "password/reset")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use crate::accounts::backend::{service, sessions};
    let guard = Guard::current()?;
    let state = guard.state();
    let session = service::reset_password(state, &guard.client(), &token, &password).await?;
    guard.set_cookie(&sessions::session_cookie(&session, state.config.session_ttl_hours, state.config.secure_cookies()));
    redirect("/dashboard?password_reset=1")
}

/// The account page: the person's own name, address, pending address and signed-in browsers.
#[server(prefix = "/api", endpoint = "account")]
pub async fn load_account() -> Result<super::model::AccountView, AppError> {
    use crate::accounts::guard::can;
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ViewDashboard>().await?;
    crate::accounts::backend::service::settings::overview(guard.state(), &scope, guard.session_token().as_deref()).await
}

#[server(prefix = "/api", endpoint = "account/name")]
pub async fn save_account_name(name: String) -> Result<(), AppError> {
    use crate::accounts::guard::can;
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ViewDashboard>().await?;
    crate::accounts::backend::service::settings::save_name(guard.state(), &scope, &name).await?;
    redirect("/dashboard/account?saved=name")
}

/// A new password (the current one first); every other browser is logged out.
#[server(prefix = "/api", endpoint = "account/password")]
pub async fn change_account_password(current_password: String, new_password: String) -> Result<(), AppError> {
    use crate::accounts::guard::can;
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ViewDashboard>().await?;
    let session = guard.session_token().unwrap_or_default();
    crate::accounts::backend::service::settings::change_password(guard.state(), &scope, &guard.client(), &session, &current_password, &new_password).await?;
    redirect("/dashboard/account?saved=password")
}

/// Sends a confirmation link to a new address (the current password first).
#[server(prefix = "/api", endpoint = "account/email")]
pub async fn change_account_email(email: String, password: String) -> Result<(), AppError> {
    use crate::accounts::guard::can;
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ViewDashboard>().await?;
    crate::accounts::backend::service::settings::request_email_change(guard.state(), &scope, &guard.client(), &email, &password).await?;
    redirect("/dashboard/account?saved=email")
}

/// Logs one of the person's other browsers out.
#[server(prefix = "/api", endpoint = "account/sessions/end")]
pub async fn end_account_session(id: String) -> Result<(), AppError> {
    use crate::accounts::guard::can;
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ViewDashboard>().await?;
    crate::accounts::backend::service::settings::end_session(guard.state(), &scope, &guard.client(), &id).await?;
    redirect("/dashboard/account?saved=session")
}

/// The owner deletes the organization, after typing its name (`confirm`) and their password.
#[server(prefix = "/api", endpoint = "account/delete-organization")]
pub async fn delete_organization(confirm: String, password: String) -> Result<(), AppError> {
    use crate::accounts::backend::sessions;
    use crate::accounts::guard::can;
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ViewDashboard>().await?;
    crate::accounts::backend::service::deletion::delete_organization(guard.state(), &scope, &confirm, &password).await?;
    guard.set_cookie(&sessions::clear_cookie(guard.state().config.secure_cookies()));
    redirect("/?deleted=1")
}

/// A member deletes their own account, after typing their email (`confirm`) and password.
#[server(prefix = "/api", endpoint = "account/delete")]
pub async fn delete_own_account(confirm: String, password: String) -> Result<(), AppError> {
    use crate::accounts::backend::sessions;
    use crate::accounts::guard::can;
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ViewDashboard>().await?;
    crate::accounts::backend::service::deletion::delete_own_account(guard.state(), &scope, &confirm, &password).await?;
    guard.set_cookie(&sessions::clear_cookie(guard.state().config.secure_cookies()));
    redirect("/?deleted=account")
}

/// Logs every other browser out.
#[server(prefix = "/api", endpoint = "account/sessions/end-others")]
pub async fn end_other_account_sessions() -> Result<(), AppError> {
    use crate::accounts::guard::can;
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ViewDashboard>().await?;
    let session = guard.session_token().unwrap_or_default();
    crate::accounts::backend::service::settings::end_other_sessions(guard.state(), &scope, &guard.client(), &session).await?;
    redirect("/dashboard/account?saved=sessions")
}

/// The new address a confirmation link is for, while the link works.
#[server(prefix = "/api", endpoint = "account/email/link")]
pub async fn email_link_address(token: String) -> Result<Option<String>, AppError> {
    let guard = Guard::current()?;
    crate::accounts::backend::service::settings::email_link(guard.state(), &token).await
}

/// Confirms a new address from its link (a button on the link's page).
#[server(prefix = "/api", endpoint = "account/email/confirm")]
pub async fn confirm_email_change(token: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    crate::accounts::backend::service::settings::confirm_email_change(guard.state(), &guard.client(), &token).await?;
    redirect("/confirm-email/done")
}

/// The organization's security log (admins), newest first, filtered by kind and person.
#[server(prefix = "/api", endpoint = "security-log")]
pub async fn load_security_log(event: Option<String>, person: Option<String>, older_than: Option<String>) -> Result<super::model::SecurityLogView, AppError> {
    use crate::accounts::guard::can;
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ViewSecurityLog>().await?;
    crate::accounts::backend::service::audit::read(guard.state(), &scope, event, person, older_than).await
}
