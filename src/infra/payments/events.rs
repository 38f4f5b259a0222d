//! Payment events: Stripe's webhook format, for Stripe's own events and the test checkout's.
//!
//! [`verify`] checks the `Stripe-Signature` header with `stripe_webhook` (HMAC-SHA256 over
//! `"{t}.{payload}"`, 5 minutes' tolerance) and reduces the event to what the app acts on. The
//! builders below write the few Stripe objects the test checkout reports, in the shape Stripe
//! sends, so both providers go through the same parser.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use stripe_webhook::{EventObject, Webhook, WebhookError};

/// A webhook body and its `Stripe-Signature` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedEvent {
    pub payload: String,
    pub signature: String,
}

/// What the app acts on, from one verified event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentEvent {
    CheckoutCompleted {
        event_id: String,
        session_id: String,
        order_id: Option<String>,
        payment_id: Option<String>,
        amount: i64,
        currency: String,
    },
    CheckoutExpired { event_id: String, session_id: String, order_id: Option<String> },
    ChargeRefunded { event_id: String, payment_id: String, amount_refunded: i64, fully: bool },
    AccountUpdated { event_id: String, account_id: String, charges_enabled: bool, payouts_enabled: bool, details_submitted: bool },
    Other { event_id: String, kind: String },
}

/// Why a webhook was refused (400: Stripe shows it and retries) or failed (500: retried later).
#[derive(Debug, thiserror::Error)]
pub enum WebhookRefusal {
    #[error("missing Stripe-Signature header")]
    NoSignature,
    #[error("signature does not match")]
    BadSignature,
    #[error("signature timestamp is outside the tolerance")]
    Stale,
    #[error("unreadable event: {0}")]
    Unreadable(String),
    #[error("could not apply the event: {0}")]
    Failed(String),
}

impl WebhookRefusal {
    /// The HTTP status Stripe gets: 400 for what a retry cannot fix, 500 for what it may.
    pub fn status(&self) -> u16 {
        match self {
            WebhookRefusal::Failed(_) => 500,
            _ => 400,
        }
    }
}

/// Verifies a webhook at `now` and reduces it to a [`PaymentEvent`].
pub fn verify(payload: &str, signature: &str, secret: &str, now: DateTime<Utc>) -> Result<PaymentEvent, WebhookRefusal> {
    if signature.trim().is_empty() {
        return Err(WebhookRefusal::NoSignature);
    }
    let event = Webhook::construct_event_with_timestamp(payload, signature, secret, now.timestamp()).map_err(|e| match e {
        WebhookError::BadSignature | WebhookError::BadKey | WebhookError::BadHeader(_) => WebhookRefusal::BadSignature,
        WebhookError::BadTimestamp(_) => WebhookRefusal::Stale,
        WebhookError::BadParse(m) => WebhookRefusal::Unreadable(m),
    })?;
    let event_id = event.id.as_str().to_string();
    Ok(match event.data.object {
        EventObject::CheckoutSessionCompleted(s) => PaymentEvent::CheckoutCompleted {
            event_id,
            order_id: order_of(&s),
            payment_id: s.payment_intent.as_ref().map(|p| p.id().as_str().to_string()),
            amount: s.amount_total.unwrap_or(0),
            currency: s.currency.as_ref().map(|c| c.to_string().to_ascii_uppercase()).unwrap_or_default(),
            session_id: s.id.as_str().to_string(),
        },
        EventObject::CheckoutSessionExpired(s) => {
            PaymentEvent::CheckoutExpired { event_id, order_id: order_of(&s), session_id: s.id.as_str().to_string() }
        }
        EventObject::ChargeRefunded(c) => match &c.payment_intent {
            Some(pi) => PaymentEvent::ChargeRefunded {
                event_id,
                payment_id: pi.id().as_str().to_string(),
                amount_refunded: c.amount_refunded,
                fully: c.refunded,
            },
            None => PaymentEvent::Other { event_id, kind: "charge.refunded".into() },
        },
        EventObject::AccountUpdated(a) => PaymentEvent::AccountUpdated {
            event_id,
            account_id: a.id.as_str().to_string(),
            charges_enabled: a.charges_enabled.unwrap_or(false),
            payouts_enabled: a.payouts_enabled.unwrap_or(false),
            details_submitted: a.details_submitted.unwrap_or(false),
        },
        _ => PaymentEvent::Other { event_id, kind: event.type_.to_string() },
    })
}

/// The order a session pays for: `client_reference_id`, or `metadata.order_id`.
fn order_of(s: &stripe_shared::CheckoutSession) -> Option<String> {
    s.client_reference_id.clone().or_else(|| s.metadata.as_ref().and_then(|m| m.get("order_id").cloned()))
}

/// Signs a payload the way Stripe does, at `now`.
pub fn sign(payload: &Value, secret: &str, now: DateTime<Utc>) -> SignedEvent {
    let payload = payload.to_string();
    let signature = Webhook::generate_test_header(&payload, secret, Some(now.timestamp()));
    SignedEvent { payload, signature }
}

/// The facts of a checkout session, for the builders.
pub struct SessionFacts<'a> {
    pub id: &'a str,
    pub order_id: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub customer_email: &'a str,
    /// `open`, `complete` or `expired`.
    pub status: &'a str,
    pub payment_intent: Option<&'a str>,
    pub created: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A Checkout Session object as Stripe sends it (the fields its parser requires, and ours).
pub fn checkout_session(s: &SessionFacts<'_>) -> Value {
    json!({
        "id": s.id,
        "object": "checkout.session",
        "amount_subtotal": s.amount,
        "amount_total": s.amount,
        "automatic_tax": { "enabled": false, "liability": null, "status": null },
        "client_reference_id": s.order_id,
        "created": s.created.timestamp(),
        "currency": s.currency.to_ascii_lowercase(),
        "custom_fields": [],
        "custom_text": { "after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null },
        "customer_email": s.customer_email,
        "expires_at": s.expires_at.timestamp(),
        "livemode": false,
        "metadata": { "order_id": s.order_id },
        "mode": "payment",
        "payment_intent": s.payment_intent,
        "payment_method_types": ["card"],
        "payment_status": if s.status == "complete" { "paid" } else { "unpaid" },
        "shipping_options": [],
        "status": s.status,
    })
}

/// An event around an object.
pub fn event(kind: &str, object: Value, now: DateTime<Utc>) -> Value {
    json!({
        "id": format!("evt_{}", crate::infra::db::new_id().replace('-', "")),
        "object": "event",
        // The API version the SDK reads (Stripe renders each event in the account's version).
        "api_version": stripe_shared::version::VERSION.as_str(),
        "created": now.timestamp(),
        "data": { "object": object },
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind,
    })
}

pub fn session_completed(s: &SessionFacts<'_>, now: DateTime<Utc>) -> Value {
    event("checkout.session.completed", checkout_session(s), now)
}

pub fn session_expired(s: &SessionFacts<'_>, now: DateTime<Utc>) -> Value {
    event("checkout.session.expired", checkout_session(s), now)
}

/// A charge refunded in full.
pub fn charge_refunded(payment_intent: &str, amount: i64, currency: &str, now: DateTime<Utc>) -> Value {
    let charge = json!({
        "id": format!("ch_{}", payment_intent.trim_start_matches("pi_")),
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": amount,
        "billing_details": { "address": null, "email": null, "name": null, "phone": null, "tax_id": null },
        "captured": true,
        "created": now.timestamp(),
        "currency": currency.to_ascii_lowercase(),
        "disputed": false,
        "livemode": false,
        "metadata": {},
        "paid": true,
        "payment_intent": payment_intent,
        "refunded": true,
        "status": "succeeded",
    });
    event("charge.refunded", charge, now)
}
