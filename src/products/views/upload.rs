//! A product file's upload, with progress when JavaScript is on.
//!
//! The form is the server's (a plain multipart post that works without JavaScript). This lazy
//! island renders nothing: it takes over the form's submit and sends it with `ui::post`, which
//! reports how much has gone, shows that in the form's `<progress>`, and on success opens the
//! product again (which shows the new file); a refusal appears beside the field.

use leptos::prelude::*;

/// The ids the island finds the form's parts by.
pub const FORM_ID: &str = "product-file-form";
pub const INPUT_ID: &str = "product-file";
pub const ERROR_ID: &str = "product-file-error";
pub const PROGRESS_ID: &str = "product-file-progress";
pub const STATUS_ID: &str = "product-file-status";

// Loaded on demand in a split build (see build.rs).
#[cfg_attr(wasm_split, island(lazy))]
#[cfg_attr(not(wasm_split), island)]
pub fn FileUploadInPlace() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        crate::ui::islands::report_hydrated();
        in_place::take_over();
    }
}

#[cfg(feature = "hydrate")]
mod in_place {
    use super::*;
    use crate::ui::islands::element;
    use crate::ui::post::{Payload, post};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    pub fn take_over() {
        let Some(form) = element(FORM_ID) else { return };
        let on_submit = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            let (Some(form), Some(input), Some(error), Some(progress), Some(status)) =
                (element(FORM_ID), element(INPUT_ID), element(ERROR_ID), element(PROGRESS_ID), element(STATUS_ID))
            else {
                return; // the plain post goes ahead
            };
            let Some(form) = form.dyn_ref::<web_sys::HtmlFormElement>().cloned() else { return };
            ev.prevent_default();
            let chosen = input.dyn_ref::<web_sys::HtmlInputElement>().and_then(|i| i.files()).is_some_and(|f| f.length() > 0);
            if !chosen {
                error.set_text_content(Some("Choose a file to upload."));
                let _ = input.set_attribute("aria-invalid", "true");
                return;
            }
            let Ok(Some(button)) = form.query_selector("button[type=submit]") else { return };
            if button.has_attribute("disabled") {
                return; // already sending
            }
            let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
            let _ = button.set_attribute("disabled", "");
            error.set_text_content(None);
            let _ = progress.remove_attribute("hidden");
            let _ = progress.set_attribute("value", "0");
            status.set_text_content(Some("Uploading…"));
            let shown = progress.clone();
            let report = move |percent: u32| {
                let _ = shown.set_attribute("value", &percent.to_string());
            };
            post(&form.action(), Payload::Form(data), Some(Box::new(report)), move |answer| match answer {
                Ok(_) => {
                    status.set_text_content(Some("Uploaded."));
                    let here = window().location();
                    let _ = here.set_href(&format!("{}?saved=1", here.pathname().unwrap_or_default()));
                }
                Err(e) => {
                    let _ = button.remove_attribute("disabled");
                    let _ = progress.set_attribute("hidden", "");
                    status.set_text_content(None);
                    let _ = input.set_attribute("aria-invalid", "true");
                    error.set_text_content(Some(&e.field_message("file").unwrap_or(e.message)));
                }
            });
        });
        let _ = form.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        // The listener lives as long as the page.
        on_submit.forget();
    }
}
