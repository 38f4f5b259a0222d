//! The public page's one server function.

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

/// The page as it is now, asked for again when a countdown reaches zero: the server decides by
/// its own clock whether the phase changed, so a visitor's clock cannot reveal anything early.
/// Not counted as a view.
#[server(prefix = "/api", endpoint = "p/now")]
pub async fn refresh_public_page(short_id: String) -> Result<PublicPage, AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    Ok(super::backend::lookup(guard.state(), &short_id).await?.1)
}
