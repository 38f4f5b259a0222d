//! The public "notify me" sign-up.

use crate::error::AppError;
use leptos::prelude::*;

/// Stores an email to tell about the launch of the page behind `short_id`. Signing up twice is
/// not an error (the answer is the same, and nothing is stored twice).
#[server(prefix = "/api", endpoint = "notify-me")]
pub async fn notify_me(short_id: String, email: String) -> Result<(), AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    super::backend::notify_me(guard.state(), &short_id, &email, guard.client().ip.as_deref()).await?;
    crate::infra::request::redirect(&format!("/p/{short_id}?notified=1"))
}
