//! Page reads, and the page writer: the one way every change to a page (its row, its blocks, its
//! image) reaches the database. Every query is scoped to an organization, so another tenant's
//! page id finds nothing.

use crate::accounts::guard::{Scope, can};
use crate::error::AppError;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::pages;
use crate::infra::db::{Db, DbError};
use crate::infra::state::AppState;
use crate::{db_read, db_write};
use chrono::NaiveDateTime;
use diesel::{Queryable, Selectable};

/// A page as stored: every query of a whole page selects it (`PageRow::as_select()`).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = pages)]
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
    /// The group it belongs to (its creator's); see `Scope::check_group`.
    pub group_id: Option<String>,
}

impl PageRow {
    /// The stored hero image key: edits keep it, only an upload or a removal changes it.
    pub fn stored_hero(&self) -> Option<String> {
        crate::pages::customization::Customization::from_json(&self.customization).ok().and_then(|c| c.hero_image)
    }
}

pub struct NewPage<'a> {
    pub id: &'a str,
    pub short_id: &'a str,
    pub organization_id: &'a str,
    pub user_id: &'a str,
    pub page_type: &'a str,
    pub launch_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub customization: &'a str,
    pub settings: &'a str,
    pub now: NaiveDateTime,
}

/// Inserts a new page (switched off), in its creator's group. A short id already taken is a
/// unique violation.
pub async fn insert(db: &Db, page: &NewPage<'_>) -> Result<(), DbError> {
    use crate::infra::db::schema::users;
    db_write!(db, conn => {
        diesel::insert_into(pages::table)
            .values((
                pages::id.eq(page.id),
                pages::short_id.eq(page.short_id),
                pages::organization_id.eq(page.organization_id),
                pages::user_id.eq(page.user_id),
                pages::page_type.eq(page.page_type),
                pages::created_at.eq(page.now),
                pages::updated_at.eq(page.now),
                pages::launch_at.eq(page.launch_at),
                pages::expires_at.eq(page.expires_at),
                pages::is_active.eq(false),
                pages::customization.eq(page.customization),
                pages::settings.eq(page.settings),
                // The creator's group: see `Scope::check_group`.
                pages::group_id.eq(users::table.filter(users::id.eq(page.user_id)).select(users::group_id).single_value()),
            ))
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// The short ids of the organization's pages (to drop their cached copies).
pub async fn short_ids(db: &Db, org_id: &str) -> Result<Vec<String>, DbError> {
    db_read!(db, conn => Ok(pages::table.filter(pages::organization_id.eq(org_id)).select(pages::short_id).load(conn).await?))
}

/// The ids of the organization's pages.
pub async fn ids_in(db: &Db, org_id: &str) -> Result<Vec<String>, DbError> {
    db_read!(db, conn => Ok(pages::table.filter(pages::organization_id.eq(org_id)).select(pages::id).load(conn).await?))
}

/// The organization's pages, newest first.
pub async fn list(db: &Db, org_id: &str) -> Result<Vec<PageRow>, DbError> {
    db_read!(db, conn => {
        Ok(pages::table
            .filter(pages::organization_id.eq(org_id))
            .order(pages::created_at.desc())
            .select(PageRow::as_select())
            .load::<PageRow>(conn)
            .await?)
    })
}

/// One page of the organization, or `None` (also when it belongs to another organization).
pub async fn get(db: &Db, org_id: &str, page_id: &str) -> Result<Option<PageRow>, DbError> {
    db_read!(db, conn => {
        Ok(pages::table
            .filter(pages::organization_id.eq(org_id))
            .filter(pages::id.eq(page_id))
            .select(PageRow::as_select())
            .first::<PageRow>(conn)
            .await
            .optional()?)
    })
}

/// A page by id with its organization, for a registrant's link (which names no organization).
pub async fn by_id(db: &Db, page_id: &str) -> Result<Option<(PageRow, Option<String>)>, DbError> {
    db_read!(db, conn => {
        Ok(pages::table
            .filter(pages::id.eq(page_id))
            .select((PageRow::as_select(), pages::organization_id))
            .first::<(PageRow, Option<String>)>(conn)
            .await
            .optional()?)
    })
}

/// A page's short id (for dropping its public cache after a change made elsewhere).
pub async fn short_id_of(db: &Db, page_id: &str) -> Result<Option<String>, DbError> {
    db_read!(db, conn => {
        Ok(pages::table.filter(pages::id.eq(page_id)).select(pages::short_id).first::<String>(conn).await.optional()?)
    })
}

pub fn not_found() -> AppError {
    AppError::not_found("We couldn't find that page. It may have been deleted.")
}

/// The page, when it belongs to the caller's organization (another tenant's id is not found).
/// The scope proves the caller may edit pages.
pub async fn editable(state: &AppState, scope: &Scope<can::EditPages>, page_id: &str) -> Result<PageRow, AppError> {
    let row = get(&state.db, scope.organization_id(), page_id).await?.ok_or_else(not_found)?;
    scope.check_group(row.group_id.as_deref(), "page")?;
    Ok(row)
}

/// Runs `$body` in a write transaction that first locks the page's row (a row lock on
/// PostgreSQL; SQLite has one writer anyway), reads it into `$row`, and afterwards, once the
/// transaction has committed, drops the page's public cache entry. Every change to a page, its
/// blocks or its image goes through here, so concurrent writers of one page queue, each sees
/// what the one before it wrote, and no write can forget the cache.
///
/// `$body` is an expression of type `Result<T, DbError>` using `$conn` and `$row` (`return` in it
/// returns from the body); the macro is `Result<T, AppError>`, not found when the page is not the
/// organization's.
#[macro_export]
#[doc(hidden)]
macro_rules! page_write {
    ($state:expr, $org_id:expr, $page_id:expr, |$conn:ident, $row:ident| $body:expr) => {
        async {
            use $crate::infra::db::prelude::*;
            use $crate::infra::db::schema::pages;
            let state = &$state;
            let (org_id, page_id): (&str, &str) = ($org_id, $page_id);
            let written = $crate::db_write!(state.db, $conn => {
                let locked = diesel::update(pages::table.filter(pages::id.eq(page_id)).filter(pages::organization_id.eq(org_id)))
                    .set(pages::updated_at.eq(pages::updated_at))
                    .execute($conn)
                    .await?;
                if locked == 0 {
                    return Ok(None);
                }
                let $row: $crate::pages::backend::store::PageRow =
                    pages::table.filter(pages::id.eq(page_id)).select(<$crate::pages::backend::store::PageRow as diesel::SelectableHelper<_>>::as_select()).first($conn).await?;
                let short_id = $row.short_id.clone();
                // Its own block, so that `return` in the body ends the body, not the transaction.
                let out = async { $body }.await?;
                Ok::<_, $crate::infra::db::DbError>(Some((short_id, out)))
            })?;
            match written {
                None => Err($crate::pages::backend::store::not_found()),
                Some((short_id, out)) => {
                    $crate::infra::notifier::Notifier::changed(state, &short_id).await;
                    Ok::<_, $crate::error::AppError>(out)
                }
            }
        }
        .await
    };
}
pub use page_write;

/// What the stored columns of a page become in an edit.
pub struct PageEdit<'a> {
    pub launch_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub customization: &'a str,
    pub settings: &'a str,
    pub now: NaiveDateTime,
}

/// Outcome of a publish attempt under the plan's limit.
#[derive(Debug, PartialEq, Eq)]
pub enum Publish {
    Done,
    OverLimit { live: i64 },
}
