//! Page queries. Every query is scoped to an organization through the owning user, so another
//! tenant's page id finds nothing.

use crate::server::db::prelude::*;
use crate::server::db::schema::{organizations, pages, users};
use crate::server::db::{Db, DbError};
use crate::{db_conn, db_tx};
use chrono::NaiveDateTime;
use diesel::Queryable;

#[derive(Clone, Debug, Queryable)]
pub struct PageRow {
    pub id: String,
    pub short_id: String,
    pub user_id: String,
    pub page_type: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub launch_at: Option<NaiveDateTime>,
    pub is_active: bool,
    pub customization: String,
    pub settings: String,
    pub updated_at: NaiveDateTime,
    pub view_count: i64,
}

impl PageRow {
    /// The stored hero image key: edits keep it, only an upload or a removal changes it.
    pub fn stored_hero(&self) -> Option<String> {
        crate::pages::customization::Customization::from_json(&self.customization).ok().and_then(|c| c.hero_image)
    }
}

macro_rules! page_columns {
    () => {
        (
            pages::id,
            pages::short_id,
            pages::user_id,
            pages::page_type,
            pages::created_at,
            pages::expires_at,
            pages::launch_at,
            pages::is_active,
            pages::customization,
            pages::settings,
            pages::updated_at,
            pages::view_count,
        )
    };
}

pub struct NewPage<'a> {
    pub id: &'a str,
    pub short_id: &'a str,
    pub user_id: &'a str,
    pub page_type: &'a str,
    pub launch_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub customization: &'a str,
    pub settings: &'a str,
    pub now: NaiveDateTime,
}

pub async fn insert(db: &Db, page: &NewPage<'_>) -> Result<(), DbError> {
    db_conn!(db, conn => {
        diesel::insert_into(pages::table)
            .values((
                pages::id.eq(page.id),
                pages::short_id.eq(page.short_id),
                pages::user_id.eq(page.user_id),
                pages::page_type.eq(page.page_type),
                pages::created_at.eq(page.now),
                pages::updated_at.eq(page.now),
                pages::launch_at.eq(page.launch_at),
                pages::expires_at.eq(page.expires_at),
                pages::is_active.eq(false),
                pages::customization.eq(page.customization),
                pages::settings.eq(page.settings),
            ))
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// The organization's pages, newest first.
pub async fn list(db: &Db, org_id: &str) -> Result<Vec<PageRow>, DbError> {
    db_conn!(db, conn => {
        Ok(pages::table
            .inner_join(users::table)
            .filter(users::organization_id.eq(org_id))
            .order(pages::created_at.desc())
            .select(page_columns!())
            .load::<PageRow>(conn)
            .await?)
    })
}

/// One page of the organization, or `None` (also when it belongs to another organization).
pub async fn get(db: &Db, org_id: &str, page_id: &str) -> Result<Option<PageRow>, DbError> {
    db_conn!(db, conn => {
        Ok(pages::table
            .inner_join(users::table)
            .filter(users::organization_id.eq(org_id))
            .filter(pages::id.eq(page_id))
            .select(page_columns!())
            .first::<PageRow>(conn)
            .await
            .optional()?)
    })
}

pub struct PageEdit<'a> {
    pub launch_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub customization: &'a str,
    pub settings: &'a str,
    pub now: NaiveDateTime,
}

/// Saves settings, look and schedule. Returns false when the page is not the organization's.
pub async fn update(db: &Db, org_id: &str, page_id: &str, edit: &PageEdit<'_>) -> Result<bool, DbError> {
    db_conn!(db, conn => {
        let owners = users::table.filter(users::organization_id.eq(org_id)).select(users::id);
        let n = diesel::update(pages::table.filter(pages::id.eq(page_id)).filter(pages::user_id.eq_any(owners)))
            .set((
                pages::launch_at.eq(edit.launch_at),
                pages::expires_at.eq(edit.expires_at),
                pages::customization.eq(edit.customization),
                pages::settings.eq(edit.settings),
                pages::updated_at.eq(edit.now),
            ))
            .execute(conn)
            .await?;
        Ok(n == 1)
    })
}

pub async fn delete(db: &Db, org_id: &str, page_id: &str) -> Result<bool, DbError> {
    db_conn!(db, conn => {
        let owners = users::table.filter(users::organization_id.eq(org_id)).select(users::id);
        let n = diesel::delete(pages::table.filter(pages::id.eq(page_id)).filter(pages::user_id.eq_any(owners)))
            .execute(conn)
            .await?;
        Ok(n == 1)
    })
}

/// Outcome of a publish attempt under the plan's limit.
#[derive(Debug, PartialEq, Eq)]
pub enum Publish {
    Done,
    NotFound,
    OverLimit { live: i64 },
}

/// Switches a page on, unless that would exceed `limit` live pages. The organization row is
/// touched first so that concurrent publishes of one organization queue (a row lock on PostgreSQL;
/// SQLite's writer lock already serialises them) and the count cannot be raced past the limit.
pub async fn publish(db: &Db, org_id: &str, page_id: &str, limit: Option<u32>, now: NaiveDateTime) -> Result<Publish, DbError> {
    db_tx!(db, conn => {
        diesel::update(organizations::table.filter(organizations::id.eq(org_id)))
            .set(organizations::updated_at.eq(organizations::updated_at))
            .execute(conn)
            .await?;
        let owners = users::table.filter(users::organization_id.eq(org_id)).select(users::id);
        let exists: i64 = pages::table
            .filter(pages::id.eq(page_id))
            .filter(pages::user_id.eq_any(owners))
            .count()
            .get_result(conn)
            .await?;
        if exists == 0 {
            return Ok(Publish::NotFound);
        }
        if let Some(limit) = limit {
            let owners = users::table.filter(users::organization_id.eq(org_id)).select(users::id);
            let live: i64 = pages::table
                .filter(pages::user_id.eq_any(owners))
                .filter(pages::is_active.eq(true))
                .filter(pages::id.ne(page_id))
                .filter(pages::expires_at.is_null().or(pages::expires_at.gt(now)))
                .count()
                .get_result(conn)
                .await?;
            if live >= i64::from(limit) {
                return Ok(Publish::OverLimit { live });
            }
        }
        diesel::update(pages::table.filter(pages::id.eq(page_id)))
            .set((pages::is_active.eq(true), pages::updated_at.eq(now)))
            .execute(conn)
            .await?;
        Ok::<Publish, DbError>(Publish::Done)
    })
}

pub async fn unpublish(db: &Db, org_id: &str, page_id: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    db_conn!(db, conn => {
        let owners = users::table.filter(users::organization_id.eq(org_id)).select(users::id);
        let n = diesel::update(pages::table.filter(pages::id.eq(page_id)).filter(pages::user_id.eq_any(owners)))
            .set((pages::is_active.eq(false), pages::updated_at.eq(now)))
            .execute(conn)
            .await?;
        Ok(n == 1)
    })
}

/// Replaces only the look (the hero image changes this way). False when not the organization's.
pub async fn set_customization(db: &Db, org_id: &str, page_id: &str, customization: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    db_conn!(db, conn => {
        let owners = users::table.filter(users::organization_id.eq(org_id)).select(users::id);
        let n = diesel::update(pages::table.filter(pages::id.eq(page_id)).filter(pages::user_id.eq_any(owners)))
            .set((pages::customization.eq(customization), pages::updated_at.eq(now)))
            .execute(conn)
            .await?;
        Ok(n == 1)
    })
}
