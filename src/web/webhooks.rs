//! `POST /webhooks/stripe`: the payment provider's events. Exempt from the origin check (another
//! server sends it), protected by its signature instead; the body is read raw, because the
//! signature covers the exact bytes.

use crate::accounts::guard::Guard;
use crate::infra::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// Stripe sends events of at most a few tens of KB.
pub const MAX_WEBHOOK_BYTES: usize = 256 * 1024;

pub async fn stripe_webhook(State(state): State<AppState>, _guard: Guard, headers: HeaderMap, body: String) -> Response {
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    match crate::infra::payments::door::receive(&state, &body, signature).await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(refusal) => {
            tracing::warn!(error = %refusal, "webhook refused");
            let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, refusal.to_string()).into_response()
        }
    }
}
