//! The team's one write path: invitations, members' roles and groups, removals.
//!
//! Every change that could pass a limit or a rule (the plan's seats, the last admin) first locks
//! the organization's row, so two admins acting at once are decided one after the other: two
//! invitations for the last seat cannot both pass, and two admins cannot demote each other into
//! an organization with none.

use crate::accounts::permissions::Role;
use crate::db_read;
use crate::db_write;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{groups, invitations, organizations, pages, products, roles, sessions, user_roles, users};
use crate::infra::db::{Db, DbError, new_id};
use crate::infra::mail::outbox::{OutgoingMail, enqueue_mail};
use chrono::{Duration, NaiveDateTime};

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

/// Locks the organization's row for the rest of the transaction (a no-op update: both databases
/// hold the lock until commit; SQLite has one writer anyway).
macro_rules! lock_organization {
    ($conn:expr, $organization_id:expr) => {
        diesel::update(organizations::table.filter(organizations::id.eq($organization_id)))
            .set(organizations::updated_at.eq(organizations::updated_at))
            .execute($conn)
            .await?
    };
}

/// Replaces a user's roles with `$roles: &[Role]`.
macro_rules! set_roles {
    ($conn:expr, $user_id:expr, $roles:expr) => {{
        let names: Vec<&str> = $roles.iter().map(|r: &Role| r.as_str()).collect();
        let ids: Vec<String> = roles::table.filter(roles::name.eq_any(names)).select(roles::id).load($conn).await?;
        diesel::delete(user_roles::table.filter(user_roles::user_id.eq($user_id))).execute($conn).await?;
        for role_id in ids {
            diesel::insert_into(user_roles::table).values((user_roles::user_id.eq($user_id), user_roles::role_id.eq(role_id))).execute($conn).await?;
        }
    }};
}

/// Roles as stored on an invitation: their names, comma-separated.
pub fn roles_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

pub fn parse_roles(text: &str) -> Vec<Role> {
    let mut roles: Vec<Role> = text.split(',').filter_map(Role::parse).collect();
    roles.sort();
    roles.dedup();
    roles
}

/// A member as the team page lists them.
pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub group_id: String,
    pub group_name: String,
    pub roles: Vec<Role>,
}

/// An invitation not yet accepted or revoked (expired ones too: they can be sent again).
pub struct InvitationRow {
    pub id: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub group_name: String,
    pub expires_at: NaiveDateTime,
}

/// The organization's members, by name.
pub async fn members(db: &Db, organization_id: &str) -> Result<Vec<MemberRow>, DbError> {
    db_read!(db, conn => {
        let rows: Vec<(String, String, String, String, String)> = users::table
            .inner_join(groups::table)
            .filter(users::organization_id.eq(organization_id))
            .order(users::name.asc())
            .select((users::id, users::name, users::email, users::group_id, groups::name))
            .load(conn)
            .await?;
        let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
        let held: Vec<(String, String)> = user_roles::table
            .inner_join(roles::table)
            .filter(user_roles::user_id.eq_any(ids))
            .select((user_roles::user_id, roles::name))
            .load(conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, email, group_id, group_name)| {
                let mut roles: Vec<Role> = held.iter().filter(|(user, _)| *user == id).filter_map(|(_, r)| Role::parse(r)).collect();
                roles.sort();
                MemberRow { id, name, email, group_id, group_name, roles }
            })
            .collect())
    })
}

/// Open invitations (neither accepted nor revoked), newest first.
pub async fn open_invitations(db: &Db, organization_id: &str) -> Result<Vec<InvitationRow>, DbError> {
    db_read!(db, conn => {
        let rows: Vec<(String, String, String, String, NaiveDateTime)> = invitations::table
            .inner_join(groups::table)
            .filter(invitations::organization_id.eq(organization_id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .order(invitations::created_at.desc())
            .select((invitations::id, invitations::email, invitations::roles, groups::name, invitations::expires_at))
            .load(conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, email, roles, group_name, expires_at)| InvitationRow { id, email, roles: parse_roles(&roles), group_name, expires_at })
            .collect())
    })
}

/// Why an invitation was not sent.
#[derive(Debug, PartialEq, Eq)]
pub enum InviteRefusal {
    AlreadyMember,
    AlreadyInvited,
    NoSuchGroup,
    /// Members and open invitations fill the plan's seats.
    NoSeatLeft,
}

/// Members plus unexpired open invitations: the seats in use.
macro_rules! seats_in_use {
    ($conn:expr, $organization_id:expr, $now:expr) => {{
        let members: i64 = users::table.filter(users::organization_id.eq($organization_id)).count().get_result($conn).await?;
        let invited: i64 = invitations::table
            .filter(invitations::organization_id.eq($organization_id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.gt($now))
            .count()
            .get_result($conn)
            .await?;
        members + invited
    }};
}

/// Seats in use: members, and open invitations that have not expired (the team page's count and
/// the billing page's meter).
pub async fn seats_used(db: &Db, organization_id: &str, now: NaiveDateTime) -> Result<i64, DbError> {
    crate::db_read!(db, conn => {
        Ok::<_, DbError>(seats_in_use!(conn, organization_id, now))
    })
}

/// What an invitation says.
pub struct NewInvitation<'a> {
    pub organization_id: &'a str,
    pub invited_by: &'a str,
    pub email: &'a str,
    pub roles: &'a [Role],
    pub group_id: &'a str,
    pub token_hash: &'a str,
    /// The plan's seats.
    pub seats: u32,
}

/// Stores an invitation and queues its mail, if the address is not in the team or invited
/// already, the group is the organization's, and a seat is free. Returns the invitation's id.
pub async fn invite(db: &Db, new: &NewInvitation<'_>, mail: &OutgoingMail, now: NaiveDateTime) -> Result<Result<String, InviteRefusal>, DbError> {
    db_write!(db, conn => {
        lock_organization!(conn, new.organization_id);
        let group: i64 = groups::table.filter(groups::id.eq(new.group_id)).filter(groups::organization_id.eq(new.organization_id)).count().get_result(conn).await?;
        if group == 0 {
            return Ok(Err(InviteRefusal::NoSuchGroup));
        }
        let member: i64 = users::table.filter(users::organization_id.eq(new.organization_id)).filter(users::email.eq(new.email)).count().get_result(conn).await?;
        if member > 0 {
            return Ok(Err(InviteRefusal::AlreadyMember));
        }
        let invited: i64 = invitations::table
            .filter(invitations::organization_id.eq(new.organization_id))
            .filter(invitations::email.eq(new.email))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.gt(now))
            .count()
            .get_result(conn)
            .await?;
        if invited > 0 {
            return Ok(Err(InviteRefusal::AlreadyInvited));
        }
        if seats_in_use!(conn, new.organization_id, now) >= i64::from(new.seats) {
            return Ok(Err(InviteRefusal::NoSeatLeft));
        }
        let id = new_id();
        diesel::insert_into(invitations::table)
            .values((
                invitations::id.eq(&id),
                invitations::organization_id.eq(new.organization_id),
                invitations::group_id.eq(new.group_id),
                invitations::email.eq(new.email),
                invitations::roles.eq(roles_text(new.roles)),
                invitations::token_hash.eq(new.token_hash),
                invitations::invited_by.eq(new.invited_by),
                invitations::created_at.eq(now),
                invitations::expires_at.eq(now + Duration::days(INVITATION_DAYS)),
            ))
            .execute(conn)
            .await?;
        enqueue_mail!(conn, mail, now)?;
        Ok(Ok(id))
    })
}

/// The address of an open invitation of the organization (to address its mail again).
pub async fn invitation_email(db: &Db, organization_id: &str, id: &str) -> Result<Option<(String, Vec<Role>)>, DbError> {
    db_read!(db, conn => {
        let row: Option<(String, String)> = invitations::table
            .filter(invitations::id.eq(id))
            .filter(invitations::organization_id.eq(organization_id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .select((invitations::email, invitations::roles))
            .first(conn)
            .await
            .optional()?;
        Ok(row.map(|(email, roles)| (email, parse_roles(&roles))))
    })
}

/// Sends an open invitation again with a new link (the old one dies) and seven new days. An
/// expired one takes a seat again, so it needs a free one.
pub async fn resend(
    db: &Db,
    organization_id: &str,
    id: &str,
    token_hash: &str,
    seats: u32,
    mail: &OutgoingMail,
    now: NaiveDateTime,
) -> Result<Result<(), InviteRefusal>, DbError> {
    db_write!(db, conn => {
        lock_organization!(conn, organization_id);
        let expires: Option<NaiveDateTime> = invitations::table
            .filter(invitations::id.eq(id))
            .filter(invitations::organization_id.eq(organization_id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .select(invitations::expires_at)
            .first(conn)
            .await
            .optional()?;
        let Some(expires) = expires else { return Ok(Err(InviteRefusal::NoSuchGroup)) };
        if expires <= now && seats_in_use!(conn, organization_id, now) >= i64::from(seats) {
            return Ok(Err(InviteRefusal::NoSeatLeft));
        }
        diesel::update(invitations::table.filter(invitations::id.eq(id)))
            .set((invitations::token_hash.eq(token_hash), invitations::expires_at.eq(now + Duration::days(INVITATION_DAYS))))
            .execute(conn)
            .await?;
        enqueue_mail!(conn, mail, now)?;
        Ok(Ok(()))
    })
}

/// Revokes an open invitation; `false` if there is none of that id in the organization.
pub async fn revoke(db: &Db, organization_id: &str, id: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    db_write!(db, conn => {
        let n = diesel::update(
            invitations::table
                .filter(invitations::id.eq(id))
                .filter(invitations::organization_id.eq(organization_id))
                .filter(invitations::accepted_at.is_null())
                .filter(invitations::revoked_at.is_null()),
        )
        .set(invitations::revoked_at.eq(now))
        .execute(conn)
        .await?;
        Ok(n > 0)
    })
}

/// An open, unexpired invitation as its link's page shows it.
pub struct LiveInvitation {
    pub email: String,
    pub organization_name: String,
    pub roles: Vec<Role>,
}

pub async fn live_invitation(db: &Db, token_hash: &str, now: NaiveDateTime) -> Result<Option<LiveInvitation>, DbError> {
    db_read!(db, conn => {
        let row: Option<(String, String, String)> = invitations::table
            .inner_join(organizations::table)
            .filter(invitations::token_hash.eq(token_hash))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.gt(now))
            .select((invitations::email, organizations::name, invitations::roles))
            .first(conn)
            .await
            .optional()?;
        Ok(row.map(|(email, organization_name, roles)| LiveInvitation { email, organization_name, roles: parse_roles(&roles) }))
    })
}

/// Why an invitation link made no account.
#[derive(Debug, PartialEq, Eq)]
pub enum AcceptRefusal {
    /// Unknown, expired, revoked or used.
    DeadLink,
    /// The address has an account already (a person belongs to one organization).
    EmailTaken,
}

/// Uses an invitation: the invited address becomes a member with the invitation's roles and
/// group. The invitation is used by one conditional update, so two clicks make one account.
/// Returns the new user's id and address.
pub async fn accept(
    db: &Db,
    token_hash: &str,
    name: &str,
    password_hash: &str,
    now: NaiveDateTime,
) -> Result<Result<(String, String), AcceptRefusal>, DbError> {
    let result: Result<Result<(String, String), AcceptRefusal>, DbError> = db_write!(db, conn => {
        let open: Option<String> = invitations::table
            .filter(invitations::token_hash.eq(token_hash))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.gt(now))
            .select(invitations::email)
            .first(conn)
            .await
            .optional()?;
        let Some(email) = open else { return Ok(Err(AcceptRefusal::DeadLink)) };
        // The invitation proves the mailbox: an account that only claimed the address without
        // confirming it gives it up.
        let _released = crate::accounts::backend::unconfirmed::release_unconfirmed!(conn, &email, now + chrono::Duration::minutes(1));
        // Checked before the link is used, so it still works once that account is gone.
        let taken: i64 = users::table.filter(users::email.eq(&email)).count().get_result(conn).await?;
        if taken > 0 {
            return Ok(Err(AcceptRefusal::EmailTaken));
        }
        let claimed: Option<(String, String, String, String)> = diesel::update(
            invitations::table
                .filter(invitations::token_hash.eq(token_hash))
                .filter(invitations::accepted_at.is_null())
                .filter(invitations::revoked_at.is_null())
                .filter(invitations::expires_at.gt(now)),
        )
        .set(invitations::accepted_at.eq(now))
        .returning((invitations::organization_id, invitations::group_id, invitations::email, invitations::roles))
        .get_result(conn)
        .await
        .optional()?;
        let Some((organization_id, group_id, email, role_names)) = claimed else { return Ok(Err(AcceptRefusal::DeadLink)) };
        let user_id = new_id();
        diesel::insert_into(users::table)
            .values((
                users::id.eq(&user_id),
                users::organization_id.eq(&organization_id),
                users::group_id.eq(&group_id),
                users::email.eq(&email),
                users::name.eq(name),
                users::password_hash.eq(password_hash),
                // The invitation came to this address.
                users::email_confirmed_at.eq(now),
                users::created_at.eq(now),
                users::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
        set_roles!(conn, &user_id, &parse_roles(&role_names));
        Ok(Ok((user_id, email)))
    });
    match result {
        // Someone signed up with the address between the check and the insert.
        Err(e) if e.is_unique_violation() => Ok(Err(AcceptRefusal::EmailTaken)),
        other => other,
    }
}

/// Why a change to a member was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum MemberRefusal {
    NotFound,
    NoSuchGroup,
    /// The organization would have no admin left.
    LastAdmin,
    /// The owner is removed only after handing the organization to another admin.
    Owner,
    /// An admin is changed or removed by admins only (a manager could otherwise demote them).
    AdminOnly,
}

/// Admins of the organization other than `except`.
macro_rules! other_admins {
    ($conn:expr, $organization_id:expr, $except:expr) => {{
        let n: i64 = user_roles::table
            .inner_join(roles::table)
            .inner_join(users::table)
            .filter(users::organization_id.eq($organization_id))
            .filter(roles::name.eq(Role::Admin.as_str()))
            .filter(user_roles::user_id.ne($except))
            .count()
            .get_result($conn)
            .await?;
        n
    }};
}

/// Whether `$member_id` holds the admin role.
macro_rules! is_admin {
    ($conn:expr, $member_id:expr) => {{
        let n: i64 = user_roles::table
            .inner_join(roles::table)
            .filter(user_roles::user_id.eq($member_id))
            .filter(roles::name.eq(Role::Admin.as_str()))
            .count()
            .get_result($conn)
            .await?;
        n > 0
    }};
}

/// Sets a member's roles and group. `by_admin`: whether the one asking is an admin.
pub async fn change_member(
    db: &Db,
    organization_id: &str,
    member_id: &str,
    by_admin: bool,
    new_roles: &[Role],
    group_id: &str,
    now: NaiveDateTime,
) -> Result<Result<(), MemberRefusal>, DbError> {
    db_write!(db, conn => {
        lock_organization!(conn, organization_id);
        let member: i64 = users::table.filter(users::id.eq(member_id)).filter(users::organization_id.eq(organization_id)).count().get_result(conn).await?;
        if member == 0 {
            return Ok(Err(MemberRefusal::NotFound));
        }
        let group: i64 = groups::table.filter(groups::id.eq(group_id)).filter(groups::organization_id.eq(organization_id)).count().get_result(conn).await?;
        if group == 0 {
            return Ok(Err(MemberRefusal::NoSuchGroup));
        }
        if !by_admin && is_admin!(conn, member_id) {
            return Ok(Err(MemberRefusal::AdminOnly));
        }
        if !new_roles.contains(&Role::Admin) && other_admins!(conn, organization_id, member_id) == 0 {
            return Ok(Err(MemberRefusal::LastAdmin));
        }
        set_roles!(conn, member_id, new_roles);
        diesel::update(users::table.filter(users::id.eq(member_id)))
            .set((users::group_id.eq(group_id), users::updated_at.eq(now)))
            .execute(conn)
            .await?;
        Ok(Ok(()))
    })
}

/// Removes a member: their account goes and their sessions end at once; the pages and products
/// they made stay with the organization (they pass to its owner). Returns the member's address.
pub async fn remove_member(db: &Db, organization_id: &str, member_id: &str, by_admin: bool) -> Result<Result<String, MemberRefusal>, DbError> {
    db_write!(db, conn => {
        lock_organization!(conn, organization_id);
        let member: Option<String> = users::table
            .filter(users::id.eq(member_id))
            .filter(users::organization_id.eq(organization_id))
            .select(users::email)
            .first(conn)
            .await
            .optional()?;
        let Some(email) = member else { return Ok(Err(MemberRefusal::NotFound)) };
        if !by_admin && is_admin!(conn, member_id) {
            return Ok(Err(MemberRefusal::AdminOnly));
        }
        let owner: String = organizations::table.filter(organizations::id.eq(organization_id)).select(organizations::owner_id).first(conn).await?;
        if owner == member_id {
            return Ok(Err(MemberRefusal::Owner));
        }
        if other_admins!(conn, organization_id, member_id) == 0 {
            return Ok(Err(MemberRefusal::LastAdmin));
        }
        diesel::update(pages::table.filter(pages::user_id.eq(member_id))).set(pages::user_id.eq(&owner)).execute(conn).await?;
        diesel::update(products::table.filter(products::user_id.eq(member_id))).set(products::user_id.eq(&owner)).execute(conn).await?;
        diesel::delete(sessions::table.filter(sessions::user_id.eq(member_id))).execute(conn).await?;
        diesel::delete(users::table.filter(users::id.eq(member_id))).execute(conn).await?;
        Ok(Ok(email))
    })
}

/// Hands the organization to another of its admins, with its plan: the subscription is the
/// owner's, so it moves too (else the organization would fall back to Free).
pub async fn transfer_ownership(db: &Db, organization_id: &str, from: &str, to: &str, now: NaiveDateTime) -> Result<Result<(), MemberRefusal>, DbError> {
    use crate::infra::db::schema::subscriptions;
    db_write!(db, conn => {
        lock_organization!(conn, organization_id);
        let owner: String = organizations::table.filter(organizations::id.eq(organization_id)).select(organizations::owner_id).first(conn).await?;
        if owner != from {
            return Ok(Err(MemberRefusal::Owner));
        }
        let target_is_admin: i64 = user_roles::table
            .inner_join(roles::table)
            .inner_join(users::table)
            .filter(users::id.eq(to))
            .filter(users::organization_id.eq(organization_id))
            .filter(roles::name.eq(Role::Admin.as_str()))
            .count()
            .get_result(conn)
            .await?;
        if target_is_admin == 0 || to == from {
            return Ok(Err(MemberRefusal::NotFound));
        }
        diesel::update(organizations::table.filter(organizations::id.eq(organization_id)))
            .set((organizations::owner_id.eq(to), organizations::updated_at.eq(now)))
            .execute(conn)
            .await?;
        diesel::update(subscriptions::table.filter(subscriptions::user_id.eq(from)))
            .set((subscriptions::user_id.eq(to), subscriptions::updated_at.eq(now)))
            .execute(conn)
            .await?;
        Ok(Ok(()))
    })
}

/// A group as the team page lists it.
pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub members: i64,
}

pub async fn groups_with_counts(db: &Db, organization_id: &str) -> Result<Vec<GroupRow>, DbError> {
    db_read!(db, conn => {
        let all: Vec<(String, String)> = groups::table
            .filter(groups::organization_id.eq(organization_id))
            .order(groups::name.asc())
            .select((groups::id, groups::name))
            .load(conn)
            .await?;
        let members: Vec<String> = users::table.filter(users::organization_id.eq(organization_id)).select(users::group_id).load(conn).await?;
        Ok(all
            .into_iter()
            .map(|(id, name)| {
                let count = members.iter().filter(|g| **g == id).count() as i64;
                GroupRow { id, name, members: count }
            })
            .collect())
    })
}

/// Why a group change was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum GroupRefusal {
    NotFound,
    /// Members or open invitations are in it.
    NotEmpty,
    /// An organization keeps at least one group.
    LastGroup,
    /// Another group of the organization has that name.
    NameTaken,
}

pub async fn create_group(db: &Db, organization_id: &str, name: &str, now: NaiveDateTime) -> Result<Result<String, GroupRefusal>, DbError> {
    db_write!(db, conn => {
        lock_organization!(conn, organization_id);
        let same: i64 = groups::table.filter(groups::organization_id.eq(organization_id)).filter(groups::name.eq(name)).count().get_result(conn).await?;
        if same > 0 {
            return Ok(Err(GroupRefusal::NameTaken));
        }
        let id = new_id();
        diesel::insert_into(groups::table)
            .values((
                groups::id.eq(&id),
                groups::organization_id.eq(organization_id),
                groups::name.eq(name),
                groups::created_at.eq(now),
                groups::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
        Ok(Ok(id))
    })
}

/// Deletes an empty group (no members, no open invitations), never the last one.
pub async fn delete_group(db: &Db, organization_id: &str, id: &str) -> Result<Result<(), GroupRefusal>, DbError> {
    db_write!(db, conn => {
        lock_organization!(conn, organization_id);
        let all: Vec<String> = groups::table.filter(groups::organization_id.eq(organization_id)).select(groups::id).load(conn).await?;
        if !all.iter().any(|g| g == id) {
            return Ok(Err(GroupRefusal::NotFound));
        }
        if all.len() <= 1 {
            return Ok(Err(GroupRefusal::LastGroup));
        }
        let members: i64 = users::table.filter(users::group_id.eq(id)).count().get_result(conn).await?;
        let invited: i64 = invitations::table
            .filter(invitations::group_id.eq(id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .count()
            .get_result(conn)
            .await?;
        if members + invited > 0 {
            return Ok(Err(GroupRefusal::NotEmpty));
        }
        diesel::delete(groups::table.filter(groups::id.eq(id))).execute(conn).await?;
        Ok(Ok(()))
    })
}

/// Renames a group (enterprise organizations only; the caller checks).
pub async fn rename_group(db: &Db, organization_id: &str, id: &str, name: &str, now: NaiveDateTime) -> Result<Result<(), GroupRefusal>, DbError> {
    db_write!(db, conn => {
        lock_organization!(conn, organization_id);
        let same: i64 = groups::table
            .filter(groups::organization_id.eq(organization_id))
            .filter(groups::name.eq(name))
            .filter(groups::id.ne(id))
            .count()
            .get_result(conn)
            .await?;
        if same > 0 {
            return Ok(Err(GroupRefusal::NameTaken));
        }
        let n = diesel::update(groups::table.filter(groups::id.eq(id)).filter(groups::organization_id.eq(organization_id)))
            .set((groups::name.eq(name), groups::updated_at.eq(now)))
            .execute(conn)
            .await?;
        Ok(if n == 0 { Err(GroupRefusal::NotFound) } else { Ok(()) })
    })
}

/// Whether the organization is an enterprise one (names are its own to choose).
pub async fn is_enterprise(db: &Db, organization_id: &str) -> Result<bool, DbError> {
    db_read!(db, conn => {
        let e = organizations::table.filter(organizations::id.eq(organization_id)).select(organizations::is_enterprise).first::<bool>(conn).await?;
        Ok(e)
    })
}

/// Renames an enterprise organization (the caller checks).
pub async fn rename_organization(db: &Db, organization_id: &str, name: &str, now: NaiveDateTime) -> Result<(), DbError> {
    db_write!(db, conn => {
        diesel::update(organizations::table.filter(organizations::id.eq(organization_id)))
            .set((organizations::name.eq(name), organizations::updated_at.eq(now)))
            .execute(conn)
            .await?;
        Ok(())
    })
}
