//! `GET /files/users/{userId}/pages/{pageId}/assets/{name}`: a page's public images, and
//! `GET /files/users/{userId}/products/{productId}/preview/{name}`: a product's public sample,
//! streamed from storage (with byte ranges, for audio). Page assets' names are unique per upload,
//! so browsers and CDNs may keep them for a year; a sample keeps its name when replaced, so it is
//! revalidated after an hour. A product's original file is never served here: buyers get it
//! through their download links.

use crate::infra::state::AppState;
use crate::infra::storage::{ByteRange, ObjectKey, ReadError};
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
        Err(ReadError::Unsatisfiable(size)) => return super::ranged::unsatisfiable(size),
        Err(ReadError::Storage(e)) => return unreadable(e),
    };
    let mut res = super::ranged::stream(read, range.is_some(), &content_type);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    res
}
