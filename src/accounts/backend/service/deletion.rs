//! A member deletes their own account (their pages and products stay with the organization,
//! passed to its owner, as when a member is removed); the owner deletes the organization: after typing its name and their password, its pages go
//! offline at once (an event's registrants are told, with a calendar cancellation), its paid
//! subscription ends at the payment provider, its files leave object storage, and everything
//! personal is deleted (see `accounts::backend::writer::organization`). Orders stay, detached, for tax.
//!
//! The steps are ordered so that a failure leaves nothing half-deleted that matters: the
//! subscription is ended first (a provider that is down stops everything, nothing changed);
//! pages go offline and are deleted one by one through their write path; the rows go in one
//! transaction; the files last (a file left by a failed delete is unreachable, its key unknown
//! to any page). The first two are billing's and pages' parts ([`OrganizationEnding`]), which
//! stand above accounts; `web::startup` registers them in that order.

use super::settings::check_current_password;
use crate::accounts::backend::writer::organization;
use crate::accounts::guard::{Scope, can};
use crate::error::AppError;
use crate::infra::state::AppState;
use crate::infra::storage::ObjectKey;
use futures_util::future::BoxFuture;
use std::sync::Arc;

/// A part of deleting an organization that a domain above accounts owns (ending the paid plan at
/// the payment provider, taking the pages offline and telling their registrants). Those domains
/// register their part at start-up; `web::startup` lists them, in the order they run, and
/// [`delete_organization`] runs them before the rows go. A part that fails stops the deletion.
pub trait OrganizationEnding: Send + Sync {
    fn end<'a>(&'a self, state: &'a AppState, organization_id: &'a str) -> BoxFuture<'a, Result<(), AppError>>;
}

/// The registered parts, in order (a part of the app state).
#[derive(Clone)]
pub struct EndingParts(pub Arc<Vec<Arc<dyn OrganizationEnding>>>);

/// What the owner must type to confirm: the organization's name, as shown on the page.
pub fn confirmation_matches(typed: &str, organization_name: &str) -> bool {
    typed.trim() == organization_name.trim()
}

pub async fn delete_organization(state: &AppState, scope: &Scope<can::ViewDashboard>, typed_name: &str, password: &str) -> Result<(), AppError> {
    let org = scope.organization_id().to_string();
    let owner = crate::accounts::backend::store::owner_of(&state.db, &org).await?;
    if owner != scope.user_id() {
        return Err(AppError::forbidden("Only the owner can delete the organization. Ask them, or to be made the owner."));
    }
    if !confirmation_matches(typed_name, &scope.user().organization_name) {
        return Err(AppError::field("confirm", format!("Type the organization's name, {}, to confirm.", scope.user().organization_name)));
    }
    check_current_password(state, scope, password).await?;

    let keys = organization::stored_keys(&state.db, &org).await?;
    let parts = state.part::<EndingParts>().0.clone();
    for part in parts.iter() {
        part.end(state, &org).await?;
    }
    let members = organization::delete_organization(&state.db, &org).await?;
    let mut failed = 0;
    for key in &keys {
        let Some(object) = ObjectKey::parse_page_asset(key).or_else(|| ObjectKey::parse_product_file(key)) else { continue };
        if let Err(e) = state.storage.delete(&object).await {
            failed += 1;
            tracing::warn!(key = %key, error = %e, "a deleted organization's file could not be removed");
        }
    }
    tracing::info!(organization = %org, members, files = keys.len(), files_left = failed, "organization deleted by its owner");
    Ok(())
}

/// A member (not the owner) deletes their own account, after typing their email and password:
/// through the team's write path, so the organization's rules hold (the owner stays, one admin
/// stays) and their pages and products pass to the owner.
pub async fn delete_own_account(state: &AppState, scope: &Scope<can::ViewDashboard>, typed_email: &str, password: &str) -> Result<(), AppError> {
    let user = scope.user();
    if !typed_email.trim().eq_ignore_ascii_case(&user.email) {
        return Err(AppError::field("confirm", format!("Type your email address, {}, to confirm.", user.email)));
    }
    check_current_password(state, scope, password).await?;
    let org = scope.organization_id();
    let owner = crate::accounts::backend::store::owner_of(&state.db, org).await?;
    if owner == user.id {
        return Err(AppError::conflict("You own the organization: delete the organization, or hand it to another admin first."));
    }
    let removed = crate::accounts::backend::writer::team::remove_member(&state.db, org, &user.id, true).await?;
    let email = removed.map_err(|refusal| match refusal {
        crate::accounts::backend::writer::team::MemberRefusal::LastAdmin => {
            AppError::conflict("You're the organization's last admin. Make someone else an admin first.")
        }
        _ => AppError::conflict("Your account can't be deleted right now. Ask an admin of your organization."),
    })?;
    // The account is gone: the entry goes under the owner, so the organization's log keeps it.
    let subject = format!("{email} deleted their own account");
    let logged = crate::accounts::backend::security_log::record(
        &state.db,
        crate::accounts::backend::security_log::SecurityEvent::MemberRemoved,
        Some(&owner),
        Some(&subject),
        None,
        chrono::Utc::now().naive_utc(),
    );
    if let Err(e) = logged.await {
        tracing::warn!(error = %e, "could not write the security log");
    }
    Ok(())
}
