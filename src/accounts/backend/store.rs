//! Account queries. Every function runs the same Diesel code on SQLite and PostgreSQL.

use super::unconfirmed::{UNCONFIRMED_KEEPS_ADDRESS, release_unconfirmed};
use crate::accounts::model::CurrentUser;
use crate::accounts::permissions::Role;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::*;
use crate::infra::db::{Db, DbError, new_id};
use crate::plans::model::FREE_PLAN_NAME;
use crate::{db_read, db_write};
use chrono::NaiveDateTime;

/// Everything sign-up writes, prepared before the transaction so the slow hash is not inside it.
pub struct NewAccount {
    pub name: String,
    pub email: String,
    pub password_hash: String,
    pub organization_name: String,
    pub group_name: String,
}

/// A session to store: the token's hash, never the token.
pub struct NewSession {
    pub token_hash: String,
    pub expires_at: NaiveDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// What a sign-up did with its address.
#[derive(Debug, PartialEq, Eq)]
pub enum SignupOutcome {
    /// A new, unconfirmed account, with its confirmation link stored and mailed.
    Created(String),
    /// The address belongs to an account already (confirmed or not): nothing was made.
    Taken { user_id: String, confirmed: bool },
    /// Another sign-up with the same address committed first: its mail is on its way, this one
    /// does nothing.
    LostRace,
}

/// The confirmation link a new account is made with.
pub struct ConfirmationLink<'a> {
    pub token_hash: &'a str,
    pub mail: &'a crate::infra::mail::outbox::OutgoingMail,
}

/// Creates the user (unconfirmed), their organization and default group, the admin role and the
/// Free subscription, and stores and mails the confirmation link, all in one transaction, if
/// the address is free. An unconfirmed account older than a week gives the address up first.
pub async fn create_account(db: &Db, account: &NewAccount, link: &ConfirmationLink<'_>, now: NaiveDateTime) -> Result<SignupOutcome, DbError> {
    let user_id = new_id();
    let org_id = new_id();
    let group_id = new_id();
    // The transaction body is an `async move` block: give it references, keep the owned ids.
    let (user_id_ref, org_id, group_id) = (user_id.as_str(), org_id.as_str(), group_id.as_str());
    let result: Result<SignupOutcome, DbError> = db_write!(db, conn => {
        let _released = release_unconfirmed!(conn, &account.email, now - UNCONFIRMED_KEEPS_ADDRESS);
        let holder: Option<(String, Option<NaiveDateTime>)> = users::table
            .filter(users::email.eq(&account.email))
            .select((users::id, users::email_confirmed_at))
            .first(conn)
            .await
            .optional()?;
        if let Some((user_id, confirmed_at)) = holder {
            return Ok(SignupOutcome::Taken { user_id, confirmed: confirmed_at.is_some() });
        }
        // The owner foreign key is deferred, so the organization can name its owner before the user row exists.
        diesel::insert_into(organizations::table)
            .values((
                organizations::id.eq(org_id),
                organizations::owner_id.eq(user_id_ref),
                organizations::name.eq(&account.organization_name),
                organizations::is_enterprise.eq(false),
                organizations::created_at.eq(now),
                organizations::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
        diesel::insert_into(groups::table)
            .values((
                groups::id.eq(group_id),
                groups::organization_id.eq(org_id),
                groups::name.eq(&account.group_name),
                groups::created_at.eq(now),
                groups::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
        diesel::insert_into(users::table)
            .values((
                users::id.eq(user_id_ref),
                users::organization_id.eq(org_id),
                users::group_id.eq(group_id),
                users::email.eq(&account.email),
                users::name.eq(&account.name),
                users::password_hash.eq(&account.password_hash),
                users::created_at.eq(now),
                users::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
        let admin_role: String = roles::table
            .filter(roles::name.eq(Role::Admin.as_str()))
            .select(roles::id)
            .first(conn)
            .await?;
        diesel::insert_into(user_roles::table)
            .values((user_roles::user_id.eq(user_id_ref), user_roles::role_id.eq(admin_role)))
            .execute(conn)
            .await?;
        let free_plan: String = plans::table
            .filter(plans::name.eq(FREE_PLAN_NAME))
            .select(plans::id)
            .first(conn)
            .await?;
        diesel::insert_into(subscriptions::table)
            .values((
                subscriptions::id.eq(new_id()),
                subscriptions::user_id.eq(user_id_ref),
                subscriptions::plan_id.eq(free_plan),
                subscriptions::start_date.eq(now),
                subscriptions::status.eq("free"),
                subscriptions::created_at.eq(now),
                subscriptions::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
        let purpose = super::recovery::Purpose::SignupConfirm;
        super::recovery::insert_link!(conn, user_id_ref, purpose, link.token_hash, None::<&str>, std::slice::from_ref(link.mail), now)?;
        Ok::<SignupOutcome, DbError>(SignupOutcome::Created(user_id_ref.to_string()))
    });
    match result {
        // Another sign-up took the address between the check and the insert.
        Err(e) if e.is_unique_violation() => Ok(SignupOutcome::LostRace),
        other => other,
    }
}

/// Stores a new session for an existing user (login).
pub async fn create_session(db: &Db, user_id: &str, session: &NewSession, now: NaiveDateTime) -> Result<(), DbError> {
    db_write!(db, conn => {
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&session.token_hash),
                sessions::user_id.eq(user_id),
                sessions::created_at.eq(now),
                sessions::expires_at.eq(session.expires_at),
                sessions::ip.eq(session.ip.as_ref()),
                sessions::user_agent.eq(session.user_agent.as_ref()),
            ))
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// What a login checks.
pub struct Credentials {
    pub user_id: String,
    pub password_hash: String,
    /// The address was confirmed (an unconfirmed account is sent a new link instead of a session).
    pub confirmed: bool,
}

/// The credentials of the account with this email, if there is one.
pub async fn find_credentials(db: &Db, email: &str) -> Result<Option<Credentials>, DbError> {
    db_read!(db, conn => {
        let row = users::table
            .filter(users::email.eq(email))
            .select((users::id, users::password_hash, users::email_confirmed_at))
            .first::<(String, String, Option<NaiveDateTime>)>(conn)
            .await
            .optional()?;
        Ok(row.map(|(user_id, password_hash, confirmed_at)| Credentials { user_id, password_hash, confirmed: confirmed_at.is_some() }))
    })
}

/// Whether an account with a confirmed address uses this email (an unconfirmed one gives it up
/// to whoever proves the mailbox).
pub async fn address_in_use(db: &Db, email: &str) -> Result<bool, DbError> {
    db_read!(db, conn => {
        let n: i64 = users::table
            .filter(users::email.eq(email))
            .filter(users::email_confirmed_at.is_not_null())
            .count()
            .get_result(conn)
            .await?;
        Ok(n > 0)
    })
}

/// Ends a session (logout). Deleting an unknown session is not an error.
pub async fn delete_session(db: &Db, token_hash: &str) -> Result<(), DbError> {
    db_write!(db, conn => {
        diesel::delete(sessions::table.filter(sessions::id.eq(token_hash))).execute(conn).await?;
        Ok(())
    })
}

/// The signed-in user for a session token hash, if the session exists and has not expired, with
/// the session's last recorded use.
pub async fn session_user(db: &Db, token_hash: &str, now: NaiveDateTime) -> Result<Option<(CurrentUser, Option<NaiveDateTime>)>, DbError> {
    db_read!(db, conn => {
        let row = sessions::table
            .inner_join(users::table)
            .inner_join(organizations::table.on(organizations::id.eq(users::organization_id)))
            .inner_join(groups::table.on(groups::id.eq(users::group_id)))
            .filter(sessions::id.eq(token_hash))
            .filter(sessions::expires_at.gt(now))
            .select((users::id, users::name, users::email, users::organization_id, organizations::name, (users::group_id, groups::name), sessions::last_used_at, organizations::owner_id))
            .first::<(String, String, String, String, String, (String, String), Option<NaiveDateTime>, String)>(conn)
            .await
            .optional()?;
        let Some((id, name, email, organization_id, organization_name, (group_id, group_name), last_used_at, owner_id)) = row else {
            return Ok(None);
        };
        let role_names: Vec<String> = user_roles::table
            .inner_join(roles::table)
            .filter(user_roles::user_id.eq(&id))
            .select(roles::name)
            .load(conn)
            .await?;
        let mut roles: Vec<Role> = role_names.iter().filter_map(|r| Role::parse(r)).collect();
        roles.sort();
        // The organization's plan is its owner's subscription (a teammate has none of their own).
        let plan_name: Option<String> = subscriptions::table
            .inner_join(plans::table)
            .filter(subscriptions::user_id.eq(&owner_id))
            .filter(subscriptions::status.eq_any(crate::plans::backend::store::CURRENT))
            .order(subscriptions::created_at.desc())
            .select(plans::name)
            .first(conn)
            .await
            .optional()?;
        let user = CurrentUser {
            id,
            name,
            email,
            organization_id,
            organization_name,
            group_id,
            group_name,
            roles,
            plan_name: plan_name.unwrap_or_else(|| FREE_PLAN_NAME.to_string()),
        };
        Ok(Some((user, last_used_at)))
    })
}

/// Deletes sessions that have expired; run periodically so the table does not grow forever.
pub async fn purge_expired_sessions(db: &Db, now: NaiveDateTime) -> Result<usize, DbError> {
    db_write!(db, conn => {
        let n = diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn).await?;
        Ok(n)
    })
}

/// The id and name of the account with this email, if there is one.
pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<(String, String)>, DbError> {
    db_read!(db, conn => {
        let row = users::table
            .filter(users::email.eq(email))
            .select((users::id, users::name))
            .first::<(String, String)>(conn)
            .await
            .optional()?;
        Ok(row)
    })
}

/// A user's email and name.
pub async fn email_and_name(db: &Db, user_id: &str) -> Result<Option<(String, String)>, DbError> {
    db_read!(db, conn => {
        let row = users::table
            .filter(users::id.eq(user_id))
            .select((users::email, users::name))
            .first::<(String, String)>(conn)
            .await
            .optional()?;
        Ok(row)
    })
}

/// A stored session as the account page lists it.
pub struct SessionRow {
    pub id: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The user's live sessions, the most recently used first.
pub async fn list_sessions(db: &Db, user_id: &str, now: NaiveDateTime) -> Result<Vec<SessionRow>, DbError> {
    db_read!(db, conn => {
        let rows: Vec<(String, NaiveDateTime, Option<NaiveDateTime>, Option<String>, Option<String>)> = sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::expires_at.gt(now))
            .select((sessions::id, sessions::created_at, sessions::last_used_at, sessions::ip, sessions::user_agent))
            .load(conn)
            .await?;
        let mut rows: Vec<SessionRow> = rows
            .into_iter()
            .map(|(id, created_at, last_used_at, ip, user_agent)| SessionRow { id, created_at, last_used_at, ip, user_agent })
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.last_used_at.unwrap_or(r.created_at)));
        Ok(rows)
    })
}

/// Records a session's use (the caller writes at most every few minutes per session).
pub async fn touch_session(db: &Db, token_hash: &str, now: NaiveDateTime) -> Result<(), DbError> {
    db_write!(db, conn => {
        diesel::update(sessions::table.filter(sessions::id.eq(token_hash))).set(sessions::last_used_at.eq(now)).execute(conn).await?;
        Ok(())
    })
}

/// Ends one of the user's sessions; `false` if they have no such session.
pub async fn end_session(db: &Db, user_id: &str, id: &str) -> Result<bool, DbError> {
    db_write!(db, conn => {
        let n = diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id)).filter(sessions::id.eq(id))).execute(conn).await?;
        Ok(n > 0)
    })
}

/// Ends every session of the user but `keep` (the browser asking). Returns how many ended.
pub async fn end_sessions_except(db: &Db, user_id: &str, keep: &str) -> Result<usize, DbError> {
    db_write!(db, conn => {
        let n = diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id)).filter(sessions::id.ne(keep))).execute(conn).await?;
        Ok(n)
    })
}

/// The user's display name.
pub async fn set_name(db: &Db, user_id: &str, name: &str, now: NaiveDateTime) -> Result<(), DbError> {
    db_write!(db, conn => {
        diesel::update(users::table.filter(users::id.eq(user_id))).set((users::name.eq(name), users::updated_at.eq(now))).execute(conn).await?;
        Ok(())
    })
}

/// A new password: stored, and every other session of the user ends, in one transaction.
pub async fn set_password(db: &Db, user_id: &str, password_hash: &str, keep_session: &str, now: NaiveDateTime) -> Result<usize, DbError> {
    db_write!(db, conn => {
        diesel::update(users::table.filter(users::id.eq(user_id)))
            .set((users::password_hash.eq(password_hash), users::updated_at.eq(now)))
            .execute(conn)
            .await?;
        let n = diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id)).filter(sessions::id.ne(keep_session))).execute(conn).await?;
        Ok(n)
    })
}

/// The organization's members, (id, name), by name.
pub async fn members(db: &Db, organization_id: &str) -> Result<Vec<(String, String)>, DbError> {
    db_read!(db, conn => {
        let rows = users::table
            .filter(users::organization_id.eq(organization_id))
            .order(users::name.asc())
            .select((users::id, users::name))
            .load::<(String, String)>(conn)
            .await?;
        Ok(rows)
    })
}

/// The organization's owner.
pub async fn owner_of(db: &Db, organization_id: &str) -> Result<String, DbError> {
    db_read!(db, conn => {
        let owner = organizations::table.filter(organizations::id.eq(organization_id)).select(organizations::owner_id).first::<String>(conn).await?;
        Ok(owner)
    })
}
