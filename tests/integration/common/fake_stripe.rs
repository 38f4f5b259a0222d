//! A fake Stripe for the tests: an HTTP server on 127.0.0.1:0 that speaks the subset of Stripe's
//! API the app uses (create, retrieve and expire Checkout Sessions; refunds), checks the bearer
//! key, answers errors in Stripe's JSON, and sends events to the app's webhook signed the real way.
//! Test controls play the buyer (`pay`) and Stripe's own moves.

#![allow(dead_code)]

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use flashpage::infra::payments::SubscriptionFacts;
use flashpage::infra::payments::events::{self, SessionFacts};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Session {
    pub id: String,
    pub order_id: String,
    pub amount: i64,
    pub currency: String,
    pub email: String,
    pub status: String,
    pub payment_intent: Option<String>,
    pub created: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub success_url: String,
    pub cancel_url: String,
    /// `payment` or `subscription`.
    pub mode: String,
    /// `subscription_data[metadata]` of a subscription-mode session.
    pub subscription_metadata: HashMap<String, String>,
    pub customer: Option<String>,
}

/// A request the fake received: method, path, the decoded form and the idempotency key.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub form: Vec<(String, String)>,
    pub idempotency_key: Option<String>,
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<String, Session>,
    by_key: HashMap<String, String>,
    requests: Vec<Recorded>,
    refunded: Vec<String>,
    /// Connected accounts: id -> (charges_enabled, payouts_enabled, details_submitted).
    accounts: HashMap<String, (bool, bool, bool)>,
    /// Subscriptions (Stripe Billing), by id.
    subscriptions: HashMap<String, SubscriptionFacts>,
    next: u32,
    /// While set, refunds fail as Stripe's API does when it is down (500, `api_error`).
    refunds_fail: bool,
}

#[derive(Clone)]
pub struct FakeStripe {
    pub base: String,
    pub secret_key: String,
    pub webhook_secret: String,
    inner: Arc<Mutex<Inner>>,
    webhook_url: Arc<Mutex<Option<String>>>,
}

fn stripe_error(status: StatusCode, kind: &str, message: &str) -> Response {
    (status, axum::Json(json!({"error": {"type": kind, "message": message}}))).into_response()
}

impl FakeStripe {
    pub async fn start() -> FakeStripe {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}/", listener.local_addr().expect("addr"));
        let fake = FakeStripe {
            base,
            secret_key: "sk_test_fake_123".into(),
            webhook_secret: "whsec_fake_456".into(),
            inner: Arc::default(),
            webhook_url: Arc::default(),
        };
        let app = Router::new()
            .route("/v1/checkout/sessions", post(create_session))
            .route("/v1/checkout/sessions/{id}", get(retrieve_session))
            .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
            .route("/v1/refunds", post(create_refund))
            .route("/v1/accounts", post(create_account))
            .route("/v1/accounts/{id}", get(retrieve_account))
            .route("/v1/account_links", post(create_account_link))
            .route("/v1/subscriptions/{id}", get(retrieve_subscription).post(update_subscription).delete(cancel_subscription))
            .route("/v1/billing_portal/sessions", post(create_portal_session))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    /// The app's environment for using this fake.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("STRIPE_SECRET_KEY".into(), self.secret_key.clone()),
            ("STRIPE_WEBHOOK_SECRET".into(), self.webhook_secret.clone()),
            ("STRIPE_API_BASE".into(), self.base.clone()),
        ]
    }

    /// Where events go (the app's `/webhooks/stripe`).
    pub fn deliver_to(&self, url: String) {
        *self.webhook_url.lock().expect("lock") = Some(url);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().expect("lock").requests.clone()
    }

    pub fn session(&self, id: &str) -> Option<Session> {
        self.inner.lock().expect("lock").sessions.get(id).cloned()
    }

    pub fn refunded(&self) -> Vec<String> {
        self.inner.lock().expect("lock").refunded.clone()
    }

    /// Sends an event to the app, signed with the webhook secret; returns the app's status.
    pub async fn send(&self, payload: &Value) -> u16 {
        let url = self.webhook_url.lock().expect("lock").clone().expect("deliver_to was called");
        let signed = events::sign(payload, &self.webhook_secret, Utc::now());
        reqwest::Client::new()
            .post(url)
            .header("stripe-signature", signed.signature)
            .header("content-type", "application/json")
            .body(signed.payload)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }

    fn facts_event(&self, s: &Session, kind: &str) -> Value {
        match kind {
            "completed" => events::session_completed(&facts(s), Utc::now()),
            _ => events::session_expired(&facts(s), Utc::now()),
        }
    }

    /// The creator finishes Stripe's onboarding: the account can take charges and pay out, and
    /// `account.updated` goes to the app.
    pub async fn complete_onboarding(&self, account_id: &str) -> u16 {
        self.inner.lock().expect("lock").accounts.insert(account_id.to_string(), (true, true, true));
        let account = json!({"id": account_id, "object": "account", "charges_enabled": true, "payouts_enabled": true, "details_submitted": true});
        self.send(&events::event("account.updated", account, Utc::now())).await
    }

    pub fn accounts(&self) -> Vec<String> {
        self.inner.lock().expect("lock").accounts.keys().cloned().collect()
    }

    pub fn subscription(&self, id: &str) -> Option<SubscriptionFacts> {
        self.inner.lock().expect("lock").subscriptions.get(id).cloned()
    }

    /// The customer pays a subscription-mode session: the subscription starts
    /// (`customer.subscription.created`, then `checkout.session.completed`). Returns the
    /// subscription's id and the statuses the app answered.
    pub async fn pay_subscription(&self, session_id: &str) -> (String, u16, u16) {
        let (session, facts) = {
            let mut inner = self.inner.lock().expect("lock");
            inner.next += 1;
            let n = inner.next;
            let s = inner.sessions.get_mut(session_id).expect("session");
            assert_eq!(s.mode, "subscription");
            s.status = "complete".into();
            let now = Utc::now().timestamp();
            let facts = SubscriptionFacts {
                id: format!("sub_fake_{n}"),
                customer_id: s.customer.clone().unwrap_or_else(|| format!("cus_fake_{n}")),
                status: "active".into(),
                metadata: s.subscription_metadata.clone(),
                amount: Some(s.amount),
                currency: s.currency.to_ascii_uppercase(),
                period_start: now,
                period_end: now + 30 * 86400,
                cancel_at_period_end: false,
                item_id: Some(format!("si_fake_{n}")),
                product_id: Some(format!("prod_fake_{n}")),
            };
            let session = s.clone();
            inner.subscriptions.insert(facts.id.clone(), facts.clone());
            (session, facts)
        };
        let created = self.send_subscription("customer.subscription.created", &facts, Utc::now()).await;
        let mut object = events::checkout_session(&facts_of_session(&session));
        events::in_subscription_mode(&mut object, Some(&facts.id), json!({"organization_id": session.order_id}));
        let completed = self.send(&events::event("checkout.session.completed", object, Utc::now())).await;
        (facts.id, created, completed)
    }

    /// Sends `customer.subscription.{kind}` for `facts`, as an event created at `at`.
    pub async fn send_subscription(&self, kind: &str, facts: &SubscriptionFacts, at: DateTime<Utc>) -> u16 {
        let mut event = events::event(kind, events::subscription(facts, at), at);
        event["created"] = json!(at.timestamp());
        self.send(&event).await
    }

    /// Refunds fail (500) while `fail` is set, as when Stripe has an outage.
    pub fn fail_refunds(&self, fail: bool) {
        self.inner.lock().expect("lock").refunds_fail = fail;
    }

    /// The buyer finishes Stripe's page with a delayed method (SEPA debit, ACH, a bank
    /// transfer): the session completes `unpaid`, and its event goes to the app.
    pub async fn pay_delayed(&self, session_id: &str) -> u16 {
        let session = self.complete_session(session_id);
        self.send(&events::session_with_payment_status("checkout.session.completed", &facts(&session), "unpaid", Utc::now())).await
    }

    /// The bank settles a delayed payment: `checkout.session.async_payment_succeeded` (paid) or
    /// `…_failed` goes to the app.
    pub async fn settle(&self, session_id: &str, succeeded: bool) -> u16 {
        let session = self.session(session_id).expect("session");
        let event = if succeeded {
            events::session_with_payment_status("checkout.session.async_payment_succeeded", &facts(&session), "paid", Utc::now())
        } else {
            events::session_with_payment_status("checkout.session.async_payment_failed", &facts(&session), "unpaid", Utc::now())
        };
        self.send(&event).await
    }

    fn complete_session(&self, session_id: &str) -> Session {
        let mut inner = self.inner.lock().expect("lock");
        inner.next += 1;
        let pi = format!("pi_fake_{}", inner.next);
        let s = inner.sessions.get_mut(session_id).expect("session");
        s.status = "complete".into();
        s.payment_intent = Some(pi);
        s.clone()
    }

    /// The buyer pays on Stripe's page: the session completes and its event goes to the app.
    pub async fn pay(&self, session_id: &str) -> u16 {
        let session = self.complete_session(session_id);
        self.send(&self.facts_event(&session, "completed")).await
    }
}

fn authorized(fake: &FakeStripe, headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {}", fake.secret_key))
}

fn record(fake: &FakeStripe, method: &str, path: &str, headers: &HeaderMap, body: &str) -> Vec<(String, String)> {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let idempotency_key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    fake.inner.lock().expect("lock").requests.push(Recorded { method: method.into(), path: path.into(), form: form.clone(), idempotency_key });
    form
}

fn facts_of_session(s: &Session) -> SessionFacts<'_> {
    facts(s)
}

fn facts(s: &Session) -> SessionFacts<'_> {
    SessionFacts {
        id: &s.id,
        order_id: &s.order_id,
        amount: s.amount,
        currency: &s.currency,
        customer_email: &s.email,
        status: &s.status,
        payment_intent: s.payment_intent.as_deref(),
        created: s.created,
        expires_at: s.expires_at,
    }
}

fn session_json(fake: &FakeStripe, s: &Session) -> Value {
    let mut v = events::checkout_session(&facts(s));
    if s.mode == "subscription" {
        events::in_subscription_mode(&mut v, None, json!({"organization_id": s.order_id}));
    }
    v["url"] = Value::String(format!("{}pay/{}", fake.base, s.id));
    v
}

async fn create_session(State(fake): State<FakeStripe>, headers: HeaderMap, body: String) -> Response {
    if !authorized(&fake, &headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "invalid_request_error", "Invalid API Key provided.");
    }
    let form = record(&fake, "POST", "/v1/checkout/sessions", &headers, &body);
    let field = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let now = Utc::now();
    let subscription = field("mode").as_deref() == Some("subscription");
    let expires_at = if subscription {
        Some(now + chrono::Duration::hours(24))
    } else {
        field("expires_at").and_then(|t| t.parse::<i64>().ok()).and_then(|t| DateTime::from_timestamp(t, 0))
    };
    let (Some(amount), Some(currency), Some(expires_at), Some(order_id)) = (
        field("line_items[0][price_data][unit_amount]").and_then(|a| a.parse::<i64>().ok()),
        field("line_items[0][price_data][currency]"),
        expires_at,
        field("client_reference_id"),
    ) else {
        return stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", "Missing required param.");
    };
    let mode_ok = if subscription {
        field("line_items[0][price_data][recurring][interval]").is_some() && field("payment_intent_data[application_fee_amount]").is_none()
    } else {
        field("mode").as_deref() == Some("payment")
    };
    if !mode_ok || field("line_items[0][quantity]").as_deref() != Some("1") {
        return stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", "Invalid mode or quantity.");
    }
    if field("customer").is_some() && field("customer_email").is_some() {
        return stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", "You may only specify one of these parameters: customer, customer_email.");
    }
    let subscription_metadata: HashMap<String, String> = form
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("subscription_data[metadata][").and_then(|k| k.strip_suffix(']')).map(|k| (k.to_string(), v.clone())))
        .collect();
    if expires_at < now + chrono::Duration::minutes(30) || expires_at > now + chrono::Duration::hours(24) {
        return stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", "expires_at must be 30 minutes to 24 hours from now.");
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut inner = fake.inner.lock().expect("lock");
    if let Some(existing) = key.as_ref().and_then(|k| inner.by_key.get(k)).cloned() {
        let s = inner.sessions[&existing].clone();
        return axum::Json(session_json(&fake, &s)).into_response();
    }
    inner.next += 1;
    let s = Session {
        id: format!("cs_fake_{}", inner.next),
        order_id,
        amount,
        currency,
        email: field("customer_email").unwrap_or_default(),
        status: "open".into(),
        payment_intent: None,
        created: now,
        expires_at,
        success_url: field("success_url").unwrap_or_default(),
        cancel_url: field("cancel_url").unwrap_or_default(),
        mode: if subscription { "subscription".into() } else { "payment".into() },
        subscription_metadata,
        customer: field("customer"),
    };
    if let Some(k) = key {
        inner.by_key.insert(k, s.id.clone());
    }
    inner.sessions.insert(s.id.clone(), s.clone());
    axum::Json(session_json(&fake, &s)).into_response()
}

async fn retrieve_session(State(fake): State<FakeStripe>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&fake, &headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "invalid_request_error", "Invalid API Key provided.");
    }
    match fake.session(&id) {
        Some(s) => axum::Json(session_json(&fake, &s)).into_response(),
        None => stripe_error(StatusCode::NOT_FOUND, "invalid_request_error", "No such checkout.session"),
    }
}

async fn expire_session(State(fake): State<FakeStripe>, headers: HeaderMap, Path(id): Path<String>, body: String) -> Response {
    if !authorized(&fake, &headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "invalid_request_error", "Invalid API Key provided.");
    }
    record(&fake, "POST", &format!("/v1/checkout/sessions/{id}/expire"), &headers, &body);
    let expired = {
        let mut inner = fake.inner.lock().expect("lock");
        let Some(s) = inner.sessions.get_mut(&id) else {
            return stripe_error(StatusCode::NOT_FOUND, "invalid_request_error", "No such checkout.session");
        };
        if s.status != "open" {
            return stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", "Only Checkout Sessions with a status of open can be expired.");
        }
        s.status = "expired".into();
        s.clone()
    };
    let event = fake.facts_event(&expired, "expired");
    let sender = fake.clone();
    tokio::spawn(async move {
        sender.send(&event).await;
    });
    axum::Json(session_json(&fake, &expired)).into_response()
}

async fn create_refund(State(fake): State<FakeStripe>, headers: HeaderMap, body: String) -> Response {
    if !authorized(&fake, &headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "invalid_request_error", "Invalid API Key provided.");
    }
    let form = record(&fake, "POST", "/v1/refunds", &headers, &body);
    let Some(pi) = form.iter().find(|(k, _)| k == "payment_intent").map(|(_, v)| v.clone()) else {
        return stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", "Missing required param: payment_intent.");
    };
    if fake.inner.lock().expect("lock").refunds_fail {
        return stripe_error(StatusCode::INTERNAL_SERVER_ERROR, "api_error", "An unknown error occurred.");
    }
    let session = fake.inner.lock().expect("lock").sessions.values().find(|s| s.payment_intent.as_deref() == Some(&pi)).cloned();
    let Some(session) = session else {
        return stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", "No such payment_intent.");
    };
    fake.inner.lock().expect("lock").refunded.push(pi.clone());
    let event = events::charge_refunded(&pi, session.amount, &session.currency, Utc::now());
    let sender = fake.clone();
    tokio::spawn(async move {
        sender.send(&event).await;
    });
    axum::Json(json!({"id": format!("re_{pi}"), "object": "refund", "amount": session.amount, "created": Utc::now().timestamp(), "currency": session.currency, "payment_intent": pi, "status": "succeeded"})).into_response()
}

fn account_json(id: &str, (charges, payouts, details): (bool, bool, bool)) -> Value {
    json!({"id": id, "object": "account", "charges_enabled": charges, "payouts_enabled": payouts, "details_submitted": details})
}

async fn create_account(State(fake): State<FakeStripe>, headers: HeaderMap, body: String) -> Response {
    if !authorized(&fake, &headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "invalid_request_error", "Invalid API Key provided.");
    }
    let form = record(&fake, "POST", "/v1/accounts", &headers, &body);
    if form.iter().any(|(k, _)| k == "type") && form.iter().any(|(k, _)| k.starts_with("controller[")) {
        return stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", "You cannot set both type and controller.");
    }
    let mut inner = fake.inner.lock().expect("lock");
    inner.next += 1;
    let id = format!("acct_fake_{}", inner.next);
    inner.accounts.insert(id.clone(), (false, false, false));
    axum::Json(account_json(&id, (false, false, false))).into_response()
}

async fn retrieve_account(State(fake): State<FakeStripe>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&fake, &headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "invalid_request_error", "Invalid API Key provided.");
    }
    match fake.inner.lock().expect("lock").accounts.get(&id) {
        Some(flags) => axum::Json(account_json(&id, *flags)).into_response(),
        None => stripe_error(StatusCode::NOT_FOUND, "invalid_request_error", "No such account"),
    }
}

async fn create_account_link(State(fake): State<FakeStripe>, headers: HeaderMap, body: String) -> Response {
    if !authorized(&fake, &headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "invalid_request_error", "Invalid API Key provided.");
    }
    let form = record(&fake, "POST", "/v1/account_links", &headers, &body);
    let account = form.iter().find(|(k, _)| k == "account").map(|(_, v)| v.clone()).unwrap_or_default();
    if !fake.inner.lock().expect("lock").accounts.contains_key(&account) {
        return stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", "No such account");
    }
    let now = Utc::now().timestamp();
    axum::Json(json!({"object": "account_link", "created": now, "expires_at": now + 300, "url": format!("{}onboarding/{account}", fake.base)})).into_response()
}

async fn retrieve_subscription(State(fake): State<FakeStripe>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&fake, &headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "invalid_request_error", "Invalid API Key provided.");
    }
    match fake.subscription(&id) {
        Some(s) => axum::Json(events::subscription(&s, Utc::now())).into_response(),
        None => stripe_error(StatusCode::NOT_FOUND, "invalid_request_error", "No such subscription"),
    }
}

/// `POST /v1/subscriptions/{id}`: a new price for the one item (which must name the item and its
/// product), `cancel_at_period_end`, metadata; `customer.subscription.updated` follows.
async fn update_subscription(State(fake): State<FakeStripe>, headers: HeaderMap, Path(id): Path<String>, body: String) -> Response {
    if !authorized(&fake, &headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "invalid_request_error", "Invalid API Key provided.");
    }
    let form = record(&fake, "POST", &format!("/v1/subscriptions/{id}"), &headers, &body);
    let field = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let updated = {
        let mut inner = fake.inner.lock().expect("lock");
        let Some(s) = inner.subscriptions.get_mut(&id) else {
            return stripe_error(StatusCode::NOT_FOUND, "invalid_request_error", "No such subscription");
        };
        if s.status == "canceled" {
            return stripe_error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "A canceled subscription can only update its cancellation_details and metadata.",
            );
        }
        if let Some(amount) = field("items[0][price_data][unit_amount]").and_then(|a| a.parse::<i64>().ok()) {
            if field("items[0][id]") != s.item_id
                || field("items[0][price_data][product]") != s.product_id
                || field("items[0][price_data][recurring][interval]").is_none()
            {
                return stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", "The item, its product and a recurring interval are required.");
            }
            s.amount = Some(amount);
        }
        if let Some(cancel) = field("cancel_at_period_end") {
            s.cancel_at_period_end = cancel == "true";
        }
        for (k, v) in &form {
            if let Some(key) = k.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')) {
                s.metadata.insert(key.to_string(), v.clone());
            }
        }
        s.clone()
    };
    let sender = fake.clone();
    let event_facts = updated.clone();
    tokio::spawn(async move {
        sender.send_subscription("customer.subscription.updated", &event_facts, Utc::now()).await;
    });
    axum::Json(events::subscription(&updated, Utc::now())).into_response()
}

async fn create_portal_session(State(fake): State<FakeStripe>, headers: HeaderMap, body: String) -> Response {
    if !authorized(&fake, &headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "invalid_request_error", "Invalid API Key provided.");
    }
    let form = record(&fake, "POST", "/v1/billing_portal/sessions", &headers, &body);
    let Some(customer) = form.iter().find(|(k, _)| k == "customer").map(|(_, v)| v.clone()) else {
        return stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", "Missing required param: customer.");
    };
    let return_url = form.iter().find(|(k, _)| k == "return_url").map(|(_, v)| v.clone());
    axum::Json(json!({
        "id": "bps_fake", "object": "billing_portal.session", "configuration": "bpc_fake", "created": Utc::now().timestamp(),
        "customer": customer, "livemode": false, "return_url": return_url, "url": format!("{}portal/{customer}", fake.base),
    }))
    .into_response()
}

/// `DELETE /v1/subscriptions/{id}`: ends it now; `customer.subscription.deleted` follows.
async fn cancel_subscription(State(fake): State<FakeStripe>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&fake, &headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "invalid_request_error", "Invalid API Key provided.");
    }
    record(&fake, "DELETE", &format!("/v1/subscriptions/{id}"), &headers, "");
    let ended = {
        let mut inner = fake.inner.lock().expect("lock");
        let Some(s) = inner.subscriptions.get_mut(&id) else {
            return stripe_error(StatusCode::NOT_FOUND, "invalid_request_error", "No such subscription");
        };
        s.status = "canceled".into();
        s.clone()
    };
    let sender = fake.clone();
    let event_facts = ended.clone();
    tokio::spawn(async move {
        sender.send_subscription("customer.subscription.deleted", &event_facts, Utc::now()).await;
    });
    axum::Json(events::subscription(&ended, Utc::now())).into_response()
}
