//! The thank-you page (`/orders/{token}/thanks`, where the payment page returns) and the
//! cancelled page (`/orders/{token}/cancel`, where a buyer who did not pay returns). While the
//! payment is being confirmed the page reloads itself every few seconds (a meta refresh: no
//! JavaScript needed), then offers the download.

use crate::orders::api::{cancel_order, load_buyer_order};
use crate::orders::model::{BuyerOrder, OrderStatus};
use crate::ui::head::Title;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ThanksRoute() -> impl IntoView {
    let params = use_params_map();
    let order = Resource::new(move || params.with(|p| p.get("token").unwrap_or_default()), load_buyer_order);
    view! { <Suspense fallback=|| ()>{move || Suspend::new(async move { render(order.await) })}</Suspense> }
}

#[component]
pub fn CancelledRoute() -> impl IntoView {
    let params = use_params_map();
    let order = Resource::new(move || params.with(|p| p.get("token").unwrap_or_default()), cancel_order);
    view! { <Suspense fallback=|| ()>{move || Suspend::new(async move { render(order.await) })}</Suspense> }
}

fn render(order: Result<BuyerOrder, crate::error::AppError>) -> AnyView {
    match order {
        Ok(order) => view! { <OrderPage order/> }.into_any(),
        Err(err) => {
            super::failed_status(&err);
            view! {
                <Title text="Order not found · Flashpage"/>
                <Meta name="robots" content="noindex"/>
                <main class="pp"><div class="pp-card" role="alert"><h1>"We couldn't find this order"</h1><p>{err.message}</p></div></main>
            }
            .into_any()
        }
    }
}

#[component]
fn OrderPage(order: BuyerOrder) -> impl IntoView {
    let waiting = order.status == OrderStatus::Processing;
    let (title, lede) = match order.status {
        OrderStatus::Processing => ("Confirming your payment…", "This takes a few seconds. The page updates by itself.".to_string()),
        OrderStatus::Completed => ("Thank you!", format!("Your receipt is on its way to {}.", order.email)),
        OrderStatus::Pending => (
            "Payment pending",
            format!(
                "Your bank payment is on its way; that can take a few days. Your item is kept for you, and we'll email {} the moment the money arrives.",
                order.email
            ),
        ),
        OrderStatus::Expired | OrderStatus::Cancelled => ("Order cancelled", "Nothing was charged. The item went back on sale.".to_string()),
        OrderStatus::Failed => (
            "Payment failed",
            format!("Your bank did not complete the payment, so nothing was charged and the item went back on sale. We emailed {}.", order.email),
        ),
        OrderStatus::RefundPending => {
            ("Refund on its way", format!("Your payment arrived after the item sold out. We're refunding it in full and will email {}.", order.email))
        }
        OrderStatus::Refunded => ("Order refunded", format!("The payment was refunded; we emailed {} about it.", order.email)),
    };
    view! {
        <Title text=format!("{title} · Flashpage")/>
        <Meta name="robots" content="noindex"/>
        {waiting.then(|| view! { <Meta http_equiv="refresh" content="3"/> })}
        <main class="pp">
            <div class="pp-card order-card">
                {order.test_mode.then(|| view! { <p class="test-mode" role="note">"Test mode: no money moved."</p> })}
                <h1>{title}</h1>
                <p class="pp-lede" role="status">{lede}</p>
                <dl class="order-facts">
                    <dt>"Item"</dt><dd>{order.title.clone()}</dd>
                    <dt>"Amount"</dt><dd data-testid="order-amount">{order.amount.clone()}</dd>
                    <dt>"Status"</dt><dd data-testid="order-status">{order.status.label()}</dd>
                    {order.bonus.clone().map(|b| view! { <dt>"Bonus"</dt><dd>{b}</dd> })}
                </dl>
                {order.download.clone().map(|d| view! {
                    <section class="download" aria-label="Download">
                        <a class="button button--large" href=d.url download=d.file_name.clone() data-testid="download">{format!("Download {}", d.file_name)}</a>
                        <p class="field-hint">{format!("{} · {} downloads left, until {}", d.size, d.attempts_left, d.until.format("%-d %B %Y"))}</p>
                    </section>
                })}
                {order.download_closed.clone().map(|m| view! { <p class="form-alert" role="alert">{m}</p> })}
                {order.page_url.clone().map(|url| view! { <p><a href=url>"Back to the page"</a></p> })}
            </div>
        </main>
    }
}
