//! Account server functions. Thin: the guard, the service, the cookie, the redirect.
//! Each works from a plain HTML form post (no JavaScript) and from the hydrated app.

use super::model::CurrentUser;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::accounts::guard::Guard;
#[cfg(feature = "ssr")]
use crate::infra::request::redirect;

#[server(prefix = "/api", endpoint = "signup")]
pub async fn signup(name: String, email: String, password: String) -> Result<(), AppError> {
    use crate::accounts::backend::{service, sessions};
    let guard = Guard::current()?;
    let state = guard.state();
    let token = service::signup(state, &guard.client(), &name, &email, &password).await?;
    guard.set_cookie(&sessions::session_cookie(&token, state.config.session_ttl_hours, state.config.secure_cookies()));
    redirect("/dashboard")
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
    service::logout(guard.state(), &guard.client(), guard.session_token().as_deref(), user.as_ref().map(|u| u.id.as_str()))
        .await?;
    guard.set_cookie(&sessions::clear_cookie(guard.state().config.secure_cookies()));
    redirect("/login?signed_out=1")
}

/// The signed-in user, or `None` for visitors.
#[server(prefix = "/api", endpoint = "me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    Guard::current()?.user().await
}
