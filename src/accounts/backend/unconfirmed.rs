//! Accounts whose address was never confirmed: how long one keeps its address, and letting the
//! address go (to a new sign-up after a week, at once to a link that proves the mailbox, and in
//! the hourly housekeeping). Below both the account queries and the links, which use it.

use crate::infra::db::prelude::*;
use crate::infra::db::schema::users;
use crate::infra::db::{Db, DbError};
use crate::{db_read, db_write};
use chrono::{Duration, NaiveDateTime};

/// How long an account whose address was never confirmed keeps that address from a new sign-up.
pub const UNCONFIRMED_KEEPS_ADDRESS: Duration = Duration::days(7);

/// Deletes the unconfirmed account that holds `$email` (and the organization it started, which
/// holds nothing: an unconfirmed account never logged in) if it was made before `$made_before`,
/// with `$conn` inside the caller's transaction; evaluates to whether one went. A sign-up passes
/// a week ago ([`UNCONFIRMED_KEEPS_ADDRESS`]); a link that proves the mailbox
/// (an invitation, an address change) passes now, releasing any.
macro_rules! release_unconfirmed {
    ($conn:expr, $email:expr, $made_before:expr) => {{
        use $crate::infra::db::schema::{groups, organizations, security_log, users};
        let held: Option<(String, String)> = users::table
            .filter(users::email.eq($email))
            .filter(users::email_confirmed_at.is_null())
            .filter(users::created_at.lt($made_before))
            .select((users::id, users::organization_id))
            .first($conn)
            .await
            .optional()?;
        if let Some((user_id, org_id)) = &held {
            diesel::delete(security_log::table.filter(security_log::user_id.eq(user_id))).execute($conn).await?;
            // Sessions, roles, the Free subscription and links go by cascade.
            diesel::delete(users::table.filter(users::id.eq(user_id))).execute($conn).await?;
            let own: i64 =
                organizations::table.filter(organizations::id.eq(org_id)).filter(organizations::owner_id.eq(user_id)).count().get_result($conn).await?;
            if own > 0 {
                diesel::delete(groups::table.filter(groups::organization_id.eq(org_id))).execute($conn).await?;
                diesel::delete(organizations::table.filter(organizations::id.eq(org_id))).execute($conn).await?;
            }
        }
        held.is_some()
    }};
}
pub(crate) use release_unconfirmed;

/// Deletes the accounts whose address was not confirmed within the week (hourly, from the
/// housekeeping): they never logged in, and their address is someone's personal data. Returns
/// how many went.
pub async fn purge(db: &Db, now: NaiveDateTime) -> Result<usize, DbError> {
    let before = now - UNCONFIRMED_KEEPS_ADDRESS;
    let emails: Vec<String> = db_read!(db, conn => {
        Ok::<_, DbError>(users::table
            .filter(users::email_confirmed_at.is_null())
            .filter(users::created_at.lt(before))
            .select(users::email)
            .limit(500)
            .load(conn)
            .await?)
    })?;
    let mut gone = 0;
    for email in &emails {
        let released: bool = db_write!(db, conn => {
            Ok::<_, DbError>(release_unconfirmed!(conn, email, before))
        })?;
        gone += usize::from(released);
    }
    Ok(gone)
}
