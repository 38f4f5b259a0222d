//! Downloads: the buyer's token opens the file while the order is paid, within its days and its
//! attempts. Each download that starts at the first byte counts one attempt; a resumed download
//! (a `Range` that starts later) does not, so a flaky connection does not burn the buyer's
//! attempts. Whatever the mix of ranges, parallel requests and presigned links, the bytes a
//! buyer's links are granted are bounded too: the download limit times the file's size, plus one
//! file of slack for broken connections (`orders.bytes_served`, raised in the same conditional
//! update that counts the attempt).

use super::store::{self, BuyerRow};
use crate::db_write;
use crate::error::AppError;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::orders;
use crate::infra::db::{Db, DbError};
use crate::infra::mail::outbox::enqueue_mail;
use crate::infra::shared_limit::Limit;
use crate::infra::state::AppState;
use crate::infra::storage::ByteRange;
use crate::orders::model::OrderStatus;
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
    /// The HTTP status a closed link answers with (its body is the help page): 404 for a link
    /// that opens nothing, 402 for an order not paid, 410 for one that is no more.
    pub fn status(self) -> u16 {
        match self {
            Closed::Unknown => 404,
            Closed::NotPaid => 402,
            Closed::Refunded | Closed::Expired | Closed::UsedUp => 410,
        }
    }

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

/// The file a download serves, and the part of it this request gets.
#[derive(Clone, Debug)]
pub struct Grant {
    pub storage_key: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// The `Range` asked for, when it was one (a 206 answer); `None`: the whole file.
    pub range: Option<ByteRange>,
}

/// What a download request may have.
#[derive(Clone, Debug)]
pub enum Access {
    File(Grant),
    Closed(Closed),
    /// The range lies outside the file of this size (416); nothing is counted.
    Unsatisfiable(u64),
}

/// Opens the download behind `token` for `range` (or the whole file). The attempt (a download
/// from the first byte) and the bytes the answer carries are counted in one conditional update,
/// so neither parallel requests nor a mix of ranges can pass the limits together. `whole_file`:
/// the answer will be a presigned link to the whole file (charged as the whole file, whatever
/// the range).
pub async fn grant(state: &AppState, token: &str, range: Option<ByteRange>, whole_file: bool, now: DateTime<Utc>) -> Result<Access, AppError> {
    let Some(row) = store::by_token(&state.db, token).await? else { return Ok(Access::Closed(Closed::Unknown)) };
    if let Err(closed) = open(&row, now) {
        return Ok(Access::Closed(closed));
    }
    let Some(product_id) = &row.product_id else { return Ok(Access::Closed(Closed::Unknown)) };
    let Some((storage_key, file_name, content_type, size)) = store::file_of_product(&state.db, product_id).await? else {
        return Ok(Access::Closed(Closed::Unknown));
    };
    let file_size = u64::try_from(size).unwrap_or(0);
    let bytes = match range {
        Some(r) if !whole_file => match r.within(file_size) {
            Some(part) => part,
            None => return Ok(Access::Unsatisfiable(file_size)),
        },
        _ => 0..file_size,
    };
    let counts = bytes.start == 0;
    let charge = Charge { attempt: counts, bytes: i64::try_from(bytes.end - bytes.start).unwrap_or(i64::MAX), budget: byte_budget(row.download_limit, size) };
    if !count(&state.db, &row.id, charge, now).await? {
        return Ok(Access::Closed(Closed::UsedUp));
    }
    Ok(Access::File(Grant { storage_key, file_name, content_type, size, range: if whole_file { None } else { range } }))
}

/// The bytes an order's links may deliver: its download limit times the file's size, and one
/// more file for downloads that broke off and started again.
pub fn byte_budget(download_limit: i32, size: i64) -> i64 {
    (i64::from(download_limit.max(0)) + 1).saturating_mul(size.max(0))
}

/// What one download request costs.
#[derive(Clone, Copy, Debug)]
struct Charge {
    attempt: bool,
    bytes: i64,
    budget: i64,
}

async fn count(db: &Db, order_id: &str, charge: Charge, now: DateTime<Utc>) -> Result<bool, DbError> {
    let at = now.naive_utc();
    db_write!(db, conn => {
        let mut q = diesel::update(
            orders::table
                .filter(orders::id.eq(order_id))
                .filter(orders::status.eq(OrderStatus::Completed.as_str()))
                .filter(orders::downloads_until.gt(at))
                .filter(orders::bytes_served.le(charge.budget - charge.bytes)),
        )
        .into_boxed();
        if charge.attempt {
            q = q.filter(orders::download_attempts.lt(orders::download_limit));
        }
        let n = q
            .set((
                orders::download_attempts.eq(orders::download_attempts + i32::from(charge.attempt)),
                orders::bytes_served.eq(orders::bytes_served + charge.bytes),
                orders::last_download_at.eq(at),
            ))
            .execute(conn)
            .await?;
        if n == 0 {
            // Out of bytes: the link is used up, as if its attempts were, so that the help page
            // says so and offers a fresh link.
            diesel::update(
                orders::table
                    .filter(orders::id.eq(order_id))
                    .filter(orders::status.eq(OrderStatus::Completed.as_str()))
                    .filter(orders::bytes_served.gt(charge.budget - charge.bytes)),
            )
            .set(orders::download_attempts.eq(orders::download_limit))
            .execute(conn)
            .await?;
        }
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
    // Every earlier way in ends: the old download link, and the thank-you page's token too (it
    // opened the file as well), which is replaced by one nobody is given.
    let retired_access = crate::infra::tokens::token_hash(&crate::infra::tokens::new_token());
    let mail =
        super::receipt::fresh_link(&row.buyer_email, &row.item_title, &format!("{}/d/{fresh}", state.config.public_url), row.download_limit, row.download_days);
    let at = now.naive_utc();
    let until = (now + Duration::days(i64::from(row.download_days))).naive_utc();
    db_write!(state.db, conn => {
        diesel::update(orders::table.filter(orders::id.eq(&row.id)))
            .set((
                orders::download_token_hash.eq(&hash),
                orders::access_token_hash.eq(&retired_access),
                orders::download_attempts.eq(0),
                orders::bytes_served.eq(0_i64),
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
