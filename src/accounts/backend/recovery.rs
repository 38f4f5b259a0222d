//! Account links sent by mail: the forgotten-password reset (and, with the same table, the
//! confirmation of a new account's address and of a new email address). A link is a random token; only its SHA-256 is stored, it
//! expires, and it works once: redeeming it is one conditional update, so two clicks racing each
//! other cannot both succeed.

use crate::infra::db::prelude::*;
use crate::infra::db::schema::{account_tokens, sessions, users};
use crate::infra::db::{Db, DbError};
use crate::infra::mail::outbox::OutgoingMail;
use crate::{db_read, db_write};
use chrono::{Duration, NaiveDateTime};

/// What a link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    EmailChange,
    /// A new account's address: the account can log in once it is used.
    SignupConfirm,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::EmailChange => "email_change",
            Purpose::SignupConfirm => "signup_confirm",
        }
    }

    /// How long a link stays valid: an hour for a reset (it is a key to the account), a day to
    /// confirm a new address, and a new account's week (after which an unconfirmed account
    /// gives its address up).
    pub fn lifetime(self) -> Duration {
        match self {
            Purpose::PasswordReset => Duration::hours(1),
            Purpose::EmailChange => Duration::hours(24),
            Purpose::SignupConfirm => super::unconfirmed::UNCONFIRMED_KEEPS_ADDRESS,
        }
    }
}

/// Inserts a link's row and queues its mails with `$conn` (either backend, inside a transaction).
macro_rules! insert_link {
    ($conn:expr, $user_id:expr, $purpose:expr, $token_hash:expr, $new_email:expr, $mails:expr, $now:expr) => {{
        use $crate::infra::db::new_id;
        use $crate::infra::db::schema::account_tokens;
        use $crate::infra::mail::outbox::enqueue_mails;
        diesel::insert_into(account_tokens::table)
            .values((
                account_tokens::id.eq(new_id()),
                account_tokens::user_id.eq($user_id),
                account_tokens::purpose.eq($purpose.as_str()),
                account_tokens::token_hash.eq($token_hash),
                account_tokens::new_email.eq($new_email),
                account_tokens::created_at.eq($now),
                account_tokens::expires_at.eq($now + $purpose.lifetime()),
            ))
            .execute($conn)
            .await?;
        enqueue_mails!($conn, $mails, $now)
    }};
}
pub(crate) use insert_link;

/// Stores a link's token (hashed) and queues its mail, together: a link is mailed if and only
/// if it exists (with any other message about it, such as a notice to the old address).
pub async fn issue(
    db: &Db,
    user_id: &str,
    purpose: Purpose,
    token_hash: &str,
    new_email: Option<&str>,
    mails: &[OutgoingMail],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    db_write!(db, conn => {
        insert_link!(conn, user_id, purpose, token_hash, new_email, mails, now)?;
        Ok(())
    })
}

/// The user a live (unused, unexpired) link of this purpose belongs to, and the new address it
/// carries (email changes), without using it: a link's page shows its form only while it works.
pub async fn live_link(db: &Db, purpose: Purpose, token_hash: &str, now: NaiveDateTime) -> Result<Option<(String, Option<String>)>, DbError> {
    db_read!(db, conn => {
        let row = account_tokens::table
            .filter(account_tokens::token_hash.eq(token_hash))
            .filter(account_tokens::purpose.eq(purpose.as_str()))
            .filter(account_tokens::used_at.is_null())
            .filter(account_tokens::expires_at.gt(now))
            .select((account_tokens::user_id, account_tokens::new_email))
            .first::<(String, Option<String>)>(conn)
            .await
            .optional()?;
        Ok(row)
    })
}

/// What using a reset or sign-up link does, besides confirming the account's address (the link
/// came to it, which proves it).
pub enum Redeem<'a> {
    /// A reset link: this password hash replaces the old one, and every session of the account
    /// ends (whoever knew the old password, or signed up with someone else's address, is out).
    NewPassword(&'a str),
    /// A new account's confirmation link: the account may log in from now on.
    Confirm,
}

impl Redeem<'_> {
    fn purpose(&self) -> Purpose {
        match self {
            Redeem::NewPassword(_) => Purpose::PasswordReset,
            Redeem::Confirm => Purpose::SignupConfirm,
        }
    }
}

/// Uses a reset or sign-up link, in one transaction: the link is used by one conditional update
/// (of racing clicks exactly one wins), `what` is done, the address is confirmed, and the
/// account's other links of the same purpose die. Returns the user's id; `None` when the link is
/// unknown, expired or used (nothing changes then).
pub async fn redeem(db: &Db, token_hash: &str, what: Redeem<'_>, now: NaiveDateTime) -> Result<Option<String>, DbError> {
    let purpose = what.purpose().as_str();
    db_write!(db, conn => {
        let user_id: Option<String> = diesel::update(
            account_tokens::table
                .filter(account_tokens::token_hash.eq(token_hash))
                .filter(account_tokens::purpose.eq(purpose))
                .filter(account_tokens::used_at.is_null())
                .filter(account_tokens::expires_at.gt(now)),
        )
        .set(account_tokens::used_at.eq(now))
        .returning(account_tokens::user_id)
        .get_result(conn)
        .await
        .optional()?;
        let Some(user_id) = user_id else { return Ok(None) };
        if let Redeem::NewPassword(password_hash) = what {
            diesel::update(users::table.filter(users::id.eq(&user_id)))
                .set((users::password_hash.eq(password_hash), users::updated_at.eq(now)))
                .execute(conn)
                .await?;
            diesel::delete(sessions::table.filter(sessions::user_id.eq(&user_id))).execute(conn).await?;
        }
        diesel::update(users::table.filter(users::id.eq(&user_id)).filter(users::email_confirmed_at.is_null()))
            .set(users::email_confirmed_at.eq(now))
            .execute(conn)
            .await?;
        diesel::update(
            account_tokens::table
                .filter(account_tokens::user_id.eq(&user_id))
                .filter(account_tokens::purpose.eq(purpose))
                .filter(account_tokens::used_at.is_null()),
        )
        .set(account_tokens::used_at.eq(now))
        .execute(conn)
        .await?;
        Ok(Some(user_id))
    })
}

/// Deletes links that expired more than a day ago (periodic, so the table does not grow).
pub async fn purge_old(db: &Db, now: NaiveDateTime) -> Result<usize, DbError> {
    db_write!(db, conn => {
        let n = diesel::delete(account_tokens::table.filter(account_tokens::expires_at.lt(now - Duration::days(1)))).execute(conn).await?;
        Ok(n)
    })
}

/// The new address waiting for confirmation, if a live link for it exists.
pub async fn pending_email_change(db: &Db, user_id: &str, now: NaiveDateTime) -> Result<Option<String>, DbError> {
    db_read!(db, conn => {
        let email = account_tokens::table
            .filter(account_tokens::user_id.eq(user_id))
            .filter(account_tokens::purpose.eq(Purpose::EmailChange.as_str()))
            .filter(account_tokens::used_at.is_null())
            .filter(account_tokens::expires_at.gt(now))
            .order(account_tokens::created_at.desc())
            .select(account_tokens::new_email)
            .first::<Option<String>>(conn)
            .await
            .optional()?;
        Ok(email.flatten())
    })
}

/// Why a confirmation link changed nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum EmailChangeRefusal {
    /// Unknown, expired or used.
    DeadLink,
    /// The address was taken by another account since the link was sent.
    Taken,
}

/// Uses an email confirmation link: the account's address becomes the new one, its other
/// pending links (for addresses or password resets, which went to the old address) die. Returns
/// the user and their old and new addresses.
pub async fn confirm_email_change(db: &Db, token_hash: &str, now: NaiveDateTime) -> Result<Result<(String, String, String), EmailChangeRefusal>, DbError> {
    let result: Result<Result<(String, String, String), EmailChangeRefusal>, DbError> = db_write!(db, conn => {
        let claimed: Option<(String, Option<String>)> = diesel::update(
            account_tokens::table
                .filter(account_tokens::token_hash.eq(token_hash))
                .filter(account_tokens::purpose.eq(Purpose::EmailChange.as_str()))
                .filter(account_tokens::used_at.is_null())
                .filter(account_tokens::expires_at.gt(now)),
        )
        .set(account_tokens::used_at.eq(now))
        .returning((account_tokens::user_id, account_tokens::new_email))
        .get_result(conn)
        .await
        .optional()?;
        let Some((user_id, Some(new_email))) = claimed else { return Ok(Err(EmailChangeRefusal::DeadLink)) };
        let old_email: String = users::table.filter(users::id.eq(&user_id)).select(users::email).first(conn).await?;
        // The link proves the mailbox: an account that only claimed the address without
        // confirming it gives it up.
        let _released = super::unconfirmed::release_unconfirmed!(conn, &new_email, now + Duration::minutes(1));
        let taken: i64 = users::table.filter(users::email.eq(&new_email)).filter(users::id.ne(&user_id)).count().get_result(conn).await?;
        if taken > 0 {
            return Ok(Err(EmailChangeRefusal::Taken));
        }
        diesel::update(users::table.filter(users::id.eq(&user_id)))
            .set((users::email.eq(&new_email), users::email_confirmed_at.eq(now), users::updated_at.eq(now)))
            .execute(conn)
            .await?;
        diesel::update(account_tokens::table.filter(account_tokens::user_id.eq(&user_id)).filter(account_tokens::used_at.is_null()))
            .set(account_tokens::used_at.eq(now))
            .execute(conn)
            .await?;
        Ok(Ok((user_id, old_email, new_email)))
    });
    match result {
        // Someone signed up with the address between the check and the update.
        Err(e) if e.is_unique_violation() => Ok(Err(EmailChangeRefusal::Taken)),
        other => other,
    }
}
