//! Downloads: the buyer's token opens the file while the order is paid, within its days and its
//! attempts. Each download that starts at the first byte counts one attempt; a resumed download
//! (a `Range` that starts later) does not, so a flaky connection does not burn the buyer's
//! attempts.

use super::store::{self, BuyerRow};
use crate::error::AppError;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::orders;
use crate::infra::db::{Db, DbError};
use crate::infra::mail::outbox::enqueue_mail;
use crate::infra::shared_limit::Limit;
use crate::infra::state::AppState;
use crate::orders::model::OrderStatus;
use crate::db_write;
use chrono::{DateTime, Duration, Utc};

/// Why a download is closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    Unknown,
    NotPaid,
    Refunded,
    Expired,
    UsedUp,
}

impl Closed {
    pub fn message(self) -> &'static str {
        match self {
            Closed::Unknown => "This download link doesn't work. Use the newest link we emailed you.",
            Closed::NotPaid => "This order hasn't been paid, so there is nothing to download.",
            Closed::Refunded => "This order was refunded, so its download has stopped.",
            Closed::Expired => "This download link has expired.",
            Closed::UsedUp => "This download link has been used as many times as it allows.",
        }
    }

    /// Whether a fresh link (mailed to the buyer) would open it again.
    pub fn renewable(self) -> bool {
        matches!(self, Closed::Expired | Closed::UsedUp)
    }
}

/// Whether the order's download is open at `now`.
pub fn open(row: &BuyerRow, now: DateTime<Utc>) -> Result<(), Closed> {
    match OrderStatus::parse(&row.status) {
        Some(OrderStatus::Completed) => {}
        Some(OrderStatus::Refunded) => return Err(Closed::Refunded),
        _ => return Err(Closed::NotPaid),
    }
    if row.downloads_until.is_none_or(|until| now >= until.and_utc()) {
        return Err(Closed::Expired);
    }
    if row.download_attempts >= row.download_limit {
        return Err(Closed::UsedUp);
    }
    Ok(())
}

/// The file a download serves.
#[derive(Clone, Debug)]
pub struct Grant {
    pub storage_key: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

/// Opens the download behind `token`, counting an attempt when `counts`. The count is one
/// conditional update, so parallel requests cannot pass the limit together.
pub async fn grant(state: &AppState, token: &str, counts: bool, now: DateTime<Utc>) -> Result<Result<Grant, Closed>, AppError> {
    let Some(row) = store::by_token(&state.db, token).await? else { return Ok(Err(Closed::Unknown)) };
    if let Err(closed) = open(&row, now) {
        return Ok(Err(closed));
    }
    if counts && !count_attempt(&state.db, &row.id, now).await? {
        return Ok(Err(Closed::UsedUp));
    }
    let Some(product_id) = &row.product_id else { return Ok(Err(Closed::Unknown)) };
    let Some((storage_key, file_name, content_type, size)) = store::file_of_product(&state.db, product_id).await? else {
        return Ok(Err(Closed::Unknown));
    };
    Ok(Ok(Grant { storage_key, file_name, content_type, size }))
}

async fn count_attempt(db: &Db, order_id: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    let at = now.naive_utc();
    db_write!(db, conn => {
        let n = diesel::update(
            orders::table
                .filter(orders::id.eq(order_id))
                .filter(orders::status.eq(OrderStatus::Completed.as_str()))
                .filter(orders::download_attempts.lt(orders::download_limit))
                .filter(orders::downloads_until.gt(at)),
        )
        .set((orders::download_attempts.eq(orders::download_attempts + 1), orders::last_download_at.eq(at)))
        .execute(conn)
        .await?;
        Ok(n == 1)
    })
}

/// Fresh links per order per hour: enough for a buyer, too few to make a shared link useful.
const FRESH_LINKS: Limit = Limit { name: "fresh-link", max: 3, window: Duration::hours(1) };

/// Mails a fresh download link to the order's address: a new token (the old links stop), the
/// attempts and the days start again. Only for a paid order whose link expired or was used up;
/// the answer is the same whatever the token, so it reveals nothing.
pub async fn send_fresh_link(state: &AppState, token: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    let Some(row) = store::by_token(&state.db, token).await? else { return Ok(()) };
    match open(&row, now) {
        Ok(()) => return Ok(()),
        Err(closed) if !closed.renewable() => return Ok(()),
        Err(_) => {}
    }
    if !FRESH_LINKS.hit(&state.db, &row.id, now).await? {
        return Err(AppError::rate_limited("A fresh link was sent a few times already. Check your inbox (and spam folder), or try again in an hour."));
    }
    let fresh = crate::infra::tokens::new_token();
    let hash = crate::infra::tokens::token_hash(&fresh);
    let mail = super::receipt::fresh_link(
        &row.customer_id,
        &row.item_title,
        &format!("{}/d/{fresh}", state.config.public_url),
        row.download_limit,
        row.download_days,
    );
    let at = now.naive_utc();
    let until = (now + Duration::days(i64::from(row.download_days))).naive_utc();
    db_write!(state.db, conn => {
        diesel::update(orders::table.filter(orders::id.eq(&row.id)))
            .set((
                orders::download_token_hash.eq(&hash),
                orders::download_attempts.eq(0),
                orders::downloads_until.eq(until),
                orders::updated_at.eq(at),
            ))
            .execute(conn)
            .await?;
        enqueue_mail!(conn, &mail, at)?;
        Ok::<_, DbError>(())
    })?;
    Ok(())
}
