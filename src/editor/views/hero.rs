//! The hero image in the editor: a multipart form that works as a plain post; with JavaScript the
//! same form is sent with `XMLHttpRequest` so a progress bar can show how far the upload is.

use crate::editor::api::RemoveHeroImage;
use crate::pages::customization::HERO_IMAGE_MAX_BYTES;
use leptos::prelude::*;

const ACCEPTED: &str = "image/png,image/jpeg,image/gif,image/webp";

#[component]
pub fn HeroImage(
    page_id: String,
    url: Option<String>,
    alt: String,
    remove: ServerAction<RemoveHeroImage>,
    uploaded: Callback<()>,
    /// Owned by the editor route: it outlives the reload that follows an upload.
    status: RwSignal<String>,
    /// Without JavaScript the server's message comes back in the address (`?upload_error=`).
    server_error: Option<String>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let server_error = StoredValue::new(server_error);
    let progress = RwSignal::new(None::<u32>);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let file_ref = NodeRef::<leptos::html::Input>::new();
    let action = format!("/dashboard/pages/{page_id}/hero");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        upload_with_progress(ev, form_ref, file_ref, error, progress, status, uploaded);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, form_ref, file_ref, uploaded);
    };
    let shown_error = move || error.get().or_else(|| server_error.get_value());
    view! {
        <section class="hero-upload" aria-labelledby="hero-title">
            <h2 id="hero-title">"Hero image"</h2>
            {url.clone().map(|src| view! { <img class="hero-preview" src=src alt=alt.clone() data-testid="hero-preview"/> })}
            <form node_ref=form_ref method="post" action=action enctype="multipart/form-data" on:submit=on_submit class="hero-form">
                <div class="field" class:field--invalid=move || shown_error().is_some()>
                    <label for="hero-file">{if url.is_some() { "Replace the image" } else { "Upload an image" }}</label>
                    <p class="field-hint" id="hero-hint">{format!("PNG, JPEG, GIF or WebP, up to {} MB. Wide images (1600×900) look best.", HERO_IMAGE_MAX_BYTES / (1024 * 1024))}</p>
                    <input node_ref=file_ref id="hero-file" type="file" name="image" accept=ACCEPTED required=true
                        aria-describedby="hero-hint hero-error" aria-invalid=move || if shown_error().is_some() { "true" } else { "false" }/>
                    <p class="field-error" id="hero-error" aria-live="polite">{move || shown_error().unwrap_or_default()}</p>
                </div>
                <div class="hero-row">
                    <button class="button" type="submit" disabled=move || progress.get().is_some()>"Upload"</button>
                    <Show when=move || progress.get().is_some()>
                        <progress max="100" value=move || progress.get().unwrap_or(0) aria-label="Upload progress"></progress>
                    </Show>
                    <span class="muted" role="status" aria-live="polite" data-testid="upload-status">{move || status.get()}</span>
                </div>
            </form>
            {url.is_some().then(|| view! {
                <ActionForm action=remove>
                    <input type="hidden" name="id" value=page_id.clone()/>
                    <button class="button button--ghost button--small" type="submit">"Remove image"</button>
                </ActionForm>
            })}
        </section>
    }
}

/// Sends the form with `XMLHttpRequest` (fetch has no upload progress) and reports progress,
/// the server's message on failure, and success.
#[cfg(feature = "hydrate")]
fn upload_with_progress(
    ev: leptos::ev::SubmitEvent,
    form_ref: NodeRef<leptos::html::Form>,
    file_ref: NodeRef<leptos::html::Input>,
    error: RwSignal<Option<String>>,
    progress: RwSignal<Option<u32>>,
    status: RwSignal<String>,
    uploaded: Callback<()>,
) {
    use crate::ui::post::{Payload, post};
    let (Some(form), Some(input)) = (form_ref.get_untracked(), file_ref.get_untracked()) else { return };
    ev.prevent_default();
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        error.set(Some("Choose an image to upload.".into()));
        return;
    };
    // The same limit the server enforces, checked before sending megabytes for nothing.
    if file.size() > HERO_IMAGE_MAX_BYTES as f64 {
        error.set(Some(format!("Images can be up to {} MB. Try a smaller or more compressed one.", HERO_IMAGE_MAX_BYTES / (1024 * 1024))));
        return;
    }
    let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
    error.set(None);
    status.set("Uploading…".into());
    progress.set(Some(0));
    post(&form.action(), Payload::Form(data), Some(Box::new(move |percent| progress.set(Some(percent)))), move |answer| {
        progress.set(None);
        match answer {
            Ok(_) => {
                status.set("Uploaded.".into());
                uploaded.run(());
            }
            Err(e) => {
                status.set(String::new());
                error.set(Some(e.field_message("image").unwrap_or(e.message)));
            }
        }
    });
}
