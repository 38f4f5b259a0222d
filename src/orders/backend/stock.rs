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
        orders::table
            .filter(orders::page_id.eq($page_id))
            .filter(orders::status.eq("completed").or(orders::status.eq("pending")).or(orders::status.eq("processing").and(orders::hold_expires_at.gt($now))))
    }};
}
pub use orders_taking_stock;

/// Where a page's stock stands at `now`: what is taken (sold, waiting for a delayed payment, or
/// held in an open checkout), what is sold, and when the first open hold lapses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    pub taken: u32,
    /// Completed orders only: these alone make a page sold out.
    pub sold: u32,
    /// When the earliest open hold lapses (its unit comes back unless it is paid).
    pub next_release: Option<DateTime<Utc>>,
}

/// The page's [`Standing`] at `now`, from one read.
pub async fn standing(db: &Db, page_id: &str, now: DateTime<Utc>) -> Result<Standing, DbError> {
    use crate::infra::db::schema::orders;
    let at = now.naive_utc();
    let rows: Vec<(String, Option<chrono::NaiveDateTime>)> = db_read!(db, conn => {
        Ok::<_, DbError>(orders_taking_stock!(page_id, at).select((orders::status, orders::hold_expires_at)).load(conn).await?)
    })?;
    let sold = rows.iter().filter(|(status, _)| status == "completed").count();
    let next_release = rows.iter().filter(|(status, _)| status == "processing").filter_map(|(_, until)| *until).min().map(|t| t.and_utc());
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(Standing { taken: count(rows.len()), sold: count(sold), next_release })
}

/// Whole minutes, rounded up (at least one), until a held unit may come back at `until`: what
/// the page and a refused Buy both tell the visitor.
pub fn minutes_until(until: DateTime<Utc>, now: DateTime<Utc>) -> u32 {
    u32::try_from((until - now).num_seconds().max(0) / 60 + 1).unwrap_or(u32::MAX)
}
