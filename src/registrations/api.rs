//! The public "notify me" sign-up.

use crate::error::AppError;
use leptos::prelude::*;

/// Stores an email to tell about the launch of the page behind `short_id`. Signing up twice is
/// not an error (the answer is the same, and nothing is stored twice).
#[server(prefix = "/api", endpoint = "notify-me")]
pub async fn notify_me(short_id: String, email: String) -> Result<(), AppError> {
    let ctx = crate::server::request::RequestCtx::current()?;
    super::server::notify_me(&ctx.state, &short_id, &email, ctx.client_ip().as_deref()).await?;
    leptos_axum::redirect(&format!("/p/{short_id}?notified=1"));
    Ok(())
}
