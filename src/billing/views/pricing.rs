//! `/pricing`: the plans anyone can choose, with every limit, and where to start.

use super::plan_card;
use crate::billing::api::load_pricing;
use crate::ui::head::Title;
use crate::ui::layout::SiteFrame;
use leptos::prelude::*;
use leptos_meta::Meta;

#[component]
pub fn PricingRoute() -> impl IntoView {
    let plans = Resource::new(|| (), |_| load_pricing());
    view! {
        <Title text="Pricing · Flashpage"/>
        <Meta name="description" content="Flashpage plans: start free, upgrade when you launch more."/>
        <SiteFrame>
            <section class="container pricing">
                <h1>"Pricing"</h1>
                <p class="section-lede">"Start free. Upgrade when you launch more; downgrade or cancel any time, and nothing you made is deleted."</p>
                <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match plans.await {
                            Ok(plans) => view! {
                                <ul class="plan-grid">
                                    {plans.iter().map(|p| {
                                        let cta = if p.price == "Free" { "Create your free account" } else { "Start with this plan" };
                                        plan_card(p, view! { <a class="button" href=format!("/signup?plan={}", p.name)>{cta}</a> }.into_any())
                                    }).collect_view()}
                                </ul>
                                <p class="panel-note">"Prices are per organization, not per seat. A plan change takes effect at once; a downgrade to Free at the end of the period you paid for."</p>
                            }.into_any(),
                            Err(e) => view! { <p class="form-alert" role="alert">{e.message}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </SiteFrame>
    }
}
