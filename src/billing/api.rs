//! Billing server functions. Thin: the guard, the service, the redirect. Each works from a plain
//! HTML form post (no JavaScript) as from the hydrated app.

use crate::billing::model::{BillingView, PlanCard};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::accounts::guard::{Guard, can};
#[cfg(feature = "ssr")]
use crate::billing::backend::service;
#[cfg(feature = "ssr")]
use crate::infra::request::redirect;

/// The visible plans, for the public pricing page.
#[server(prefix = "/api", endpoint = "pricing")]
pub async fn load_pricing() -> Result<Vec<PlanCard>, AppError> {
    let guard = Guard::current()?;
    service::pricing(guard.state()).await
}

/// The billing page (admins).
#[server(prefix = "/api", endpoint = "billing")]
pub async fn load_billing() -> Result<BillingView, AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageBilling>().await?;
    service::overview(guard.state(), &scope).await
}

/// Changes the plan: to the payment page for a first paid plan, back to the billing page otherwise.
#[server(prefix = "/api", endpoint = "billing/plan")]
pub async fn change_plan(plan: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageBilling>().await?;
    match service::change_plan(guard.state(), &scope, &plan).await? {
        service::PlanChange::Pay(url) => redirect(&url),
        service::PlanChange::Done => redirect("/dashboard/billing?saved=changed"),
    }
}

/// The payment provider's customer portal (payment method, invoices).
#[server(prefix = "/api", endpoint = "billing/portal")]
pub async fn open_billing_portal() -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageBilling>().await?;
    let url = service::portal(guard.state(), &scope).await?;
    redirect(&url)
}

/// Test checkout only: the test subscription's period ends now (it renews, fails or ends), or its
/// next payment fails (`fail_next`).
#[server(prefix = "/api", endpoint = "billing/test")]
pub async fn test_billing_control(#[server(default)] fail_next: bool) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ManageBilling>().await?;
    service::test_control(guard.state(), &scope, fail_next).await?;
    redirect(if fail_next { "/dashboard/billing?saved=will_fail" } else { "/dashboard/billing?saved=period_ended" })
}
