//! `GET /files/users/{userId}/pages/{pageId}/assets/{name}`: a page's public images, and
//! `GET /files/users/{userId}/products/{productId}/preview/{name}`: a product's public sample,
//! streamed from storage (with byte ranges, for audio). Page assets' names are unique per upload,
//! so browsers and CDNs may keep them for a year; a sample keeps its name when replaced, so it is
//! revalidated after an hour. A product's original file is never served here: buyers get it
//! through their download links.

use crate::infra::state::AppState;
use crate::infra::storage::{ByteRange, ObjectKey, ReadError};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "No such file.").into_response()
}

fn unreadable(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "could not read a public file");
    (StatusCode::SERVICE_UNAVAILABLE, "The file could not be read right now.").into_response()
}

pub async fn serve_page_asset(State(state): State<AppState>, Path(key): Path<String>, headers: HeaderMap) -> Response {
    if let Some(sample) = ObjectKey::parse_product_file(&key).filter(ObjectKey::is_product_sample) {
        return serve_sample(&state, &sample, &headers).await;
    }
    let Some(key) = ObjectKey::parse_page_asset(&key) else { return not_found() };
    match state.storage.get(&key).await {
        Ok(Some(object)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(object.content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
            ],
            object.bytes,
        )
            .into_response(),
        Ok(None) => not_found(),
        Err(e) => unreadable(e),
    }
}

/// A sample, with the type recognised from its bytes when it was uploaded (only a key that is a
/// product's current sample is served).
async fn serve_sample(state: &AppState, key: &ObjectKey, headers: &HeaderMap) -> Response {
    let content_type = match crate::products::backend::store::sample_type(&state.db, key.as_str()).await {
        Ok(Some(t)) => t,
        Ok(None) => return not_found(),
        Err(e) => return unreadable(e),
    };
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).and_then(ByteRange::parse);
    let read = match state.storage.read(key, range).await {
        Ok(read) => read,
        Err(ReadError::NotFound) => return not_found(),
        Err(ReadError::Unsatisfiable(size)) => {
            return (StatusCode::RANGE_NOT_SATISFIABLE, [(header::CONTENT_RANGE, format!("bytes */{size}"))]).into_response();
        }
        Err(ReadError::Storage(e)) => return unreadable(e),
    };
    let mut res = Response::new(Body::from_stream(read.body));
    if range.is_some() {
        *res.status_mut() = StatusCode::PARTIAL_CONTENT;
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {}-{}/{}", read.range.start, read.range.end.saturating_sub(1), read.size)) {
            res.headers_mut().insert(header::CONTENT_RANGE, v);
        }
    }
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(&content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(read.range.end - read.range.start));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    res
}
