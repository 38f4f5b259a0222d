//! Account server functions. Thin: read the request, call the service, set the cookie, redirect.
//! Each works from a plain HTML form post (no JavaScript) and from the hydrated app.

use super::model::CurrentUser;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::request::RequestCtx;

#[cfg(feature = "ssr")]
fn client(ctx: &RequestCtx) -> crate::accounts::server::service::Client {
    crate::accounts::server::service::Client { ip: ctx.client_ip(), user_agent: ctx.user_agent() }
}

#[server(prefix = "/api", endpoint = "signup")]
pub async fn signup(name: String, email: String, password: String) -> Result<(), AppError> {
    use crate::accounts::server::{service, sessions};
    let ctx = RequestCtx::current()?;
    let token = service::signup(&ctx.state, &client(&ctx), &name, &email, &password).await?;
    ctx.set_cookie(&sessions::session_cookie(&token, ctx.state.config.session_ttl_hours, ctx.state.config.secure_cookies()));
    leptos_axum::redirect("/dashboard");
    Ok(())
}

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::accounts::server::{service, sessions};
    let ctx = RequestCtx::current()?;
    let token = service::login(&ctx.state, &client(&ctx), &email, &password).await?;
    ctx.set_cookie(&sessions::session_cookie(&token, ctx.state.config.session_ttl_hours, ctx.state.config.secure_cookies()));
    leptos_axum::redirect(&service::safe_next(next.as_deref()));
    Ok(())
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::accounts::server::{service, sessions};
    let ctx = RequestCtx::current()?;
    let user = ctx.user().await.ok().flatten();
    service::logout(&ctx.state, &client(&ctx), ctx.session_token().as_deref(), user.as_ref().map(|u| u.id.as_str()))
        .await?;
    ctx.set_cookie(&sessions::clear_cookie(ctx.state.config.secure_cookies()));
    leptos_axum::redirect("/login?signed_out=1");
    Ok(())
}

/// The signed-in user, or `None` for visitors.
#[server(prefix = "/api", endpoint = "me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.user().await
}
