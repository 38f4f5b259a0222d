//! Getting paid (Stripe Connect, Express): the organization's owner holds the connected account
//! (`users.stripe_account`, seed) that the organization's sales are paid out to, less the plan's
//! platform fee. With the test checkout nothing is paid out and nothing is needed but the owner's
//! confirmed address.

use crate::accounts::guard::{Scope, can};
use crate::db_read;
use crate::db_write;
use crate::error::{AppError, ErrorKind};
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{organizations, users};
use crate::infra::db::{Db, DbError};
use crate::infra::payments::{AccountStatus, Payments};
use crate::infra::state::AppState;
use crate::orders::model::PayoutsView;
use chrono::{DateTime, Utc};

/// The organization's connected account: (owner's user id, owner's email, account id, status).
pub async fn account_of(db: &Db, org_id: &str) -> Result<(String, String, Option<String>, AccountStatus), DbError> {
    let row: (String, String, Option<String>, bool, bool, bool) = db_read!(db, conn => {
        Ok::<_, DbError>(organizations::table
            .inner_join(users::table.on(users::id.eq(organizations::owner_id)))
            .filter(organizations::id.eq(org_id))
            .select((users::id, users::email, users::stripe_account, users::stripe_charges_enabled, users::stripe_payouts_enabled, users::stripe_details_submitted))
            .first(conn)
            .await?)
    })?;
    let (user_id, email, account, charges_enabled, payouts_enabled, details_submitted) = row;
    Ok((user_id, email, account, AccountStatus { charges_enabled, payouts_enabled, details_submitted }))
}

/// Selling and payouts need the owner's address confirmed: the money, the receipts' reply
/// address and Stripe's account all hang on it. (An account logs in only once confirmed, so this
/// holds already; checked here too, where the money starts, and when a product block goes on
/// a page, so no other way in can skip it.)
pub async fn check_owner_confirmed(db: &Db, org_id: &str) -> Result<(), AppError> {
    let confirmed: Option<chrono::NaiveDateTime> = db_read!(db, conn => {
        Ok::<_, DbError>(organizations::table
            .inner_join(users::table.on(users::id.eq(organizations::owner_id)))
            .filter(organizations::id.eq(org_id))
            .select(users::email_confirmed_at)
            .first(conn)
            .await?)
    })?;
    if confirmed.is_some() {
        Ok(())
    } else {
        Err(AppError::forbidden("Confirm the owner's email address first (the link we mailed it), then publish pages that sell or set up payouts."))
    }
}

/// Where the organization's sales go, for a checkout: the account id, when the provider pays out
/// (else `None`). Refused while the account cannot take charges.
pub async fn destination(state: &AppState, org_id: &str) -> Result<Option<String>, AppError> {
    if Payments::of(state).provider.payouts().is_none() {
        return Ok(None);
    }
    match account_of(&state.db, org_id).await? {
        (_, _, Some(account), status) if status.charges_enabled => Ok(Some(account)),
        _ => Err(AppError::conflict("This shop can't take payments yet. Nothing was charged; please try again later.")),
    }
}

/// Whether the organization may publish a page that sells: always with the test checkout; with
/// Stripe once its connected account can take charges.
pub async fn check_can_sell(state: &AppState, org_id: &str) -> Result<(), AppError> {
    check_owner_confirmed(&state.db, org_id).await?;
    if Payments::of(state).provider.payouts().is_none() {
        return Ok(());
    }
    let (_, _, _, status) = account_of(&state.db, org_id).await?;
    if status.charges_enabled {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorKind::Conflict,
            "This page sells products, and your payouts aren't set up yet. Set them up under Get paid (/dashboard/payouts), then publish.",
        ))
    }
}

async fn store_status(db: &Db, account_id: &str, status: AccountStatus) -> Result<usize, DbError> {
    db_write!(db, conn => {
        Ok(diesel::update(users::table.filter(users::stripe_account.eq(account_id)))
            .set((
                users::stripe_charges_enabled.eq(status.charges_enabled),
                users::stripe_payouts_enabled.eq(status.payouts_enabled),
                users::stripe_details_submitted.eq(status.details_submitted),
            ))
            .execute(conn)
            .await?)
    })
}

/// Applies an `account.updated` event, once.
pub async fn account_updated(db: &Db, event_id: &str, account_id: &str, status: AccountStatus, now: DateTime<Utc>) -> Result<(), DbError> {
    let at = now.naive_utc();
    db_write!(db, conn => {
        if !crate::orders::backend::writer::first_time_event!(conn, event_id, "account.updated", at)? {
            return Ok(());
        }
        diesel::update(users::table.filter(users::stripe_account.eq(account_id)))
            .set((
                users::stripe_charges_enabled.eq(status.charges_enabled),
                users::stripe_payouts_enabled.eq(status.payouts_enabled),
                users::stripe_details_submitted.eq(status.details_submitted),
            ))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(())
    })
}

/// The "Get paid" screen's data; after Stripe's onboarding sends the creator back (`refresh`), the
/// account's status is asked for at once rather than waiting for the event.
pub async fn view(state: &AppState, scope: &Scope<can::ViewDashboard>, refresh: bool) -> Result<PayoutsView, AppError> {
    let Some(payouts) = Payments::of(state).provider.payouts() else {
        return Ok(PayoutsView { needed: false, account: false, status: AccountStatus::default().into(), can_manage: false });
    };
    let (_, _, account, mut status) = account_of(&state.db, scope.organization_id()).await?;
    if let (true, Some(id)) = (refresh, &account) {
        match payouts.account_status(id).await {
            Ok(fresh) => {
                store_status(&state.db, id, fresh).await?;
                status = fresh;
            }
            Err(e) => tracing::warn!(error = %e, "could not ask Stripe for the account's status"),
        }
    }
    let can_manage = crate::accounts::permissions::roles_allow(&scope.user().roles, crate::accounts::permissions::Action::ManagePayments);
    Ok(PayoutsView { needed: true, account: account.is_some(), status: status.into(), can_manage })
}

/// Starts (or resumes) Stripe's onboarding: the owner's account is created on first use, then a
/// fresh single-use link to Stripe's forms is returned.
pub async fn onboarding_link(state: &AppState, scope: &Scope<can::ManagePayments>) -> Result<String, AppError> {
    check_owner_confirmed(&state.db, scope.organization_id()).await?;
    let payouts = Payments::of(state).provider.payouts().ok_or_else(|| AppError::conflict("Payouts need Stripe: the test checkout moves no money."))?;
    let unavailable = |e: crate::infra::payments::PaymentError| {
        tracing::error!(error = %e, "Stripe onboarding failed");
        AppError::new(ErrorKind::Unavailable, "Stripe could not be reached. Nothing changed; try again in a minute.")
    };
    let (owner_id, email, account, _) = account_of(&state.db, scope.organization_id()).await?;
    let account = match account {
        Some(account) => account,
        None => {
            let created = payouts.create_account(&email, &owner_id).await.map_err(unavailable)?;
            let owner = owner_id.clone();
            let id = created.clone();
            db_write!(state.db, conn => {
                diesel::update(users::table.filter(users::id.eq(&owner)).filter(users::stripe_account.is_null()))
                    .set(users::stripe_account.eq(&id))
                    .execute(conn)
                    .await?;
                Ok::<_, DbError>(())
            })?;
            account_of(&state.db, scope.organization_id()).await?.2.unwrap_or(created)
        }
    };
    let base = &state.config.public_url;
    payouts.onboarding_link(&account, &format!("{base}/dashboard/payouts?retry=1"), &format!("{base}/dashboard/payouts?returned=1")).await.map_err(unavailable)
}
