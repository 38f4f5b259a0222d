//! Writing a message to the outbox: inside the transaction of the change it reports, so the two
//! are committed together or not at all.

use serde::{Deserialize, Serialize};

/// A message as the app writes it; the sender turns it into MIME.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// The HTML alternative, if any.
    pub html: Option<String>,
    /// Extra headers, e.g. `List-Unsubscribe`.
    pub headers: Vec<(String, String)>,
    pub attachments: Vec<TextAttachment>,
}

/// A small text attachment, such as a calendar invitation (`.ics`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextAttachment {
    pub name: String,
    pub content_type: String,
    pub content: String,
}

/// Inserts `$mail: &OutgoingMail` into the outbox with `$conn` (either backend, inside the
/// caller's transaction), due at `$now: NaiveDateTime`. The macro is a
/// `Result<usize, diesel::result::Error>`.
#[macro_export]
macro_rules! enqueue_mail {
    ($conn:expr, $mail:expr, $now:expr) => {{
        use $crate::infra::db::schema::mail_outbox;
        let mail: &$crate::infra::mail::outbox::OutgoingMail = $mail;
        let now: chrono::NaiveDateTime = $now;
        diesel::insert_into(mail_outbox::table)
            .values((
                mail_outbox::id.eq($crate::infra::db::new_id()),
                mail_outbox::recipient.eq(&mail.to),
                mail_outbox::subject.eq(&mail.subject),
                mail_outbox::text_body.eq(&mail.text),
                mail_outbox::html_body.eq(mail.html.as_ref()),
                mail_outbox::headers.eq(serde_json::to_string(&mail.headers).unwrap_or_else(|_| "[]".into())),
                mail_outbox::attachments.eq(serde_json::to_string(&mail.attachments).unwrap_or_else(|_| "[]".into())),
                mail_outbox::created_at.eq(now),
                mail_outbox::due_at.eq(now),
            ))
            .execute($conn)
            .await
    }};
}
pub use enqueue_mail;

/// Inserts every message of `$mails: &[OutgoingMail]`, in the caller's transaction; evaluates to
/// the number queued. One statement each: diesel-async can't run a multi-row insert on SQLite.
#[macro_export]
macro_rules! enqueue_mails {
    ($conn:expr, $mails:expr, $now:expr) => {{
        let mails: &[$crate::infra::mail::outbox::OutgoingMail] = $mails;
        let now: chrono::NaiveDateTime = $now;
        let mut queued: Result<usize, diesel::result::Error> = Ok(0);
        for mail in mails {
            match $crate::infra::mail::outbox::enqueue_mail!($conn, mail, now) {
                Ok(n) => queued = queued.map(|q| q + n),
                Err(e) => {
                    queued = Err(e);
                    break;
                }
            }
        }
        queued
    }};
}
pub use enqueue_mails;

/// Queues one message in a transaction of its own (for mail that reports no other change).
pub async fn enqueue(db: &crate::infra::db::Db, mail: &OutgoingMail, now: chrono::NaiveDateTime) -> Result<(), crate::infra::db::DbError> {
    use crate::infra::db::prelude::*;
    crate::db_write!(db, conn => {
        enqueue_mail!(conn, mail, now)?;
        Ok::<_, crate::infra::db::DbError>(())
    })
}

/// How long a sent (or given-up) message's row stays in the outbox, without its body (see
/// `sender::record`): long enough to look into a complaint (to whom, what subject, when, why it
/// failed). `.eml` files (no `SMTP_URL`) are kept as long ([`super::files`]).
pub const KEEP_DONE_DAYS: i64 = 7;

/// Hourly, from the housekeeping: erases the body of any done message that still has one (mail
/// sent before bodies were erased on sending), and deletes the rows of messages sent or given up
/// more than [`KEEP_DONE_DAYS`] before `now`; the number deleted. Harmless when two instances
/// run it.
pub async fn purge_done(db: &crate::infra::db::Db, now: chrono::NaiveDateTime) -> Result<usize, crate::infra::db::DbError> {
    use crate::infra::db::prelude::*;
    use crate::infra::db::schema::mail_outbox;
    let cutoff = now - chrono::TimeDelta::days(KEEP_DONE_DAYS);
    crate::db_write!(db, conn => {
        diesel::update(mail_outbox::table.filter(mail_outbox::sent_at.is_not_null().or(mail_outbox::failed_at.is_not_null())).filter(mail_outbox::text_body.ne("").or(mail_outbox::html_body.is_not_null()).or(mail_outbox::attachments.ne("[]")).or(mail_outbox::headers.ne("[]"))))
            .set((
                mail_outbox::text_body.eq(""),
                mail_outbox::html_body.eq(None::<String>),
                mail_outbox::headers.eq("[]"),
                mail_outbox::attachments.eq("[]"),
            ))
            .execute(conn)
            .await?;
        Ok(diesel::delete(mail_outbox::table.filter(mail_outbox::sent_at.lt(cutoff).or(mail_outbox::failed_at.lt(cutoff))))
            .execute(conn)
            .await?)
    })
}
