//! Checkout and the buyer's side of an order: what the server functions and routes call.

use super::store::{self, BuyerRow};
use super::writer::{self, Placement};
use crate::error::AppError;
use crate::infra::notifier::Notifier;
use crate::infra::payments::{CheckoutRequest, Payments};
use crate::infra::state::AppState;
use crate::orders::model::{BuyerOrder, DownloadOffer, OrderStatus};
use crate::orders::validation::parse_buy;
use chrono::{DateTime, Utc};

/// What the Buy form sent, as strings.
pub struct BuyRequest<'a> {
    pub short_id: &'a str,
    pub item_id: &'a str,
    pub email: &'a str,
    pub code: Option<&'a str>,
    pub quantity: Option<&'a str>,
    /// The price the page showed, in minor units, and its currency (hidden fields).
    pub shown_amount: Option<&'a str>,
    pub shown_currency: Option<&'a str>,
    pub client_ip: Option<&'a str>,
}

fn payments_down(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "could not open a payment page");
    AppError::new(crate::error::ErrorKind::Unavailable, "Payments are unavailable right now. Nothing was charged: please try again in a minute.")
}

/// Places the order (holding a unit) and opens its payment page; returns where to send the buyer.
pub async fn checkout(state: &AppState, req: &BuyRequest<'_>) -> Result<String, AppError> {
    let input = parse_buy(req.email, req.quantity, req.code)?;
    let shown_amount = match req.shown_amount.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(a) => Some(a.parse::<i64>().map_err(|_| AppError::invalid("The price in the form is not a number. Reload the page and buy again."))?),
    };
    let payments = Payments::of(state);
    let token = crate::infra::tokens::new_token();
    let token_hash = crate::infra::tokens::token_hash(&token);
    let now = Utc::now();
    let placement = Placement {
        short_id: req.short_id,
        item_id: req.item_id,
        email: &input.email,
        code: input.code.as_deref(),
        shown_price: shown_amount.map(|a| (a, req.shown_currency.unwrap_or_default())),
        client_ip: req.client_ip,
        holds_per_address: state.config.holds_per_address,
        provider: payments.provider.name(),
        access_token_hash: &token_hash,
        now,
    };
    let placed = match writer::place(&state.db, &placement).await? {
        Ok(placed) => placed,
        // The same buyer pressed Buy again: back to their open payment page, no second hold.
        Err(writer::Refusal::AlreadyInCheckout { checkout_url: Some(url) }) => return Ok(url),
        Err(refusal) => return Err(refusal.error()),
    };
    let destination = match super::payouts::destination(state, &placed.organization_id).await {
        Ok(d) => d,
        Err(e) => {
            writer::release(&state.db, &placed.order_id, OrderStatus::Cancelled, Utc::now()).await?;
            return Err(e);
        }
    };
    // The platform's fee, in basis points of the plan, rounded to the nearest minor unit.
    let application_fee = match &destination {
        Some(_) => {
            let plan = crate::plans::backend::plan_for_organization(&state.db, &placed.organization_id).await?;
            Some((placed.amount * i64::from(plan.features.platform_fee_basis_points) + 5_000) / 10_000)
        }
        None => None,
    };
    // The page's count of what is left changed.
    Notifier::changed(state, &placed.short_id).await;
    let public = &state.config.public_url;
    let request = CheckoutRequest {
        order_id: placed.order_id.clone(),
        description: placed.title.clone(),
        amount: placed.amount,
        currency: placed.currency.clone(),
        customer_email: input.email.clone(),
        success_url: format!("{public}/orders/{token}/thanks"),
        cancel_url: format!("{public}/orders/{token}/cancel"),
        hold_expires_at: placed.hold_expires_at,
        destination,
        application_fee,
    };
    match payments.provider.start_checkout(&request).await {
        Ok(started) => {
            writer::attach_session(&state.db, &placed.order_id, &started.session_id, &started.redirect_to).await?;
            Ok(started.redirect_to)
        }
        Err(e) => {
            writer::release(&state.db, &placed.order_id, OrderStatus::Cancelled, Utc::now()).await?;
            Notifier::changed(state, &placed.short_id).await;
            Err(payments_down(e))
        }
    }
}

/// The buyer left the payment page: the hold ends and the payment page closes. Returns the page
/// to go back to, if it still exists.
pub async fn cancel(state: &AppState, token: &str) -> Result<BuyerOrder, AppError> {
    let order = store::by_token(&state.db, token).await?.ok_or_else(order_not_found)?;
    if writer::release(&state.db, &order.id, OrderStatus::Cancelled, Utc::now()).await? {
        if let Some(session) = &order.checkout_session_id {
            match Payments::of(state).provider.expire_checkout(session).await {
                Ok(event) => crate::infra::payments::door::receive_own(state, event).await?,
                // The order no longer holds stock either way; a payment that still arrives is
                // refunded or honoured by the completion event.
                Err(e) => tracing::warn!(error = %e, order = %order.id, "could not expire the payment page"),
            }
        }
        if let Ok(Some(short_id)) = store::short_id_of_order(&state.db, &order.id).await {
            Notifier::changed(state, &short_id).await;
        }
    }
    buyer_order(state, token).await
}

/// Ends the holds that lapsed and closes their payment pages (every few seconds, from
/// `web::startup`); returns how many it ended.
pub async fn expire_lapsed_holds(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let claimed = writer::expire_lapsed(&state.db, now, 100).await?;
    for (order_id, session) in &claimed {
        if let Some(session) = session {
            match Payments::of(state).provider.expire_checkout(session).await {
                Ok(event) => crate::infra::payments::door::receive_own(state, event).await?,
                Err(e) => tracing::warn!(error = %e, order = %order_id, "could not expire a lapsed payment page"),
            }
        }
        if let Ok(Some(short_id)) = store::short_id_of_order(&state.db, order_id).await {
            Notifier::changed(state, &short_id).await;
        }
    }
    Ok(claimed.len())
}

pub fn order_not_found() -> AppError {
    AppError::not_found("We couldn't find this order. Check that the link is complete, or use the newest link we emailed you.")
}

/// The thank-you page's view of the order behind a token.
pub async fn buyer_order(state: &AppState, token: &str) -> Result<BuyerOrder, AppError> {
    let row = store::by_token(&state.db, token).await?.ok_or_else(order_not_found)?;
    let page_url = store::short_id_of_order(&state.db, &row.id).await?.map(|short_id| format!("/p/{short_id}"));
    let status = OrderStatus::parse(&row.status).unwrap_or(OrderStatus::Processing);
    let (download, download_closed) = if status == OrderStatus::Completed { offer(state, &row, token, Utc::now()).await? } else { (None, None) };
    let amount = if row.amount_paid > 0 { row.amount_paid } else { row.amount_due };
    Ok(BuyerOrder {
        status,
        title: row.item_title.clone(),
        amount: crate::money::format_money(amount, &row.currency),
        email: row.buyer_email.clone(),
        bonus: row.bonus_description.clone(),
        page_url,
        download,
        download_closed,
        test_mode: row.provider == crate::infra::payments::sandbox::NAME,
    })
}

/// The download as the thank-you page offers it, or why it is closed.
async fn offer(state: &AppState, row: &BuyerRow, token: &str, now: DateTime<Utc>) -> Result<(Option<DownloadOffer>, Option<String>), AppError> {
    if let Err(reason) = super::downloads::open(row, now) {
        return Ok((None, Some(reason.message().to_string())));
    }
    let Some(product_id) = &row.product_id else { return Ok((None, Some("This product's file is no longer available.".into()))) };
    let Some((_, file_name, _, size)) = store::file_of_product(&state.db, product_id).await? else {
        return Ok((None, Some("This product's file is no longer available.".into())));
    };
    let file = crate::products::model::ProductFile { name: file_name.clone(), size_bytes: size, content_type: String::new(), sha256: String::new() };
    Ok((
        Some(DownloadOffer {
            url: format!("/d/{token}"),
            file_name,
            size: file.size_label(),
            attempts_left: row.download_limit - row.download_attempts,
            until: row.downloads_until.map(|t| t.and_utc()).unwrap_or(now),
        }),
        None,
    ))
}

/// The creator's order list (of one page, when `page_id` is given), a page of it at a time.
pub async fn overview(
    state: &AppState,
    scope: &crate::accounts::guard::Scope<crate::accounts::guard::can::ViewDashboard>,
    page_id: Option<&str>,
    page: u32,
) -> Result<crate::orders::model::OrdersOverview, AppError> {
    use crate::accounts::permissions::{Action, roles_allow};
    use crate::money::format_money;
    use crate::orders::model::{CurrencyTotals, ORDERS_PER_PAGE, OrderRow, OrdersOverview};
    let org = scope.organization_id();
    let filter = match page_id {
        None => None,
        Some(id) => Some((id.to_string(), store::page_title(&state.db, org, id).await?.ok_or_else(|| AppError::not_found("We couldn't find that page."))?)),
    };
    let page = page.max(1);
    let offset = i64::from(page - 1) * ORDERS_PER_PAGE;
    let mut rows = store::list(&state.db, org, page_id, offset, ORDERS_PER_PAGE + 1).await?;
    let has_more = rows.len() as i64 > ORDERS_PER_PAGE;
    rows.truncate(ORDERS_PER_PAGE as usize);
    let roles = &scope.user().roles;
    let can_refund = roles_allow(roles, Action::ManagePayments);
    // One rule for personal data: buyers' emails are shown to those who see registrants' (not
    // viewers).
    let sees_people = roles_allow(roles, Action::ViewRegistrants);
    let now = Utc::now();
    let rows = rows
        .into_iter()
        .map(|r| {
            let status = OrderStatus::parse(&r.status).unwrap_or(OrderStatus::Processing);
            let amount = if r.amount_paid > 0 { r.amount_paid } else { r.amount_due };
            OrderRow {
                refundable: can_refund && status.refundable() && r.payment_id.is_some(),
                downloads: if status == OrderStatus::Completed { format!("{} of {}", r.download_attempts, r.download_limit) } else { String::new() },
                amount: format_money(amount, &r.currency),
                created_at: r.created_at.and_utc().min(now),
                title: r.item_title,
                email: sees_people.then_some(r.buyer_email),
                status,
                id: r.id,
            }
        })
        .collect();
    let mut totals: Vec<CurrencyTotals> = Vec::new();
    let mut sums: std::collections::BTreeMap<String, (i64, i64, i64, i64)> = std::collections::BTreeMap::new();
    for (currency, status, n, paid, refunded) in store::totals(&state.db, org, page_id).await? {
        let e = sums.entry(currency).or_default();
        match status.as_str() {
            "completed" => {
                e.0 += paid;
                e.1 += n;
            }
            "refunded" => {
                e.2 += n;
                e.3 += refunded;
            }
            _ => {}
        }
    }
    for (currency, (revenue, paid_orders, refunds, refunded)) in sums {
        totals.push(CurrencyTotals { revenue: format_money(revenue, &currency), paid_orders, refunds, refunded: format_money(refunded, &currency), currency });
    }
    Ok(OrdersOverview { rows, totals, page, has_more, filter, can_export: roles_allow(roles, Action::ExportData) })
}

/// Refunds a paid order in full through its provider. The order becomes `refunded` when the
/// provider's `charge.refunded` event arrives (at once with the test checkout).
pub async fn refund(
    state: &AppState,
    scope: &crate::accounts::guard::Scope<crate::accounts::guard::can::ManagePayments>,
    order_id: &str,
) -> Result<(), AppError> {
    let order = store::creator_order(&state.db, scope.organization_id(), order_id).await?.ok_or_else(|| AppError::not_found("We couldn't find that order."))?;
    let status = OrderStatus::parse(&order.status);
    if status == Some(OrderStatus::RefundPending) {
        // A refund the platform owes already (paid when nothing was left): try it now.
        return if super::refunds::try_owed(state, order_id, true, Utc::now()).await? {
            Ok(())
        } else {
            Err(AppError::new(
                crate::error::ErrorKind::Unavailable,
                "The payment provider did not take the refund yet. It is tried again automatically; you can also try again in a minute.",
            ))
        };
    }
    let (Some(payment_id), Some(OrderStatus::Completed)) = (&order.payment_id, status) else {
        return Err(AppError::conflict("Only paid orders can be refunded."));
    };
    // With payouts every sale is a destination charge: the transfer and the fee come back too.
    let provider = &Payments::of(state).provider;
    let event = provider.refund(payment_id, provider.payouts().is_some()).await.map_err(|e| {
        tracing::error!(error = %e, order = order_id, "refund failed");
        AppError::new(crate::error::ErrorKind::Unavailable, "The payment provider did not take the refund. Nothing changed; try again in a minute.")
    })?;
    crate::infra::payments::door::receive_own(state, event).await
}
