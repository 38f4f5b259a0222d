//! `/u/{id}/{token}`: the unsubscribe link of bulk mail. A button (a plain post, so that a mail
//! scanner that opens links doesn't unsubscribe anyone), then the confirmation.

use crate::ui::head::Title;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::{use_location, use_query_map};

#[component]
pub fn UnsubscribeRoute() -> impl IntoView {
    let done = use_query_map().with_untracked(|q| q.get("done").is_some());
    let action = use_location().pathname.get_untracked();
    view! {
        <Title text="Unsubscribe · Flashpage"/>
        <Meta name="robots" content="noindex"/>
        <main class="pp">
            <div class="pp-card order-card">
                <h1>"Emails about this page"</h1>
                {if done {
                    view! { <p role="status" data-testid="unsubscribed">"Done: you won't get reminders or news about this page any more. Confirmations of what you do yourself still come."</p> }.into_any()
                } else {
                    view! {
                        <p>"Stop reminders and news about this page?"</p>
                        <form method="post" action=action>
                            <button class="button" type="submit">"Unsubscribe"</button>
                        </form>
                    }.into_any()
                }}
            </div>
        </main>
    }
}
