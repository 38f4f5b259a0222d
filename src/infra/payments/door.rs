//! The one door for payment events: Stripe's webhook and the test checkout's own events are
//! verified here, with the one verifier, and handed to the domain that acts on them (orders for
//! payments, billing for subscriptions). The domains register their [`EventSink`] at start-up
//! (`web::startup`), so this module names none of them.

use super::Payments;
use super::events::{self, PaymentEvent, SignedEvent, WebhookRefusal};
use crate::error::AppError;
use crate::infra::state::AppState;
use chrono::Utc;
use futures_util::future::BoxFuture;
use std::sync::Arc;

/// A domain that acts on some payment events.
pub trait EventSink: Send + Sync {
    /// Whether the event is this domain's.
    fn wants(&self, event: &PaymentEvent) -> bool;
    /// Applies the event once (a replayed event id changes nothing).
    fn apply<'a>(&'a self, state: &'a AppState, event: PaymentEvent) -> BoxFuture<'a, Result<(), AppError>>;
}

/// The registered sinks (a part of the app state).
#[derive(Clone)]
pub struct EventSinks(pub Arc<Vec<Arc<dyn EventSink>>>);

impl EventSinks {
    pub fn new(sinks: Vec<Arc<dyn EventSink>>) -> EventSinks {
        EventSinks(Arc::new(sinks))
    }
}

/// Verifies one event and applies it. A forged or stale signature is refused (400) and changes
/// nothing; an event that concerns nothing of ours is acknowledged (logged) so that Stripe stops
/// retrying it.
pub async fn receive(state: &AppState, payload: &str, signature: &str) -> Result<(), WebhookRefusal> {
    let event = events::verify(payload, signature, &Payments::of(state).webhook_secret, Utc::now())?;
    dispatch(state, event).await.map_err(|e| WebhookRefusal::Failed(e.message))
}

/// Applies an event the app produced itself (the test checkout's), through the same door.
pub async fn receive_own(state: &AppState, event: Option<SignedEvent>) -> Result<(), AppError> {
    let Some(event) = event else { return Ok(()) };
    receive(state, &event.payload, &event.signature).await.map_err(|e| AppError::internal(e.to_string()))
}

/// Applies each of several events of the app's own, in order.
pub async fn receive_all_own(state: &AppState, events: Vec<SignedEvent>) -> Result<(), AppError> {
    for event in events {
        receive_own(state, Some(event)).await?;
    }
    Ok(())
}

/// Hands a verified event to the domain that wants it.
pub fn dispatch(state: &AppState, event: PaymentEvent) -> BoxFuture<'_, Result<(), AppError>> {
    Box::pin(async move {
        let sinks = state.part::<EventSinks>().0.clone();
        match sinks.iter().find(|s| s.wants(&event)) {
            Some(sink) => sink.apply(state, event).await,
            None => {
                tracing::debug!(event = %event.id(), "payment event ignored");
                Ok(())
            }
        }
    })
}
