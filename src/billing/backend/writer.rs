//! The subscription's one write path. Every change to a subscription row goes through here:
//! what the provider reports (its events, or its answer to a change we asked for), a failed
//! payment, and the organization's open checkout.
//!
//! Events are applied once each (their id is recorded in the same transaction) and never move a
//! subscription back: an event older than the last one applied is acknowledged and ignored, and
//! a cancelled subscription stays cancelled.

use crate::db_write;
use crate::error::AppError;
use crate::first_time_event;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{organizations, plans, subscriptions, users};
use crate::infra::db::{Db, DbError, new_id};
use crate::infra::payments::SubscriptionFacts;
use chrono::{DateTime, NaiveDateTime, Utc};

/// How a subscription event changed the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub organization_id: String,
    /// Other paid subscriptions of the organization that are still running: a second checkout
    /// completed in another tab. The newest wins; these are cancelled at the provider.
    pub superseded: Vec<String>,
}

/// Our status for the provider's: the seed's `active`, `past_due` and `canceled`, and Stripe's
/// others as they are (`trialing` and `past_due` keep the plan; `incomplete`, `unpaid` and
/// `paused` do not).
fn status_of(facts: &SubscriptionFacts, deleted: bool) -> &str {
    match facts.status.as_str() {
        _ if deleted => "canceled",
        "incomplete_expired" => "canceled",
        other => other,
    }
}

fn timestamp(seconds: i64) -> NaiveDateTime {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default().naive_utc()
}

/// The event that reports a subscription, when it came as one (`None`: the provider's answer to
/// a change this app asked for, applied at `now`).
pub struct Source<'a> {
    pub event_id: Option<&'a str>,
    /// When the provider reported it (seconds).
    pub created: i64,
}

/// Applies a subscription as the provider reports it. A subscription the app does not know is
/// created from its metadata (`organization_id`, `plan_id`); one without is logged and ignored.
pub async fn apply_subscription(
    db: &Db,
    source: &Source<'_>,
    facts: &SubscriptionFacts,
    deleted: bool,
    now: DateTime<Utc>,
) -> Result<Option<Applied>, AppError> {
    let now = now.naive_utc();
    let reported_at = timestamp(source.created);
    let status = status_of(facts, deleted);
    let applied = db_write!(db, conn => {
        if let Some(event_id) = source.event_id {
            if !first_time_event!(conn, event_id, "customer.subscription", now)? {
                return Ok(None);
            }
        }
        // Lock the subscription's row first: two deliveries for one subscription queue here, and
        // the second sees what the first wrote.
        diesel::update(subscriptions::table.filter(subscriptions::stripe_subscription_id.eq(&facts.id)))
            .set(subscriptions::updated_at.eq(subscriptions::updated_at))
            .execute(conn)
            .await?;
        let known: Option<(String, String, String, Option<NaiveDateTime>)> = subscriptions::table
            .filter(subscriptions::stripe_subscription_id.eq(&facts.id))
            .select((subscriptions::id, subscriptions::user_id, subscriptions::status, subscriptions::last_event_at))
            .first(conn)
            .await
            .optional()?;
        // A plan id the subscription carries, if it names a plan.
        let plan_id: Option<String> = match facts.metadata.get("plan_id") {
            Some(id) => plans::table.filter(plans::id.eq(id)).select(plans::id).first(conn).await.optional()?,
            None => None,
        };
        let period_end = timestamp(facts.period_end);
        let Some((row_id, user_id, old_status, last_event_at)) = known else {
            if status == "canceled" {
                tracing::info!(subscription = %facts.id, "an ended subscription the app never knew: ignored");
                return Ok(None);
            }
            let (Some(org_id), Some(plan_id)) = (facts.metadata.get("organization_id"), plan_id) else {
                tracing::warn!(subscription = %facts.id, customer = %facts.customer_id, "a subscription for no organization or plan of ours: ignored");
                return Ok(None);
            };
            let owner: Option<String> = organizations::table.filter(organizations::id.eq(org_id)).select(organizations::owner_id).first(conn).await.optional()?;
            let Some(owner) = owner else {
                tracing::warn!(subscription = %facts.id, organization = %org_id, "a subscription for an organization that is gone: ignored");
                return Ok(None);
            };
            let plan_price: i64 = plans::table.filter(plans::id.eq(&plan_id)).select(plans::price_minor).first(conn).await?;
            diesel::insert_into(subscriptions::table)
                .values((
                    subscriptions::id.eq(new_id()),
                    subscriptions::user_id.eq(&owner),
                    subscriptions::plan_id.eq(&plan_id),
                    subscriptions::start_date.eq(timestamp(facts.period_start)),
                    subscriptions::end_date.eq(Some(period_end)),
                    subscriptions::status.eq(status),
                    subscriptions::stripe_subscription_id.eq(&facts.id),
                    subscriptions::stripe_customer_id.eq(&facts.customer_id),
                    subscriptions::price_minor.eq(facts.amount.unwrap_or(plan_price)),
                    subscriptions::currency.eq(&facts.currency),
                    subscriptions::cancel_at_period_end.eq(facts.cancel_at_period_end),
                    subscriptions::last_event_at.eq(Some(reported_at)),
                    subscriptions::created_at.eq(now),
                    subscriptions::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
            diesel::update(organizations::table.filter(organizations::id.eq(org_id)))
                .set(organizations::billing_checkout_session.eq(None::<String>))
                .execute(conn)
                .await?;
            let superseded: Vec<Option<String>> = subscriptions::table
                .filter(subscriptions::user_id.eq(&owner))
                .filter(subscriptions::stripe_subscription_id.ne(&facts.id))
                .filter(subscriptions::status.eq_any(["active", "trialing", "past_due", "incomplete"]))
                .select(subscriptions::stripe_subscription_id)
                .load(conn)
                .await?;
            return Ok(Some(Applied { organization_id: org_id.clone(), superseded: superseded.into_iter().flatten().collect() }));
        };
        if old_status == "canceled" {
            return Ok(None);
        }
        if last_event_at.is_some_and(|last| last > reported_at) {
            tracing::info!(subscription = %facts.id, "an older subscription event after a newer one: ignored");
            return Ok(None);
        }
        // Stripe's times are whole seconds: of two events in one second, "incomplete" (the
        // subscription being created) never follows another status.
        if last_event_at == Some(reported_at) && status == "incomplete" && old_status != "incomplete" {
            tracing::info!(subscription = %facts.id, "an 'incomplete' in the same second as a later status: ignored");
            return Ok(None);
        }
        let target = subscriptions::table.filter(subscriptions::id.eq(&row_id));
        diesel::update(target)
            .set((
                subscriptions::status.eq(status),
                subscriptions::end_date.eq(Some(period_end)),
                subscriptions::cancel_at_period_end.eq(facts.cancel_at_period_end),
                subscriptions::stripe_customer_id.eq(&facts.customer_id),
                subscriptions::last_event_at.eq(Some(reported_at)),
                subscriptions::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
        if let Some(amount) = facts.amount {
            diesel::update(target).set((subscriptions::price_minor.eq(amount), subscriptions::currency.eq(&facts.currency))).execute(conn).await?;
        }
        if let Some(plan_id) = plan_id {
            diesel::update(target).set(subscriptions::plan_id.eq(plan_id)).execute(conn).await?;
        }
        let org_id: String = users::table.filter(users::id.eq(&user_id)).select(users::organization_id).first(conn).await?;
        Ok::<_, DbError>(Some(Applied { organization_id: org_id, superseded: Vec::new() }))
    })?;
    Ok(applied)
}

/// A subscription's payment failed: an active (or trialing) subscription becomes past due, and
/// its organization's admins are mailed in the same transaction (so a failure anywhere leaves
/// the event to be delivered again). A replay, an older event, or a subscription that is not
/// running (or not ours) changes nothing. Returns the organization when it changed.
pub async fn payment_failed(
    db: &Db,
    event_id: &str,
    created: i64,
    subscription_id: &str,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let now = now.naive_utc();
    let reported_at = timestamp(created);
    let changed = db_write!(db, conn => {
        if !first_time_event!(conn, event_id, "invoice.payment_failed", now)? {
            return Ok(None);
        }
        diesel::update(subscriptions::table.filter(subscriptions::stripe_subscription_id.eq(subscription_id)))
            .set(subscriptions::updated_at.eq(subscriptions::updated_at))
            .execute(conn)
            .await?;
        let row: Option<(String, String, String, Option<NaiveDateTime>, String)> = subscriptions::table
            .inner_join(plans::table)
            .filter(subscriptions::stripe_subscription_id.eq(subscription_id))
            .select((subscriptions::id, subscriptions::user_id, subscriptions::status, subscriptions::last_event_at, plans::name))
            .first(conn)
            .await
            .optional()?;
        let Some((row_id, user_id, status, last_event_at, plan_name)) = row else { return Ok(None) };
        if !matches!(status.as_str(), "active" | "trialing") || last_event_at.is_some_and(|last| last > reported_at) {
            return Ok(None);
        }
        diesel::update(subscriptions::table.filter(subscriptions::id.eq(&row_id)))
            .set((subscriptions::status.eq("past_due"), subscriptions::last_event_at.eq(Some(reported_at)), subscriptions::updated_at.eq(now)))
            .execute(conn)
            .await?;
        let org_id: String = users::table.filter(users::id.eq(&user_id)).select(users::organization_id).first(conn).await?;
        let admins = super::enforcement::admin_emails_in!(conn, &org_id);
        let mails: Vec<_> = admins.iter().map(|to| super::enforcement::payment_failed_mail(to, &plan_name, public_url)).collect();
        crate::enqueue_mails!(conn, &mails, now)?;
        Ok::<_, DbError>(Some(org_id))
    })?;
    Ok(changed)
}

/// Remembers the organization's open subscription checkout; returns the one it replaces, which
/// the caller closes at the provider.
pub async fn set_checkout_session(db: &Db, org_id: &str, session_id: Option<&str>) -> Result<Option<String>, AppError> {
    let previous = db_write!(db, conn => {
        // The organization's row, locked: of two clicks at once, the second sees the first's session.
        diesel::update(organizations::table.filter(organizations::id.eq(org_id)))
            .set(organizations::updated_at.eq(organizations::updated_at))
            .execute(conn)
            .await?;
        let previous: Option<Option<String>> =
            organizations::table.filter(organizations::id.eq(org_id)).select(organizations::billing_checkout_session).first(conn).await.optional()?;
        diesel::update(organizations::table.filter(organizations::id.eq(org_id)))
            .set(organizations::billing_checkout_session.eq(session_id))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(previous.flatten())
    })?;
    Ok(previous.filter(|p| Some(p.as_str()) != session_id))
}

/// A subscription checkout ended (paid or lapsed): forget it if it is still the open one.
pub async fn checkout_ended(db: &Db, org_id: &str, session_id: &str) -> Result<(), AppError> {
    db_write!(db, conn => {
        Ok::<_, DbError>(diesel::update(
            organizations::table.filter(organizations::id.eq(org_id)).filter(organizations::billing_checkout_session.eq(session_id)),
        )
        .set(organizations::billing_checkout_session.eq(None::<String>))
        .execute(conn)
        .await?)
    })?;
    Ok(())
}
