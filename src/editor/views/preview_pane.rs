//! The editor's live preview: the visitor's page component, fed by the unsaved form. Typing
//! updates it (debounced) through the `preview_page` server function; without JavaScript it shows
//! the saved page, and the phase links still work.

use crate::editor::form::PageForm;
use crate::editor::preview_phase::PreviewPhase;
use crate::error::AppError;
use crate::storefront::model::PublicPage;
use crate::storefront::view::PublicPageView;
use leptos::prelude::*;

/// What the preview shows: the page, or why it cannot be shown (fields to fix).
pub type Shown = Result<PublicPage, AppError>;

/// The preview pane. `shown` starts as the server rendered it (an island hydrates no resources:
/// the first preview comes with the editor's data) and follows every change of `draft` and
/// `phase`; the editor renews it too when it reloads the page's data.
#[component]
pub fn EditorPreview(
    page_id: String,
    draft: RwSignal<PageForm>,
    /// The moment shown (`?preview=`). The links below work without JavaScript (the editor loads
    /// again at that phase); with it, they switch in place and keep the unsaved draft.
    phase: RwSignal<PreviewPhase>,
    shown: RwSignal<Shown>,
) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    follow_the_draft(page_id.clone(), draft, phase, shown);
    #[cfg(not(feature = "hydrate"))]
    let _ = draft;
    view! {
        <aside class="editor-preview" aria-labelledby="preview-title">
            <div class="preview-head">
                <h2 id="preview-title">"Preview"</h2>
                <nav class="preview-phases" aria-label="Show the page">
                    {PreviewPhase::ALL.into_iter().map(|p| {
                        let href = format!("/dashboard/pages/{page_id}?preview={}", p.as_str());
                        let show = move |ev: leptos::ev::MouseEvent| {
                            ev.prevent_default();
                            #[cfg(feature = "hydrate")]
                            if let Ok(history) = window().history() {
                                let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?preview={}", p.as_str())));
                            }
                            phase.set(p);
                        };
                        view! {
                            <a href=href class="preview-phase" aria-current=move || (phase.get() == p).then_some("page") on:click=show>{p.label()}</a>
                        }
                    }).collect_view()}
                </nav>
            </div>
            <div class="preview-frame" data-testid="preview">
                {move || match shown.get() {
                    Ok(page) => view! { <PublicPageView page/> }.into_any(),
                    Err(e) => view! {
                        <p class="preview-note" role="status">
                            {if e.fields.is_empty() { e.message } else { "Fix the highlighted fields to see the preview.".to_string() }}
                        </p>
                    }.into_any(),
                }}
            </div>
        </aside>
    }
}

/// Asks the server for the preview of each new draft or phase; an answer to an older question
/// that arrives late is dropped.
#[cfg(feature = "hydrate")]
fn follow_the_draft(page_id: String, draft: RwSignal<PageForm>, phase: RwSignal<PreviewPhase>, shown: RwSignal<Shown>) {
    let latest = StoredValue::new(0u64);
    Effect::watch(
        move || (draft.get(), phase.get()),
        move |(form, phase), _, _| {
            latest.update_value(|n| *n += 1);
            let asked = latest.get_value();
            let (id, form, phase) = (page_id.clone(), form.clone(), *phase);
            leptos::task::spawn_local(async move {
                let answer = crate::editor::api::preview_page(id, form, phase.as_str().to_string()).await;
                // Dropped too when the editor was drawn anew meanwhile (its preview asks again).
                if latest.try_get_value() == Some(asked) {
                    shown.set(answer);
                }
            });
        },
        false,
    );
}

/// The editor's form element inside `form_box`.
#[cfg(feature = "hydrate")]
pub fn form_in(form_box: NodeRef<leptos::html::Div>) -> Option<web_sys::HtmlFormElement> {
    use wasm_bindgen::JsCast;
    form_box.get_untracked().and_then(|d| d.query_selector("form").ok().flatten()).and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok())
}

/// What the editor form holds right now, as a [`PageForm`].
#[cfg(feature = "hydrate")]
pub fn read_form(form: &web_sys::HtmlFormElement) -> Option<PageForm> {
    let data = web_sys::FormData::new_with_form(form).ok()?;
    let pairs = PageForm::KEYS.iter().filter_map(|key| data.get(&format!("form[{key}]")).as_string().map(|v| (key.to_string(), serde_json::Value::String(v))));
    let mut fields: serde_json::Map<String, serde_json::Value> = pairs.collect();
    // The registration form's question rows, so the preview shows them as they are typed.
    let questions: Vec<serde_json::Value> = (0..=crate::pages::questions::MAX_CUSTOM_FIELDS)
        .filter_map(|i| {
            let part = |p: &str| data.get(&format!("form[questions][{i}][{p}]")).as_string();
            part("kind").map(|kind| {
                serde_json::json!({"id": part("id"), "label": part("label"), "kind": kind, "required": part("required"), "options": part("options"), "link": part("link")})
            })
        })
        .collect();
    if !questions.is_empty() {
        fields.insert("questions".into(), serde_json::Value::Array(questions));
    }
    serde_json::from_value::<PageForm>(serde_json::Value::Object(fields)).ok()
}

/// Reads the editor form into a [`PageForm`] a moment after the last keystroke.
#[cfg(feature = "hydrate")]
pub fn read_form_later(form: web_sys::HtmlFormElement, draft: RwSignal<PageForm>, pending: StoredValue<Option<TimeoutHandle>>) {
    if let Some(handle) = pending.get_value() {
        handle.clear();
    }
    let handle = set_timeout_with_handle(
        move || {
            // The editor may have been drawn anew meanwhile (a save reloads it, keeping what was
            // typed): then this draft is gone, and so is the need to update it.
            if let Some(next) = read_form(&form) {
                if draft.try_with_untracked(|d| *d != next) == Some(true) {
                    draft.try_set(next);
                }
            }
        },
        std::time::Duration::from_millis(400),
    );
    pending.set_value(handle.ok());
}
