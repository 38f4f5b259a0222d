//! Refunds the platform owes: a payment that arrived when no unit was left. The debt is recorded
//! with the payment itself (`refund_pending`, in the transaction that applies it), so a provider
//! that refuses or fails the refund cannot lose it: the webhook answers 200 and this module tries
//! again, at once, then from a job with growing pauses, until the provider takes it. The creator
//! sees "Refund pending" and may press Refund to try at once.

use super::writer;
use crate::error::AppError;
use crate::infra::payments::Payments;
use crate::infra::state::AppState;
use chrono::{DateTime, Utc};

/// Tries an owed refund once (when due, or at once when `force`d). Returns whether the provider
/// took it; a failure is logged and left for the next try.
pub async fn try_owed(state: &AppState, order_id: &str, force: bool, now: DateTime<Utc>) -> Result<bool, AppError> {
    let Some(payment_id) = writer::claim_owed_refund(&state.db, order_id, force, now).await? else { return Ok(false) };
    let provider = &Payments::of(state).provider;
    match provider.refund(&payment_id, provider.payouts().is_some()).await {
        Ok(event) => {
            writer::owed_refund_requested(&state.db, order_id, Utc::now()).await?;
            // The test checkout reports the refund at once; Stripe sends `charge.refunded` later.
            crate::infra::payments::door::receive_own(state, event).await?;
            Ok(true)
        }
        Err(e) => {
            tracing::warn!(order = order_id, error = %e, "an owed refund failed; it is tried again later");
            Ok(false)
        }
    }
}

/// Tries every owed refund that is due (from `web::startup`, every few seconds); returns how
/// many the provider took.
pub async fn retry_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let mut taken = 0;
    for order_id in writer::owed_refunds_due(&state.db, now, 50).await? {
        if try_owed(state, &order_id, false, now).await? {
            taken += 1;
        }
    }
    Ok(taken)
}
