//! Where a download link that cannot open its file leads (`/d/{token}/help`): why, and a button
//! that mails a fresh link to the order's address when that would help.

use crate::orders::api::{SendFreshLink, download_help};
use crate::ui::head::Title;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn DownloadHelpRoute() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let sent = use_query_map().with_untracked(|q| q.get("sent").is_some());
    let error = crate::ui::fields::refusal_in_address::<SendFreshLink>().map(|e| e.message);
    let help = Resource::new(token, download_help);
    view! {
        <Title text="Download · Flashpage"/>
        <Meta name="robots" content="noindex"/>
        <Suspense fallback=|| ()>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                    let help = help.await;
                    let token = token();
                    view! {
                        <main class="pp">
                            <div class="pp-card order-card">
                                <h1>"Your download"</h1>
                                {match help {
                                    Ok(h) => view! {
                                        <p class="pp-lede" role="status" data-testid="download-help">{h.message}</p>
                                        {sent.then(|| view! { <p role="status" class="notice">"If this order is yours, a fresh link is on its way to the address used at checkout."</p> })}
                                        {error.map(|m| view! { <p class="form-alert" role="alert">{m}</p> })}
                                        {(h.renewable && !sent).then(|| view! {
                                            <form method="post" action=SendFreshLink::url()>
                                                <input type="hidden" name="token" value=token.clone()/>
                                                <button class="button" type="submit">"Email me a fresh link"</button>
                                            </form>
                                        })}
                                    }.into_any(),
                                    Err(e) => view! { <p role="alert">{e.message}</p> }.into_any(),
                                }}
                            </div>
                        </main>
                    }
                })
            }}
        </Suspense>
    }
}
