//! What the pricing and billing pages do: show the plans, the organization's plan and what it
//! uses, change the plan (a checkout to start paying, a price change between paid plans, the end
//! of the period for Free), the provider's customer portal, and the test checkout's controls.

use super::enforcement;
use super::writer::{self, Source};
use crate::accounts::guard::{Scope, can};
use crate::billing::model::{BillingView, Meter, PlanAction, PlanCard};
use crate::error::AppError;
use crate::infra::payments::sandbox::subscriptions;
use crate::infra::payments::{Payments, RecurringPrice, SubscriptionRequest, SubscriptionUpdate};
use crate::infra::state::AppState;
use crate::money::format_money;
use crate::plans::backend::store::{self, CurrentSubscription, Plan, Usage};
use crate::plans::model::PlanFeatures;
use chrono::Utc;

/// What changing the plan did.
pub enum PlanChange {
    /// Paying starts on the provider's payment page.
    Pay(String),
    /// Done at once (a paid plan changed, or a downgrade set for the period's end).
    Done,
}

fn price_label(plan: &Plan) -> String {
    if plan.is_free() { "Free".to_string() } else { format!("{} a {}", format_money(plan.price_minor, &plan.currency), plan.interval) }
}

fn count_limit(limit: Option<u32>) -> String {
    limit.map_or_else(|| "No limit".to_string(), |n| n.to_string())
}

fn megabytes(mb: u64) -> String {
    if mb >= 1024 && mb.is_multiple_of(1024) { format!("{} GB", mb / 1024) } else { format!("{mb} MB") }
}

/// A plan's limits as rows, the same on the pricing and billing pages.
fn limit_rows(f: &PlanFeatures) -> Vec<(String, String)> {
    vec![
        ("Live pages at a time".into(), count_limit(f.active_pages)),
        ("Products".into(), count_limit(f.products)),
        ("File storage".into(), f.storage_mb.map_or_else(|| "No limit".to_string(), megabytes)),
        ("Largest file".into(), megabytes(u64::from(f.max_file_size_mb))),
        ("Team seats".into(), f.team_seats.to_string()),
        ("Your branding (no \"Made with Flashpage\")".into(), if f.custom_branding { "Yes".into() } else { "No".into() }),
        ("Platform fee on sales".into(), format!("{}%", f64::from(f.platform_fee_basis_points) / 100.0)),
    ]
}

fn card(plan: &Plan, action: PlanAction) -> PlanCard {
    PlanCard { name: plan.name.clone(), description: plan.description.clone(), price: price_label(plan), limits: limit_rows(&plan.features), action }
}

/// The public pricing page's plans (visible ones, cheapest first).
pub async fn pricing(state: &AppState) -> Result<Vec<PlanCard>, AppError> {
    Ok(store::visible_plans(&state.db).await?.iter().map(|p| card(p, PlanAction::Upgrade)).collect())
}

fn meter(label: &str, used: i64, limit: Option<i64>, show: impl Fn(i64) -> String) -> Meter {
    let percent = limit.map(|l| if l <= 0 { 100 } else { u8::try_from((used.max(0) * 100 / l).min(100)).unwrap_or(100) });
    Meter {
        label: label.to_string(),
        used: show(used),
        limit: limit.map_or_else(|| "No limit".to_string(), &show),
        percent,
        over: limit.is_some_and(|l| used > l),
    }
}

fn meters(used: &Usage, seats_used: i64, f: &PlanFeatures) -> Vec<Meter> {
    let mb = |bytes: i64| format!("{} MB", (bytes + 1024 * 1024 - 1) / (1024 * 1024));
    vec![
        meter("Live pages", used.live_pages, f.active_pages.map(i64::from), |n| n.to_string()),
        meter("Switched-on products", used.active_products, f.products.map(i64::from), |n| n.to_string()),
        meter("File storage", used.storage_bytes, f.storage_bytes(), mb),
        meter("Team seats (with open invitations)", seats_used, Some(i64::from(f.team_seats)), |n| n.to_string()),
    ]
}

fn date(t: chrono::NaiveDateTime) -> String {
    t.format("%-d %B %Y").to_string()
}

/// Whether a payment is pending or failed: plan changes wait for it.
fn payment_pending(sub: Option<&CurrentSubscription>) -> bool {
    sub.is_some_and(|s| matches!(s.status.as_str(), "past_due" | "incomplete"))
}

pub async fn overview(state: &AppState, scope: &Scope<can::ManageBilling>) -> Result<BillingView, AppError> {
    let org = scope.organization_id();
    let plan = store::plan_for_organization(&state.db, org).await?;
    let sub = store::current_subscription(&state.db, org).await?;
    let used = store::usage(&state.db, org).await?;
    let seats_used = crate::accounts::backend::writer::team::seats_used(&state.db, org, Utc::now().naive_utc()).await?;
    let plans = store::visible_plans(&state.db).await?;
    let paid = sub.as_ref().filter(|s| s.stripe_subscription_id.is_some());
    let ending = paid.is_some_and(|s| s.cancel_at_period_end);

    let status_line = match paid {
        None => "Free: no card, no end date.".to_string(),
        Some(s) => {
            let price = format!("{} a {}", format_money(s.price_minor, &s.currency), plan.interval);
            let until = s.end_date.map(date).unwrap_or_default();
            match s.status.as_str() {
                "past_due" => format!("Payment failed: {price}. The payment is being tried again."),
                "incomplete" => "Waiting for the first payment.".to_string(),
                _ if ending => format!("Ends on {until}; then the Free plan applies."),
                _ => format!("Active: renews on {until} at {price}."),
            }
        }
    };
    let mut notices = Vec::new();
    if let Some(s) = paid {
        if s.status == "past_due" {
            notices.push("Your last payment failed. Update your payment method; until it is paid, the plan can't be changed.".to_string());
        }
        if !ending && s.price_minor != plan.price_minor && s.status == "active" {
            notices.push(format!(
                "The {} plan now costs {}. You keep paying {} until your renewal on {}.",
                plan.name,
                price_label(&plan),
                format_money(s.price_minor, &s.currency),
                s.end_date.map(date).unwrap_or_default()
            ));
        }
    }
    if let Some(since) = enforcement::over_plan_since(&state.db, org).await? {
        notices.push(format!(
            "Your organization has more published than the {} plan allows. Nothing is deleted: on {} the newest live pages and products \
             above the limits are switched off. Switch some off yourself to choose which stay, or choose a larger plan.",
            plan.name,
            enforcement::deadline(since)
        ));
    }
    let cards = plans
        .iter()
        .map(|p| {
            let action = if p.id == plan.id {
                if ending { PlanAction::Resume } else { PlanAction::Current }
            } else if p.price_minor > plan.price_minor {
                PlanAction::Upgrade
            } else {
                PlanAction::Downgrade
            };
            card(p, action)
        })
        .collect();
    let payments = Payments::of(state);
    Ok(BillingView {
        plan_name: plan.name.clone(),
        status_line,
        notices,
        meters: meters(&used, seats_used, &plan.features),
        facts: limit_rows(&plan.features).into_iter().skip(3).collect(),
        plans: cards,
        payment_pending: payment_pending(sub.as_ref()),
        has_portal: !payments.test_mode() && paid.is_some_and(|s| s.stripe_customer_id.is_some()),
        test_mode: payments.test_mode(),
        test_subscription: payments.test_mode() && paid.is_some_and(|s| s.status != "canceled"),
    })
}

/// A visible plan by its name; a hidden or unknown one is refused.
async fn offered_plan(state: &AppState, name: &str) -> Result<Plan, AppError> {
    let plans = store::visible_plans(&state.db).await?;
    plans.iter().find(|p| p.name.eq_ignore_ascii_case(name.trim())).cloned().ok_or_else(|| {
        let names: Vec<&str> = plans.iter().map(|p| p.name.as_str()).collect();
        AppError::field("plan", format!("That plan isn't offered. Choose one of: {}.", names.join(", ")))
    })
}

fn recurring_price(plan: &Plan) -> RecurringPrice {
    RecurringPrice {
        description: format!("Flashpage {} plan", plan.name),
        amount: plan.price_minor,
        currency: plan.currency.clone(),
        interval: plan.interval.clone(),
    }
}

fn provider_error(e: crate::infra::payments::PaymentError) -> AppError {
    match e {
        crate::infra::payments::PaymentError::Refused(m) => {
            tracing::warn!(error = %m, "the payment provider refused a plan change");
            AppError::conflict("The payment provider refused this change. Please try again, or contact us if it keeps happening.")
        }
        other => AppError::unavailable(other),
    }
}

/// Changes the organization's plan to the visible plan `name`.
pub async fn change_plan(state: &AppState, scope: &Scope<can::ManageBilling>, name: &str) -> Result<PlanChange, AppError> {
    let org = scope.organization_id();
    let target = offered_plan(state, name).await?;
    let current = store::plan_for_organization(&state.db, org).await?;
    let sub = store::current_subscription(&state.db, org).await?;
    if payment_pending(sub.as_ref()) {
        return Err(AppError::conflict("A payment for your plan is pending or failed. Once it is paid (update your payment method), you can change the plan."));
    }
    let paid = sub.as_ref().filter(|s| s.stripe_subscription_id.is_some());
    let provider = Payments::of(state).provider.subscriptions();
    let apply = |facts| async move {
        let source = Source { event_id: None, created: Utc::now().timestamp() };
        if let Some(applied) = writer::apply_subscription(&state.db, &source, &facts, false, Utc::now()).await? {
            super::events::plan_changed(state, &applied).await?;
        }
        Ok::<_, AppError>(())
    };
    let log = |what: String| async move {
        crate::accounts::backend::security_log::record_action(state, scope, crate::accounts::backend::security_log::SecurityEvent::PlanChanged, Some(&what))
            .await
    };
    match paid {
        // Free, to a paid plan: pay on the provider's page; the plan changes when its events arrive.
        None => {
            if target.is_free() {
                return Err(AppError::conflict(format!("You're already on the {} plan.", target.name)));
            }
            let request = SubscriptionRequest {
                organization_id: org.to_string(),
                plan_id: target.id.clone(),
                price: recurring_price(&target),
                customer_id: store::customer_of(&state.db, org).await?,
                customer_email: scope.user().email.clone(),
                success_url: format!("{}/dashboard/billing?saved=paid", state.config.public_url),
                cancel_url: format!("{}/dashboard/billing?saved=cancelled", state.config.public_url),
            };
            let started = provider.start_subscription(&request).await.map_err(provider_error)?;
            if let Some(previous) = writer::set_checkout_session(&state.db, org, Some(&started.session_id)).await? {
                // One open checkout at a time: the one left open in another tab closes.
                let closed = Payments::of(state).provider.expire_checkout(&previous).await;
                if let Ok(event) = closed {
                    crate::infra::payments::door::receive_own(state, event).await?;
                }
            }
            log(format!("checkout for {}", target.name)).await;
            Ok(PlanChange::Pay(started.redirect_to))
        }
        Some(s) => {
            let id = s.stripe_subscription_id.clone().unwrap_or_default();
            let update = if target.is_free() {
                if s.cancel_at_period_end {
                    return Err(AppError::conflict("Your plan already ends at the end of this period; then the Free plan applies."));
                }
                SubscriptionUpdate { cancel_at_period_end: Some(true), ..Default::default() }
            } else if target.id == current.id {
                if !s.cancel_at_period_end {
                    return Err(AppError::conflict(format!("You're already on the {} plan.", target.name)));
                }
                SubscriptionUpdate { cancel_at_period_end: Some(false), ..Default::default() }
            } else {
                SubscriptionUpdate { plan: Some((target.id.clone(), recurring_price(&target))), prorate: true, cancel_at_period_end: Some(false) }
            };
            let facts = provider.update_subscription(&id, &update).await.map_err(provider_error)?;
            apply(facts).await?;
            log(if target.is_free() { format!("{} ends at the period's end", current.name) } else { format!("{} to {}", current.name, target.name) }).await;
            Ok(PlanChange::Done)
        }
    }
}

/// The provider's customer portal (payment method, invoices), or the billing page itself with
/// the test checkout.
pub async fn portal(state: &AppState, scope: &Scope<can::ManageBilling>) -> Result<String, AppError> {
    let back = format!("{}/dashboard/billing", state.config.public_url);
    let Some(customer) = store::customer_of(&state.db, scope.organization_id()).await? else {
        return Err(AppError::conflict("There is no payment method to manage yet: choose a paid plan first."));
    };
    let url = Payments::of(state).provider.subscriptions().portal(&customer, &back).await.map_err(provider_error)?;
    Ok(url.unwrap_or(back))
}

/// The test checkout's controls for the organization's test subscription: end its period now
/// (it renews, fails or ends, as it would then), or make its next payment fail.
pub async fn test_control(state: &AppState, scope: &Scope<can::ManageBilling>, fail_next: bool) -> Result<(), AppError> {
    let payments = Payments::of(state);
    let not_here = || AppError::not_found("The test controls exist only while the built-in test checkout takes payments.");
    if !payments.test_mode() {
        return Err(not_here());
    }
    let sub = store::current_subscription(&state.db, scope.organization_id()).await?;
    let Some(id) = sub.and_then(|s| s.stripe_subscription_id) else {
        return Err(AppError::conflict("There is no test subscription: choose a paid plan first."));
    };
    let now = Utc::now();
    let moved = if fail_next { subscriptions::fail_next_payment(&state.db, &id).await? } else { subscriptions::end_period_now(&state.db, &id, now).await? };
    if !moved {
        return Err(AppError::conflict("The test subscription can't do that now (it has ended, or already failed)."));
    }
    if !fail_next {
        run_test_renewals(state, now).await?;
    }
    Ok(())
}

/// Renews, fails or ends the test subscriptions whose period is over (test checkout only).
pub async fn run_test_renewals(state: &AppState, now: chrono::DateTime<Utc>) -> Result<usize, AppError> {
    let payments = Payments::of(state);
    if !payments.test_mode() {
        return Ok(0);
    }
    let events = subscriptions::renew_due(&state.db, &payments.webhook_secret, now).await?;
    let n = events.len();
    crate::infra::payments::door::receive_all_own(state, events).await?;
    Ok(n)
}

/// Subscriptions whose plan's price changed since they were sold keep their price until their
/// renewal: shortly before it, the provider is given the plan's current price for the next
/// period (no proration). Returns how many moved.
pub async fn apply_price_changes(state: &AppState, now: chrono::DateTime<Utc>) -> Result<usize, AppError> {
    let due = store::renewing_with_old_price(&state.db, now.naive_utc(), now.naive_utc() + chrono::TimeDelta::hours(2)).await?;
    let provider = Payments::of(state).provider.subscriptions();
    let mut moved = 0;
    for (subscription_id, plan_id) in due {
        let Some(plan) = store::plan_by_id(&state.db, &plan_id).await? else { continue };
        let update = SubscriptionUpdate { plan: Some((plan.id.clone(), recurring_price(&plan))), prorate: false, cancel_at_period_end: None };
        match provider.update_subscription(&subscription_id, &update).await {
            Ok(facts) => {
                let source = Source { event_id: None, created: now.timestamp() };
                writer::apply_subscription(&state.db, &source, &facts, false, now).await?;
                moved += 1;
            }
            Err(e) => tracing::warn!(subscription = %subscription_id, error = %e, "could not move a subscription to its plan's new price"),
        }
    }
    Ok(moved)
}

/// The billing work of a running server, every `every`: test renewals, prices that moved, and the
/// grace period's end.
pub async fn tick(state: &AppState) {
    let now = Utc::now();
    if let Err(e) = run_test_renewals(state, now).await {
        tracing::warn!(error = %e.message, "could not renew test subscriptions");
    }
    if let Err(e) = apply_price_changes(state, now).await {
        tracing::warn!(error = %e.message, "could not apply changed plan prices");
    }
    if let Err(e) = enforcement::review_due(state, now).await {
        tracing::warn!(error = %e.message, "could not review organizations against their plans");
    }
    match enforcement::enforce_due(state, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(organizations = n, "grace periods ended: content above the plan switched off"),
        Err(e) => tracing::warn!(error = %e.message, "could not apply the grace period's end"),
    }
}

/// Billing's part in deleting an organization, run first: its paid plan ends at the payment
/// provider. If the provider can't be reached, the deletion stops before anything changed.
pub struct EndSubscriptions;

impl crate::accounts::backend::service::deletion::OrganizationEnding for EndSubscriptions {
    fn end<'a>(&'a self, state: &'a AppState, organization_id: &'a str) -> futures_util::future::BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            for id in store::running_subscriptions(&state.db, organization_id).await? {
                Payments::of(state).provider.subscriptions().cancel_subscription(&id).await.map_err(AppError::unavailable)?;
            }
            Ok(())
        })
    }
}
