//! `/dashboard/orders`: the organization's orders (or one page's, `?page_id=`), newest first, 50 a
//! page, with totals per currency, a CSV export, and a refund that asks for confirmation on a page
//! of its own (`?refund={id}`). Plain links and forms: all of it works without JavaScript.

use crate::orders::api::{RefundOrder, list_orders};
use crate::orders::model::{OrderStatus, OrdersOverview};
use crate::ui::head::Title;
use crate::ui::layout::AppFrame;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn OrdersRoute() -> impl IntoView {
    let query = use_query_map();
    let (page_id, page, refund, refunded) =
        query.with_untracked(|q| (q.get("page_id"), q.get("p").and_then(|p| p.parse::<u32>().ok()), q.get("refund"), q.get("refunded").is_some()));
    let error = crate::ui::fields::refusal_in_address::<RefundOrder>().map(|e| e.message);
    let overview = Resource::new(move || (page_id.clone(), page), |(page_id, page)| list_orders(page_id, page));
    let header = view! { <a class="back-link" href="/dashboard">"← Dashboard"</a> }.into_any();
    view! {
        <Title text="Orders · Flashpage"/>
        <AppFrame current="/dashboard/orders" header>
            <div class="panel-head"><h1>"Orders"</h1></div>
            {refunded.then(|| view! { <div class="form-notice" role="status">"The order was refunded. The buyer gets an email, and its download stops."</div> })}
            {error.map(|m| view! { <div class="form-alert" role="alert">{m}</div> })}
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading orders…"</p> }>
                {move || {
                    let refund = refund.clone();
                    Suspend::new(async move {
                        match overview.await {
                            Ok(o) => view! { <Orders o refund/> }.into_any(),
                            Err(error) => view! { <crate::ui::status::LoadRefused error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </AppFrame>
    }
}

#[component]
fn Orders(o: OrdersOverview, refund: Option<String>) -> impl IntoView {
    let filter_q = o.filter.as_ref().map(|(id, _)| format!("page_id={id}&")).unwrap_or_default();
    let export = format!("/dashboard/orders.csv{}", o.filter.as_ref().map(|(id, _)| format!("?page_id={id}")).unwrap_or_default());
    let confirm = refund.and_then(|id| o.rows.iter().find(|r| r.id == id && r.refundable).cloned());
    let empty = o.rows.is_empty() && o.page == 1;
    view! {
        {o.filter.clone().map(|(_, title)| view! { <p>"Orders of the page " <strong>{title}</strong> " · " <a href="/dashboard/orders">"All orders"</a></p> })}
        {confirm.map(|r| view! {
            <section class="confirm" aria-labelledby="refund-title">
                <h2 id="refund-title">{format!("Refund {} to {}?", r.amount, r.email.as_deref().unwrap_or("the buyer"))}</h2>
                <p>"The full amount goes back to the buyer, the download link stops working, and the buyer gets an email. This cannot be undone."</p>
                <form method="post" action=RefundOrder::url()>
                    <input type="hidden" name="id" value=r.id.clone()/>
                    <button class="button button--danger" type="submit">"Refund"</button>
                    " "
                    <a class="button button--ghost" href="/dashboard/orders">"Keep the order"</a>
                </form>
            </section>
        })}
        {if empty {
            view! {
                <div class="empty-state">
                    <p><strong>"No orders yet."</strong></p>
                    <p>"Put a product on a flash-sale or limited-offer page and publish it: orders show up here as they come in."</p>
                </div>
            }.into_any()
        } else {
            view! {
                <ul class="totals" aria-label="Totals">
                    {o.totals.iter().map(|t| view! {
                        <li data-testid="totals">
                            <strong>{t.revenue.clone()}</strong>
                            {format!(" from {} paid order{}", t.paid_orders, if t.paid_orders == 1 { "" } else { "s" })}
                            {(t.refunds > 0).then(|| format!(" · {} refunded ({})", t.refunds, t.refunded))}
                        </li>
                    }).collect_view()}
                </ul>
                {o.can_export.then(|| view! { <p><a class="button button--ghost" href=export.clone() download="orders.csv">"Export CSV"</a></p> })}
                <div class="table-wrap">
                    <table class="pages-table orders-table">
                        <thead><tr>
                            <th scope="col">"Date (UTC)"</th><th scope="col">"Item"</th><th scope="col">"Buyer"</th>
                            <th scope="col" class="num">"Amount"</th><th scope="col">"Status"</th><th scope="col">"Downloads"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr></thead>
                        <tbody>
                            {o.rows.iter().map(|r| {
                                let class = match r.status {
                                    OrderStatus::Completed => "live",
                                    OrderStatus::Processing | OrderStatus::Pending | OrderStatus::RefundPending => "scheduled",
                                    OrderStatus::Refunded => "ended",
                                    _ => "off",
                                };
                                let refund_link = format!("/dashboard/orders?{filter_q}refund={}", r.id);
                                view! {
                                    <tr data-testid="order-row">
                                        <td>{r.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                        <td>{r.title.clone()}</td>
                                        <td>{r.email.clone().unwrap_or_else(|| "hidden".into())}</td>
                                        <td class="num">{r.amount.clone()}</td>
                                        <td><span class=format!("badge badge--{class}")>{r.status.label()}</span></td>
                                        <td>{r.downloads.clone()}</td>
                                        <td>{r.refundable.then(|| view! { <a href=refund_link>"Refund…"</a> })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <nav class="pager" aria-label="Pages of orders">
                    {(o.page > 1).then(|| view! { <a href=format!("/dashboard/orders?{filter_q}p={}", o.page - 1)>"← Newer"</a> })}
                    {o.has_more.then(|| view! { <a href=format!("/dashboard/orders?{filter_q}p={}", o.page + 1)>"Older →"</a> })}
                </nav>
            }.into_any()
        }}
    }
}
