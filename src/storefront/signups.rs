//! The visitor's sign-ups on a page ("notify me" and the registration form), checked against the
//! page as visitors see it now: the cached copy, so a rush of sign-ups costs no page query each.
//! What is stored, and the seat limit, are the registrations domain's.

use super::backend::{lookup, source};
use crate::error::AppError;
use crate::infra::state::AppState;
use crate::registrations::backend as registrations;
use crate::registrations::backend::service::{ForPage, Refused, Sent, no_such_page};

/// Stores an email to tell about the launch of the page behind `short_id`. The phase the server
/// sees now decides: before the launch when the creator offers it, and after a countdown whose
/// action is to show the form.
pub async fn notify_me(state: &AppState, short_id: &str, email: &str, ip: Option<&str>) -> Result<(), AppError> {
    let email = registrations::screen_notify_me(state, email, ip).await?;
    let (page_id, page) = lookup(state, short_id).await?;
    if page.notify_me().is_none() {
        return Err(AppError::invalid("This page isn't collecting sign-ups right now."));
    }
    registrations::notify_me(state, &page_id, &email, ip).await
}

/// Takes a registration from the form's fields (`POST /p/{short_id}/register`).
pub async fn register(state: &AppState, short_id: &str, pairs: &[(String, String)], client_ip: Option<&str>) -> Result<Sent, Refused> {
    if let Some(sent) = registrations::service::screen(state, short_id, pairs, client_ip).await? {
        return Ok(sent);
    }
    let cached = source(state, short_id).await.map_err(Refused::bare)?.ok_or_else(no_such_page)?;
    let page = ForPage { short_id, page_id: &cached.page_id, settings: &cached.source.settings, full: cached.source.remaining == Some(0) };
    registrations::service::register(state, page, pairs, client_ip).await
}
