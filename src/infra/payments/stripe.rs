//! Stripe Checkout through async-stripe: a session per order (payment mode, the price worked out
//! by the server as `price_data`), expired explicitly when the order's hold lapses, and refunds.
//! Payments are confirmed by the webhook, never by the success page. Stripe Billing for the
//! platform's plans: a session in subscription mode, price changes, cancelling at the period's
//! end, and the customer portal.

use super::{CheckoutRequest, CheckoutStarted, PaymentError, PaymentProvider, SignedEvent};
use ::stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use chrono::{Duration, Utc};
use futures_util::future::BoxFuture;
use std::collections::HashMap;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData, CreateCheckoutSessionPaymentIntentData,
    CreateCheckoutSessionPaymentIntentDataTransferData, ExpireCheckoutSession, ProductData,
};

pub const NAME: &str = "stripe";

/// Stripe's shortest and longest session lifetimes.
const MIN_SESSION: Duration = Duration::minutes(31);
const MAX_SESSION: Duration = Duration::hours(23);

pub struct StripeCheckout {
    client: Client,
}

impl StripeCheckout {
    /// A client for `secret_key`, talking to `api_base` when given (a fake Stripe in tests).
    pub fn new(secret_key: &str, api_base: Option<&str>) -> Result<StripeCheckout, String> {
        let mut builder = ClientBuilder::new(secret_key).timeout(std::time::Duration::from_secs(20));
        if let Some(base) = api_base {
            builder = builder.url(base);
        }
        let client = builder.build().map_err(|e| format!("STRIPE_API_BASE: {e}"))?;
        Ok(StripeCheckout { client })
    }
}

/// Stripe's errors as ours: its refusals (4xx) are final, the rest may pass on a retry.
fn error(e: StripeError) -> PaymentError {
    match e {
        StripeError::Stripe(api, status) if (400..500).contains(&status) => {
            PaymentError::Refused(api.message.clone().unwrap_or_else(|| format!("Stripe answered {status}")))
        }
        other => PaymentError::Unavailable(other.to_string()),
    }
}

fn currency(code: &str) -> stripe_types::Currency {
    use std::str::FromStr;
    match stripe_types::Currency::from_str(&code.to_ascii_lowercase()) {
        Ok(c) => c,
        Err(never) => match never {},
    }
}

impl PaymentProvider for StripeCheckout {
    fn name(&self) -> &'static str {
        NAME
    }

    fn start_checkout<'a>(&'a self, request: &'a CheckoutRequest) -> BoxFuture<'a, Result<CheckoutStarted, PaymentError>> {
        Box::pin(async move {
            let now = Utc::now();
            // Stripe keeps a session at least 30 minutes; a shorter hold expires it explicitly.
            let expires_at = request.hold_expires_at.clamp(now + MIN_SESSION, now + MAX_SESSION);
            let line_item = CreateCheckoutSessionLineItems {
                price_data: Some(CreateCheckoutSessionLineItemsPriceData {
                    product_data: Some(ProductData::new(request.description.as_str())),
                    unit_amount: Some(request.amount),
                    ..CreateCheckoutSessionLineItemsPriceData::new(currency(&request.currency))
                }),
                quantity: Some(1),
                ..Default::default()
            };
            let mut create = CreateCheckoutSession::new()
                .mode(stripe_shared::CheckoutSessionMode::Payment)
                .line_items(vec![line_item])
                .client_reference_id(request.order_id.as_str())
                .metadata(HashMap::from([("order_id".to_string(), request.order_id.clone())]))
                .customer_email(request.customer_email.as_str())
                .expires_at(expires_at.timestamp())
                .success_url(request.success_url.as_str())
                .cancel_url(request.cancel_url.as_str());
            if let Some(destination) = &request.destination {
                create = create.payment_intent_data(CreateCheckoutSessionPaymentIntentData {
                    application_fee_amount: request.application_fee,
                    transfer_data: Some(CreateCheckoutSessionPaymentIntentDataTransferData::new(destination.as_str())),
                    ..Default::default()
                });
            }
            let key = IdempotencyKey::new(format!("checkout-{}", request.order_id)).map_err(|e| PaymentError::Refused(e.to_string()))?;
            let session = create.customize().request_strategy(RequestStrategy::Idempotent(key)).send(&self.client).await.map_err(error)?;
            let redirect_to = session.url.clone().ok_or_else(|| PaymentError::Unavailable("Stripe returned a session without a URL".into()))?;
            Ok(CheckoutStarted { session_id: session.id.as_str().to_string(), redirect_to })
        })
    }

    fn expire_checkout<'a>(&'a self, session_id: &'a str) -> BoxFuture<'a, Result<Option<SignedEvent>, PaymentError>> {
        Box::pin(async move {
            match ExpireCheckoutSession::new(session_id).send(&self.client).await {
                Ok(_) => Ok(None),
                // Paid or expired meanwhile: nothing to close (the events tell what happened).
                Err(StripeError::Stripe(_, 400)) => Ok(None),
                Err(e) => Err(error(e)),
            }
        })
    }

    fn refund<'a>(&'a self, payment_id: &'a str, destination_charge: bool) -> BoxFuture<'a, Result<Option<SignedEvent>, PaymentError>> {
        Box::pin(async move {
            let mut refund = stripe_core::refund::CreateRefund::new().payment_intent(payment_id);
            if destination_charge {
                // The creator's share comes back from their account, and the platform's fee too.
                refund = refund.refund_application_fee(true).reverse_transfer(true);
            }
            let key = IdempotencyKey::new(format!("refund-{payment_id}")).map_err(|e| PaymentError::Refused(e.to_string()))?;
            refund.customize().request_strategy(RequestStrategy::Idempotent(key)).send(&self.client).await.map_err(error)?;
            Ok(None)
        })
    }

    fn payouts(&self) -> Option<&dyn super::Payouts> {
        Some(self)
    }

    fn subscriptions(&self) -> &dyn super::Subscriptions {
        self
    }
}

impl StripeCheckout {
    fn status_of(account: &stripe_shared::Account) -> super::AccountStatus {
        super::AccountStatus {
            charges_enabled: account.charges_enabled.unwrap_or(false),
            payouts_enabled: account.payouts_enabled.unwrap_or(false),
            details_submitted: account.details_submitted.unwrap_or(false),
        }
    }
}

impl super::Payouts for StripeCheckout {
    fn create_account<'a>(&'a self, email: &'a str, reference: &'a str) -> BoxFuture<'a, Result<String, PaymentError>> {
        use stripe_connect::account::{
            CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesCardPayments, CreateAccountCapabilitiesTransfers, CreateAccountController,
            CreateAccountControllerFees, CreateAccountControllerFeesPayer, CreateAccountControllerLosses, CreateAccountControllerLossesPayments,
            CreateAccountControllerRequirementCollection, CreateAccountControllerStripeDashboard, CreateAccountControllerStripeDashboardType,
        };
        Box::pin(async move {
            let capabilities = CreateAccountCapabilities {
                card_payments: Some(CreateAccountCapabilitiesCardPayments { requested: Some(true) }),
                transfers: Some(CreateAccountCapabilitiesTransfers { requested: Some(true) }),
                ..CreateAccountCapabilities::new()
            };
            // Express, described the current way (`controller`; `type` is deprecated): Stripe
            // collects the requirements, the platform pays the fees and carries the losses.
            let controller = CreateAccountController {
                fees: Some(CreateAccountControllerFees { payer: Some(CreateAccountControllerFeesPayer::Application) }),
                losses: Some(CreateAccountControllerLosses { payments: Some(CreateAccountControllerLossesPayments::Application) }),
                requirement_collection: Some(CreateAccountControllerRequirementCollection::Stripe),
                stripe_dashboard: Some(CreateAccountControllerStripeDashboard { type_: Some(CreateAccountControllerStripeDashboardType::Express) }),
            };
            let key = IdempotencyKey::new(format!("account-{reference}")).map_err(|e| PaymentError::Refused(e.to_string()))?;
            let account = CreateAccount::new()
                .controller(controller)
                .capabilities(capabilities)
                .email(email)
                .metadata(HashMap::from([("organization_owner".to_string(), reference.to_string())]))
                .customize()
                .request_strategy(RequestStrategy::Idempotent(key))
                .send(&self.client)
                .await
                .map_err(error)?;
            Ok(account.id.as_str().to_string())
        })
    }

    fn onboarding_link<'a>(&'a self, account_id: &'a str, refresh_url: &'a str, return_url: &'a str) -> BoxFuture<'a, Result<String, PaymentError>> {
        use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
        Box::pin(async move {
            let link = CreateAccountLink::new(account_id, CreateAccountLinkType::AccountOnboarding)
                .refresh_url(refresh_url)
                .return_url(return_url)
                .send(&self.client)
                .await
                .map_err(error)?;
            Ok(link.url)
        })
    }

    fn account_status<'a>(&'a self, account_id: &'a str) -> BoxFuture<'a, Result<super::AccountStatus, PaymentError>> {
        Box::pin(async move {
            let account = stripe_connect::account::RetrieveAccount::new(account_id).send(&self.client).await.map_err(error)?;
            Ok(StripeCheckout::status_of(&account))
        })
    }
}

/// `month` or `year` as Stripe's interval (anything else is a month).
fn is_yearly(interval: &str) -> bool {
    interval == "year"
}

impl super::Subscriptions for StripeCheckout {
    fn start_subscription<'a>(&'a self, request: &'a super::SubscriptionRequest) -> BoxFuture<'a, Result<CheckoutStarted, PaymentError>> {
        use stripe_checkout::checkout_session::{
            CreateCheckoutSessionLineItemsPriceDataRecurring as Recurring, CreateCheckoutSessionLineItemsPriceDataRecurringInterval as Interval,
            CreateCheckoutSessionSubscriptionData,
        };
        Box::pin(async move {
            let price = &request.price;
            let interval = if is_yearly(&price.interval) { Interval::Year } else { Interval::Month };
            let line_item = CreateCheckoutSessionLineItems {
                price_data: Some(CreateCheckoutSessionLineItemsPriceData {
                    product_data: Some(ProductData::new(price.description.as_str())),
                    unit_amount: Some(price.amount),
                    recurring: Some(Recurring::new(interval)),
                    ..CreateCheckoutSessionLineItemsPriceData::new(currency(&price.currency))
                }),
                quantity: Some(1),
                ..Default::default()
            };
            // The metadata travels with the subscription: its events find the organization and
            // the plan by it.
            let metadata = HashMap::from([("organization_id".to_string(), request.organization_id.clone()), ("plan_id".to_string(), request.plan_id.clone())]);
            let mut create = CreateCheckoutSession::new()
                .mode(stripe_shared::CheckoutSessionMode::Subscription)
                .line_items(vec![line_item])
                .client_reference_id(request.organization_id.as_str())
                .metadata(metadata.clone())
                .subscription_data(CreateCheckoutSessionSubscriptionData { metadata: Some(metadata), ..Default::default() })
                .success_url(request.success_url.as_str())
                .cancel_url(request.cancel_url.as_str());
            create = match &request.customer_id {
                Some(customer) => create.customer(customer.as_str()),
                None => create.customer_email(request.customer_email.as_str()),
            };
            let session = create.send(&self.client).await.map_err(error)?;
            let redirect_to = session.url.clone().ok_or_else(|| PaymentError::Unavailable("Stripe returned a session without a URL".into()))?;
            Ok(CheckoutStarted { session_id: session.id.as_str().to_string(), redirect_to })
        })
    }

    fn update_subscription<'a>(&'a self, id: &'a str, update: &'a super::SubscriptionUpdate) -> BoxFuture<'a, Result<super::SubscriptionFacts, PaymentError>> {
        use stripe_billing::subscription::{
            RetrieveSubscription, UpdateSubscription, UpdateSubscriptionItems, UpdateSubscriptionItemsPriceData, UpdateSubscriptionItemsPriceDataRecurring,
            UpdateSubscriptionItemsPriceDataRecurringInterval as Interval, UpdateSubscriptionProrationBehavior,
        };
        Box::pin(async move {
            let mut request = UpdateSubscription::new(id);
            if let Some((plan_id, price)) = &update.plan {
                // The one item keeps its product; its price becomes the new plan's.
                let current = super::SubscriptionFacts::from_stripe(&RetrieveSubscription::new(id).send(&self.client).await.map_err(error)?);
                let (Some(item), Some(product)) = (current.item_id, current.product_id) else {
                    return Err(PaymentError::Refused("the subscription has no item to change".into()));
                };
                let interval = if is_yearly(&price.interval) { Interval::Year } else { Interval::Month };
                let price_data = UpdateSubscriptionItemsPriceData {
                    unit_amount: Some(price.amount),
                    ..UpdateSubscriptionItemsPriceData::new(currency(&price.currency), product, UpdateSubscriptionItemsPriceDataRecurring::new(interval))
                };
                let mut metadata = current.metadata;
                metadata.insert("plan_id".into(), plan_id.clone());
                request = request
                    .items(vec![UpdateSubscriptionItems { id: Some(item), price_data: Some(price_data), ..Default::default() }])
                    .metadata(metadata)
                    .proration_behavior(if update.prorate {
                        UpdateSubscriptionProrationBehavior::CreateProrations
                    } else {
                        UpdateSubscriptionProrationBehavior::None
                    });
            }
            if let Some(cancel) = update.cancel_at_period_end {
                request = request.cancel_at_period_end(cancel);
            }
            let subscription = request.send(&self.client).await.map_err(error)?;
            Ok(super::SubscriptionFacts::from_stripe(&subscription))
        })
    }

    fn cancel_subscription<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), PaymentError>> {
        Box::pin(async move {
            match stripe_billing::subscription::CancelSubscription::new(id).send(&self.client).await {
                Ok(_) => Ok(()),
                // Already cancelled (or unknown to Stripe): nothing left to end.
                Err(StripeError::Stripe(_, 400 | 404)) => Ok(()),
                Err(e) => Err(error(e)),
            }
        })
    }

    fn portal<'a>(&'a self, customer_id: &'a str, return_url: &'a str) -> BoxFuture<'a, Result<Option<String>, PaymentError>> {
        use stripe_billing::billing_portal_session::CreateBillingPortalSession;
        Box::pin(async move {
            let session = CreateBillingPortalSession::new().customer(customer_id).return_url(return_url).send(&self.client).await.map_err(error)?;
            Ok(Some(session.url))
        })
    }
}
