//! Payment providers behind one small trait: Stripe (Checkout with Connect), or the built-in test
//! checkout that is the embedded default when no Stripe key is configured, so a fresh clone sells.
//!
//! Both report payments the same way: as Stripe-shaped events, signed with the webhook secret and
//! read by [`events::verify`]. The test checkout hands its events to the caller, which feeds them
//! to the very code that handles `POST /webhooks/stripe`; so the default exercises the real path.
//!
//! This module knows payments, not orders: the order domain decides what an event means.

pub mod door;
pub mod events;
pub mod sandbox;
pub mod settings;
pub mod stripe;

pub use events::{PaymentEvent, SignedEvent, SubscriptionFacts, WebhookRefusal};
pub use settings::PaymentSettings;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use std::sync::Arc;

/// What checkout asks the provider for: a payment page for one order.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckoutRequest {
    /// The order's id: the session's `client_reference_id` and `metadata.order_id`, and the
    /// idempotency key's base, so a retried request never opens a second session.
    pub order_id: String,
    /// What the buyer sees they are paying for.
    pub description: String,
    /// In minor units of `currency`, computed by the server.
    pub amount: i64,
    /// ISO 4217, upper case.
    pub currency: String,
    pub customer_email: String,
    pub success_url: String,
    pub cancel_url: String,
    /// When the order's hold lapses. Stripe's sessions live at least 30 minutes: a shorter hold
    /// expires its session explicitly ([`PaymentProvider::expire_checkout`]).
    pub hold_expires_at: DateTime<Utc>,
    /// The creator's connected account (Connect destination charge), when there is one.
    pub destination: Option<String>,
    /// The platform's fee, in minor units, taken from a destination charge.
    pub application_fee: Option<i64>,
}

/// A payment page the buyer is sent to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutStarted {
    pub session_id: String,
    pub redirect_to: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// The provider could not be reached or failed; trying again later may work.
    #[error("the payment provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the request (a bad parameter, an account that cannot take charges).
    #[error("the payment provider refused: {0}")]
    Refused(String),
}

/// A payment provider. The futures are boxed so that the provider can be chosen at run time.
pub trait PaymentProvider: Send + Sync {
    /// `"stripe"` or `"test"`, as stored on orders.
    fn name(&self) -> &'static str;

    /// Opens a payment page for an order.
    fn start_checkout<'a>(&'a self, request: &'a CheckoutRequest) -> BoxFuture<'a, Result<CheckoutStarted, PaymentError>>;

    /// Closes a payment page that was not paid (the hold lapsed, or the buyer cancelled). A
    /// session that was paid meanwhile stays paid: the completion event decides then.
    fn expire_checkout<'a>(&'a self, session_id: &'a str) -> BoxFuture<'a, Result<Option<SignedEvent>, PaymentError>>;

    /// Refunds a payment in full; a destination charge (Connect) takes back the transfer and the
    /// platform's fee too.
    fn refund<'a>(&'a self, payment_id: &'a str, destination_charge: bool) -> BoxFuture<'a, Result<Option<SignedEvent>, PaymentError>>;

    /// Paying creators out (Stripe Connect); `None` for a provider that moves no money.
    fn payouts(&self) -> Option<&dyn Payouts> {
        None
    }

    /// The platform's own subscriptions (Stripe Billing, or the test checkout's).
    fn subscriptions(&self) -> &dyn Subscriptions;
}

/// What a subscription checkout asks for: a recurring price for one organization's plan.
#[derive(Clone, Debug, PartialEq)]
pub struct SubscriptionRequest {
    /// The organization: the session's `client_reference_id`, and with `plan_id` the
    /// subscription's metadata, which is how its events find their way back.
    pub organization_id: String,
    pub plan_id: String,
    pub price: RecurringPrice,
    /// The customer of an earlier subscription, so that one organization stays one customer.
    pub customer_id: Option<String>,
    pub customer_email: String,
    pub success_url: String,
    pub cancel_url: String,
}

/// A recurring price, worked out by the server from the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecurringPrice {
    /// What the customer sees on the payment page and invoices.
    pub description: String,
    /// In minor units of `currency`, each `interval`.
    pub amount: i64,
    /// ISO 4217, upper case.
    pub currency: String,
    /// `month` or `year`.
    pub interval: String,
}

/// A change to a running subscription.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubscriptionUpdate {
    /// Another plan: its price, and its id for the metadata.
    pub plan: Option<(String, RecurringPrice)>,
    /// Whether a price change is charged pro rata now (a plan change) or from the next period
    /// (a price that moved, applied at renewal).
    pub prorate: bool,
    /// End at the period's end (a downgrade to Free), or keep renewing.
    pub cancel_at_period_end: Option<bool>,
}

/// Subscriptions to the platform's plans.
pub trait Subscriptions: Send + Sync {
    /// Opens a payment page that starts a subscription.
    fn start_subscription<'a>(&'a self, request: &'a SubscriptionRequest) -> BoxFuture<'a, Result<CheckoutStarted, PaymentError>>;

    /// Changes a subscription; returns it as it is afterwards.
    fn update_subscription<'a>(&'a self, id: &'a str, update: &'a SubscriptionUpdate) -> BoxFuture<'a, Result<SubscriptionFacts, PaymentError>>;

    /// Ends a subscription now, without a refund (the organization is being deleted).
    fn cancel_subscription<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), PaymentError>>;

    /// Where the customer updates their card and sees their invoices (Stripe's customer
    /// portal); `None` when the provider has no such page (the test checkout).
    fn portal<'a>(&'a self, customer_id: &'a str, return_url: &'a str) -> BoxFuture<'a, Result<Option<String>, PaymentError>>;
}

/// A connected account's standing, as Stripe reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccountStatus {
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
}

/// Connected accounts (Stripe Connect, Express): where a creator's sales are paid out.
pub trait Payouts: Send + Sync {
    /// Opens an Express account for a creator; returns its id (`acct_…`).
    fn create_account<'a>(&'a self, email: &'a str, reference: &'a str) -> BoxFuture<'a, Result<String, PaymentError>>;

    /// A single-use link to Stripe's onboarding for the account.
    fn onboarding_link<'a>(&'a self, account_id: &'a str, refresh_url: &'a str, return_url: &'a str) -> BoxFuture<'a, Result<String, PaymentError>>;

    /// What Stripe says of the account now.
    fn account_status<'a>(&'a self, account_id: &'a str) -> BoxFuture<'a, Result<AccountStatus, PaymentError>>;
}

/// The app's payment provider and the secret its events are signed with (a part of the app
/// state).
#[derive(Clone)]
pub struct Payments {
    pub provider: Arc<dyn PaymentProvider>,
    pub webhook_secret: String,
    /// The test checkout takes payments on a deployment that is not local (`PAYMENTS=test` on a
    /// public address): every public page and mail says so.
    pub sandbox: bool,
}

impl Payments {
    pub fn of(state: &crate::infra::state::AppState) -> &Payments {
        state.part()
    }

    /// Whether the built-in test checkout takes payments (pages say "test mode").
    pub fn test_mode(&self) -> bool {
        self.provider.name() == sandbox::NAME
    }
}
