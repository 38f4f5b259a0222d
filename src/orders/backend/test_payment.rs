//! The test checkout's page and buttons (only while the test checkout is the provider). Its
//! events go through the webhook's own door (`infra::payments::door`).

use crate::error::AppError;
use crate::infra::payments::Payments;
use crate::infra::payments::sandbox::checkout;
use crate::infra::state::AppState;
use crate::orders::model::TestCheckoutView;
use chrono::Utc;

fn not_found() -> AppError {
    AppError::not_found("This payment page doesn't exist. Go back to the page and press Buy again.")
}

fn test_mode_only(state: &AppState) -> Result<&Payments, AppError> {
    let payments = Payments::of(state);
    if payments.test_mode() { Ok(payments) } else { Err(not_found()) }
}

pub async fn view(state: &AppState, session_id: &str) -> Result<TestCheckoutView, AppError> {
    test_mode_only(state)?;
    let session = checkout::session(&state.db, session_id).await?.ok_or_else(not_found)?;
    Ok(TestCheckoutView {
        payable: session.payable(Utc::now()),
        amount: crate::money::format_money(session.amount, &session.currency),
        session_id: session.id,
        description: session.description,
        email: session.customer_email,
    })
}

/// Pays; returns where the buyer goes (the thank-you page, or back to the page if it lapsed).
pub async fn pay(state: &AppState, session_id: &str) -> Result<String, AppError> {
    let payments = test_mode_only(state)?;
    let outcome = checkout::pay(&state.db, &payments.webhook_secret, session_id, Utc::now()).await?.ok_or_else(not_found)?;
    crate::infra::payments::door::receive_all_own(state, outcome.events).await?;
    Ok(outcome.return_to)
}

/// Cancels; returns where the buyer goes (the order's cancelled page, which ends the hold).
pub async fn cancel(state: &AppState, session_id: &str) -> Result<String, AppError> {
    let payments = test_mode_only(state)?;
    let outcome = checkout::expire(&state.db, &payments.webhook_secret, session_id, Utc::now()).await?.ok_or_else(not_found)?;
    crate::infra::payments::door::receive_all_own(state, outcome.events).await?;
    Ok(outcome.return_to)
}
