//! The order server functions: buying, the test checkout's buttons, and the buyer's order links.
//! Each starts with the request guard (origin check, client address); none needs a session: the
//! buyer's key is the unguessable token in their links.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The Buy button: places the order (holding a unit) and sends the buyer to the payment page.
/// The price is worked out on the server; `amount` and `currency` are only what the page showed,
/// so that a price changed meanwhile is refused instead of charged.
#[server(prefix = "/api", endpoint = "p/buy")]
pub async fn buy(
    short_id: String,
    item_id: String,
    email: String,
    code: Option<String>,
    quantity: Option<String>,
    amount: Option<String>,
    currency: Option<String>,
) -> Result<(), AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    let ip = guard.client().ip;
    let request = super::backend::service::BuyRequest {
        short_id: &short_id,
        item_id: &item_id,
        email: &email,
        code: code.as_deref(),
        quantity: quantity.as_deref(),
        shown_amount: amount.as_deref(),
        shown_currency: currency.as_deref(),
        client_ip: ip.as_deref(),
    };
    let to = super::backend::service::checkout(guard.state(), &request).await?;
    crate::infra::request::redirect(&to)
}

/// The buyer's order behind a token (the thank-you page).
#[server(prefix = "/api", endpoint = "orders/view")]
pub async fn load_buyer_order(token: String) -> Result<super::model::BuyerOrder, AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    super::backend::service::buyer_order(guard.state(), &token).await
}

/// The buyer came back from the payment page without paying: the hold ends at once.
#[server(prefix = "/api", endpoint = "orders/cancel")]
pub async fn cancel_order(token: String) -> Result<super::model::BuyerOrder, AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    super::backend::service::cancel(guard.state(), &token).await
}

/// Why a download link does not open the file, and whether a fresh link can be sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DownloadHelpView {
    pub message: String,
    pub renewable: bool,
}

#[server(prefix = "/api", endpoint = "d/help")]
pub async fn download_help(token: String) -> Result<DownloadHelpView, AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    let state = guard.state();
    let now = chrono::Utc::now();
    let closed = match super::backend::store::by_token(&state.db, &token).await? {
        None => super::backend::downloads::Closed::Unknown,
        Some(row) => match super::backend::downloads::open(&row, now) {
            Ok(()) => return Ok(DownloadHelpView { message: "This link works: your download should start.".into(), renewable: false }),
            Err(closed) => closed,
        },
    };
    Ok(DownloadHelpView { message: closed.message().into(), renewable: closed.renewable() })
}

/// Mails a fresh download link to the order's address (the same answer whatever the token).
#[server(prefix = "/api", endpoint = "d/fresh")]
pub async fn send_fresh_link(token: String) -> Result<(), AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    super::backend::downloads::send_fresh_link(guard.state(), &token, chrono::Utc::now()).await?;
    let safe: String = token.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    crate::infra::request::redirect(&format!("/d/{safe}/help?sent=1"))
}

#[server(prefix = "/api", endpoint = "checkout/test/view")]
pub async fn load_test_checkout(session_id: String) -> Result<super::model::TestCheckoutView, AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    super::backend::test_payment::view(guard.state(), &session_id).await
}

/// Pay on the test checkout: completes the session and sends its signed event through the
/// webhook's handler, then on to the thank-you page.
#[server(prefix = "/api", endpoint = "checkout/test/pay")]
pub async fn pay_test_checkout(session_id: String) -> Result<(), AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    let to = super::backend::test_payment::pay(guard.state(), &session_id).await?;
    crate::infra::request::redirect(&to)
}

/// Cancel on the test checkout: back to the page, the hold released.
#[server(prefix = "/api", endpoint = "checkout/test/cancel")]
pub async fn cancel_test_checkout(session_id: String) -> Result<(), AppError> {
    let guard = crate::accounts::guard::Guard::current()?;
    let to = super::backend::test_payment::cancel(guard.state(), &session_id).await?;
    crate::infra::request::redirect(&to)
}

/// The creator's orders (of one page, with `page_id`), 50 at a time, with totals per currency.
#[server(prefix = "/api", endpoint = "orders/list")]
pub async fn list_orders(page_id: Option<String>, page: Option<u32>) -> Result<super::model::OrdersOverview, AppError> {
    use crate::accounts::guard::{Guard, can};
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ViewDashboard>().await?;
    let page_id = page_id.filter(|p| !p.is_empty());
    super::backend::service::overview(guard.state(), &scope, page_id.as_deref(), page.unwrap_or(1)).await
}

/// Refunds a paid order in full (admins and managers), then back to the list.
#[server(prefix = "/api", endpoint = "orders/refund")]
pub async fn refund_order(id: String) -> Result<(), AppError> {
    use crate::accounts::guard::{Guard, can};
    let guard = Guard::current()?;
    super::backend::service::refund(guard.state(), &guard.allow::<can::ManagePayments>().await?, &id).await?;
    crate::infra::request::redirect("/dashboard/orders?refunded=1")
}

/// The "Get paid" screen (Stripe Connect); `returned` after Stripe's onboarding sent the creator
/// back, to ask Stripe for the account's status at once.
#[server(prefix = "/api", endpoint = "payouts/view")]
pub async fn load_payouts(returned: bool) -> Result<super::model::PayoutsView, AppError> {
    use crate::accounts::guard::{Guard, can};
    let guard = Guard::current()?;
    let scope = guard.allow::<can::ViewDashboard>().await?;
    super::backend::payouts::view(guard.state(), &scope, returned).await
}

/// Sends the creator to Stripe's onboarding (admins and managers).
#[server(prefix = "/api", endpoint = "payouts/onboard")]
pub async fn start_payouts() -> Result<(), AppError> {
    use crate::accounts::guard::{Guard, can};
    let guard = Guard::current()?;
    let url = super::backend::payouts::onboarding_link(guard.state(), &guard.allow::<can::ManagePayments>().await?).await?;
    crate::infra::request::redirect(&url)
}
