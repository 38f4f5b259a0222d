use super::status;
use crate::editor::api::{CreatePage, list_pages};
use crate::pages::settings::PageType;
use crate::ui::fields::FormAlert;
use leptos::prelude::*;

/// The organization's pages with status and views, and the form that starts a new one.
#[component]
pub fn PagesPanel() -> impl IntoView {
    let pages = Resource::new(|| (), |_| list_pages());
    view! {
        <section class="panel pages-panel" aria-labelledby="pages-title">
            <div class="panel-head">
                <h2 id="pages-title">"Pages"</h2>
            </div>
            <CreatePageForm/>
            <Suspense fallback=|| view! { <p class="loading">"Loading pages…"</p> }>
                {move || Suspend::new(async move {
                    match pages.await {
                        Ok(list) if list.is_empty() => view! {
                            <div class="empty-state">
                                <p><strong>"No pages yet."</strong></p>
                                <p>"Pick a kind above and give it a headline: you can fill in the rest in the editor, then publish when it's ready."</p>
                            </div>
                        }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table class="pages-table">
                                    <thead>
                                        <tr><th scope="col">"Page"</th><th scope="col">"Kind"</th><th scope="col">"Status"</th><th scope="col" class="num">"Views"</th></tr>
                                    </thead>
                                    <tbody>
                                        {list.into_iter().map(|p| {
                                            let (label, class) = status(p.phase);
                                            view! {
                                                <tr>
                                                    <td><a href=format!("/dashboard/pages/{}", p.id)>{p.headline}</a><div class="muted">{format!("/p/{}", p.short_id)}</div></td>
                                                    <td>{p.page_type.label()}</td>
                                                    <td><span class=format!("badge badge--{class}")>{label}</span></td>
                                                    <td class="num">{p.view_count}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <crate::ui::status::LoadRefused error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Starts a page and opens it in the editor; a refusal (the plan's limit, a bad headline) shows
/// above the form without a reload.
// Loaded on demand in a split build (see build.rs).
#[cfg_attr(wasm_split, island(lazy))]
#[cfg_attr(not(wasm_split), island)]
fn CreatePageForm() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    crate::ui::islands::report_hydrated();
    let create = ServerAction::<CreatePage>::new();
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err).map(|e| e.message));
    view! {
        <FormAlert message=create_error/>
        <ActionForm action=create attr:class="create-page">
            <div class="field">
                <label for="new-page-type">"Kind"</label>
                <select id="new-page-type" name="page_type">
                    {PageType::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="new-page-headline">"Headline"</label>
                <input id="new-page-headline" name="headline" placeholder="Spring launch" maxlength="120"/>
            </div>
            <button class="button" type="submit">"Create page"</button>
        </ActionForm>
    }
}
