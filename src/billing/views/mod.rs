//! Billing screens: the public pricing page and the admins' billing page.

mod billing;
mod pricing;

pub use billing::BillingRoute;
pub use pricing::PricingRoute;

use crate::billing::model::PlanCard;
use leptos::prelude::*;

/// A plan's name, price, description and limits (both pages show plans the same way); `action`
/// is what the card offers.
pub(super) fn plan_card(p: &PlanCard, action: AnyView) -> AnyView {
    view! {
        <li class="plan-card" data-testid="plan" data-plan=p.name.clone()>
            <h3>{p.name.clone()}</h3>
            <p class="plan-price">{p.price.clone()}</p>
            <p class="plan-description">{p.description.clone()}</p>
            <dl class="plan-limits">
                {p.limits.iter().map(|(what, value)| view! { <div><dt>{what.clone()}</dt><dd>{value.clone()}</dd></div> }).collect_view()}
            </dl>
            {action}
        </li>
    }
    .into_any()
}
