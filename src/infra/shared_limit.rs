//! Rate limits that hold across every app instance: a fixed-window counter per key in the
//! database, bumped in one atomic statement (`INSERT … ON CONFLICT DO UPDATE SET hits = hits + 1
//! RETURNING hits`). A check and its count are the same statement, so a hundred parallel guesses
//! get a hundred different counts and only the first few pass: no check-then-act race.
//!
//! A window is identified by its start (the key carries it), so a new window is a new row and old
//! rows are purged by the housekeeping job. About a millisecond per check; used where the limit
//! must be exact (logins, sign-ups), not on the visitor's hot path.

use crate::db_write;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::rate_limits;
use crate::infra::db::{Db, DbError};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// A named limit: at most `max` hits per key in each window of `window`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub name: &'static str,
    pub max: i32,
    pub window: Duration,
}

impl Limit {
    /// The row key and the end of the window `now` falls in.
    fn window_of(&self, subject: &str, now: DateTime<Utc>) -> (String, NaiveDateTime) {
        let length = self.window.num_seconds().max(1);
        let start = now.timestamp().div_euclid(length) * length;
        let end = DateTime::<Utc>::from_timestamp(start + length, 0).unwrap_or(now).naive_utc();
        (format!("{}:{start}:{subject}", self.name), end)
    }

    /// Counts a hit for `subject`; false once it is over the limit in the current window.
    pub async fn hit(&self, db: &Db, subject: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
        let (key, expires_at) = self.window_of(subject, now);
        let key = key.as_str();
        let hits: i32 = db_write!(db, conn => {
            Ok::<i32, DbError>(diesel::insert_into(rate_limits::table)
                .values((rate_limits::key.eq(key), rate_limits::hits.eq(1), rate_limits::expires_at.eq(expires_at)))
                .on_conflict(rate_limits::key)
                .do_update()
                .set(rate_limits::hits.eq(rate_limits::hits + 1))
                .returning(rate_limits::hits)
                .get_result(conn)
                .await?)
        })?;
        Ok(hits <= self.max)
    }

    /// Gives back one hit (an attempt that turned out fine, such as a correct password).
    pub async fn give_back(&self, db: &Db, subject: &str, now: DateTime<Utc>) -> Result<(), DbError> {
        let (key, _) = self.window_of(subject, now);
        let key = key.as_str();
        db_write!(db, conn => {
            diesel::update(rate_limits::table.filter(rate_limits::key.eq(key)).filter(rate_limits::hits.gt(0)))
                .set(rate_limits::hits.eq(rate_limits::hits - 1))
                .execute(conn)
                .await?;
            Ok::<(), DbError>(())
        })
    }
}

/// Deletes the counters of windows that are over.
pub async fn purge_expired(db: &Db, now: NaiveDateTime) -> Result<usize, DbError> {
    db_write!(db, conn => {
        Ok::<usize, DbError>(diesel::delete(rate_limits::table.filter(rate_limits::expires_at.le(now))).execute(conn).await?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn windows_have_their_own_keys() {
        let limit = Limit { name: "login-email", max: 5, window: Duration::minutes(15) };
        let at = |m: u32, s: u32| Utc.with_ymd_and_hms(2026, 12, 1, 10, m, s).single().expect("valid");
        let (a, end_a) = limit.window_of("x@example.com", at(0, 1));
        let (b, _) = limit.window_of("x@example.com", at(14, 59));
        let (c, _) = limit.window_of("x@example.com", at(15, 0));
        assert_eq!(a, b, "one window");
        assert_ne!(a, c, "the next window starts fresh");
        assert_eq!(end_a, at(15, 0).naive_utc());
        assert!(a.starts_with("login-email:") && a.ends_with(":x@example.com"));
    }
}
