//! The built-in test checkout's payment page (`/checkout/test/{session}`): what Stripe's page
//! would be, clearly marked as a test, with Pay and Cancel.

use crate::orders::api::{CancelTestCheckout, PayTestCheckout, load_test_checkout};
use crate::ui::head::Title;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

#[component]
pub fn TestCheckoutRoute() -> impl IntoView {
    let params = use_params_map();
    let session = Resource::new(move || params.with(|p| p.get("session").unwrap_or_default()), load_test_checkout);
    view! {
        <Title text="Test checkout · Flashpage"/>
        <Meta name="robots" content="noindex"/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(s) => view! {
                        <main class="pp">
                            <div class="pp-card order-card">
                                <p class="test-mode" role="note">"Test mode: this is the built-in test checkout. No card is asked for and no money moves. Set STRIPE_SECRET_KEY to take real payments."</p>
                                <h1>"Pay"</h1>
                                <dl class="order-facts">
                                    <dt>"Item"</dt><dd>{s.description.clone()}</dd>
                                    <dt>"Amount"</dt><dd data-testid="checkout-amount">{s.amount.clone()}</dd>
                                    <dt>"Email"</dt><dd>{s.email.clone()}</dd>
                                </dl>
                                {if s.payable {
                                    view! {
                                        <div class="checkout-actions">
                                            <form method="post" action=PayTestCheckout::url()>
                                                <input type="hidden" name="session_id" value=s.session_id.clone()/>
                                                <button class="button button--large" type="submit">{format!("Pay {}", s.amount)}</button>
                                            </form>
                                            <form method="post" action=CancelTestCheckout::url()>
                                                <input type="hidden" name="session_id" value=s.session_id.clone()/>
                                                <button class="button button--ghost" type="submit">"Cancel"</button>
                                            </form>
                                        </div>
                                    }.into_any()
                                } else {
                                    view! { <p class="form-alert" role="alert">"This payment page has closed. Go back to the page and press Buy again."</p> }.into_any()
                                }}
                            </div>
                        </main>
                    }.into_any(),
                    Err(err) => {
                        super::failed_status(&err);
                        view! { <main class="pp"><div class="pp-card" role="alert"><h1>"Payment page not found"</h1><p>{err.message}</p></div></main> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
