//! `GET /files/users/{userId}/pages/{pageId}/assets/{name}`: a page's public images, streamed
//! from storage. Names are unique per upload, so browsers and CDNs may keep them for a year.
//! Only page assets are served here; product files (later) go through download tokens.

use crate::infra::state::AppState;
use crate::infra::storage::ObjectKey;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn serve_page_asset(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    let Some(key) = ObjectKey::parse_page_asset(&key) else {
        return (StatusCode::NOT_FOUND, "No such file.").into_response();
    };
    match state.storage.get(&key).await {
        Ok(Some(object)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(object.content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
            ],
            object.bytes,
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "No such file.").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not read a page asset");
            (StatusCode::SERVICE_UNAVAILABLE, "The file could not be read right now.").into_response()
        }
    }
}
