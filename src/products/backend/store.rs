//! Product reads. Every query is scoped to an organization, so another tenant's product id finds
//! nothing (and answers 404, like a product that does not exist).

use crate::db_read;
use crate::error::AppError;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{files, orders, products};
use crate::infra::db::{Db, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::{Queryable, Selectable, SelectableHelper};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = products)]
pub struct ProductRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub description: String,
    pub price_minor: i64,
    pub currency: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub is_active: bool,
    pub download_limit: i32,
    pub download_days: i32,
    pub sample_key: Option<String>,
    pub sample_type: Option<String>,
    /// The group it belongs to (its creator's); see `Scope::check_group`.
    pub group_id: Option<String>,
}

/// What a sample may be, recognised from its bytes: shown as an image, played, or opened.
pub fn sample_kind(content_type: &str) -> Option<crate::products::model::SampleKind> {
    use crate::products::model::SampleKind;
    match content_type {
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" => Some(SampleKind::Image),
        "audio/mpeg" | "audio/ogg" | "audio/x-wav" | "audio/wav" | "audio/x-flac" | "audio/m4a" | "audio/aac" => Some(SampleKind::Audio),
        "application/pdf" => Some(SampleKind::Pdf),
        _ => None,
    }
}

/// A product's sample as pages show it, from its stored key and type.
pub fn sample_of(key: Option<&str>, content_type: Option<&str>) -> Option<crate::products::model::Sample> {
    let key = crate::infra::storage::ObjectKey::parse_product_file(key?)?;
    let content_type = content_type?;
    let kind = sample_kind(content_type)?;
    Some(crate::products::model::Sample { url: key.public_path(), kind, content_type: content_type.to_string() })
}

/// The stored type of a product's sample, by its key (for serving it).
pub async fn sample_type(db: &Db, key: &str) -> Result<Option<String>, DbError> {
    let found: Option<Option<String>> = db_read!(db, conn => {
        Ok::<_, DbError>(products::table.filter(products::sample_key.eq(key)).select(products::sample_type).first(conn).await.optional()?)
    })?;
    Ok(found.flatten())
}

/// The organization's products, newest first.
pub async fn list(db: &Db, org_id: &str) -> Result<Vec<ProductRow>, DbError> {
    db_read!(db, conn => {
        Ok(products::table
            .filter(products::organization_id.eq(org_id))
            .order((products::created_at.desc(), products::id.desc()))
            .select(ProductRow::as_select())
            .load::<ProductRow>(conn)
            .await?)
    })
}

/// One product of the organization, or `None` (also when it belongs to another organization).
pub async fn get(db: &Db, org_id: &str, product_id: &str) -> Result<Option<ProductRow>, DbError> {
    db_read!(db, conn => {
        Ok(products::table
            .filter(products::organization_id.eq(org_id))
            .filter(products::id.eq(product_id))
            .select(ProductRow::as_select())
            .first::<ProductRow>(conn)
            .await
            .optional()?)
    })
}

/// The product, when it belongs to the caller's organization (another tenant's id is not found)
/// and the caller may change its group's products. Every change to a product starts here.
pub async fn editable(
    db: &Db,
    scope: &crate::accounts::guard::Scope<crate::accounts::guard::can::EditProducts>,
    product_id: &str,
) -> Result<ProductRow, AppError> {
    let row = get(db, scope.organization_id(), product_id).await?.ok_or_else(not_found)?;
    scope.check_group(row.group_id.as_deref(), "product")?;
    Ok(row)
}

/// Whether any order references the product (then it may be switched off, not deleted).
pub async fn has_orders(db: &Db, product_id: &str) -> Result<bool, DbError> {
    db_read!(db, conn => {
        Ok(diesel::select(diesel::dsl::exists(orders::table.filter(orders::product_id.eq(product_id))))
            .get_result::<bool>(conn)
            .await?)
    })
}

/// The product's file, if one was uploaded.
pub async fn file_of(db: &Db, product_id: &str) -> Result<Option<crate::products::model::ProductFile>, DbError> {
    let row: Option<(String, i64, String, String)> = db_read!(db, conn => {
        Ok::<_, DbError>(files::table
            .filter(files::product_id.eq(product_id))
            .select((files::file_name, files::file_size_bytes, files::file_type, files::sha256))
            .first(conn)
            .await
            .optional()?)
    })?;
    Ok(row.map(|(name, size_bytes, content_type, sha256)| crate::products::model::ProductFile { name, size_bytes, content_type, sha256 }))
}

pub fn not_found() -> AppError {
    AppError::not_found("We couldn't find that product. It may have been deleted.")
}

/// The refusal of a delete while orders need the product.
pub fn has_orders_refusal() -> AppError {
    AppError::conflict(
        "This product has orders, so it can't be deleted: its buyers may still need it. Switch it off instead, \
         and nobody can buy it any more.",
    )
}
