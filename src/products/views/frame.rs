//! The frame around the product screens: the dashboard's, with a way back to its overview.

use crate::ui::layout::AppFrame;
use leptos::prelude::*;

#[component]
pub fn ProductsFrame(children: Children) -> impl IntoView {
    let header = view! { <a class="back-link" href="/dashboard">"← Dashboard"</a> }.into_any();
    view! { <AppFrame current="/dashboard/products" header>{children()}</AppFrame> }
}
