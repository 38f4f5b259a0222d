//! The orders export (`/dashboard/orders.csv`): its columns and its batches.

use super::store::{CreatorRow, list_after};
use crate::infra::csv::{self, After, BATCH, Batch};
use crate::infra::db::{Db, DbError};

/// The header line.
pub fn head() -> String {
    csv::line(&["created_at", "order_id", "item", "buyer_email", "status", "amount", "amount_refunded", "currency", "downloads", "download_limit"])
}

/// The organization's orders (of one page, when given) after `after`, oldest first.
pub async fn batch(db: &Db, org_id: &str, page_id: Option<&str>, after: Option<&After>) -> Result<Batch, DbError> {
    let rows = list_after(db, org_id, page_id, after, BATCH).await?;
    Ok(Batch::of(&rows, row_line, |r| (r.created_at, r.id.clone())))
}

fn row_line(r: &CreatorRow) -> String {
    let amount = if r.amount_paid > 0 { r.amount_paid } else { r.amount_due };
    csv::line(&[
        &r.created_at.and_utc().to_rfc3339(),
        &r.id,
        &r.item_title,
        &r.buyer_email,
        &r.status,
        &crate::money::format_amount(amount, &r.currency),
        &crate::money::format_amount(r.amount_refunded, &r.currency),
        &r.currency,
        &r.download_attempts.to_string(),
        &r.download_limit.to_string(),
    ])
}
