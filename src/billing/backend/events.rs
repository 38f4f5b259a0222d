//! Billing's share of payment events, after the one door (`infra::payments::door`) verified
//! them: subscription checkouts, subscriptions created, changed and ended, and failed payments.

use super::writer::{self, Source};
use crate::error::AppError;
use crate::infra::payments::door::EventSink;
use crate::infra::payments::{PaymentEvent, Payments, SubscriptionUpdate};
use crate::infra::state::AppState;
use chrono::Utc;
use futures_util::future::BoxFuture;

pub struct BillingEvents;

impl EventSink for BillingEvents {
    fn wants(&self, event: &PaymentEvent) -> bool {
        matches!(
            event,
            PaymentEvent::SubscriptionCheckoutCompleted { .. }
                | PaymentEvent::SubscriptionCheckoutExpired { .. }
                | PaymentEvent::SubscriptionChanged { .. }
                | PaymentEvent::InvoicePaymentFailed { .. }
        )
    }

    fn apply<'a>(&'a self, state: &'a AppState, event: PaymentEvent) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(apply(state, event))
    }
}

async fn apply(state: &AppState, event: PaymentEvent) -> Result<(), AppError> {
    let now = Utc::now();
    match event {
        PaymentEvent::SubscriptionCheckoutCompleted { organization_id: Some(org), session_id, .. }
        | PaymentEvent::SubscriptionCheckoutExpired { organization_id: Some(org), session_id, .. } => {
            writer::checkout_ended(&state.db, &org, &session_id).await?;
        }
        PaymentEvent::SubscriptionChanged { event_id, created, subscription, deleted } => {
            let source = Source { event_id: Some(&event_id), created };
            if let Some(applied) = writer::apply_subscription(&state.db, &source, &subscription, deleted, now).await? {
                plan_changed(state, &applied).await?;
                log_provider_change(state, &applied.organization_id, &subscription.status, deleted).await;
            }
        }
        PaymentEvent::InvoicePaymentFailed { event_id, created, subscription_id: Some(subscription), .. } => {
            if writer::payment_failed(&state.db, &event_id, created, &subscription, &state.config.public_url, now).await?.is_none() {
                tracing::info!(event = %event_id, subscription = %subscription, "a failed payment that changes nothing (a replay, an older event, or not a running subscription of ours): acknowledged");
            }
        }
        other => tracing::info!(event = %other.id(), "a billing event without an organization or subscription: acknowledged"),
    }
    Ok(())
}

/// A change the payment provider reported (a renewal, a failed payment, an end) goes in the
/// organization's security log, under its owner, like the changes its admins ask for.
async fn log_provider_change(state: &AppState, org_id: &str, status: &str, deleted: bool) {
    let logged = async {
        let owner = crate::accounts::backend::store::owner_of(&state.db, org_id).await?;
        let plan = crate::plans::backend::store::plan_for_organization(&state.db, org_id).await?;
        let what = if deleted {
            format!("subscription ended by the payment provider; now {}", plan.name)
        } else {
            format!("payment provider: {} ({status})", plan.name)
        };
        use crate::accounts::backend::security_log::{SecurityEvent, record};
        record(&state.db, SecurityEvent::PlanChanged, Some(&owner), Some(&what), None, Utc::now().naive_utc()).await
    };
    if let Err(e) = logged.await {
        tracing::warn!(error = %e, "could not write the security log");
    }
}

/// After a subscription changed: a second subscription replaces the first (which stops renewing
/// at the provider), the public pages' "Made with Flashpage" line follows the plan, and the
/// plan's limits are checked against what is published.
pub async fn plan_changed(state: &AppState, applied: &writer::Applied) -> Result<(), AppError> {
    let provider = Payments::of(state).provider.subscriptions();
    for old in &applied.superseded {
        tracing::warn!(subscription = %old, organization = %applied.organization_id, "a second subscription started: the first stops renewing");
        let ending = SubscriptionUpdate { cancel_at_period_end: Some(true), ..Default::default() };
        if let Err(e) = provider.update_subscription(old, &ending).await {
            tracing::warn!(subscription = %old, error = %e, "could not end the replaced subscription");
        }
    }
    super::enforcement::review(state, &applied.organization_id, Utc::now()).await?;
    // The pages' "Made with Flashpage" line follows the plan at once.
    for short_id in crate::pages::backend::store::short_ids(&state.db, &applied.organization_id).await? {
        crate::infra::notifier::Notifier::changed(state, &short_id).await;
    }
    Ok(())
}
