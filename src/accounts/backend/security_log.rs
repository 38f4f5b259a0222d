//! The security log: sign-ups, logins (good and bad), logouts and throttled attempts, kept for
//! 180 days. (The login limits themselves count in `infra::shared_limit`.)

use crate::infra::db::new_id;
use crate::db_write;
use crate::infra::db::schema::security_log;
use crate::infra::db::{Db, DbError};
use chrono::{Duration, NaiveDateTime};
use crate::infra::db::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityEvent {
    Signup,
    LoginSuccess,
    LoginFailure,
    LoginThrottled,
    Logout,
    /// A creator's actions on someone's registration, and exports of registrants' data.
    RegistrationRemoved,
    RegistrationMoved,
    RegistrationCheckedIn,
    RegistrationCheckInUndone,
    RegistrationResent,
    RegistrationsExported,
    RegistrationDeleted,
}

impl SecurityEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityEvent::Signup => "signup",
            SecurityEvent::LoginSuccess => "login_success",
            SecurityEvent::LoginFailure => "login_failure",
            SecurityEvent::LoginThrottled => "login_throttled",
            SecurityEvent::Logout => "logout",
            SecurityEvent::RegistrationRemoved => "registration_removed",
            SecurityEvent::RegistrationMoved => "registration_moved_from_waitlist",
            SecurityEvent::RegistrationCheckedIn => "registration_checked_in",
            SecurityEvent::RegistrationCheckInUndone => "registration_check_in_undone",
            SecurityEvent::RegistrationResent => "registration_confirmation_resent",
            SecurityEvent::RegistrationsExported => "registrations_exported",
            SecurityEvent::RegistrationDeleted => "registration_deleted",
        }
    }
}

pub async fn record(
    db: &Db,
    event: SecurityEvent,
    user_id: Option<&str>,
    email: Option<&str>,
    ip: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    db_write!(db, conn => {
        diesel::insert_into(security_log::table)
            .values((
                security_log::id.eq(new_id()),
                security_log::user_id.eq(user_id),
                security_log::email.eq(email),
                security_log::ip.eq(ip),
                security_log::event.eq(event.as_str()),
                security_log::created_at.eq(now),
            ))
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// Deletes entries older than the seed's 180-day retention.
pub async fn purge_old(db: &Db, now: NaiveDateTime) -> Result<usize, DbError> {
    let cutoff = now - Duration::days(180);
    db_write!(db, conn => {
        let n = diesel::delete(security_log::table.filter(security_log::created_at.lt(cutoff))).execute(conn).await?;
        Ok(n)
    })
}
