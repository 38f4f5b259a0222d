//! The sandbox's checkout: its sessions live in `test_payments`, its payment page
//! (`/checkout/test/{session}`, clearly marked "test mode") has Pay and Cancel, and what happens is
//! reported as Stripe-shaped events signed with the webhook secret, which the caller hands to the
//! webhook's own handler.

use super::{NAME, Sandbox};
use crate::infra::db::prelude::*;
use crate::infra::db::schema::test_payments;
use crate::infra::db::{Db, DbError};
use crate::infra::payments::events::{self, SessionFacts, SignedEvent};
use crate::infra::payments::{CheckoutRequest, CheckoutStarted, PaymentError, PaymentProvider};
use crate::{db_read, db_write};
use chrono::{DateTime, NaiveDateTime, Utc};
use futures_util::future::BoxFuture;

/// A test session as its payment page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TestSession {
    pub id: String,
    pub description: String,
    pub amount: i64,
    pub currency: String,
    pub customer_email: String,
    pub success_url: String,
    pub cancel_url: String,
    pub status: String,
    pub expires_at: DateTime<Utc>,
}

impl TestSession {
    /// Whether Pay can still be pressed at `now`.
    pub fn payable(&self, now: DateTime<Utc>) -> bool {
        self.status == "open" && now < self.expires_at
    }
}

type SessionRow = (String, String, i64, String, String, String, String, String, NaiveDateTime, String, String, String);

/// A session, and what only its events carry: its reference (an order, or for a subscription the
/// organization), its mode and its metadata (JSON).
struct Stored {
    session: TestSession,
    reference: String,
    mode: String,
    metadata: String,
}

fn session_from_row(r: SessionRow) -> Stored {
    let (id, description, amount, currency, customer_email, success_url, cancel_url, status, expires_at, reference, mode, metadata) = r;
    Stored {
        session: TestSession { id, description, amount, currency, customer_email, success_url, cancel_url, status, expires_at: expires_at.and_utc() },
        reference,
        mode,
        metadata,
    }
}

macro_rules! session_columns {
    () => {
        (
            test_payments::id,
            test_payments::description,
            test_payments::amount,
            test_payments::currency,
            test_payments::customer_email,
            test_payments::success_url,
            test_payments::cancel_url,
            test_payments::status,
            test_payments::expires_at,
            test_payments::client_reference_id,
            test_payments::mode,
            test_payments::metadata,
        )
    };
}

/// A session's facts as its events report them.
fn facts<'a>(session: &'a TestSession, order_id: &'a str, status: &'a str, payment_intent: Option<&'a str>, now: DateTime<Utc>) -> SessionFacts<'a> {
    SessionFacts {
        id: &session.id,
        order_id,
        amount: session.amount,
        currency: &session.currency,
        customer_email: &session.customer_email,
        status,
        payment_intent,
        created: now,
        expires_at: session.expires_at,
    }
}

/// The session behind a payment page, if there is one.
pub async fn session(db: &Db, id: &str) -> Result<Option<TestSession>, DbError> {
    let row: Option<SessionRow> = db_read!(db, conn => {
        Ok::<_, DbError>(test_payments::table.filter(test_payments::id.eq(id)).select(session_columns!()).first(conn).await.optional()?)
    })?;
    Ok(row.map(|r| session_from_row(r).session))
}

/// The event of a session that completed or expired, in its mode's shape.
fn session_event(stored: &Stored, status: &str, payment_intent: Option<&str>, subscription: Option<&str>, now: DateTime<Utc>) -> serde_json::Value {
    let facts = facts(&stored.session, &stored.reference, status, payment_intent, now);
    let kind = if status == "complete" { "checkout.session.completed" } else { "checkout.session.expired" };
    let mut object = events::checkout_session(&facts);
    if stored.mode == "subscription" {
        let metadata: serde_json::Value = serde_json::from_str(&stored.metadata).unwrap_or_else(|_| serde_json::json!({}));
        events::in_subscription_mode(&mut object, subscription, metadata);
    }
    events::event(kind, object, now)
}

/// What pressing Pay or Cancel did.
pub struct Outcome {
    /// The events to hand to the webhook's door, in order; none when the press changed nothing
    /// (pressed twice, or the session had already lapsed).
    pub events: Vec<SignedEvent>,
    /// Where the buyer goes next.
    pub return_to: String,
}

/// Pays an open session: it completes with a new payment id and a `checkout.session.completed`
/// event (a subscription's session also starts its subscription, with its own event first). A
/// session that has lapsed is expired instead (and its event sent), like Stripe's.
pub async fn pay(db: &Db, webhook_secret: &str, id: &str, now: DateTime<Utc>) -> Result<Option<Outcome>, DbError> {
    let payment_intent = format!("pi_test_{}", crate::infra::db::new_id().replace('-', ""));
    let pi = payment_intent.as_str();
    let changed = db_write!(db, conn => {
        let row: Option<SessionRow> = test_payments::table.filter(test_payments::id.eq(id)).select(session_columns!()).first(conn).await.optional()?;
        let Some(row) = row else { return Ok(None) };
        let stored = session_from_row(row);
        if stored.session.status != "open" {
            return Ok(Some((stored, None, None)));
        }
        let paid = now < stored.session.expires_at;
        // Only an open session changes, in one conditional statement: of several presses at once
        // (two tabs, a double click) exactly one pays; the others find it complete.
        let n = diesel::update(test_payments::table.filter(test_payments::id.eq(id)).filter(test_payments::status.eq("open")))
            .set((
                test_payments::status.eq(if paid { "complete" } else { "expired" }),
                test_payments::payment_intent.eq(paid.then_some(pi)),
            ))
            .execute(conn)
            .await?;
        if n == 0 {
            let mut stored = stored;
            stored.session.status = test_payments::table.filter(test_payments::id.eq(id)).select(test_payments::status).first(conn).await?;
            return Ok(Some((stored, None, None)));
        }
        let subscription = if paid && stored.mode == "subscription" {
            Some(crate::test_subscription_start!(conn, &stored.session, &stored.metadata, now))
        } else {
            None
        };
        Ok::<_, DbError>(Some((stored, Some(paid), subscription)))
    })?;
    let Some((stored, changed, subscription)) = changed else { return Ok(None) };
    let mut signed = Vec::new();
    if let Some(facts) = &subscription {
        signed.push(events::sign(&events::event("customer.subscription.created", events::subscription(facts, now), now), webhook_secret, now));
    }
    match changed {
        Some(true) => signed.push(events::sign(
            &session_event(&stored, "complete", Some(&payment_intent), subscription.as_ref().map(|f| f.id.as_str()), now),
            webhook_secret,
            now,
        )),
        Some(false) => signed.push(events::sign(&session_event(&stored, "expired", None, None, now), webhook_secret, now)),
        None => {}
    }
    let return_to = if changed == Some(true) || stored.session.status == "complete" { stored.session.success_url } else { stored.session.cancel_url };
    Ok(Some(Outcome { events: signed, return_to }))
}

/// Expires an open session (Cancel on its page, or a lapsed hold): a `checkout.session.expired`
/// event, or nothing when it was paid or expired already.
pub async fn expire(db: &Db, webhook_secret: &str, id: &str, now: DateTime<Utc>) -> Result<Option<Outcome>, DbError> {
    let found = db_write!(db, conn => {
        let row: Option<SessionRow> = test_payments::table.filter(test_payments::id.eq(id)).select(session_columns!()).first(conn).await.optional()?;
        let Some(row) = row else { return Ok(None) };
        let n = diesel::update(test_payments::table.filter(test_payments::id.eq(id)).filter(test_payments::status.eq("open")))
            .set(test_payments::status.eq("expired"))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(Some((session_from_row(row), n == 1)))
    })?;
    let Some((stored, expired)) = found else { return Ok(None) };
    let events = if expired { vec![events::sign(&session_event(&stored, "expired", None, None, now), webhook_secret, now)] } else { Vec::new() };
    Ok(Some(Outcome { events, return_to: stored.session.cancel_url }))
}

impl PaymentProvider for Sandbox {
    fn name(&self) -> &'static str {
        NAME
    }

    fn start_checkout<'a>(&'a self, request: &'a CheckoutRequest) -> BoxFuture<'a, Result<CheckoutStarted, PaymentError>> {
        Box::pin(async move {
            // One session per order, like Stripe's idempotency key: asking twice returns the first.
            // Its id is derived with the secret, so it cannot be guessed from the order's id (the
            // payment page shows the buyer's address).
            let digest = crate::infra::tokens::token_hash(&format!("{}:{}", self.webhook_secret, request.order_id));
            let id = format!("cs_test_{}", &digest[..40]);
            let now = Utc::now().naive_utc();
            let session_id = id.as_str();
            let result: Result<usize, DbError> = db_write!(self.db, conn => {
                Ok(diesel::insert_into(test_payments::table)
                    .values((
                        test_payments::id.eq(session_id),
                        test_payments::client_reference_id.eq(&request.order_id),
                        test_payments::description.eq(&request.description),
                        test_payments::amount.eq(request.amount),
                        test_payments::currency.eq(&request.currency),
                        test_payments::customer_email.eq(&request.customer_email),
                        test_payments::success_url.eq(&request.success_url),
                        test_payments::cancel_url.eq(&request.cancel_url),
                        test_payments::status.eq("open"),
                        test_payments::expires_at.eq(request.hold_expires_at.naive_utc()),
                        test_payments::created_at.eq(now),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?)
            });
            result.map_err(|e| PaymentError::Unavailable(e.to_string()))?;
            Ok(CheckoutStarted { redirect_to: format!("{}/checkout/test/{id}", self.public_url), session_id: id })
        })
    }

    fn expire_checkout<'a>(&'a self, session_id: &'a str) -> BoxFuture<'a, Result<Option<SignedEvent>, PaymentError>> {
        Box::pin(async move {
            let outcome = expire(&self.db, &self.webhook_secret, session_id, Utc::now()).await.map_err(|e| PaymentError::Unavailable(e.to_string()))?;
            Ok(outcome.and_then(|o| o.events.into_iter().next()))
        })
    }

    fn subscriptions(&self) -> &dyn crate::infra::payments::Subscriptions {
        self
    }

    fn refund<'a>(&'a self, payment_id: &'a str, _destination_charge: bool) -> BoxFuture<'a, Result<Option<SignedEvent>, PaymentError>> {
        Box::pin(async move {
            let refunded = db_write!(self.db, conn => {
                let row: Option<(String, i64, String, i64)> = test_payments::table
                    .filter(test_payments::payment_intent.eq(payment_id))
                    .select((test_payments::id, test_payments::amount, test_payments::currency, test_payments::amount_refunded))
                    .first(conn)
                    .await
                    .optional()?;
                let Some((id, amount, currency, already)) = row else { return Ok(None) };
                if already < amount {
                    diesel::update(test_payments::table.filter(test_payments::id.eq(&id)))
                        .set(test_payments::amount_refunded.eq(amount))
                        .execute(conn)
                        .await?;
                }
                Ok::<_, DbError>(Some((amount, currency, already < amount)))
            })
            .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
            match refunded {
                None => Err(PaymentError::Refused(format!("no test payment {payment_id}"))),
                Some((_, _, false)) => Ok(None),
                Some((amount, currency, true)) => {
                    let now = Utc::now();
                    Ok(Some(events::sign(&events::charge_refunded(payment_id, amount, &currency, now), &self.webhook_secret, now)))
                }
            }
        })
    }
}
