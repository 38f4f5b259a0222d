//! Payment events for orders, from Stripe's webhook or the test checkout, after the one door
//! (`infra::payments::door`) verified them: applied once each (by event id), in any order.

use super::writer::{self, Completion, Payment};
use crate::error::AppError;
use crate::infra::payments::PaymentEvent;
use crate::infra::payments::door::EventSink;
use crate::infra::state::AppState;
use chrono::Utc;
use futures_util::future::BoxFuture;

/// The orders' share of payment events: payments, expired sessions, refunds and connected
/// accounts (registered with the door in `web::startup`).
pub struct OrderEvents;

impl EventSink for OrderEvents {
    fn wants(&self, event: &PaymentEvent) -> bool {
        matches!(
            event,
            PaymentEvent::CheckoutCompleted { .. }
                | PaymentEvent::CheckoutPaymentFailed { .. }
                | PaymentEvent::CheckoutExpired { .. }
                | PaymentEvent::ChargeRefunded { .. }
                | PaymentEvent::AccountUpdated { .. }
        )
    }

    fn apply<'a>(&'a self, state: &'a AppState, event: PaymentEvent) -> BoxFuture<'a, Result<(), AppError>> {
        apply(state, event)
    }
}

fn apply(state: &AppState, event: PaymentEvent) -> BoxFuture<'_, Result<(), AppError>> {
    Box::pin(async move {
        let now = Utc::now();
        match event {
            PaymentEvent::CheckoutCompleted { event_id, session_id, order_id, payment_id, amount, currency, paid } => {
                let (Some(order_id), Some(payment_id)) = (order_id, payment_id) else {
                    tracing::warn!(event = %event_id, session = %session_id, "completed session without an order or a payment: acknowledged");
                    return Ok(());
                };
                let kind = if paid { "checkout.session.completed (paid)" } else { "checkout.session.completed (unpaid)" };
                let payment = Payment {
                    event_id: &event_id,
                    kind,
                    order_id: &order_id,
                    session_id: &session_id,
                    payment_id: &payment_id,
                    amount,
                    currency: &currency,
                    paid,
                };
                let token = crate::infra::tokens::new_token();
                let outcome = writer::complete(&state.db, &payment, now, &state.config.public_url, &token).await?;
                invalidate_page_of(state, &order_id).await;
                if outcome == Completion::MustRefund {
                    // The debt is recorded already: a provider that fails now is tried again by the
                    // refund job, and the webhook is acknowledged either way.
                    tracing::warn!(order = %order_id, "paid after the hold lapsed and the stock is gone: refunding");
                    super::refunds::try_owed(state, &order_id, true, now).await?;
                }
            }
            PaymentEvent::CheckoutPaymentFailed { event_id, order_id, .. } => {
                if let Some(order_id) = order_id {
                    if writer::payment_failed(&state.db, &event_id, &order_id, now).await? {
                        invalidate_page_of(state, &order_id).await;
                    }
                }
            }
            PaymentEvent::CheckoutExpired { event_id, order_id, .. } => {
                if let Some(order_id) = order_id {
                    if writer::session_expired(&state.db, &event_id, &order_id, now).await? {
                        invalidate_page_of(state, &order_id).await;
                    }
                }
            }
            PaymentEvent::ChargeRefunded { event_id, payment_id, amount_refunded, fully } => {
                if !fully {
                    tracing::info!(event = %event_id, payment = %payment_id, "partial refund: recorded by Stripe, the order stays as it is");
                    return Ok(());
                }
                writer::refunded(&state.db, &event_id, &payment_id, amount_refunded, now).await?;
            }
            PaymentEvent::AccountUpdated { event_id, account_id, charges_enabled, payouts_enabled, details_submitted } => {
                let status = crate::infra::payments::AccountStatus { charges_enabled, payouts_enabled, details_submitted };
                super::payouts::account_updated(&state.db, &event_id, &account_id, status, now).await?;
            }
            other => {
                tracing::debug!(event = %other.id(), "payment event ignored by orders");
            }
        }
        Ok(())
    })
}

/// The page's stock changed: its cached copy goes, so the count it shows is fresh.
async fn invalidate_page_of(state: &AppState, order_id: &str) {
    if let Ok(Some(short_id)) = super::store::short_id_of_order(&state.db, order_id).await {
        crate::infra::notifier::Notifier::changed(state, &short_id).await;
    }
}
