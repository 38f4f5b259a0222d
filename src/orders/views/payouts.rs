//! `/dashboard/payouts` ("Get paid"): where the organization's sales are paid out (Stripe Connect,
//! Express). A plain form sends the creator to Stripe's onboarding, which sends them back here.

use crate::orders::api::{StartPayouts, load_payouts};
use crate::orders::model::PayoutsView;
use crate::ui::head::Title;
use crate::ui::layout::AppFrame;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PayoutsRoute() -> impl IntoView {
    let returned = use_query_map().with_untracked(|q| q.get("returned").is_some());
    let error = crate::ui::fields::refusal_in_address::<StartPayouts>().map(|e| e.message);
    let view = Resource::new(move || returned, load_payouts);
    let header = view! { <a class="back-link" href="/dashboard">"← Dashboard"</a> }.into_any();
    view! {
        <Title text="Get paid · Flashpage"/>
        <AppFrame current="/dashboard/payouts" header>
            <div class="panel-head"><h1>"Get paid"</h1></div>
            {error.map(|m| view! { <div class="form-alert" role="alert">{m}</div> })}
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match view.await {
                        Ok(v) => view! { <Payouts v/> }.into_any(),
                        Err(error) => view! { <crate::ui::status::LoadRefused error/> }.into_any(),
                    }
                })}
            </Suspense>
        </AppFrame>
    }
}

#[component]
fn Payouts(v: PayoutsView) -> impl IntoView {
    if !v.needed {
        return view! {
            <p class="test-mode" role="note">"Test mode: buyers pay on the built-in test checkout and no money moves, so there is nothing to set up. With Stripe configured, this is where your sales get paid out."</p>
        }
        .into_any();
    }
    let (state, text) = match (v.account, v.status.charges_enabled, v.status.payouts_enabled) {
        (false, _, _) => (
            "Not set up",
            "Set up payouts with Stripe to sell: your buyers pay through Stripe, and your sales (less the platform fee of your plan) are paid out to your bank account.",
        ),
        (true, false, _) => ("Incomplete", "Stripe needs a few more details before you can take payments. Pages that sell can't be published until then."),
        (true, true, false) => ("Taking payments", "You can sell. Stripe still needs details before it pays out to your bank account."),
        (true, true, true) => ("Ready", "You can sell, and your sales are paid out to your bank account."),
    };
    let label = if v.account { "Continue with Stripe" } else { "Set up payouts with Stripe" };
    view! {
        <p><span class="badge badge--scheduled" data-testid="payout-state">{state}</span></p>
        <p>{text}</p>
        {if v.can_manage {
            view! {
                <form method="post" action=StartPayouts::url()>
                    <button class="button" type="submit">{label}</button>
                </form>
            }.into_any()
        } else {
            view! { <p class="field-hint">"An admin or manager of your organization sets up payouts."</p> }.into_any()
        }}
    }
    .into_any()
}
