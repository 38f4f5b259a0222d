//! Payment events: Stripe's webhook format, for Stripe's own events and the test checkout's.
//!
//! [`verify`] checks the `Stripe-Signature` header with `stripe_webhook` (HMAC-SHA256 over
//! `"{t}.{payload}"`, 5 minutes' tolerance) and reduces the event to what the app acts on. The
//! builders below write the few Stripe objects the test checkout reports, in the shape Stripe
//! sends, so both providers go through the same parser.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use stripe_shared::CheckoutSessionPaymentStatus;
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
    /// `checkout.session.completed` or `checkout.session.async_payment_succeeded`: the buyer
    /// finished the payment page. `paid` only when the money is in (`payment_status` `paid` or
    /// `no_payment_required`); a delayed method (SEPA, ACH, a bank transfer) completes unpaid, and
    /// its outcome arrives later as another `CheckoutCompleted` (paid) or a
    /// [`PaymentEvent::CheckoutPaymentFailed`].
    CheckoutCompleted {
        event_id: String,
        session_id: String,
        order_id: Option<String>,
        payment_id: Option<String>,
        amount: i64,
        currency: String,
        paid: bool,
    },
    /// `checkout.session.async_payment_failed`: a delayed payment did not go through.
    CheckoutPaymentFailed {
        event_id: String,
        session_id: String,
        order_id: Option<String>,
    },
    CheckoutExpired {
        event_id: String,
        session_id: String,
        order_id: Option<String>,
    },
    ChargeRefunded {
        event_id: String,
        payment_id: String,
        amount_refunded: i64,
        fully: bool,
    },
    AccountUpdated {
        event_id: String,
        account_id: String,
        charges_enabled: bool,
        payouts_enabled: bool,
        details_submitted: bool,
    },
    /// A subscription-mode checkout was paid (the subscription itself arrives in its own event).
    SubscriptionCheckoutCompleted {
        event_id: String,
        session_id: String,
        organization_id: Option<String>,
        subscription_id: Option<String>,
    },
    /// A subscription-mode checkout lapsed or was cancelled.
    SubscriptionCheckoutExpired {
        event_id: String,
        session_id: String,
        organization_id: Option<String>,
    },
    /// `customer.subscription.created`, `.updated` or `.deleted` (`deleted`): the subscription as
    /// it is now. `created` is the event's time (seconds), to put events that arrive out of order
    /// back in order.
    SubscriptionChanged {
        event_id: String,
        created: i64,
        subscription: SubscriptionFacts,
        deleted: bool,
    },
    /// A subscription's invoice could not be paid (Stripe retries it).
    InvoicePaymentFailed {
        event_id: String,
        created: i64,
        subscription_id: Option<String>,
        customer_id: Option<String>,
        amount_due: i64,
        currency: String,
    },
    Other {
        event_id: String,
        kind: String,
    },
}

impl PaymentEvent {
    /// The provider's event id (`evt_…`).
    pub fn id(&self) -> &str {
        match self {
            PaymentEvent::CheckoutCompleted { event_id, .. }
            | PaymentEvent::CheckoutPaymentFailed { event_id, .. }
            | PaymentEvent::CheckoutExpired { event_id, .. }
            | PaymentEvent::ChargeRefunded { event_id, .. }
            | PaymentEvent::AccountUpdated { event_id, .. }
            | PaymentEvent::SubscriptionCheckoutCompleted { event_id, .. }
            | PaymentEvent::SubscriptionCheckoutExpired { event_id, .. }
            | PaymentEvent::SubscriptionChanged { event_id, .. }
            | PaymentEvent::InvoicePaymentFailed { event_id, .. }
            | PaymentEvent::Other { event_id, .. } => event_id,
        }
    }
}

/// A subscription as the provider reports it (after an event, or in answer to a change).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionFacts {
    pub id: String,
    pub customer_id: String,
    /// Stripe's status: `active`, `trialing`, `past_due`, `unpaid`, `canceled`, `incomplete`,
    /// `incomplete_expired` or `paused`.
    pub status: String,
    /// What the app put in at checkout: `organization_id`, `plan_id`.
    pub metadata: std::collections::HashMap<String, String>,
    /// The price of a period, in minor units of `currency` (upper case).
    pub amount: Option<i64>,
    pub currency: String,
    pub period_start: i64,
    pub period_end: i64,
    pub cancel_at_period_end: bool,
    /// The subscription's one item and its product, which a price change replaces and keeps.
    pub item_id: Option<String>,
    pub product_id: Option<String>,
}

impl SubscriptionFacts {
    pub fn from_stripe(s: &stripe_shared::Subscription) -> SubscriptionFacts {
        let item = s.items.data.first();
        SubscriptionFacts {
            id: s.id.as_str().to_string(),
            customer_id: s.customer.id().as_str().to_string(),
            status: s.status.as_str().to_string(),
            metadata: s.metadata.clone(),
            amount: item.and_then(|i| i.price.unit_amount),
            currency: s.currency.to_string().to_ascii_uppercase(),
            period_start: item.map(|i| i.current_period_start).unwrap_or(s.start_date),
            period_end: item.map(|i| i.current_period_end).unwrap_or(s.start_date),
            cancel_at_period_end: s.cancel_at_period_end,
            item_id: item.map(|i| i.id.as_str().to_string()),
            product_id: item.map(|i| i.price.product.id().as_str().to_string()),
        }
    }
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
    let created = event.created;
    Ok(match event.data.object {
        EventObject::CheckoutSessionCompleted(s) if is_subscription(&s) => PaymentEvent::SubscriptionCheckoutCompleted {
            event_id,
            organization_id: organization_of(&s),
            subscription_id: s.subscription.as_ref().map(|x| x.id().as_str().to_string()),
            session_id: s.id.as_str().to_string(),
        },
        EventObject::CheckoutSessionExpired(s) if is_subscription(&s) => {
            PaymentEvent::SubscriptionCheckoutExpired { event_id, organization_id: organization_of(&s), session_id: s.id.as_str().to_string() }
        }
        EventObject::CustomerSubscriptionCreated(x) | EventObject::CustomerSubscriptionUpdated(x) => {
            PaymentEvent::SubscriptionChanged { event_id, created, subscription: SubscriptionFacts::from_stripe(&x), deleted: false }
        }
        EventObject::CustomerSubscriptionDeleted(x) => {
            PaymentEvent::SubscriptionChanged { event_id, created, subscription: SubscriptionFacts::from_stripe(&x), deleted: true }
        }
        EventObject::InvoicePaymentFailed(i) => PaymentEvent::InvoicePaymentFailed {
            event_id,
            created,
            subscription_id: invoice_subscription(&i),
            customer_id: i.customer.as_ref().map(|c| c.id().as_str().to_string()),
            amount_due: i.amount_due,
            currency: i.currency.to_string().to_ascii_uppercase(),
        },
        EventObject::CheckoutSessionCompleted(s) | EventObject::CheckoutSessionAsyncPaymentSucceeded(s) if !is_subscription(&s) => {
            PaymentEvent::CheckoutCompleted {
                event_id,
                order_id: order_of(&s),
                payment_id: s.payment_intent.as_ref().map(|p| p.id().as_str().to_string()),
                amount: s.amount_total.unwrap_or(0),
                currency: s.currency.as_ref().map(|c| c.to_string().to_ascii_uppercase()).unwrap_or_default(),
                paid: matches!(s.payment_status, CheckoutSessionPaymentStatus::Paid | CheckoutSessionPaymentStatus::NoPaymentRequired),
                session_id: s.id.as_str().to_string(),
            }
        }
        EventObject::CheckoutSessionAsyncPaymentFailed(s) if !is_subscription(&s) => {
            PaymentEvent::CheckoutPaymentFailed { event_id, order_id: order_of(&s), session_id: s.id.as_str().to_string() }
        }
        EventObject::CheckoutSessionExpired(s) => PaymentEvent::CheckoutExpired { event_id, order_id: order_of(&s), session_id: s.id.as_str().to_string() },
        EventObject::ChargeRefunded(c) => match &c.payment_intent {
            Some(pi) => {
                PaymentEvent::ChargeRefunded { event_id, payment_id: pi.id().as_str().to_string(), amount_refunded: c.amount_refunded, fully: c.refunded }
            }
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

fn is_subscription(s: &stripe_shared::CheckoutSession) -> bool {
    s.mode == stripe_shared::CheckoutSessionMode::Subscription
}

/// The organization a subscription checkout is for (`client_reference_id`, or the metadata).
fn organization_of(s: &stripe_shared::CheckoutSession) -> Option<String> {
    s.client_reference_id.clone().or_else(|| s.metadata.as_ref().and_then(|m| m.get("organization_id").cloned()))
}

/// The subscription an invoice bills: where this API version puts it (`parent`), or where older
/// ones did.
fn invoice_subscription(i: &stripe_shared::Invoice) -> Option<String> {
    i.parent
        .as_ref()
        .and_then(|p| p.subscription_details.as_ref())
        .map(|d| d.subscription.id().as_str().to_string())
        .or_else(|| i.subscription.as_ref().map(|x| x.id().as_str().to_string()))
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

/// A payment-mode session event of `kind` whose `payment_status` is as given: a delayed method
/// completes `unpaid`, then `checkout.session.async_payment_succeeded` (`paid`) or
/// `checkout.session.async_payment_failed` (`unpaid`) follows.
pub fn session_with_payment_status(kind: &str, s: &SessionFacts<'_>, payment_status: &str, now: DateTime<Utc>) -> Value {
    let mut object = checkout_session(s);
    object["payment_status"] = json!(payment_status);
    event(kind, object, now)
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

/// Turns a Checkout Session object into one of subscription mode (the test checkout's): its
/// subscription once paid, no payment intent, and the metadata it was opened with.
pub fn in_subscription_mode(session: &mut Value, subscription: Option<&str>, metadata: Value) {
    session["mode"] = json!("subscription");
    session["subscription"] = json!(subscription);
    session["payment_intent"] = Value::Null;
    session["metadata"] = metadata;
}

/// A Subscription object as Stripe sends it in `customer.subscription.*` events (the fields its
/// parser requires, and ours): one item, whose price is the plan's.
pub fn subscription(s: &SubscriptionFacts, now: DateTime<Utc>) -> Value {
    let currency = s.currency.to_ascii_lowercase();
    let item = s.item_id.clone().unwrap_or_else(|| format!("si_{}", s.id));
    let price_id = format!("price_{}", s.id.trim_start_matches("sub_"));
    let interval = s.metadata.get("interval").cloned().unwrap_or_else(|| "month".into());
    let created = now.timestamp();
    json!({
        "id": s.id,
        "object": "subscription",
        "automatic_tax": { "enabled": false },
        "billing_cycle_anchor": s.period_start,
        "billing_mode": { "type": "classic" },
        "billing_schedules": [],
        "cancel_at_period_end": s.cancel_at_period_end,
        "collection_method": "charge_automatically",
        "created": created,
        "currency": currency,
        "customer": s.customer_id,
        "discounts": [],
        "invoice_settings": { "issuer": { "type": "self" } },
        "items": {
            "object": "list",
            "data": [{
                "id": item,
                "object": "subscription_item",
                "created": created,
                "current_period_start": s.period_start,
                "current_period_end": s.period_end,
                "discounts": [],
                "metadata": {},
                "plan": {
                    "id": price_id, "object": "plan", "active": true, "billing_scheme": "per_unit", "created": created,
                    "currency": currency, "interval": interval, "interval_count": 1, "livemode": false, "usage_type": "licensed",
                    "amount": s.amount,
                },
                "price": {
                    "id": price_id, "object": "price", "active": true, "billing_scheme": "per_unit", "created": created,
                    "currency": currency, "livemode": false, "metadata": {}, "product": s.product_id, "type": "recurring",
                    "unit_amount": s.amount,
                    "recurring": { "interval": interval, "interval_count": 1, "usage_type": "licensed" },
                },
                "subscription": s.id,
            }],
            "has_more": false,
            "url": format!("/v1/subscription_items?subscription={}", s.id),
        },
        "livemode": false,
        "metadata": s.metadata,
        "start_date": s.period_start,
        "status": s.status,
    })
}

/// An Invoice object for a subscription's renewal that could not be paid.
pub fn failed_invoice(s: &SubscriptionFacts, now: DateTime<Utc>) -> Value {
    let amount = s.amount.unwrap_or(0);
    let id = format!("in_{}", crate::infra::db::new_id().replace('-', ""));
    json!({
        "id": id,
        "object": "invoice",
        "amount_due": amount, "amount_overpaid": 0, "amount_paid": 0, "amount_remaining": amount, "amount_shipping": 0,
        "attempt_count": 1,
        "attempted": true,
        "automatic_tax": { "enabled": false },
        "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically",
        "created": now.timestamp(),
        "currency": s.currency.to_ascii_lowercase(),
        "customer": s.customer_id,
        "default_tax_rates": [],
        "discounts": [],
        "issuer": { "type": "self" },
        "lines": { "object": "list", "data": [], "has_more": false, "url": format!("/v1/invoices/{id}/lines") },
        "livemode": false,
        "parent": { "type": "subscription_details", "subscription_details": { "subscription": s.id } },
        "payment_settings": {},
        "period_end": s.period_end, "period_start": s.period_start,
        "post_payment_credit_notes_amount": 0, "pre_payment_credit_notes_amount": 0, "starting_balance": 0,
        "status": "open",
        "status_transitions": {},
        "subtotal": amount, "total": amount,
    })
}
