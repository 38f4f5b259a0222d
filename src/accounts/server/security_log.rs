//! The security log: sign-ups, logins (good and bad), logouts and throttled attempts.
//!
//! It doubles as the login rate limiter's memory: counting recent failures in the database keeps
//! the limit correct across several app instances, with no extra state to run.

use super::store::new_id;
use crate::db_conn;
use crate::server::db::schema::security_log;
use crate::server::db::{Db, DbError};
use chrono::{Duration, NaiveDateTime};
use crate::server::db::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityEvent {
    Signup,
    LoginSuccess,
    LoginFailure,
    LoginThrottled,
    Logout,
}

impl SecurityEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityEvent::Signup => "signup",
            SecurityEvent::LoginSuccess => "login_success",
            SecurityEvent::LoginFailure => "login_failure",
            SecurityEvent::LoginThrottled => "login_throttled",
            SecurityEvent::Logout => "logout",
        }
    }
}

/// Failed logins allowed per email within [`WINDOW_MINUTES`] before further attempts are refused.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
/// Failed logins allowed per client IP within the window (higher: offices share addresses).
pub const MAX_FAILURES_PER_IP: i64 = 20;
pub const WINDOW_MINUTES: i64 = 15;

pub async fn record(
    db: &Db,
    event: SecurityEvent,
    user_id: Option<&str>,
    email: Option<&str>,
    ip: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    db_conn!(db, conn => {
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

/// True when this email or IP has failed too often recently.
pub async fn login_throttled(db: &Db, email: &str, ip: Option<&str>, now: NaiveDateTime) -> Result<bool, DbError> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    db_conn!(db, conn => {
        let by_email: i64 = security_log::table
            .filter(security_log::email.eq(email))
            .filter(security_log::event.eq(SecurityEvent::LoginFailure.as_str()))
            .filter(security_log::created_at.gt(since))
            .count()
            .get_result(conn)
            .await?;
        if by_email >= MAX_FAILURES_PER_EMAIL {
            return Ok(true);
        }
        let Some(ip) = ip else { return Ok(false) };
        let by_ip: i64 = security_log::table
            .filter(security_log::ip.eq(ip))
            .filter(security_log::event.eq(SecurityEvent::LoginFailure.as_str()))
            .filter(security_log::created_at.gt(since))
            .count()
            .get_result(conn)
            .await?;
        Ok(by_ip >= MAX_FAILURES_PER_IP)
    })
}

/// Deletes entries older than the seed's 180-day retention.
pub async fn purge_old(db: &Db, now: NaiveDateTime) -> Result<usize, DbError> {
    let cutoff = now - Duration::days(180);
    db_conn!(db, conn => {
        let n = diesel::delete(security_log::table.filter(security_log::created_at.lt(cutoff))).execute(conn).await?;
        Ok(n)
    })
}
