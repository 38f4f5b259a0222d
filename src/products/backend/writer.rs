//! The product writer: every change to a product goes through these functions, each one
//! transaction scoped to the organization (another tenant's id changes nothing and is not found).
//!
//! - Creating a product, or switching one back on, counts the organization's switched-on products
//!   against the plan under the organization's row lock (the lock page publishing takes), so
//!   parallel requests cannot exceed the limit.
//! - Deleting locks the product's row and refuses while an order references it; an order that
//!   commits in between is caught by the foreign key (`orders.product_id`), reported the same way.
//! - Edits are one conditional UPDATE each: concurrent saves of one product are last-wins.
//! - A product's file row is replaced under the product's row lock; the replaced file's key (and
//!   on delete, the product's file keys) are handed back so the caller deletes the objects once
//!   the rows are gone.
//!
//! Products are not cached anywhere (stock and prices must never be served stale across app
//! instances), so there is nothing to invalidate after a write.

use super::store::{has_orders_refusal, not_found};
use crate::db_write;
use crate::error::AppError;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{files, orders, organizations, page_contents, products, users};
use crate::infra::db::{Db, DbError, new_id};
use crate::infra::storage::ObjectKey;
use crate::products::validation::ProductInput;
use chrono::Utc;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// The stored file of a product, as the writer records it.
pub struct StoredFile {
    pub file_name: String,
    pub content_type: String,
    pub key: ObjectKey,
    pub size: i64,
    pub sha256: String,
}

/// The outcome of a write that the plan may refuse.
#[derive(Debug, PartialEq, Eq)]
pub enum Limited<T> {
    Done(T),
    /// The organization already has `active` switched-on products, the plan's maximum.
    OverLimit {
        active: i64,
    },
}

/// Inside a write transaction: locks the organization's row (so that concurrent creates and
/// reactivations queue), then says whether one more switched-on product would exceed `limit`.
/// `except` is a product that is already counted (the one being switched on).
macro_rules! over_limit {
    ($conn:ident, $org_id:expr, $limit:expr, $except:expr) => {
        async {
            diesel::update(organizations::table.filter(organizations::id.eq($org_id)))
                .set(organizations::updated_at.eq(organizations::updated_at))
                .execute($conn)
                .await?;
            let Some(limit) = $limit else { return Ok::<_, DbError>(None) };
            let active: i64 = products::table
                .filter(products::organization_id.eq($org_id))
                .filter(products::is_active.eq(true))
                .filter(products::id.ne($except))
                .count()
                .get_result($conn)
                .await?;
            Ok((active >= i64::from(limit)).then_some(active))
        }
        .await
    };
}

/// Inserts a product, switched on, unless the plan's `limit` of switched-on products is reached.
pub async fn create(db: &Db, org_id: &str, user_id: &str, input: &ProductInput, limit: Option<u32>) -> Result<Limited<String>, AppError> {
    let id = new_id();
    let now = Utc::now().naive_utc();
    let expires_at = input.expires_at.map(|t| t.naive_utc());
    let id_ref = &id;
    let written = db_write!(db, conn => {
        if let Some(active) = over_limit!(conn, org_id, limit, "")? {
            return Ok(Limited::OverLimit { active });
        }
        diesel::insert_into(products::table)
            .values((
                products::id.eq(id_ref),
                products::organization_id.eq(org_id),
                products::user_id.eq(user_id),
                products::name.eq(&input.name),
                products::description.eq(&input.description),
                products::price_minor.eq(input.price_minor),
                products::currency.eq(&input.currency),
                products::created_at.eq(now),
                products::updated_at.eq(now),
                products::expires_at.eq(expires_at),
                products::is_active.eq(true),
                products::download_limit.eq(input.download_limit),
                products::download_days.eq(input.download_days),
                // The creator's group: see `Scope::check_group`.
                products::group_id.eq(users::table.filter(users::id.eq(user_id)).select(users::group_id).single_value()),
            ))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(Limited::Done(id_ref.clone()))
    })?;
    Ok(written)
}

/// Saves name, description, price and expiry (already validated).
pub async fn edit(db: &Db, org_id: &str, product_id: &str, input: &ProductInput) -> Result<(), AppError> {
    let now = Utc::now().naive_utc();
    let expires_at = input.expires_at.map(|t| t.naive_utc());
    let changed = db_write!(db, conn => {
        Ok::<_, DbError>(diesel::update(products::table.filter(products::id.eq(product_id)).filter(products::organization_id.eq(org_id)))
            .set((
                products::name.eq(&input.name),
                products::description.eq(&input.description),
                products::price_minor.eq(input.price_minor),
                products::currency.eq(&input.currency),
                products::expires_at.eq(expires_at),
                products::download_limit.eq(input.download_limit),
                products::download_days.eq(input.download_days),
                products::updated_at.eq(now),
            ))
            .execute(conn)
            .await?)
    })?;
    if changed == 0 { Err(not_found()) } else { Ok(()) }
}

/// Switches a product on (within the plan's `limit`) or off.
pub async fn set_active(db: &Db, org_id: &str, product_id: &str, active: bool, limit: Option<u32>) -> Result<Limited<()>, AppError> {
    let now = Utc::now().naive_utc();
    let written = db_write!(db, conn => {
        if active && let Some(count) = over_limit!(conn, org_id, limit, product_id)? {
            return Ok(Some(Limited::OverLimit { active: count }));
        }
        let changed = diesel::update(products::table.filter(products::id.eq(product_id)).filter(products::organization_id.eq(org_id)))
            .set((products::is_active.eq(active), products::updated_at.eq(now)))
            .execute(conn)
            .await?;
        Ok::<_, DbError>((changed > 0).then_some(Limited::Done(())))
    })?;
    written.ok_or_else(not_found)
}

/// Links a stored file to the product, replacing its earlier one; returns that one's key.
pub async fn set_file(db: &Db, org_id: &str, product_id: &str, file: &StoredFile) -> Result<Option<String>, AppError> {
    let now = Utc::now().naive_utc();
    let written = db_write!(db, conn => {
        let locked = diesel::update(products::table.filter(products::id.eq(product_id)).filter(products::organization_id.eq(org_id)))
            .set(products::updated_at.eq(now))
            .execute(conn)
            .await?;
        if locked == 0 {
            return Ok(None);
        }
        let replaced: Option<String> = diesel::delete(files::table.filter(files::product_id.eq(product_id)))
            .returning(files::storage_key)
            .get_result(conn)
            .await
            .optional()?;
        diesel::insert_into(files::table)
            .values((
                files::id.eq(new_id()),
                files::product_id.eq(product_id),
                files::file_name.eq(&file.file_name),
                files::file_type.eq(&file.content_type),
                files::storage_key.eq(file.key.as_str()),
                files::file_size_bytes.eq(file.size),
                files::uploaded_at.eq(now),
                files::sha256.eq(&file.sha256),
            ))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(Some(replaced))
    })?;
    written.ok_or_else(not_found)
}

/// Records (or, with `None`, removes) the product's public sample; returns the key of the sample
/// it replaced, to delete from storage.
pub async fn set_sample(db: &Db, org_id: &str, product_id: &str, sample: Option<(&str, &str)>) -> Result<Option<String>, AppError> {
    let now = Utc::now().naive_utc();
    let (key, content_type) = (sample.map(|s| s.0), sample.map(|s| s.1));
    let written = db_write!(db, conn => {
        let old: Option<Option<String>> = products::table
            .filter(products::id.eq(product_id))
            .filter(products::organization_id.eq(org_id))
            .select(products::sample_key)
            .first(conn)
            .await
            .optional()?;
        let Some(old) = old else { return Ok(None) };
        diesel::update(products::table.filter(products::id.eq(product_id)))
            .set((products::sample_key.eq(key), products::sample_type.eq(content_type), products::updated_at.eq(now)))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(Some(old.filter(|old| Some(old.as_str()) != key)))
    })?;
    written.ok_or_else(not_found)
}

/// What a delete found.
enum Deleted {
    /// With the keys of the product's files, to delete from storage.
    Done(Vec<String>),
    NotFound,
    HasOrders,
    OnAPage,
}

/// Deletes a product that no order references; returns its files' keys.
pub async fn delete(db: &Db, org_id: &str, product_id: &str) -> Result<Vec<String>, AppError> {
    let outcome = db_write!(db, conn => {
        let locked = diesel::update(products::table.filter(products::id.eq(product_id)).filter(products::organization_id.eq(org_id)))
            .set(products::updated_at.eq(products::updated_at))
            .execute(conn)
            .await?;
        if locked == 0 {
            return Ok(Deleted::NotFound);
        }
        let referenced: bool = diesel::select(diesel::dsl::exists(orders::table.filter(orders::product_id.eq(product_id))))
            .get_result(conn)
            .await?;
        if referenced {
            return Ok(Deleted::HasOrders);
        }
        let shown: bool = diesel::select(diesel::dsl::exists(page_contents::table.filter(page_contents::product_id.eq(product_id))))
            .get_result(conn)
            .await?;
        if shown {
            return Ok(Deleted::OnAPage);
        }
        let mut keys: Vec<String> = diesel::delete(files::table.filter(files::product_id.eq(product_id)))
            .returning(files::storage_key)
            .get_results(conn)
            .await?;
        let sample: Option<String> = products::table.filter(products::id.eq(product_id)).select(products::sample_key).first(conn).await?;
        keys.extend(sample);
        diesel::delete(products::table.filter(products::id.eq(product_id))).execute(conn).await?;
        Ok::<_, DbError>(Deleted::Done(keys))
    });
    match outcome {
        Ok(Deleted::Done(keys)) => Ok(keys),
        Ok(Deleted::NotFound) => Err(not_found()),
        Ok(Deleted::HasOrders) => Err(has_orders_refusal()),
        Ok(Deleted::OnAPage) => Err(AppError::conflict("This product is on a page. Remove its block from the page first (or switch the product off).")),
        Err(DbError::Query(DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _))) => Err(has_orders_refusal()),
        Err(e) => Err(e.into()),
    }
}
