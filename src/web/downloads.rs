//! `GET /d/{token}`: a buyer's download. The token is checked and the attempt and bytes counted
//! by the order domain; the file is then streamed from storage (with `Range` for resumed
//! downloads), or on S3/R2 a request for the whole file is sent to a presigned link valid for a
//! few minutes (a range is streamed by the app, so that a presigned link is always charged as the
//! whole file). A closed link answers with its status (404, 402 or 410) and the help page as its
//! body, which says why and offers a fresh link: a download manager or `curl -L` never saves the
//! help page as the file.

use crate::accounts::guard::Guard;
use crate::infra::state::AppState;
use crate::infra::storage::{ByteRange, ObjectKey, ReadError};
use crate::orders::backend::downloads::{Access, Closed, grant};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::time::Duration;

/// How long a presigned link works: long enough to start the download, too short to share.
const PRESIGNED_FOR: Duration = Duration::from_secs(5 * 60);

pub async fn download(State(state): State<AppState>, _guard: Guard, Path(token): Path<String>, request: Request) -> Response {
    let range = request.headers().get(header::RANGE).and_then(|v| v.to_str().ok()).and_then(ByteRange::parse);
    // Only a request for the whole file may leave for a presigned link.
    let presigns = range.is_none() && state.storage.presigns();
    let granted = match grant(&state, &token, range, presigns, chrono::Utc::now()).await {
        Ok(Access::File(g)) => g,
        Ok(Access::Closed(closed)) => return help_page(&state, &token, closed, request).await,
        Ok(Access::Unsatisfiable(size)) => return super::ranged::unsatisfiable(size),
        Err(e) => return crate::web::middleware::error_response(&e),
    };
    let Some(key) = ObjectKey::parse_product_file(&granted.storage_key) else { return help_page(&state, &token, Closed::Unknown, request).await };
    let disposition = attachment(&granted.file_name);
    if presigns {
        match state.storage.presigned_download(&key, PRESIGNED_FOR, &disposition).await {
            Ok(Some(url)) => return Redirect::to(&url).into_response(),
            Ok(None) => {}
            Err(e) => return crate::web::middleware::error_response(&e.into()),
        }
    }
    let read = match state.storage.read(&key, granted.range).await {
        Ok(read) => read,
        Err(ReadError::NotFound) => return help_page(&state, &token, Closed::Unknown, request).await,
        Err(ReadError::Unsatisfiable(size)) => return super::ranged::unsatisfiable(size),
        Err(ReadError::Storage(e)) => return crate::web::middleware::error_response(&e.into()),
    };
    let mut res = super::ranged::stream(read, granted.range.is_some(), &granted.content_type);
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// The help page (`/d/{token}/help`, rendered as that route renders it) with the closed link's
/// status.
async fn help_page(state: &AppState, token: &str, closed: Closed, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    let Ok(uri) = format!("/d/{}/help", urlencoding_token(token)).parse() else { return StatusCode::NOT_FOUND.into_response() };
    parts.uri = uri;
    parts.headers.remove(header::RANGE);
    let context_state = state.clone();
    let options = state.leptos_options.clone();
    let render =
        leptos_axum::render_app_async_with_context(move || leptos::prelude::provide_context(context_state.clone()), move || crate::app::shell(options.clone()));
    let mut res = render(Request::from_parts(parts, Body::empty())).await;
    *res.status_mut() = StatusCode::from_u16(closed.status()).unwrap_or(StatusCode::GONE);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}

/// Tokens are URL-safe base64 already; anything else is replaced rather than echoed.
fn urlencoding_token(token: &str) -> String {
    token.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// `Content-Disposition: attachment` with the original name (RFC 6266): an ASCII fallback for old
/// clients, and the exact UTF-8 name percent-encoded (RFC 8187) for the rest.
pub fn attachment(name: &str) -> String {
    let fallback: String = name.chars().map(|c| if c == ' ' || (c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%' | ';')) { c } else { '_' }).collect();
    let mut encoded = String::new();
    for b in name.as_bytes() {
        let c = *b as char;
        if c.is_ascii_alphanumeric() || "!#$&+-.^_`|~".contains(c) {
            encoded.push(c);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::attachment;

    #[test]
    fn names_are_kept_exactly_and_safely() {
        assert_eq!(attachment("guide.pdf"), "attachment; filename=\"guide.pdf\"; filename*=UTF-8''guide.pdf");
        assert_eq!(
            attachment("Ünïcode \"quote\"; x.pdf"),
            "attachment; filename=\"_n_code _quote__ x.pdf\"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20%22quote%22%3B%20x.pdf"
        );
    }
}
