//! The order's one write path. Every change to an order goes through here: placing it (the hold),
//! attaching its payment session, releasing its hold, applying payment events, counting downloads.
//!
//! Placing takes the page's row lock before it counts, so two buyers of the last unit are
//! serialised: on PostgreSQL by the lock, on SQLite by its single writer. Completed and unexpired
//! processing orders never exceed the page's stock, under any concurrency.

mod payments;
pub use payments::*;

use super::stock::orders_taking_stock;
use crate::error::AppError;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{files, orders, page_contents, pages, products};
use crate::infra::db::{Db, DbError, new_id};
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
    /// Open holds one client address may have on one page at once (`HOLDS_PER_ADDRESS`).
    pub holds_per_address: u32,
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
    /// Nothing is left, but only because every unit left is in an open checkout; the first hold
    /// lapses at `until`.
    AllHeld {
        until: Option<DateTime<Utc>>,
    },
    /// This address already has this page's item in an open checkout: back to it (`checkout_url`,
    /// when the same client asks), instead of a second hold.
    AlreadyInCheckout {
        checkout_url: Option<String>,
    },
    /// The client address has as many open checkouts on this page as it may.
    TooManyHolds,
    WrongCode,
    CodeUsedUp,
    PriceChanged {
        now: String,
    },
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
            Refusal::AllHeld { until } => {
                let minutes = until.map(|u| super::stock::minutes_until(u, Utc::now())).unwrap_or(1);
                AppError::conflict(format!(
                    "Every unit left is in another buyer's checkout right now. Any that isn't paid comes back within {minutes} minute{}: try again then. Nothing was charged.",
                    if minutes == 1 { "" } else { "s" }
                ))
            }
            Refusal::AlreadyInCheckout { .. } => AppError::conflict(
                "You already have this in your checkout. Finish the payment there (check your other tabs), or wait for it to lapse to start again.",
            ),
            Refusal::TooManyHolds => {
                AppError::rate_limited("Several checkouts for this page are already open from your network. Finish one of them, or try again when they lapse.")
            }
            Refusal::WrongCode => field("code", "That code isn't valid for this offer."),
            Refusal::CodeUsedUp => field("code", "This code has been used up. You can still buy without it."),
            Refusal::PriceChanged { now } => AppError::conflict(format!("The price changed to {now} since the page was opened. Check it and buy again.")),
        }
    }
}

/// The page as checkout reads it, under its lock.
#[derive(diesel::Queryable)]
struct PageForSale {
    id: String,
    organization_id: String,
    seller_user_id: String,
    page_type: String,
    settings: String,
    is_active: bool,
    launch_at: Option<NaiveDateTime>,
    expires_at: Option<NaiveDateTime>,
}

/// The product a block sells, as checkout reads it.
#[derive(diesel::Queryable)]
struct ProductForSale {
    name: String,
    currency: String,
    price_minor: i64,
    is_active: bool,
    expires_at: Option<NaiveDateTime>,
    download_limit: i32,
    download_days: i32,
}

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
        let page: PageForSale = pages::table
            .filter(pages::short_id.eq(p.short_id))
            .select((pages::id, pages::organization_id.assume_not_null(), pages::user_id, pages::page_type, pages::settings, pages::is_active, pages::launch_at, pages::expires_at))
            .first(conn)
            .await?;
        let PageForSale { id: page_id, organization_id, seller_user_id, page_type, settings: settings_json, is_active, launch_at, expires_at } = page;
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
        let product: Option<ProductForSale> = products::table
            .filter(products::id.eq(&product_id))
            .filter(products::organization_id.eq(&organization_id))
            .filter(diesel::dsl::exists(files::table.filter(files::product_id.eq(products::id))))
            .select((products::name, products::currency, products::price_minor, products::is_active, products::expires_at, products::download_limit, products::download_days))
            .first(conn)
            .await
            .optional()?;
        let Some(ProductForSale { name, currency, price_minor: price, is_active: product_active, expires_at: product_expires, download_limit, download_days }) = product else {
            return Ok(Err(Refusal::NotForSale));
        };
        if !crate::products::model::ProductStatus::of(product_active, product_expires.map(|t| t.and_utc()), now).buyable() {
            return Ok(Err(Refusal::NotForSale));
        }
        // One open checkout per buyer and a few per client address, so nobody hoards a sale by
        // pressing Buy with address after address. Counted here, under the page's lock, from the
        // orders themselves: exact, and the same for every instance.
        let open_holds = || orders::table.filter(orders::page_id.eq(&page_id)).filter(orders::status.eq(OrderStatus::Processing.as_str())).filter(orders::hold_expires_at.gt(at));
        let own: Option<(Option<String>, Option<String>)> = open_holds()
            .filter(orders::buyer_email.eq(p.email))
            .select((orders::client_ip, orders::checkout_url))
            .first(conn)
            .await
            .optional()?;
        if let Some((ip, checkout_url)) = own {
            // The payment page shows the buyer's address: only the client that opened it is led back.
            let same_client = ip.is_some() && ip.as_deref() == p.client_ip;
            return Ok(Err(Refusal::AlreadyInCheckout { checkout_url: checkout_url.filter(|_| same_client) }));
        }
        if let Some(ip) = p.client_ip {
            let from_here: i64 = open_holds().filter(orders::client_ip.eq(ip)).count().get_result(conn).await?;
            if from_here >= i64::from(p.holds_per_address) {
                return Ok(Err(Refusal::TooManyHolds));
            }
        }
        let taken: i64 = orders_taking_stock!(&page_id, at).count().get_result(conn).await?;
        if taken >= i64::from(limit) {
            let sold: i64 = orders::table.filter(orders::page_id.eq(&page_id)).filter(orders::status.eq(OrderStatus::Completed.as_str())).count().get_result(conn).await?;
            if sold >= i64::from(limit) {
                return Ok(Err(Refusal::SoldOut));
            }
            let until: Option<NaiveDateTime> = open_holds().select(diesel::dsl::min(orders::hold_expires_at)).first(conn).await?;
            return Ok(Err(Refusal::AllHeld { until: until.map(|t| t.and_utc()) }));
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
                orders::buyer_email.eq(p.email),
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

/// Records the payment session an order is being paid through, and its page (where a buyer who
/// presses Buy again is sent back to).
pub async fn attach_session(db: &Db, order_id: &str, session_id: &str, checkout_url: &str) -> Result<(), DbError> {
    db_write!(db, conn => {
        diesel::update(orders::table.filter(orders::id.eq(order_id)))
            .set((orders::checkout_session_id.eq(session_id), orders::checkout_url.eq(checkout_url), orders::updated_at.eq(Utc::now().naive_utc())))
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
