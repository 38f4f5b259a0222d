//! A stored file sent as a response, whole (200) or the byte range asked for (206): the headers a
//! resumable download or an audio player needs. Shared by buyers' downloads and public samples.

use crate::infra::storage::ObjectRead;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The streamed response for `read`; `partial` when a `Range` was honoured.
pub fn stream(read: ObjectRead, partial: bool, content_type: &str) -> Response {
    let length = read.range.end - read.range.start;
    let content_range = format!("bytes {}-{}/{}", read.range.start, read.range.end.saturating_sub(1), read.size);
    let mut res = Response::new(Body::from_stream(read.body));
    *res.status_mut() = if partial { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if partial {
        if let Ok(v) = HeaderValue::from_str(&content_range) {
            h.insert(header::CONTENT_RANGE, v);
        }
    }
    res
}

/// 416: the range lies outside the file of `size` bytes.
pub fn unsatisfiable(size: u64) -> Response {
    (StatusCode::RANGE_NOT_SATISFIABLE, [(header::CONTENT_RANGE, format!("bytes */{size}"))]).into_response()
}
