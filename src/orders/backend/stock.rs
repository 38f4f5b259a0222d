//! The one count of a page's stock: what checkout holds against, what the page shows as left.

use crate::db_read;
use crate::infra::db::prelude::*;
use crate::infra::db::{Db, DbError};
use chrono::{DateTime, Utc};

/// The orders that take a unit of a page's stock at `$now` (a `NaiveDateTime`): paid, waiting for
/// a delayed payment (`pending`), or being paid for within their hold. A hold that lapsed counts
/// as free at once, whether or not anything has marked its order expired yet, so stock never
/// waits for a job.
#[macro_export]
macro_rules! orders_taking_stock {
    ($page_id:expr, $now:expr) => {{
        use $crate::infra::db::schema::orders;
        orders::table.filter(orders::page_id.eq($page_id)).filter(
            orders::status
                .eq("completed")
                .or(orders::status.eq("pending"))
                .or(orders::status.eq("processing").and(orders::hold_expires_at.gt($now))),
        )
    }};
}
pub use orders_taking_stock;

/// How many units of the page are taken at `now`.
pub async fn taken(db: &Db, page_id: &str, now: DateTime<Utc>) -> Result<u32, DbError> {
    let now = now.naive_utc();
    let n: i64 = db_read!(db, conn => {
        Ok::<_, DbError>(orders_taking_stock!(page_id, now).count().get_result(conn).await?)
    })?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}
