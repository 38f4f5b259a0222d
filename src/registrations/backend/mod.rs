//! Server side of registrations: the "notify me" list here, event registration in its modules.

pub mod calendar;
pub mod desk;
pub mod drafts;
pub mod export;
pub mod jobs;
pub mod mail;
pub mod manage;
pub mod qr;
pub mod service;
pub mod store;
pub mod vtimezone;
pub mod writer;

use crate::accounts::validation::normalize_email;
use crate::db_write;
use crate::error::AppError;
use crate::infra::db::new_id;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::registrations;
use crate::infra::db::{Db, DbError};
use crate::infra::state::AppState;
use chrono::{NaiveDateTime, Utc};

/// "Notify me" sign-ups allowed per client address per window: plenty for a household or an
/// office behind one address, too few to flood a creator's list.
pub const NOTIFY_ME_PER_IP: u32 = 20;
pub const NOTIFY_ME_WINDOW: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// The per-address limit of "notify me" sign-ups (a part of the app state).
#[derive(Clone)]
pub struct NotifyLimiter(crate::infra::rate_limit::RateLimiter);

impl NotifyLimiter {
    pub fn new() -> NotifyLimiter {
        NotifyLimiter(crate::infra::rate_limit::RateLimiter::new(NOTIFY_ME_PER_IP, NOTIFY_ME_WINDOW))
    }

    pub fn of(state: &AppState) -> &NotifyLimiter {
        state.part()
    }
}

impl Default for NotifyLimiter {
    fn default() -> Self {
        NotifyLimiter::new()
    }
}

/// Checks a "notify me" sign-up before its page is looked at: the address (normalised, as
/// returned) and the per-address limit.
pub async fn screen_notify_me(state: &AppState, email: &str, ip: Option<&str>) -> Result<String, AppError> {
    let email = normalize_email(email).map_err(|m| AppError::field("email", m))?;
    if let Some(ip) = ip {
        if !NotifyLimiter::of(state).0.allow(ip).await {
            return Err(AppError::rate_limited("Too many sign-ups from your network. Please try again in a few minutes."));
        }
    }
    Ok(email)
}

/// Keeps a screened sign-up for a page whose current phase collects them (the caller, the
/// storefront, decides that from the page as visitors see it now).
pub async fn notify_me(state: &AppState, page_id: &str, email: &str, ip: Option<&str>) -> Result<(), AppError> {
    store_once(&state.db, page_id, email, ip, Utc::now().naive_utc()).await?;
    Ok(())
}

/// Inserts the sign-up unless this email already signed up for this page: the unique index on
/// `(page_id, email)` decides, so concurrent duplicates cannot both land on either database.
async fn store_once(db: &Db, page_id: &str, email: &str, ip: Option<&str>, now: NaiveDateTime) -> Result<bool, DbError> {
    db_write!(db, conn => {
        let inserted = diesel::insert_into(registrations::table)
            .values((
                registrations::id.eq(new_id()),
                registrations::page_id.eq(page_id),
                registrations::email.eq(email),
                registrations::name.eq(""),
                registrations::registered_at.eq(now),
                registrations::custom_fields.eq("{}"),
                registrations::status.eq(crate::registrations::model::RegistrationStatus::Notify.as_str()),
                registrations::client_ip.eq(ip),
                registrations::updated_at.eq(Some(now)),
            ))
            .on_conflict((registrations::page_id, registrations::email))
            .do_nothing()
            .execute(conn)
            .await?;
        Ok::<bool, DbError>(inserted == 1)
    })
}
