//! The order's one write path. Every change to an order goes through here: placing it (the hold),
//! attaching its payment session, releasing its hold, applying payment events, counting downloads.
//!
//! Placing takes the page's row lock before it counts, so two buyers of the last unit are
//! serialised: on PostgreSQL by the lock, on SQLite by its single writer. Completed and unexpired
//! processing orders never exceed the page's stock, under any concurrency.

use super::stock::orders_taking_stock;
use crate::error::AppError;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{files, orders, page_contents, pages, products};
use crate::infra::db::{Db, DbError, new_id};
use crate::infra::mail::outbox::enqueue_mail;
use crate::money::discounted;
use crate::orders::model::OrderStatus;
use crate::pages::phase::{PageClock, Phase, phase};
use crate::pages::settings::{PageSettings, PageType};
use crate::{db_read, db_write};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// What a buyer asks for.
pub struct Placement<'a> {
    pub short_id: &'a str,
    pub item_id: &'a str,
    pub email: &'a str,
    pub code: Option<&'a str>,
    /// The price the page showed (minor units, currency), when the form sent it: a different price
    /// now is refused rather than charged.
    pub shown_price: Option<(i64, &'a str)>,
    pub client_ip: Option<&'a str>,
    pub provider: &'a str,
    pub access_token_hash: &'a str,
    pub now: DateTime<Utc>,
}

/// An order that holds its unit, ready to be paid.
#[derive(Clone, Debug)]
pub struct Placed {
    pub order_id: String,
    pub page_id: String,
    pub short_id: String,
    pub organization_id: String,
    /// The page's owner (whose connected account is paid).
    pub seller_user_id: String,
    pub title: String,
    pub amount: i64,
    pub currency: String,
    pub hold_expires_at: DateTime<Utc>,
}

/// Why an order was not placed; each is a message the buyer can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NoSuchPage,
    NotYet,
    Over,
    NotForSale,
    SoldOut,
    WrongCode,
    CodeUsedUp,
    PriceChanged { now: String },
}

impl Refusal {
    pub fn error(&self) -> AppError {
        use crate::error::FieldError;
        let field = |field: &str, message: &str| AppError::fields(vec![FieldError { field: field.into(), message: message.into() }]);
        match self {
            Refusal::NoSuchPage => AppError::not_found("This page doesn't exist. Check the link for typos."),
            Refusal::NotYet => AppError::conflict("This sale hasn't started yet. Come back when the countdown ends."),
            Refusal::Over => AppError::new(crate::error::ErrorKind::Gone, "This sale is over. Nothing was charged."),
            Refusal::NotForSale => AppError::conflict("This item can't be bought right now. Nothing was charged."),
            Refusal::SoldOut => AppError::conflict("Sold out: every unit has been taken. Nothing was charged."),
            Refusal::WrongCode => field("code", "That code isn't valid for this offer."),
            Refusal::CodeUsedUp => field("code", "This code has been used up. You can still buy without it."),
            Refusal::PriceChanged { now } => AppError::conflict(format!("The price changed to {now} since the page was opened. Check it and buy again.")),
        }
    }
}

type PageRowLite = (String, String, String, String, String, bool, Option<NaiveDateTime>, Option<NaiveDateTime>);
type ProductLite = (String, String, i64, String, bool, Option<NaiveDateTime>, i32, i32);

/// Places an order holding one unit, or says why not. Everything is read and decided inside the
/// transaction, after the page's lock: the page's phase, the product, the price, the stock.
pub async fn place(db: &Db, p: &Placement<'_>) -> Result<Result<Placed, Refusal>, DbError> {
    let now = p.now;
    let at = now.naive_utc();
    let order_id = new_id();
    db_write!(db, conn => {
        // The lock: a write to the page's row, held until commit (a no-op on SQLite's single writer).
        let locked = diesel::update(pages::table.filter(pages::short_id.eq(p.short_id)))
            .set(pages::updated_at.eq(pages::updated_at))
            .execute(conn)
            .await?;
        if locked == 0 {
            return Ok(Err(Refusal::NoSuchPage));
        }
        let page: PageRowLite = pages::table
            .filter(pages::short_id.eq(p.short_id))
            .select((pages::id, pages::organization_id.assume_not_null(), pages::user_id, pages::page_type, pages::settings, pages::is_active, pages::launch_at, pages::expires_at))
            .first(conn)
            .await?;
        let (page_id, organization_id, seller_user_id, page_type, settings_json, is_active, launch_at, expires_at) = page;
        let Some(settings) = PageType::parse(&page_type).and_then(|k| PageSettings::from_json(k, &settings_json).ok()) else {
            return Ok(Err(Refusal::NotForSale));
        };
        let (Some(limit), Some(hold_minutes)) = (settings.stock_limit(), settings.hold_minutes()) else {
            return Ok(Err(Refusal::NotForSale));
        };
        let clock = PageClock { is_active, launch_at: launch_at.map(|t| t.and_utc()), expires_at: expires_at.map(|t| t.and_utc()), end_time: settings.end_time() };
        match phase(&clock, now, false) {
            Phase::Live { .. } => {}
            Phase::Scheduled { .. } => return Ok(Err(Refusal::NotYet)),
            Phase::Ended { .. } => return Ok(Err(Refusal::Over)),
            Phase::Inactive => return Ok(Err(Refusal::NoSuchPage)),
        }
        let product_id: Option<Option<String>> = page_contents::table
            .filter(page_contents::id.eq(p.item_id))
            .filter(page_contents::page_id.eq(&page_id))
            .filter(page_contents::content_type.eq("product"))
            .select(page_contents::product_id)
            .first(conn)
            .await
            .optional()?;
        let Some(Some(product_id)) = product_id else { return Ok(Err(Refusal::NotForSale)) };
        let product: Option<ProductLite> = products::table
            .filter(products::id.eq(&product_id))
            .filter(products::organization_id.eq(&organization_id))
            .filter(diesel::dsl::exists(files::table.filter(files::product_id.eq(products::id))))
            .select((products::name, products::currency, products::price_in_cents, products::description, products::is_active, products::expires_at, products::download_limit, products::download_days))
            .first(conn)
            .await
            .optional()?;
        let Some((name, currency, price, _description, product_active, product_expires, download_limit, download_days)) = product else {
            return Ok(Err(Refusal::NotForSale));
        };
        if !crate::products::model::ProductStatus::of(product_active, product_expires.map(|t| t.and_utc()), now).buyable() {
            return Ok(Err(Refusal::NotForSale));
        }
        let taken: i64 = orders_taking_stock!(&page_id, at).count().get_result(conn).await?;
        if taken >= i64::from(limit) {
            return Ok(Err(Refusal::SoldOut));
        }
        // The price, on the server only: the page's discount, then the offer's code.
        let (listed, code, bonus) = match &settings {
            PageSettings::FlashSale(s) => (discounted(price, s.discount_percentage), None, None),
            PageSettings::LimitedOffer(s) => {
                let code = match (p.code, s.discount_code.as_deref()) {
                    (None, _) => None,
                    (Some(typed), Some(real)) if typed.eq_ignore_ascii_case(real.trim()) => Some(real.trim().to_string()),
                    (Some(_), _) => return Ok(Err(Refusal::WrongCode)),
                };
                if let (Some(_), Some(uses)) = (&code, s.code_uses) {
                    let used: i64 = orders_taking_stock!(&page_id, at).filter(orders::discount_code.is_not_null()).count().get_result(conn).await?;
                    if used >= i64::from(uses) {
                        return Ok(Err(Refusal::CodeUsedUp));
                    }
                }
                (price, code, s.bonus_description.clone())
            }
            _ => return Ok(Err(Refusal::NotForSale)),
        };
        if let Some((shown, shown_currency)) = p.shown_price {
            if shown != listed || !shown_currency.eq_ignore_ascii_case(&currency) {
                return Ok(Err(Refusal::PriceChanged { now: crate::money::format_money(listed, &currency) }));
            }
        }
        let amount = match (&settings, &code) {
            (PageSettings::LimitedOffer(s), Some(_)) => discounted(listed, s.code_discount_percentage),
            _ => listed,
        };
        let hold_expires_at = now + Duration::minutes(i64::from(hold_minutes));
        diesel::insert_into(orders::table)
            .values((
                orders::id.eq(&order_id),
                orders::organization_id.eq(&organization_id),
                orders::page_id.eq(&page_id),
                orders::product_id.eq(&product_id),
                orders::customer_id.eq(p.email),
                orders::amount_paid.eq(0_i64),
                orders::currency.eq(&currency),
                orders::created_at.eq(at),
                orders::status.eq(OrderStatus::Processing.as_str()),
                orders::amount_due.eq(amount),
                orders::quantity.eq(1),
                orders::item_title.eq(&name),
                orders::discount_code.eq(&code),
                orders::bonus_description.eq(&bonus),
                orders::hold_expires_at.eq(hold_expires_at.naive_utc()),
                orders::client_ip.eq(p.client_ip),
                orders::provider.eq(p.provider),
                orders::access_token_hash.eq(p.access_token_hash),
                orders::download_limit.eq(download_limit),
                orders::download_days.eq(download_days),
                orders::updated_at.eq(at),
            ))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(Ok(Placed {
            order_id: order_id.clone(),
            page_id,
            short_id: p.short_id.to_string(),
            organization_id,
            seller_user_id,
            title: name,
            amount,
            currency,
            hold_expires_at,
        }))
    })
}

/// Records the payment session an order is being paid through.
pub async fn attach_session(db: &Db, order_id: &str, session_id: &str) -> Result<(), DbError> {
    db_write!(db, conn => {
        diesel::update(orders::table.filter(orders::id.eq(order_id)))
            .set((orders::checkout_session_id.eq(session_id), orders::updated_at.eq(Utc::now().naive_utc())))
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// Ends a processing order's hold (`expired` or `cancelled`); returns whether it was still
/// processing. A paid order is never touched.
pub async fn release(db: &Db, order_id: &str, to: OrderStatus, now: DateTime<Utc>) -> Result<bool, DbError> {
    db_write!(db, conn => {
        let n = diesel::update(orders::table.filter(orders::id.eq(order_id)).filter(orders::status.eq(OrderStatus::Processing.as_str())))
            .set((orders::status.eq(to.as_str()), orders::updated_at.eq(now.naive_utc())))
            .execute(conn)
            .await?;
        Ok(n == 1)
    })
}

/// Marks processing orders whose hold lapsed before `now` as expired and returns their payment
/// sessions, to be closed at the provider. The update is the claim: with two instances, each
/// order is returned to one of them only.
pub async fn expire_lapsed(db: &Db, now: DateTime<Utc>, batch: i64) -> Result<Vec<(String, Option<String>)>, DbError> {
    let at = now.naive_utc();
    let due: Vec<(String, Option<String>)> = db_read!(db, conn => {
        Ok::<_, DbError>(orders::table
            .filter(orders::status.eq(OrderStatus::Processing.as_str()))
            .filter(orders::hold_expires_at.le(at))
            .select((orders::id, orders::checkout_session_id))
            .limit(batch)
            .load(conn)
            .await?)
    })?;
    let mut claimed = Vec::new();
    for (id, session) in due {
        if release(db, &id, OrderStatus::Expired, now).await? {
            claimed.push((id, session));
        }
    }
    Ok(claimed)
}

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

/// What a completed payment did to its order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completion {
    /// Paid in time, or late while stock remained: the order is completed, the receipt queued.
    Completed,
    /// Paid after the hold lapsed and the stock is gone: refund it (`payment_id`) and tell the buyer.
    MustRefund { payment_id: String },
    /// Already applied, or nothing to apply (unknown order, amount that differs: logged).
    Nothing,
}

/// The facts of a paid checkout session.
pub struct Payment<'a> {
    pub event_id: &'a str,
    pub order_id: &'a str,
    pub session_id: &'a str,
    pub payment_id: &'a str,
    pub amount: i64,
    pub currency: &'a str,
}

type OrderLite = (String, Option<String>, i64, String, String, i32, i32, String, Option<String>, String);

/// Applies a paid checkout session to its order, once: the order is completed, a download token
/// issued (`download_token`, of which only the hash is stored) and the receipt queued, all in one
/// transaction.
pub async fn complete(db: &Db, pay: &Payment<'_>, now: DateTime<Utc>, public_url: &str, download_token: &str) -> Result<Completion, DbError> {
    let at = now.naive_utc();
    let download_token_hash = crate::infra::tokens::token_hash(download_token);
    let download_token_hash = download_token_hash.as_str();
    db_write!(db, conn => {
        if !first_time_event!(conn, pay.event_id, "checkout.session.completed", at)? {
            return Ok(Completion::Nothing);
        }
        let order: Option<OrderLite> = orders::table
            .filter(orders::id.eq(pay.order_id))
            .select((
                orders::status, orders::page_id, orders::amount_due, orders::currency, orders::customer_id, orders::download_days,
                orders::download_limit, orders::item_title, orders::bonus_description, orders::provider,
            ))
            .first(conn)
            .await
            .optional()?;
        let Some((status, page_id, amount_due, currency, email, download_days, download_limit, title, bonus, provider)) = order else {
            tracing::warn!(order = pay.order_id, session = pay.session_id, "payment for an unknown order: acknowledged, nothing done");
            return Ok(Completion::Nothing);
        };
        if pay.amount != amount_due || !pay.currency.eq_ignore_ascii_case(&currency) {
            tracing::error!(order = pay.order_id, paid = pay.amount, due = amount_due, "payment amount differs from the order's: acknowledged, nothing done");
            return Ok(Completion::Nothing);
        }
        let status = OrderStatus::parse(&status);
        let in_time = status == Some(OrderStatus::Processing);
        let lapsed = matches!(status, Some(OrderStatus::Expired | OrderStatus::Cancelled));
        if !in_time && !lapsed {
            return Ok(Completion::Nothing);
        }
        // A payment after its hold lapsed is honoured while stock remains (Hi.Events does the same).
        if lapsed || status == Some(OrderStatus::Processing) {
            let mut still_fits = true;
            if let Some(page_id) = &page_id {
                diesel::update(pages::table.filter(pages::id.eq(page_id))).set(pages::updated_at.eq(pages::updated_at)).execute(conn).await?;
                let limit: Option<u32> = pages::table
                    .filter(pages::id.eq(page_id))
                    .select((pages::page_type, pages::settings))
                    .first::<(String, String)>(conn)
                    .await
                    .optional()?
                    .and_then(|(t, s)| PageType::parse(&t).and_then(|k| PageSettings::from_json(k, &s).ok()))
                    .and_then(|s| s.stock_limit());
                let others: i64 = orders_taking_stock!(page_id, at).filter(orders::id.ne(pay.order_id)).count().get_result(conn).await?;
                still_fits = limit.is_none_or(|l| others < i64::from(l));
            }
            if !still_fits {
                diesel::update(orders::table.filter(orders::id.eq(pay.order_id)))
                    .set((orders::payment_id.eq(pay.payment_id), orders::amount_paid.eq(pay.amount), orders::updated_at.eq(at)))
                    .execute(conn)
                    .await?;
                return Ok(Completion::MustRefund { payment_id: pay.payment_id.to_string() });
            }
        }
        diesel::update(orders::table.filter(orders::id.eq(pay.order_id)))
            .set((
                orders::status.eq(OrderStatus::Completed.as_str()),
                orders::payment_id.eq(pay.payment_id),
                orders::amount_paid.eq(pay.amount),
                orders::checkout_session_id.eq(pay.session_id),
                orders::downloads_until.eq((now + Duration::days(i64::from(download_days))).naive_utc()),
                orders::download_token_hash.eq(download_token_hash),
                orders::updated_at.eq(at),
            ))
            .execute(conn)
            .await?;
        let mail = super::receipt::receipt(&super::receipt::Receipt {
            to: &email,
            title: &title,
            amount: pay.amount,
            currency: &currency,
            bonus: bonus.as_deref(),
            download_url: &format!("{public_url}/d/{download_token}"),
            download_limit,
            download_days,
            test_mode: provider == crate::infra::payments::test_checkout::NAME,
        });
        enqueue_mail!(conn, &mail, at)?;
        Ok::<_, DbError>(Completion::Completed)
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

/// Applies a refund of a payment: its order becomes `refunded` and its downloads stop; the buyer
/// is told why (in the same transaction).
pub async fn refunded(db: &Db, event_id: &str, payment_id: &str, amount_refunded: i64, now: DateTime<Utc>) -> Result<bool, DbError> {
    let at = now.naive_utc();
    db_write!(db, conn => {
        if !first_time_event!(conn, event_id, "charge.refunded", at)? {
            return Ok(false);
        }
        let order: Option<(String, String, String, String, String)> = orders::table
            .filter(orders::payment_id.eq(payment_id))
            .filter(orders::status.ne(OrderStatus::Refunded.as_str()))
            .select((orders::id, orders::customer_id, orders::item_title, orders::status, orders::currency))
            .first(conn)
            .await
            .optional()?;
        let Some((order_id, email, title, status, currency)) = order else { return Ok(false) };
        diesel::update(orders::table.filter(orders::id.eq(&order_id)))
            .set((
                orders::status.eq(OrderStatus::Refunded.as_str()),
                orders::amount_refunded.eq(amount_refunded),
                orders::updated_at.eq(at),
            ))
            .execute(conn)
            .await?;
        // An order refunded before it was ever completed was paid after its hold lapsed and sold out.
        let late = status != OrderStatus::Completed.as_str();
        let mail = super::receipt::refund_notice(&email, &title, amount_refunded, &currency, late);
        enqueue_mail!(conn, &mail, at)?;
        Ok::<_, DbError>(true)
    })
}

/// How long a buyer's address is kept for fraud checks (seed: 30 days).
pub const CLIENT_IP_DAYS: i64 = 30;
/// How long an order is kept (seed: 7 years, for tax).
pub const ORDER_YEARS: i64 = 7;

/// The seed's retention, at `now`: buyers' IP addresses go after 30 days, orders after 7 years.
/// Each is one statement that finds nothing the second time, so two instances running it at
/// once, or one running it twice, do no harm. Returns (addresses erased, orders deleted).
pub async fn apply_retention(db: &Db, now: DateTime<Utc>) -> Result<(usize, usize), DbError> {
    let ip_cutoff = (now - Duration::days(CLIENT_IP_DAYS)).naive_utc();
    // Seven calendar years, leap days included.
    let order_cutoff = now.checked_sub_months(chrono::Months::new(12 * ORDER_YEARS as u32)).unwrap_or(now).naive_utc();
    db_write!(db, conn => {
        let erased = diesel::update(orders::table.filter(orders::client_ip.is_not_null()).filter(orders::created_at.lt(ip_cutoff)))
            .set(orders::client_ip.eq(None::<String>))
            .execute(conn)
            .await?;
        let deleted = diesel::delete(orders::table.filter(orders::created_at.lt(order_cutoff))).execute(conn).await?;
        Ok((erased, deleted))
    })
}
