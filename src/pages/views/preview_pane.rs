//! The editor's live preview: the visitor's page component, fed by the unsaved form. Typing
//! updates it (debounced) through the `preview_page` server function; without JavaScript it shows
//! the saved page, and the phase links still work.

use crate::pages::api::preview_page;
use crate::pages::editor_form::PageForm;
use crate::pages::preview_phase::PreviewPhase;
use crate::pages::public::view::PublicPageView;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn EditorPreview(page_id: String, draft: RwSignal<PageForm>) -> impl IntoView {
    let query = use_query_map();
    let phase = Memo::new(move |_| PreviewPhase::parse(&query.with(|q| q.get("preview")).unwrap_or_default()));
    let id = StoredValue::new(page_id.clone());
    let preview = Resource::new(move || (draft.get(), phase.get()), move |(form, phase)| preview_page(id.get_value(), form, phase.as_str().to_string()));
    view! {
        <aside class="editor-preview" aria-labelledby="preview-title">
            <div class="preview-head">
                <h2 id="preview-title">"Preview"</h2>
                <nav class="preview-phases" aria-label="Show the page">
                    {PreviewPhase::ALL.into_iter().map(|p| {
                        let href = format!("/dashboard/pages/{page_id}?preview={}", p.as_str());
                        view! {
                            <a href=href class="preview-phase" aria-current=move || (phase.get() == p).then_some("page")>{p.label()}</a>
                        }
                    }).collect_view()}
                </nav>
            </div>
            <div class="preview-frame" data-testid="preview">
                <Transition fallback=|| view! { <p class="loading" role="status">"Loading the preview…"</p> }>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Ok(page) => view! { <PublicPageView page/> }.into_any(),
                            Err(e) => view! {
                                <p class="preview-note" role="status">
                                    {if e.fields.is_empty() { e.message } else { "Fix the highlighted fields to see the preview.".to_string() }}
                                </p>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </aside>
    }
}

/// Reads the editor form into a [`PageForm`] a moment after the last keystroke.
#[cfg(feature = "hydrate")]
pub fn read_form_later(form: web_sys::HtmlFormElement, draft: RwSignal<PageForm>, pending: StoredValue<Option<TimeoutHandle>>) {
    if let Some(handle) = pending.get_value() {
        handle.clear();
    }
    let handle = set_timeout_with_handle(
        move || {
            let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
            let pairs = PageForm::KEYS
                .iter()
                .filter_map(|key| data.get(&format!("form[{key}]")).as_string().map(|v| (key.to_string(), serde_json::Value::String(v))));
            if let Ok(next) = serde_json::from_value::<PageForm>(serde_json::Value::Object(pairs.collect())) {
                if draft.with_untracked(|d| *d != next) {
                    draft.set(next);
                }
            }
        },
        std::time::Duration::from_millis(400),
    );
    pending.set_value(handle.ok());
}
