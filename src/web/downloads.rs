//! `GET /d/{token}`: a buyer's download. The token is checked and the attempt counted by the
//! order domain; the file is then streamed from storage (with `Range` for resumed downloads), or
//! on S3/R2 the buyer is sent to a presigned link valid for a few minutes. A closed download
//! goes to a page that says why and offers a fresh link.

use crate::accounts::guard::Guard;
use crate::infra::state::AppState;
use crate::infra::storage::{ByteRange, ObjectKey, ReadError};
use crate::orders::backend::downloads::grant;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::time::Duration;

/// How long a presigned link works: long enough to start the download, too short to share.
const PRESIGNED_FOR: Duration = Duration::from_secs(5 * 60);

pub async fn download(State(state): State<AppState>, _guard: Guard, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).and_then(ByteRange::parse);
    // A resumed download (a range that starts later) is part of an attempt already counted.
    let counts = matches!(range, None | Some(ByteRange::Bounded(0, _) | ByteRange::From(0)));
    let help = || Redirect::to(&format!("/d/{}/help", urlencoding_token(&token))).into_response();
    let granted = match grant(&state, &token, counts, chrono::Utc::now()).await {
        Ok(Ok(g)) => g,
        Ok(Err(_closed)) => return help(),
        Err(e) => return crate::web::middleware::error_response(&e),
    };
    let Some(key) = ObjectKey::parse_product_file(&granted.storage_key) else { return help() };
    let disposition = attachment(&granted.file_name);
    match state.storage.presigned_download(&key, PRESIGNED_FOR, &disposition).await {
        Ok(Some(url)) => return Redirect::to(&url).into_response(),
        Ok(None) => {}
        Err(e) => return crate::web::middleware::error_response(&e.into()),
    }
    let read = match state.storage.read(&key, range).await {
        Ok(read) => read,
        Err(ReadError::NotFound) => return help(),
        Err(ReadError::Unsatisfiable(size)) => return super::ranged::unsatisfiable(size),
        Err(ReadError::Storage(e)) => return crate::web::middleware::error_response(&e.into()),
    };
    let mut res = super::ranged::stream(read, range.is_some(), &granted.content_type);
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
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
