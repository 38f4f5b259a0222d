//! The test checkout's subscriptions: what Stripe Billing does for the platform's plans, played
//! on this machine so that plan changes work on a fresh clone. A subscription starts when its
//! checkout page is paid, renews itself at the end of each period by the app's clock
//! ([`renew_due`]), ends there when cancelled at the period's end, and can be told to fail its
//! next payment (a test control) to show what a lapsed payment does. Every change is reported as
//! the Stripe event that would report it, through the webhook's own door.

use super::Sandbox;
use crate::db_write;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{test_payments, test_subscriptions};
use crate::infra::db::{Db, DbError};
use crate::infra::payments::events::{self, SignedEvent, SubscriptionFacts};
use crate::infra::payments::{CheckoutStarted, PaymentError, SubscriptionRequest, SubscriptionUpdate, Subscriptions};
use chrono::{DateTime, Duration, Months, NaiveDateTime, Utc};
use futures_util::future::BoxFuture;
use std::collections::HashMap;

/// How long a payment page stays open.
const SESSION_LIFETIME: Duration = Duration::hours(1);
/// The product every test subscription's price belongs to. (A failed renewal is "retried" until
/// the next end of period, where the subscription ends: Stripe's retries take up to weeks.)
pub const PRODUCT_ID: &str = "prod_test_flashpage_plan";

type Row = (String, String, String, i64, String, String, String, NaiveDateTime, NaiveDateTime, bool);

macro_rules! row_columns {
    () => {
        (
            test_subscriptions::id,
            test_subscriptions::customer_id,
            test_subscriptions::description,
            test_subscriptions::amount,
            test_subscriptions::currency,
            test_subscriptions::status,
            test_subscriptions::metadata,
            test_subscriptions::current_period_start,
            test_subscriptions::current_period_end,
            test_subscriptions::cancel_at_period_end,
        )
    };
}

fn facts_of(row: Row) -> SubscriptionFacts {
    let (id, customer_id, _description, amount, currency, status, metadata, start, end, cancel_at_period_end) = row;
    SubscriptionFacts {
        item_id: Some(format!("si_{}", id.trim_start_matches("sub_"))),
        product_id: Some(PRODUCT_ID.to_string()),
        metadata: serde_json::from_str::<HashMap<String, String>>(&metadata).unwrap_or_default(),
        id,
        customer_id,
        status,
        amount: Some(amount),
        currency,
        period_start: start.and_utc().timestamp(),
        period_end: end.and_utc().timestamp(),
        cancel_at_period_end,
    }
}

/// One period after `from`.
pub fn next_period_end(from: NaiveDateTime, interval: &str) -> NaiveDateTime {
    let months = if interval == "year" { 12 } else { 1 };
    from.checked_add_months(Months::new(months)).unwrap_or(from)
}

/// Inside the transaction that pays a subscription session: starts its subscription and returns
/// it. The session's metadata carries `interval` and, for a returning customer, `customer_id`.
#[macro_export]
macro_rules! test_subscription_start {
    ($conn:expr, $session:expr, $metadata:expr, $now:expr) => {{
        use $crate::infra::db::schema::test_subscriptions;
        let session = $session;
        let mut metadata: std::collections::HashMap<String, String> = serde_json::from_str($metadata).unwrap_or_default();
        let interval = metadata.remove("interval").unwrap_or_else(|| "month".to_string());
        let customer = metadata.remove("customer_id").unwrap_or_else(|| format!("cus_test_{}", $crate::infra::db::new_id().replace('-', "")));
        let id = format!("sub_test_{}", $crate::infra::db::new_id().replace('-', ""));
        let start = $now.naive_utc();
        let end = $crate::infra::payments::sandbox::subscriptions::next_period_end(start, &interval);
        metadata.insert("interval".into(), interval);
        let metadata_json = serde_json::to_string(&metadata).unwrap_or_else(|_| "{}".into());
        diesel::insert_into(test_subscriptions::table)
            .values((
                test_subscriptions::id.eq(&id),
                test_subscriptions::customer_id.eq(&customer),
                test_subscriptions::customer_email.eq(&session.customer_email),
                test_subscriptions::description.eq(&session.description),
                test_subscriptions::amount.eq(session.amount),
                test_subscriptions::currency.eq(&session.currency),
                test_subscriptions::status.eq("active"),
                test_subscriptions::metadata.eq(&metadata_json),
                test_subscriptions::current_period_start.eq(start),
                test_subscriptions::current_period_end.eq(end),
                test_subscriptions::created_at.eq(start),
            ))
            .execute($conn)
            .await?;
        $crate::infra::payments::SubscriptionFacts {
            item_id: Some(format!("si_{}", id.trim_start_matches("sub_"))),
            product_id: Some($crate::infra::payments::sandbox::subscriptions::PRODUCT_ID.to_string()),
            id,
            customer_id: customer,
            status: "active".to_string(),
            metadata,
            amount: Some(session.amount),
            currency: session.currency.clone(),
            period_start: start.and_utc().timestamp(),
            period_end: end.and_utc().timestamp(),
            cancel_at_period_end: false,
        }
    }};
}

fn unavailable(e: DbError) -> PaymentError {
    PaymentError::Unavailable(e.to_string())
}

impl Subscriptions for Sandbox {
    fn start_subscription<'a>(&'a self, request: &'a SubscriptionRequest) -> BoxFuture<'a, Result<CheckoutStarted, PaymentError>> {
        Box::pin(async move {
            let id = format!("cs_test_{}", crate::infra::tokens::new_token().chars().take(40).collect::<String>());
            let mut metadata = HashMap::from([
                ("organization_id".to_string(), request.organization_id.clone()),
                ("plan_id".to_string(), request.plan_id.clone()),
                ("interval".to_string(), request.price.interval.clone()),
            ]);
            if let Some(customer) = &request.customer_id {
                metadata.insert("customer_id".into(), customer.clone());
            }
            let metadata = serde_json::to_string(&metadata).unwrap_or_else(|_| "{}".into());
            let now = Utc::now();
            let session_id = id.as_str();
            db_write!(self.db(), conn => {
                Ok::<_, DbError>(diesel::insert_into(test_payments::table)
                    .values((
                        test_payments::id.eq(session_id),
                        test_payments::client_reference_id.eq(&request.organization_id),
                        test_payments::description.eq(&request.price.description),
                        test_payments::amount.eq(request.price.amount),
                        test_payments::currency.eq(&request.price.currency),
                        test_payments::customer_email.eq(&request.customer_email),
                        test_payments::success_url.eq(&request.success_url),
                        test_payments::cancel_url.eq(&request.cancel_url),
                        test_payments::status.eq("open"),
                        test_payments::expires_at.eq((now + SESSION_LIFETIME).naive_utc()),
                        test_payments::created_at.eq(now.naive_utc()),
                        test_payments::mode.eq("subscription"),
                        test_payments::metadata.eq(&metadata),
                    ))
                    .execute(conn)
                    .await?)
            })
            .map_err(unavailable)?;
            Ok(CheckoutStarted { redirect_to: format!("{}/checkout/test/{id}", self.public_url()), session_id: id })
        })
    }

    fn update_subscription<'a>(&'a self, id: &'a str, update: &'a SubscriptionUpdate) -> BoxFuture<'a, Result<SubscriptionFacts, PaymentError>> {
        Box::pin(async move {
            let updated = db_write!(self.db(), conn => {
                let row: Option<Row> = test_subscriptions::table.filter(test_subscriptions::id.eq(id)).select(row_columns!()).first(conn).await.optional()?;
                let Some(row) = row else { return Ok(None) };
                let mut facts = facts_of(row);
                if facts.status == "canceled" {
                    return Ok(Some(Err(facts)));
                }
                if let Some((plan_id, price)) = &update.plan {
                    facts.metadata.insert("plan_id".into(), plan_id.clone());
                    facts.amount = Some(price.amount);
                    facts.currency = price.currency.clone();
                    diesel::update(test_subscriptions::table.filter(test_subscriptions::id.eq(id)))
                        .set((
                            test_subscriptions::amount.eq(price.amount),
                            test_subscriptions::currency.eq(&price.currency),
                            test_subscriptions::description.eq(&price.description),
                            test_subscriptions::metadata.eq(serde_json::to_string(&facts.metadata).unwrap_or_else(|_| "{}".into())),
                        ))
                        .execute(conn)
                        .await?;
                }
                if let Some(cancel) = update.cancel_at_period_end {
                    facts.cancel_at_period_end = cancel;
                    diesel::update(test_subscriptions::table.filter(test_subscriptions::id.eq(id)))
                        .set(test_subscriptions::cancel_at_period_end.eq(cancel))
                        .execute(conn)
                        .await?;
                }
                Ok::<_, DbError>(Some(Ok(facts)))
            })
            .map_err(unavailable)?;
            match updated {
                None => Err(PaymentError::Refused(format!("No such subscription: '{id}'"))),
                Some(Err(_)) => Err(PaymentError::Refused("A canceled subscription cannot be updated.".into())),
                Some(Ok(facts)) => Ok(facts),
            }
        })
    }

    fn cancel_subscription<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), PaymentError>> {
        Box::pin(async move {
            db_write!(self.db(), conn => {
                Ok::<_, DbError>(diesel::update(test_subscriptions::table.filter(test_subscriptions::id.eq(id)))
                    .set(test_subscriptions::status.eq("canceled"))
                    .execute(conn)
                    .await?)
            })
            .map_err(unavailable)?;
            Ok(())
        })
    }

    fn portal<'a>(&'a self, _customer_id: &'a str, _return_url: &'a str) -> BoxFuture<'a, Result<Option<String>, PaymentError>> {
        Box::pin(async { Ok(None) })
    }
}

/// Renews, ends or fails every test subscription whose period is over at `now`, and returns the
/// events that report it, in order. Each subscription moves once: the change is conditional on
/// the period it saw, so two instances running this at once do not both move it.
///
/// - cancelled at the period's end: it ends (`customer.subscription.deleted`);
/// - past due (its last renewal failed): the retries are over, it ends;
/// - told to fail: it becomes past due (`invoice.payment_failed`, then `.updated`);
/// - otherwise it renews for one more period (`customer.subscription.updated`).
pub async fn renew_due(db: &Db, webhook_secret: &str, now: DateTime<Utc>) -> Result<Vec<SignedEvent>, DbError> {
    let due: Vec<(Row, bool)> = crate::db_read!(db, conn => {
        Ok::<_, DbError>(test_subscriptions::table
            .filter(test_subscriptions::status.eq_any(["active", "past_due"]))
            .filter(test_subscriptions::current_period_end.le(now.naive_utc()))
            .select((row_columns!(), test_subscriptions::fail_next_payment))
            .load(conn)
            .await?)
    })?;
    let mut signed = Vec::new();
    for (row, fail) in due {
        let seen_end = row.8;
        let mut facts = facts_of(row);
        let interval = facts.metadata.get("interval").cloned().unwrap_or_else(|| "month".into());
        let (kind, status, new_end) = if facts.cancel_at_period_end || facts.status == "past_due" {
            ("customer.subscription.deleted", "canceled", seen_end)
        } else if fail {
            ("customer.subscription.updated", "past_due", seen_end)
        } else {
            ("customer.subscription.updated", "active", next_period_end(seen_end, &interval))
        };
        let (id, seen_status) = (facts.id.clone(), facts.status.clone());
        let period_start = if new_end == seen_end { facts_period_start(&facts) } else { seen_end };
        let moved = db_write!(db, conn => {
            Ok::<_, DbError>(diesel::update(
                test_subscriptions::table
                    .filter(test_subscriptions::id.eq(&id))
                    .filter(test_subscriptions::current_period_end.eq(seen_end))
                    .filter(test_subscriptions::status.eq(&seen_status)),
            )
            .set((
                test_subscriptions::status.eq(status),
                test_subscriptions::current_period_start.eq(period_start),
                test_subscriptions::current_period_end.eq(new_end),
                test_subscriptions::fail_next_payment.eq(false),
            ))
            .execute(conn)
            .await?)
        })?;
        if moved != 1 {
            continue;
        }
        if new_end != seen_end {
            facts.period_start = seen_end.and_utc().timestamp();
            facts.period_end = new_end.and_utc().timestamp();
        }
        facts.status = status.to_string();
        // Created at `now` (the renewal's moment), signed as delivered (the real clock).
        let delivered = Utc::now();
        if status == "past_due" {
            let invoice = events::failed_invoice(&facts, now);
            signed.push(events::sign(&events::event("invoice.payment_failed", invoice, now), webhook_secret, delivered));
        }
        signed.push(events::sign(&events::event(kind, events::subscription(&facts, now), now), webhook_secret, delivered));
    }
    Ok(signed)
}

fn facts_period_start(facts: &SubscriptionFacts) -> NaiveDateTime {
    DateTime::from_timestamp(facts.period_start, 0).map(|t| t.naive_utc()).unwrap_or_default()
}

/// A test control: the subscription's current period ends now (the next [`renew_due`] acts on
/// it).
pub async fn end_period_now(db: &Db, id: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    let n = db_write!(db, conn => {
        Ok::<_, DbError>(diesel::update(test_subscriptions::table.filter(test_subscriptions::id.eq(id)).filter(test_subscriptions::status.ne("canceled")))
            .set(test_subscriptions::current_period_end.eq(now.naive_utc()))
            .execute(conn)
            .await?)
    })?;
    Ok(n == 1)
}

/// A test control: the subscription's next renewal fails.
pub async fn fail_next_payment(db: &Db, id: &str) -> Result<bool, DbError> {
    let n = db_write!(db, conn => {
        Ok::<_, DbError>(diesel::update(test_subscriptions::table.filter(test_subscriptions::id.eq(id)).filter(test_subscriptions::status.eq("active")))
            .set(test_subscriptions::fail_next_payment.eq(true))
            .execute(conn)
            .await?)
    })?;
    Ok(n == 1)
}
