//! Order reads.

use crate::db_read;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{files, orders, pages};
use crate::infra::db::{Db, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::{Queryable, Selectable, SelectableHelper};

/// An order as the buyer's links find it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = orders)]
pub struct BuyerRow {
    pub id: String,
    pub page_id: Option<String>,
    pub product_id: Option<String>,
    pub buyer_email: String,
    pub status: String,
    pub amount_due: i64,
    pub amount_paid: i64,
    pub currency: String,
    pub item_title: String,
    pub bonus_description: Option<String>,
    pub provider: String,
    pub checkout_session_id: Option<String>,
    pub download_attempts: i32,
    pub download_limit: i32,
    pub download_days: i32,
    pub downloads_until: Option<NaiveDateTime>,
}

/// The order a buyer's token opens: the thank-you page's token, or the download link's.
pub async fn by_token(db: &Db, token: &str) -> Result<Option<BuyerRow>, DbError> {
    if !crate::infra::tokens::looks_like_token(token) {
        return Ok(None);
    }
    let hash = crate::infra::tokens::token_hash(token);
    db_read!(db, conn => {
        Ok(orders::table
            .filter(orders::access_token_hash.eq(&hash).or(orders::download_token_hash.eq(&hash)))
            .select(BuyerRow::as_select())
            .first(conn)
            .await
            .optional()?)
    })
}

/// The short id of the page an order was placed on, while the page exists.
pub async fn short_id_of_order(db: &Db, order_id: &str) -> Result<Option<String>, DbError> {
    db_read!(db, conn => {
        Ok(orders::table
            .inner_join(pages::table.on(orders::page_id.eq(pages::id.nullable())))
            .filter(orders::id.eq(order_id))
            .select(pages::short_id)
            .first(conn)
            .await
            .optional()?)
    })
}

/// A product's file as a download serves it: storage key, original name, type, size.
pub async fn file_of_product(db: &Db, product_id: &str) -> Result<Option<(String, String, String, i64)>, DbError> {
    db_read!(db, conn => {
        Ok(files::table
            .filter(files::product_id.eq(product_id))
            .select((files::storage_key, files::file_name, files::file_type, files::file_size_bytes))
            .first(conn)
            .await
            .optional()?)
    })
}

/// An order as the creator's list shows it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = orders)]
pub struct CreatorRow {
    pub id: String,
    pub created_at: NaiveDateTime,
    pub item_title: String,
    pub buyer_email: String,
    pub status: String,
    pub amount_due: i64,
    pub amount_paid: i64,
    pub amount_refunded: i64,
    pub currency: String,
    pub download_attempts: i32,
    pub download_limit: i32,
    pub payment_id: Option<String>,
    pub page_id: Option<String>,
}

/// The organization's orders (of one page, when given), newest first: `limit` rows after skipping
/// `offset`. Processing orders whose hold lapsed count as expired here too.
pub async fn list(db: &Db, org_id: &str, page_id: Option<&str>, offset: i64, limit: i64) -> Result<Vec<CreatorRow>, DbError> {
    db_read!(db, conn => {
        let mut q = orders::table.filter(orders::organization_id.eq(org_id)).into_boxed();
        if let Some(page_id) = page_id {
            q = q.filter(orders::page_id.eq(page_id));
        }
        Ok(q.order((orders::created_at.desc(), orders::id.desc()))
            .offset(offset)
            .limit(limit)
            .select(CreatorRow::as_select())
            .load(conn)
            .await?)
    })
}

/// Per currency and status: how many orders, what was paid, what was refunded (summed by the
/// database, cast so both backends hand back a 64-bit integer).
pub async fn totals(db: &Db, org_id: &str, page_id: Option<&str>) -> Result<Vec<(String, String, i64, i64, i64)>, DbError> {
    use diesel::dsl::{count_star, sql};
    use diesel::sql_types::BigInt;
    // Grouped queries cannot be boxed in diesel: the page filter is a condition that is always
    // true when no page is given.
    let (any_page, page) = (page_id.is_none(), page_id.unwrap_or_default());
    db_read!(db, conn => {
        Ok(orders::table
            .filter(orders::organization_id.eq(org_id))
            .filter(orders::page_id.eq(page).or(diesel::dsl::sql::<diesel::sql_types::Bool>(if any_page { "1 = 1" } else { "1 = 0" })))
            .group_by((orders::currency, orders::status))
            .select((
                orders::currency,
                orders::status,
                count_star(),
                sql::<BigInt>("CAST(COALESCE(SUM(amount_paid), 0) AS BIGINT)"),
                sql::<BigInt>("CAST(COALESCE(SUM(amount_refunded), 0) AS BIGINT)"),
            ))
            .load(conn)
            .await?)
    })
}

/// A page's headline, if the page is the organization's.
pub async fn page_title(db: &Db, org_id: &str, page_id: &str) -> Result<Option<String>, DbError> {
    let look: Option<String> = db_read!(db, conn => {
        Ok::<_, DbError>(pages::table
            .filter(pages::id.eq(page_id))
            .filter(pages::organization_id.eq(org_id))
            .select(pages::customization)
            .first(conn)
            .await
            .optional()?)
    })?;
    Ok(look.map(|json| crate::pages::customization::Customization::from_json(&json).map(|c| c.headline).unwrap_or_default()))
}

/// One of the organization's orders.
pub async fn creator_order(db: &Db, org_id: &str, order_id: &str) -> Result<Option<CreatorRow>, DbError> {
    db_read!(db, conn => {
        Ok(orders::table
            .filter(orders::organization_id.eq(org_id))
            .filter(orders::id.eq(order_id))
            .select(CreatorRow::as_select())
            .first(conn)
            .await
            .optional()?)
    })
}

/// The organization's orders (of one page, when given), newest first, after the row `after`
/// (keyset paging: each batch of an export costs the same however far in).
pub async fn list_after(db: &Db, org_id: &str, page_id: Option<&str>, after: Option<&(NaiveDateTime, String)>, limit: i64) -> Result<Vec<CreatorRow>, DbError> {
    db_read!(db, conn => {
        let mut q = orders::table.filter(orders::organization_id.eq(org_id)).into_boxed();
        if let Some(page_id) = page_id {
            q = q.filter(orders::page_id.eq(page_id));
        }
        if let Some((at, id)) = after {
            q = q.filter(orders::created_at.lt(*at).or(orders::created_at.eq(*at).and(orders::id.lt(id))));
        }
        Ok(q.order((orders::created_at.desc(), orders::id.desc())).limit(limit).select(CreatorRow::as_select()).load(conn).await?)
    })
}
