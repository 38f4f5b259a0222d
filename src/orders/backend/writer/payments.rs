//! Payment events applied to orders: completions (paid at once, or by a delayed method that
//! settles later), failed delayed payments, expired sessions, refunds, and the refund owed for a
//! payment that found no unit left.
//!
//! Every function here runs one transaction that records the event's id first (a replay applies
//! nothing), then takes the page's row lock and the order's, and only then reads the order. So any
//! number of events for one order, arriving at once on any number of instances, are applied one
//! after the other, each to the order as the one before left it: one receipt and one download
//! token, however often Pay is pressed or Stripe redelivers.

use super::super::stock::orders_taking_stock;
use crate::db_write;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{orders, pages};
use crate::infra::db::{Db, DbError};
use crate::infra::mail::outbox::enqueue_mail;
use crate::orders::model::OrderStatus;
use crate::pages::settings::{PageSettings, PageType};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::{Queryable, Selectable, SelectableHelper};

/// Records a payment event's id; `false` when it was recorded before (a replay: apply nothing).
/// Runs inside the transaction that applies the event, so both happen or neither.
#[macro_export]
macro_rules! first_time_event {
    ($conn:expr, $event_id:expr, $kind:expr, $now:expr) => {{
        use $crate::infra::db::schema::payment_events;
        diesel::insert_into(payment_events::table)
            .values((payment_events::id.eq($event_id), payment_events::event_type.eq($kind), payment_events::received_at.eq($now)))
            .on_conflict_do_nothing()
            .execute($conn)
            .await
            .map(|n| n == 1)
    }};
}
pub use first_time_event;

/// Takes the row locks an order's payment is decided under: its page's (the lock placing an
/// order takes, so the stock count cannot move meanwhile), then its own. A no-op update is the
/// lock on both backends (on SQLite the single writer already serialises everything). Evaluates
/// to `Ok(false)` when the order does not exist.
macro_rules! lock_order_and_page {
    ($conn:expr, $order_id:expr) => {{
        let page_id: Option<Option<String>> = orders::table.filter(orders::id.eq($order_id)).select(orders::page_id).first($conn).await.optional()?;
        match page_id {
            None => Ok::<bool, DbError>(false),
            Some(page_id) => {
                if let Some(page_id) = &page_id {
                    diesel::update(pages::table.filter(pages::id.eq(page_id))).set(pages::updated_at.eq(pages::updated_at)).execute($conn).await?;
                }
                diesel::update(orders::table.filter(orders::id.eq($order_id))).set(orders::updated_at.eq(orders::updated_at)).execute($conn).await?;
                Ok(true)
            }
        }
    }};
}

/// What a payment did to its order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completion {
    /// Paid in time, or late while stock remained: the order is completed, the receipt queued.
    Completed,
    /// Finished with a delayed method: the order keeps its unit and waits for the money.
    Pending,
    /// Paid when no unit was left: the order owes a refund (`refund_pending`, recorded in the same
    /// transaction), which the caller tries at once and the refund job retries until it is done.
    MustRefund,
    /// Already applied, or nothing to apply (unknown order, amount that differs: logged).
    Nothing,
}

/// The facts of a finished checkout session.
pub struct Payment<'a> {
    pub event_id: &'a str,
    /// The event's type, as recorded with its id.
    pub kind: &'a str,
    pub order_id: &'a str,
    pub session_id: &'a str,
    pub payment_id: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    /// The money is in (`payment_status` `paid`); false for a delayed method still under way.
    pub paid: bool,
}

/// An order as a payment event needs it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = orders)]
struct PayableOrder {
    status: String,
    page_id: Option<String>,
    amount_due: i64,
    currency: String,
    buyer_email: String,
    download_days: i32,
    download_limit: i32,
    item_title: String,
    bonus_description: Option<String>,
    provider: String,
}

/// Whether the order may take (or keep) a unit of its page: the other orders that take stock
/// leave room for it. A page that is gone, or a kind without stock, has room.
macro_rules! unit_left_for {
    ($conn:expr, $order_id:expr, $page_id:expr, $at:expr) => {{
        match $page_id {
            None => Ok::<bool, DbError>(true),
            Some(page_id) => {
                let limit: Option<u32> = pages::table
                    .filter(pages::id.eq(page_id))
                    .select((pages::page_type, pages::settings))
                    .first::<(String, String)>($conn)
                    .await
                    .optional()?
                    .and_then(|(t, s)| PageType::parse(&t).and_then(|k| PageSettings::from_json(k, &s).ok()))
                    .and_then(|s| s.stock_limit());
                let others: i64 = orders_taking_stock!(page_id, $at).filter(orders::id.ne($order_id)).count().get_result($conn).await?;
                Ok(limit.is_none_or(|l| others < i64::from(l)))
            }
        }
    }};
}

/// Applies a finished checkout session to its order, once.
/// - Paid, with a unit for it (in time, waiting for a delayed payment, or late while stock
///   remains): completed, a download token issued (`download_token`, of which only the hash is
///   stored) and the receipt queued.
/// - Paid with no unit left: the refund is owed (`refund_pending`), due now.
/// - Unpaid (a delayed method), with a unit: `pending`, the unit kept, the buyer told to wait.
///   Unpaid with no unit: nothing yet (if the money arrives, it is refunded then).
pub async fn complete(db: &Db, pay: &Payment<'_>, now: DateTime<Utc>, public_url: &str, download_token: &str) -> Result<Completion, DbError> {
    let at = now.naive_utc();
    let download_token_hash = crate::infra::tokens::token_hash(download_token);
    let download_token_hash = download_token_hash.as_str();
    db_write!(db, conn => {
        if !first_time_event!(conn, pay.event_id, pay.kind, at)? {
            return Ok(Completion::Nothing);
        }
        if !lock_order_and_page!(conn, pay.order_id)? {
            tracing::warn!(order = pay.order_id, session = pay.session_id, "payment for an unknown order: acknowledged, nothing done");
            return Ok(Completion::Nothing);
        }
        let order: PayableOrder = orders::table.filter(orders::id.eq(pay.order_id)).select(PayableOrder::as_select()).first(conn).await?;
        if pay.amount != order.amount_due || !pay.currency.eq_ignore_ascii_case(&order.currency) {
            tracing::error!(order = pay.order_id, paid = pay.amount, due = order.amount_due, "payment amount differs from the order's: acknowledged, nothing done");
            return Ok(Completion::Nothing);
        }
        let status = OrderStatus::parse(&order.status);
        match status {
            Some(OrderStatus::Processing | OrderStatus::Pending | OrderStatus::Expired | OrderStatus::Cancelled | OrderStatus::Failed) => {}
            // Completed, refunded or owed back already: whatever arrives now changes nothing.
            _ => return Ok(Completion::Nothing),
        }
        // An unpaid completion changes nothing for an order that already waits or has failed.
        if !pay.paid && matches!(status, Some(OrderStatus::Pending | OrderStatus::Failed)) {
            return Ok(Completion::Nothing);
        }
        let fits = unit_left_for!(conn, pay.order_id, &order.page_id, at)?;
        // Only the statuses read above under the lock may change; the condition repeats them so
        // that the update itself can never apply twice.
        let open = [
            OrderStatus::Processing.as_str(),
            OrderStatus::Pending.as_str(),
            OrderStatus::Expired.as_str(),
            OrderStatus::Cancelled.as_str(),
            OrderStatus::Failed.as_str(),
        ];
        let this = orders::table.filter(orders::id.eq(pay.order_id)).filter(orders::status.eq_any(open));
        if !pay.paid {
            if !fits {
                // A delayed payment finished after its hold lapsed and the unit went to someone
                // else: nothing is owed yet. If the money arrives, it is refunded then.
                diesel::update(this).set((orders::payment_id.eq(pay.payment_id), orders::updated_at.eq(at))).execute(conn).await?;
                return Ok(Completion::Nothing);
            }
            let n = diesel::update(this)
                .set((
                    orders::status.eq(OrderStatus::Pending.as_str()),
                    orders::payment_id.eq(pay.payment_id),
                    orders::checkout_session_id.eq(pay.session_id),
                    orders::updated_at.eq(at),
                ))
                .execute(conn)
                .await?;
            if n == 1 {
                let mail = super::super::receipt::payment_pending(&order.buyer_email, &order.item_title, order.amount_due, &order.currency);
                enqueue_mail!(conn, &mail, at)?;
            }
            return Ok(if n == 1 { Completion::Pending } else { Completion::Nothing });
        }
        if !fits {
            let n = diesel::update(this)
                .set((
                    orders::status.eq(OrderStatus::RefundPending.as_str()),
                    orders::payment_id.eq(pay.payment_id),
                    orders::amount_paid.eq(pay.amount),
                    orders::refund_next_at.eq(Some(at)),
                    orders::updated_at.eq(at),
                ))
                .execute(conn)
                .await?;
            return Ok(if n == 1 { Completion::MustRefund } else { Completion::Nothing });
        }
        let n = diesel::update(this)
            .set((
                orders::status.eq(OrderStatus::Completed.as_str()),
                orders::payment_id.eq(pay.payment_id),
                orders::amount_paid.eq(pay.amount),
                orders::checkout_session_id.eq(pay.session_id),
                orders::downloads_until.eq((now + Duration::days(i64::from(order.download_days))).naive_utc()),
                orders::download_token_hash.eq(download_token_hash),
                orders::updated_at.eq(at),
            ))
            .execute(conn)
            .await?;
        if n != 1 {
            return Ok(Completion::Nothing);
        }
        let mail = super::super::receipt::receipt(&super::super::receipt::Receipt {
            to: &order.buyer_email,
            title: &order.item_title,
            amount: pay.amount,
            currency: &order.currency,
            bonus: order.bonus_description.as_deref(),
            download_url: &format!("{public_url}/d/{download_token}"),
            download_limit: order.download_limit,
            download_days: order.download_days,
            test_mode: order.provider == crate::infra::payments::sandbox::NAME,
        });
        enqueue_mail!(conn, &mail, at)?;
        Ok::<_, DbError>(Completion::Completed)
    })
}

/// Applies a failed delayed payment: an order that was waiting for it (or still open) becomes
/// `failed`, its unit goes back to stock, and the buyer is told. Returns whether it changed.
pub async fn payment_failed(db: &Db, event_id: &str, order_id: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    let at = now.naive_utc();
    db_write!(db, conn => {
        if !first_time_event!(conn, event_id, "checkout.session.async_payment_failed", at)? {
            return Ok(false);
        }
        if !lock_order_and_page!(conn, order_id)? {
            return Ok(false);
        }
        let waiting = [OrderStatus::Pending.as_str(), OrderStatus::Processing.as_str()];
        let n = diesel::update(orders::table.filter(orders::id.eq(order_id)).filter(orders::status.eq_any(waiting)))
            .set((orders::status.eq(OrderStatus::Failed.as_str()), orders::updated_at.eq(at)))
            .execute(conn)
            .await?;
        if n == 1 {
            let order: PayableOrder = orders::table.filter(orders::id.eq(order_id)).select(PayableOrder::as_select()).first(conn).await?;
            let mail = super::super::receipt::payment_failed(&order.buyer_email, &order.item_title, order.amount_due, &order.currency);
            enqueue_mail!(conn, &mail, at)?;
        }
        Ok::<_, DbError>(n == 1)
    })
}

/// Applies an expired checkout session: the order's hold ends, unless it was paid (an `expired`
/// after a `completed` changes nothing).
pub async fn session_expired(db: &Db, event_id: &str, order_id: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    let at = now.naive_utc();
    db_write!(db, conn => {
        if !first_time_event!(conn, event_id, "checkout.session.expired", at)? {
            return Ok(false);
        }
        let n = diesel::update(orders::table.filter(orders::id.eq(order_id)).filter(orders::status.eq(OrderStatus::Processing.as_str())))
            .set((orders::status.eq(OrderStatus::Expired.as_str()), orders::updated_at.eq(at)))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(n == 1)
    })
}

/// Applies a refund of a payment: its order becomes `refunded` (an owed refund is settled) and
/// its downloads stop; the buyer is told why (in the same transaction).
pub async fn refunded(db: &Db, event_id: &str, payment_id: &str, amount_refunded: i64, now: DateTime<Utc>) -> Result<bool, DbError> {
    let at = now.naive_utc();
    db_write!(db, conn => {
        if !first_time_event!(conn, event_id, "charge.refunded", at)? {
            return Ok(false);
        }
        let order: Option<(String, String, String, String, String)> = orders::table
            .filter(orders::payment_id.eq(payment_id))
            .filter(orders::status.ne(OrderStatus::Refunded.as_str()))
            .select((orders::id, orders::buyer_email, orders::item_title, orders::status, orders::currency))
            .first(conn)
            .await
            .optional()?;
        let Some((order_id, email, title, status, currency)) = order else { return Ok(false) };
        let n = diesel::update(orders::table.filter(orders::id.eq(&order_id)).filter(orders::status.ne(OrderStatus::Refunded.as_str())))
            .set((
                orders::status.eq(OrderStatus::Refunded.as_str()),
                orders::amount_refunded.eq(amount_refunded),
                orders::refund_next_at.eq(None::<NaiveDateTime>),
                orders::updated_at.eq(at),
            ))
            .execute(conn)
            .await?;
        if n == 0 {
            return Ok(false);
        }
        // An order refunded before it was ever completed was paid after its hold lapsed and sold out.
        let late = status != OrderStatus::Completed.as_str();
        let mail = super::super::receipt::refund_notice(&email, &title, amount_refunded, &currency, late);
        enqueue_mail!(conn, &mail, at)?;
        Ok::<_, DbError>(true)
    })
}

/// How long after attempt `attempts` (0 for the first) the next try of an owed refund waits:
/// e^attempts seconds, at most about six hours.
pub fn refund_backoff(attempts: i32) -> Duration {
    Duration::seconds((attempts.clamp(0, 10) as f64).exp().round() as i64)
}

/// Claims an owed refund for one try: due (`refund_next_at` reached), or `force`d (the creator
/// pressed Refund). The claim moves the next try out by the backoff in the same statement, so
/// two instances never try one refund at once and a crash mid-try only delays it. Returns the
/// payment to refund.
pub async fn claim_owed_refund(db: &Db, order_id: &str, force: bool, now: DateTime<Utc>) -> Result<Option<String>, DbError> {
    let at = now.naive_utc();
    db_write!(db, conn => {
        let row: Option<(Option<String>, i32, Option<NaiveDateTime>)> = orders::table
            .filter(orders::id.eq(order_id))
            .filter(orders::status.eq(OrderStatus::RefundPending.as_str()))
            .select((orders::payment_id, orders::refund_attempts, orders::refund_next_at))
            .first(conn)
            .await
            .optional()?;
        let Some((Some(payment_id), attempts, next)) = row else { return Ok(None) };
        if !force && next.is_none_or(|n| n > at) {
            return Ok(None);
        }
        let mut q = diesel::update(orders::table.filter(orders::id.eq(order_id)).filter(orders::refund_attempts.eq(attempts))).into_boxed();
        if !force {
            q = q.filter(orders::refund_next_at.le(at));
        }
        let n = q
            .set((orders::refund_attempts.eq(attempts + 1), orders::refund_next_at.eq(Some((now + refund_backoff(attempts)).naive_utc())), orders::updated_at.eq(at)))
            .execute(conn)
            .await?;
        Ok::<_, DbError>((n == 1).then_some(payment_id))
    })
}

/// The provider took an owed refund: no more tries; the order becomes `refunded` when the
/// provider's `charge.refunded` arrives.
pub async fn owed_refund_requested(db: &Db, order_id: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    let at = now.naive_utc();
    db_write!(db, conn => {
        diesel::update(orders::table.filter(orders::id.eq(order_id)).filter(orders::status.eq(OrderStatus::RefundPending.as_str())))
            .set((orders::refund_next_at.eq(None::<NaiveDateTime>), orders::updated_at.eq(at)))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(())
    })
}

/// Owed refunds whose next try is due at `now`, oldest first.
pub async fn owed_refunds_due(db: &Db, now: DateTime<Utc>, batch: i64) -> Result<Vec<String>, DbError> {
    let at = now.naive_utc();
    crate::db_read!(db, conn => {
        Ok(orders::table
            .filter(orders::status.eq(OrderStatus::RefundPending.as_str()))
            .filter(orders::refund_next_at.le(at))
            .order(orders::refund_next_at.asc())
            .select(orders::id)
            .limit(batch)
            .load(conn)
            .await?)
    })
}
