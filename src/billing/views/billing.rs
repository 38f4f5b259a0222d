//! `/dashboard/billing` (admins): the plan and its status, usage meters against every limit, the
//! plans to change to, the payment provider's portal, and (test checkout only) the test controls.
//! Plain forms: each posts and comes back with `?saved=…` or its refusal, with or without
//! JavaScript.

use super::plan_card;
use crate::billing::api::{ChangePlan, OpenBillingPortal, TestBillingControl, load_billing};
use crate::billing::model::{BillingView, Meter, PlanAction};
use crate::ui::fields::{FormAlert, refusal_in_address, refusal_summary};
use crate::ui::head::Title;
use crate::ui::layout::AppFrame;
use crate::ui::status::LoadRefused;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn BillingRoute() -> impl IntoView {
    let saved = use_query_map().with_untracked(|q| q.get("saved"));
    let refusal = refusal_in_address::<ChangePlan>().or_else(refusal_in_address::<OpenBillingPortal>).or_else(refusal_in_address::<TestBillingControl>);
    let notice = saved.as_deref().and_then(|s| match s {
        "paid" => Some("Thank you! Your new plan starts as soon as the payment is confirmed (usually within seconds)."),
        "cancelled" => Some("Payment cancelled: your plan is unchanged."),
        "changed" => Some("Your plan is changed."),
        "period_ended" => Some("Test mode: the period ended now."),
        "will_fail" => Some("Test mode: the next payment will fail."),
        _ => None,
    });
    let billing = Resource::new(|| (), |_| load_billing());
    let header = view! { <a class="back-link" href="/dashboard">"← Dashboard"</a> }.into_any();
    view! {
        <Title text="Billing · Flashpage"/>
        <AppFrame current="/dashboard/billing" header>
            <div class="panel-head"><h1>"Billing"</h1></div>
            {notice.map(|n| view! { <div class="form-notice" role="status" data-testid="billing-saved">{n}</div> })}
            <FormAlert message=refusal_summary(&refusal)/>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match billing.await {
                        Ok(b) => billing_view(b),
                        Err(error) => view! { <LoadRefused error/> }.into_any(),
                    }
                })}
            </Suspense>
        </AppFrame>
    }
}

fn meter_view(m: &Meter) -> AnyView {
    let class = if m.over { "meter meter--over" } else { "meter" };
    let text = format!("{} of {}", m.used, m.limit);
    view! {
        <div class=class data-testid="meter">
            <div class="meter-label"><span>{m.label.clone()}</span><span>{text}</span></div>
            {m.percent.map(|p| view! {
                <div class="meter-bar" role="meter" aria-label=m.label.clone() aria-valuemin="0" aria-valuemax="100" aria-valuenow=p.to_string()>
                    <span style=format!("width:{p}%")></span>
                </div>
            })}
        </div>
    }
    .into_any()
}

fn plan_button(plan: &str, label: &'static str, pending: bool) -> AnyView {
    view! {
        <form method="post" action=ChangePlan::url() class="inline-form">
            <input type="hidden" name="plan" value=plan.to_string()/>
            <button class="button" type="submit" disabled=pending aria-label=format!("{label}: {plan}")>{label}</button>
        </form>
    }
    .into_any()
}

fn billing_view(b: BillingView) -> AnyView {
    let cards = b
        .plans
        .iter()
        .map(|p| {
            let action = match p.action {
                PlanAction::Current => view! { <p class="badge badge--live">"Your plan"</p> }.into_any(),
                PlanAction::Resume => plan_button(&p.name, "Keep this plan", b.payment_pending),
                PlanAction::Upgrade => plan_button(&p.name, "Upgrade", b.payment_pending),
                PlanAction::Downgrade => plan_button(&p.name, "Downgrade", b.payment_pending),
            };
            plan_card(p, action)
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="plan-heading">
            <h2 id="plan-heading">"Your plan: " <span data-testid="plan-name">{b.plan_name.clone()}</span></h2>
            <p data-testid="plan-status">{b.status_line.clone()}</p>
            {b.notices.iter().map(|n| view! { <p class="form-alert" role="status" data-testid="billing-notice">{n.clone()}</p> }).collect_view()}
            <div class="meters">{b.meters.iter().map(meter_view).collect_view()}</div>
            <dl class="plan-limits">
                {b.facts.iter().map(|(what, value)| view! { <div><dt>{what.clone()}</dt><dd>{value.clone()}</dd></div> }).collect_view()}
            </dl>
            {b.has_portal.then(|| view! {
                <form method="post" action=OpenBillingPortal::url()>
                    <button class="button button--ghost" type="submit">"Payment method and invoices"</button>
                </form>
            })}
        </section>
        <section aria-labelledby="plans-heading">
            <h2 id="plans-heading">"Plans"</h2>
            <ul class="plan-grid">{cards}</ul>
            <p class="panel-note">"Upgrades take effect at once (the difference is charged pro rata). A downgrade to Free takes effect at the end of the paid period. Nothing is deleted: if more is published than a plan allows, it stays online for 14 days, then the newest pages and products above the limits are switched off."</p>
        </section>
        {b.test_mode.then(|| view! {
            <section class="panel" aria-labelledby="test-heading" data-testid="test-controls">
                <h2 id="test-heading">"Test mode"</h2>
                <p class="field-hint">"Payments go through the built-in test checkout: no money moves. These controls play the passing of time."</p>
                {if b.test_subscription {
                    view! {
                        <form method="post" action=TestBillingControl::url() class="inline-form">
                            <button class="button button--ghost" type="submit">"End the current period now"</button>
                        </form>
                        <form method="post" action=TestBillingControl::url() class="inline-form">
                            <input type="hidden" name="fail_next" value="true"/>
                            <button class="button button--ghost" type="submit">"Make the next payment fail"</button>
                        </form>
                    }.into_any()
                } else {
                    view! { <p class="field-hint">"Choose a paid plan to try them."</p> }.into_any()
                }}
            </section>
        })}
    }
    .into_any()
}
