//! Sending a form to the server from an island, with `XMLHttpRequest`.
//!
//! Islands that only send a form (the notify-me sign-up, an image upload) use this rather than
//! the server-function client: that client brings its codecs and error decoding into the
//! download, about 50 KB of wasm a visitor's page does not otherwise need; and `fetch` cannot
//! report upload progress. The server's answer is the same either way: JSON, with an
//! [`AppError`] and its HTTP status on failure.

use crate::error::{AppError, ErrorKind};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// What is sent.
pub enum Payload {
    /// A form as it is (`multipart/form-data`), files included.
    Form(web_sys::FormData),
    /// Fields sent as `application/x-www-form-urlencoded`, the way server functions read them.
    Fields(Vec<(&'static str, String)>),
}

/// POSTs `payload` to `url`. `done` gets the answer's body, or the server's error (one that says
/// so when the server could not be reached); `on_progress` the share of the upload sent, in percent.
pub fn post(url: &str, payload: Payload, on_progress: Option<Box<dyn FnMut(u32)>>, done: impl FnOnce(Result<String, AppError>) + 'static) {
    let unreachable = || AppError::new(ErrorKind::Unavailable, "Could not reach the server. Check your connection and try again.");
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else { return done(Err(unreachable())) };
    if xhr.open("POST", url).is_err() {
        return done(Err(unreachable()));
    }
    let _ = xhr.set_request_header("Accept", "application/json");
    let progress = on_progress.map(|mut report| {
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                report((e.loaded() / e.total() * 100.0).round() as u32);
            }
        })
    });
    if let (Some(progress), Ok(upload)) = (&progress, xhr.upload()) {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    // `done` is called once: from `loadend`, or here if the request cannot even start.
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let answer = {
        let done = done.clone();
        move |result: Result<String, AppError>| {
            if let Some(done) = done.borrow_mut().take() {
                done(result);
            }
        }
    };
    let answered = xhr.clone();
    let on_done = {
        let answer = answer.clone();
        // Called once, after which the browser frees it; the progress handler is dropped with it.
        Closure::once_into_js(move || {
            drop(progress);
            let status = answered.status().unwrap_or(0);
            let body = answered.response_text().ok().flatten().unwrap_or_default();
            answer(match status {
                200..=299 => Ok(body),
                0 => Err(unreachable()),
                _ => Err(serde_json::from_str::<AppError>(&body)
                    .unwrap_or_else(|_| AppError::new(ErrorKind::Unavailable, "The server could not take this. Please try again."))),
            });
        })
    };
    xhr.set_onloadend(Some(on_done.unchecked_ref()));
    let sent = match payload {
        Payload::Form(data) => xhr.send_with_opt_form_data(Some(&data)),
        Payload::Fields(fields) => {
            let _ = xhr.set_request_header("Content-Type", "application/x-www-form-urlencoded");
            let body: Vec<String> =
                fields.iter().map(|(name, value)| format!("{name}={}", String::from(web_sys::js_sys::encode_uri_component(value)))).collect();
            xhr.send_with_opt_str(Some(&body.join("&")))
        }
    };
    if sent.is_err() {
        answer(Err(unreachable()));
    }
}
