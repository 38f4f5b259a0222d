//! Deleting an organization, in the database: the last step of the owner's "delete the
//! organization", after its pages were taken offline (each through the page's write path, which
//! tells an event's registrants) and its subscription ended.
//!
//! One transaction removes everything personal: the members (with their sessions, roles,
//! subscriptions and links, by cascade), their security-log entries, the groups and
//! invitations, the remaining pages (registrations by cascade) and products (file rows by
//! cascade), the storage ledger. Orders stay, as the seed keeps them 7 years for tax: they carry
//! their own organization id, amounts and item titles, and their page and product references
//! become NULL (ON DELETE SET NULL), so nothing ties them to a person of the organization.

use crate::db_read;
use crate::db_write;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{groups, organizations, pages, products, security_log, stored_objects, users};
use crate::infra::db::{Db, DbError};

/// The keys of every file the organization keeps (hero images, product files, samples).
pub async fn stored_keys(db: &Db, org_id: &str) -> Result<Vec<String>, DbError> {
    db_read!(db, conn => {
        Ok::<_, DbError>(stored_objects::table.filter(stored_objects::organization_id.eq(org_id)).select(stored_objects::key).load(conn).await?)
    })
}

/// Deletes the organization and everything personal in it; returns how many members went.
///
/// The organization's row is locked first, as every other write to it does (a review of its plan,
/// a team change), so those queue behind the deletion instead of meeting it halfway. On
/// PostgreSQL a deadlock with a concurrent webhook is still possible (the subscription's row is
/// locked by both, in different orders): the transaction is then tried again, once or twice.
pub async fn delete_organization(db: &Db, org_id: &str) -> Result<usize, DbError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match delete_once(db, org_id).await {
            Err(e) if attempt < 3 && e.to_string().contains("deadlock detected") => {
                tracing::warn!(organization = %org_id, attempt, "deleting the organization met a deadlock: trying again");
            }
            other => return other,
        }
    }
}

async fn delete_once(db: &Db, org_id: &str) -> Result<usize, DbError> {
    db_write!(db, conn => {
        diesel::update(organizations::table.filter(organizations::id.eq(org_id)))
            .set(organizations::updated_at.eq(organizations::updated_at))
            .execute(conn)
            .await?;
        let members: Vec<(String, String)> = users::table.filter(users::organization_id.eq(org_id)).select((users::id, users::email)).load(conn).await?;
        let (ids, emails): (Vec<String>, Vec<String>) = members.into_iter().unzip();
        // Their entries, and those that name only their address (failed logins, reset requests).
        diesel::delete(security_log::table.filter(security_log::user_id.eq_any(&ids).or(security_log::email.eq_any(&emails)))).execute(conn).await?;
        diesel::delete(pages::table.filter(pages::organization_id.eq(org_id))).execute(conn).await?;
        diesel::delete(products::table.filter(products::organization_id.eq(org_id))).execute(conn).await?;
        let n = diesel::delete(users::table.filter(users::organization_id.eq(org_id))).execute(conn).await?;
        diesel::delete(groups::table.filter(groups::organization_id.eq(org_id))).execute(conn).await?;
        diesel::delete(organizations::table.filter(organizations::id.eq(org_id))).execute(conn).await?;
        Ok::<_, DbError>(n)
    })
}
