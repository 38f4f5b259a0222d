//! The public page's server functions.

use super::model::PublicPage;
use crate::error::AppError;
use leptos::prelude::*;

/// The page behind a short id: not found (404) for an unknown id, gone (410) when it is switched
/// off or expired. Counts a view.
#[server(prefix = "/api", endpoint = "p")]
pub async fn load_public_page(short_id: String) -> Result<PublicPage, AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    super::backend::load(guard.state(), &short_id).await
}

/// Stores an email to tell about the launch of the page behind `short_id`. Signing up twice is
/// not an error (the answer is the same, and nothing is stored twice).
#[server(prefix = "/api", endpoint = "notify-me")]
pub async fn notify_me(short_id: String, email: String) -> Result<(), AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    super::signups::notify_me(guard.state(), &short_id, &email, guard.client().ip.as_deref()).await?;
    crate::infra::request::redirect(&format!("/p/{short_id}?notified=1"))
}

/// The page's phase now, by name (`scheduled`, `live`, `ended`), asked for when a countdown
/// reaches zero: the server decides by its own clock, so a visitor's clock cannot reveal anything
/// early; the browser loads the page again once the phase has changed. Not counted as a view.
#[server(prefix = "/api", endpoint = "p/now")]
pub async fn phase_now(short_id: String) -> Result<String, AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    Ok(super::backend::lookup(guard.state(), &short_id).await?.1.phase.name().to_string())
}
