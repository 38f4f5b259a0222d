//! The background sender: takes due messages from the outbox and delivers them.
//!
//! - A batch is claimed in one statement that leases its rows (`leased_until`) and counts the
//!   attempt; on PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so two instances
//!   claim different messages and never send one twice. A sender that dies leaves a lease that
//!   runs out, and the message is claimed again.
//! - A failure is tried again later, backing off (e^attempts seconds, at most e^10 ≈ 6 h), up to
//!   [`MAX_ATTEMPTS`]; a permanent one (an address that is not one, a refusal for good) at once
//!   marks the message failed. Either way the reason is kept in `last_error` and logged.
//! - Time comes in as a parameter, so tests move it by hand.

use super::outbox::{OutgoingMail, TextAttachment};
use super::transport::Mailer;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::mail_outbox;
use crate::infra::db::{Db, DbError, Pool};
use crate::{db_read, db_write};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::sql_types::{BigInt, Timestamp};

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: i32 = 20;
/// How long a claimed batch is reserved for its sender.
const LEASE: TimeDelta = TimeDelta::minutes(10);
const BATCH: i64 = 20;

/// The claim, per backend: one statement either way (SQLite has a single writer).
const CLAIM_POSTGRES: &str = "UPDATE mail_outbox SET leased_until = $2, attempts = attempts + 1 WHERE id IN (\
    SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND due_at <= $1 \
    AND (leased_until IS NULL OR leased_until <= $1) ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
    RETURNING id, recipient, subject, text_body, html_body, headers, attachments, attempts";
const CLAIM_SQLITE: &str = "UPDATE mail_outbox SET leased_until = ?2, attempts = attempts + 1 WHERE id IN (\
    SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND due_at <= ?1 \
    AND (leased_until IS NULL OR leased_until <= ?1) ORDER BY due_at LIMIT ?3) \
    RETURNING id, recipient, subject, text_body, html_body, headers, attachments, attempts";

#[derive(diesel::QueryableByName)]
#[diesel(table_name = mail_outbox)]
struct Claimed {
    id: String,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: Option<String>,
    headers: String,
    attachments: String,
    attempts: i32,
}

impl Claimed {
    fn mail(&self) -> OutgoingMail {
        OutgoingMail {
            to: self.recipient.clone(),
            subject: self.subject.clone(),
            text: self.text_body.clone(),
            html: self.html_body.clone(),
            headers: serde_json::from_str::<Vec<(String, String)>>(&self.headers).unwrap_or_default(),
            attachments: serde_json::from_str::<Vec<TextAttachment>>(&self.attachments).unwrap_or_default(),
        }
    }
}

/// What one round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retry_later: usize,
    pub failed: usize,
}

/// How long to wait after the `attempts`-th failure.
pub fn backoff(attempts: i32) -> TimeDelta {
    TimeDelta::seconds((attempts.clamp(1, 10) as f64).exp().round() as i64)
}

/// Claims the messages due at `now` and delivers them, one batch.
pub async fn deliver_due(db: &Db, mailer: &Mailer, now: NaiveDateTime) -> Result<Round, DbError> {
    let claim = match db.pool {
        Pool::Pg(_) => CLAIM_POSTGRES,
        Pool::Sqlite { .. } => CLAIM_SQLITE,
    };
    // A read first: an empty outbox (the usual case) costs no write transaction, which on SQLite
    // would queue behind, and hold up, the app's own writes every two seconds.
    let due: bool = db_read!(db, conn => {
        Ok::<_, DbError>(diesel::select(diesel::dsl::exists(
            mail_outbox::table
                .filter(mail_outbox::sent_at.is_null())
                .filter(mail_outbox::failed_at.is_null())
                .filter(mail_outbox::due_at.le(now))
                .filter(mail_outbox::leased_until.is_null().or(mail_outbox::leased_until.le(now))),
        ))
        .get_result(conn)
        .await?)
    })?;
    if !due {
        return Ok(Round::default());
    }
    let lease_end = now + LEASE;
    let claimed: Vec<Claimed> = db_write!(db, conn => {
        Ok::<_, DbError>(diesel::sql_query(claim).bind::<Timestamp, _>(now).bind::<Timestamp, _>(lease_end).bind::<BigInt, _>(BATCH).load(conn).await?)
    })?;
    let mut round = Round::default();
    for message in claimed {
        let outcome = mailer.send(&message.mail()).await;
        let id = message.id.as_str();
        let after = match &outcome {
            Ok(()) => {
                round.sent += 1;
                After { sent_at: Some(now), failed_at: None, due_at: now, last_error: None }
            }
            Err(e) if e.permanent || message.attempts >= MAX_ATTEMPTS => {
                tracing::error!(mail = id, to = %message.recipient, attempts = message.attempts, error = %e.message, "mail given up");
                round.failed += 1;
                After { sent_at: None, failed_at: Some(now), due_at: now, last_error: Some(&e.message) }
            }
            Err(e) => {
                let due_at = now + backoff(message.attempts);
                tracing::warn!(mail = id, to = %message.recipient, attempts = message.attempts, retry_at = %due_at, error = %e.message, "mail not sent, will retry");
                round.retry_later += 1;
                After { sent_at: None, failed_at: None, due_at, last_error: Some(&e.message) }
            }
        };
        record(db, id, after).await?;
    }
    Ok(round)
}

/// What a delivery attempt leaves on its row (the lease is released either way).
struct After<'a> {
    sent_at: Option<NaiveDateTime>,
    failed_at: Option<NaiveDateTime>,
    due_at: NaiveDateTime,
    last_error: Option<&'a str>,
}

/// A message that is done (sent or given up) loses its body in the same statement: text, HTML,
/// attachments and headers carry live links (password resets, invitations, downloads,
/// unsubscribes) that nobody needs from the database any more. What stays (recipient, subject,
/// status, times, the last error) is enough to look into a complaint.
async fn record(db: &Db, id: &str, after: After<'_>) -> Result<(), DbError> {
    let done = after.sent_at.is_some() || after.failed_at.is_some();
    db_write!(db, conn => {
        let row = mail_outbox::table.filter(mail_outbox::id.eq(id));
        let status = (
            mail_outbox::sent_at.eq(after.sent_at),
            mail_outbox::failed_at.eq(after.failed_at),
            mail_outbox::due_at.eq(after.due_at),
            mail_outbox::leased_until.eq(None::<NaiveDateTime>),
            mail_outbox::last_error.eq(after.last_error),
        );
        if done {
            let erased = (
                mail_outbox::text_body.eq(""),
                mail_outbox::html_body.eq(None::<String>),
                mail_outbox::headers.eq("[]"),
                mail_outbox::attachments.eq("[]"),
            );
            diesel::update(row).set((status, erased)).execute(conn).await?;
        } else {
            diesel::update(row).set(status).execute(conn).await?;
        }
        Ok::<_, DbError>(())
    })
}

/// Runs [`deliver_due`] every `every` for as long as the server runs.
pub fn spawn_sender(db: Db, mailer: std::sync::Arc<Mailer>, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match deliver_due(&db, &mailer, chrono::Utc::now().naive_utc()).await {
                Ok(round) if round.sent + round.retry_later + round.failed > 0 => tracing::debug!(?round, "mail round"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the mail sender could not reach the database"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_exponentially_up_to_six_hours() {
        assert_eq!(backoff(1), TimeDelta::seconds(3));
        assert_eq!(backoff(3), TimeDelta::seconds(20));
        assert_eq!(backoff(10), TimeDelta::seconds(22026));
        assert_eq!(backoff(15), backoff(10));
    }
}
