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

/// The organization's pages (id, short id), to take offline one by one first.
pub async fn page_ids(db: &Db, org_id: &str) -> Result<Vec<String>, DbError> {
    db_read!(db, conn => {
        Ok::<_, DbError>(pages::table.filter(pages::organization_id.eq(org_id)).select(pages::id).load(conn).await?)
    })
}

/// Deletes the organization and everything personal in it; returns how many members went.
pub async fn delete_organization(db: &Db, org_id: &str) -> Result<usize, DbError> {
    db_write!(db, conn => {
        let members: Vec<String> = users::table.filter(users::organization_id.eq(org_id)).select(users::id).load(conn).await?;
        diesel::delete(security_log::table.filter(security_log::user_id.eq_any(&members))).execute(conn).await?;
        diesel::delete(pages::table.filter(pages::organization_id.eq(org_id))).execute(conn).await?;
        diesel::delete(products::table.filter(products::organization_id.eq(org_id))).execute(conn).await?;
        let n = diesel::delete(users::table.filter(users::organization_id.eq(org_id))).execute(conn).await?;
        diesel::delete(groups::table.filter(groups::organization_id.eq(org_id))).execute(conn).await?;
        diesel::delete(organizations::table.filter(organizations::id.eq(org_id))).execute(conn).await?;
        Ok::<_, DbError>(n)
    })
}
