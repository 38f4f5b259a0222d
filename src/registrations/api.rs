//! The registration server functions: the registrant's manage link and the creator's attendee
//! views (the public "notify me" sign-up is the storefront's). Each starts with the request guard; the creator's
//! need a session and a permission, the registrant's key is the unguessable token of their link.
//! (The registration form itself posts to `web::registrations::register`, which hands it to
//! `storefront::signups`: its fields are the creator's questions.)

use super::model::{FormAnswer, ManageView, RegistrantDetail, RegistrationsView};
use crate::error::AppError;
use leptos::prelude::*;

/// A registration form refused without JavaScript: what was typed and what was wrong.
#[server(prefix = "/api", endpoint = "r/draft")]
pub async fn registration_draft(id: String) -> Result<Option<FormAnswer>, AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    Ok(super::backend::drafts::FormDrafts::of(guard.state()).get(&id).await)
}

/// What a registrant sees behind their manage link.
#[server(prefix = "/api", endpoint = "r/view")]
pub async fn load_registration(token: String) -> Result<ManageView, AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    let viewer = guard.user().await?;
    super::backend::manage::view(guard.state(), &token, viewer.as_ref()).await
}

/// The registrant cancels: their seat goes to the next person on the waitlist.
#[server(prefix = "/api", endpoint = "r/cancel")]
pub async fn cancel_registration(token: String) -> Result<(), AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    super::backend::service::leave(guard.state(), &token, super::backend::writer::Leaving::Cancel).await?;
    crate::infra::request::redirect(&format!("/r/{}?cancelled=1", safe_token(&token)))
}

/// The registrant deletes their data (seed: kept until the registrant or the creator deletes it).
#[server(prefix = "/api", endpoint = "r/delete")]
pub async fn delete_registration(token: String, confirm: Option<String>) -> Result<(), AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    if confirm.as_deref() != Some("yes") {
        return Err(AppError::field("confirm", "Tick the box to confirm that your registration and answers should be deleted."));
    }
    super::backend::service::leave(guard.state(), &token, super::backend::writer::Leaving::Delete).await?;
    crate::infra::request::redirect("/r/deleted")
}

/// A page's registrations for its creator: counts for everyone on the team, people for roles
/// that may see them. `page` counts from 1.
#[server(prefix = "/api", endpoint = "registrations/list")]
pub async fn load_registrations(page_id: String, q: Option<String>, status: Option<String>, page: Option<u32>) -> Result<RegistrationsView, AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    let scope = guard.allow::<crate::accounts::guard::can::ViewDashboard>().await?;
    super::backend::manage::overview(guard.state(), &scope, &page_id, q.as_deref().unwrap_or(""), status.as_deref(), page.unwrap_or(1)).await
}

#[server(prefix = "/api", endpoint = "registrations/detail")]
pub async fn load_registrant(id: String) -> Result<RegistrantDetail, AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    let scope = guard.allow::<crate::accounts::guard::can::ViewRegistrants>().await?;
    super::backend::manage::detail(guard.state(), &scope, &id).await
}

/// The creator's actions on one registrant: `remove`, `move` (from the waitlist), `check-in`,
/// `undo-check-in`, `resend`, `delete` (the person's data, whatever their status). Without JavaScript the browser goes back to `back` (a dashboard
/// path) afterwards.
#[server(prefix = "/api", endpoint = "registrations/act")]
pub async fn act_on_registrant(id: String, action: String, back: Option<String>) -> Result<(), AppError> {
    use super::backend::service;
    let guard = crate::accounts::guard::Guard::current()?;
    let scope = guard.allow::<crate::accounts::guard::can::ManageRegistrants>().await?;
    let state = guard.state();
    match action.as_str() {
        "remove" => service::remove(state, &scope, &id).await?,
        "move" => service::move_from_waitlist(state, &scope, &id).await?,
        "check-in" => service::check_in(state, &scope, &id, true).await?,
        "undo-check-in" => service::check_in(state, &scope, &id, false).await?,
        "resend" => service::resend(state, &scope, &id).await?,
        "delete" => service::delete(state, &scope, &id).await?,
        _ => return Err(AppError::invalid("That action doesn't exist.")),
    }
    match back.filter(|b| b.starts_with("/dashboard/") || b.starts_with("/r/")) {
        Some(back) => crate::infra::request::redirect(&back),
        None => Ok(()),
    }
}

/// Only the characters a token has, for putting it back into an address.
#[cfg(feature = "ssr")]
fn safe_token(token: &str) -> String {
    token.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}
