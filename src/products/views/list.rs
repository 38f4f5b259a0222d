//! `/dashboard/products`: the organization's products with price and status, or a call to
//! create the first one.

use super::frame::ProductsFrame;
use crate::products::api::list_products;
use crate::products::model::ProductSummary;
use crate::ui::head::Title;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ProductsRoute() -> impl IntoView {
    let deleted = use_query_map().with_untracked(|q| q.get("deleted").is_some());
    let products = Resource::new(|| (), |_| list_products());
    view! {
        <Title text="Products · Flashpage"/>
        <ProductsFrame>
            <div class="panel-head">
                <h1>"Products"</h1>
                <a class="button" href="/dashboard/products/new">"New product"</a>
            </div>
            {deleted.then(|| view! { <div class="form-notice" role="status">"The product was deleted."</div> })}
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading products…"</p> }>
                {move || Suspend::new(async move {
                    match products.await {
                        Ok(list) if list.is_empty() => view! {
                            <div class="empty-state">
                                <p><strong>"No products yet."</strong></p>
                                <p>"A product is what you sell: a name, a price, and the file buyers download."</p>
                                <a class="button" href="/dashboard/products/new">"Create your first product"</a>
                            </div>
                        }.into_any(),
                        Ok(list) => view! { <ProductTable list/> }.into_any(),
                        Err(error) => view! { <crate::ui::status::LoadRefused error/> }.into_any(),
                    }
                })}
            </Suspense>
        </ProductsFrame>
    }
}

#[component]
fn ProductTable(list: Vec<ProductSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="pages-table products-table">
                <thead>
                    <tr><th scope="col">"Product"</th><th scope="col" class="num">"Price"</th><th scope="col">"Status"</th></tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|p| {
                        let (label, class) = p.status.badge();
                        let price = p.price();
                        view! {
                            <tr>
                                <td><a href=format!("/dashboard/products/{}", p.id)>{p.name}</a></td>
                                <td class="num">{price}</td>
                                <td><span class=format!("badge badge--{class}")>{label}</span></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
