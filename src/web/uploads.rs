//! The uploads: `POST /dashboard/pages/{id}/hero` (a page's hero image) and
//! `POST /dashboard/products/{id}/file` (a product's file, streamed: it may be gigabytes) and
//! `POST /dashboard/products/{id}/sample` (its public sample). Plain
//! multipart form posts, so they work without JavaScript (the answer is a redirect back to the
//! editor); sent with `XMLHttpRequest` and `Accept: application/json`, they answer JSON.

use crate::accounts::guard::{Guard, can};
use crate::editor::backend::hero::{check_image, replace, too_large};
use crate::editor::backend::service::url_safe_id;
use crate::error::AppError;
use crate::infra::storage::ProductFilePart;
use crate::pages::customization::HERO_IMAGE_MAX_BYTES;
use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The whole request may be a little larger than the image (form boundaries and headers).
pub const MAX_UPLOAD_REQUEST_BYTES: usize = HERO_IMAGE_MAX_BYTES + 64 * 1024;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Uploaded {
    hero_image_url: String,
}

pub async fn upload_hero(
    guard: Result<Guard, AppError>,
    Path(page_id): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let wants_json = wants_json(&headers);
    if let Some(refused) = conflicting_lengths(&headers, wants_json) {
        return refused;
    }
    let outcome = async {
        let guard = guard?;
        let scope = guard.allow::<can::EditPages>().await?;
        // The page is the organization's and the caller may change it, before a byte is read.
        crate::pages::backend::store::editable(guard.state(), &scope, &page_id).await?;
        let multipart = multipart.map_err(|_| AppError::invalid("Send the image as a form upload (multipart/form-data)."))?;
        let bytes = read_image_field(multipart).await?;
        let key = replace(guard.state(), &scope, &page_id, Some(check_image(bytes)?)).await?;
        Ok::<_, AppError>(key.map(|k| k.public_path()).unwrap_or_default())
    }
    .await;
    match (outcome, wants_json) {
        (Ok(url), true) => Json(Uploaded { hero_image_url: url }).into_response(),
        (Ok(_), false) => see_other(&format!("/dashboard/pages/{}?saved=1", url_safe_id(&page_id))),
        (Err(e), true) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(e)).into_response()
        }
        (Err(e), false) => {
            let message = e.field_message("image").unwrap_or(e.message);
            see_other(&format!("/dashboard/pages/{}?upload_error={}", url_safe_id(&page_id), super::middleware::url_encode(&message)))
        }
    }
}

/// Reads the `image` field, stopping as soon as it is over the limit (so an oversized upload
/// costs at most the limit in memory).
async fn read_image_field(mut multipart: Multipart) -> Result<Bytes, AppError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE { too_large() } else { AppError::invalid("The upload was interrupted. Please try again.") }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() != Some("image") {
            continue;
        }
        let mut data = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if data.len() + chunk.len() > HERO_IMAGE_MAX_BYTES {
                return Err(too_large());
            }
            data.extend_from_slice(&chunk);
        }
        return Ok(Bytes::from(data));
    }
    Err(AppError::field("image", "Choose an image to upload."))
}

/// `POST /dashboard/products/{id}/file`: the file buyers get, streamed into storage.
pub async fn upload_product_file(
    guard: Result<Guard, AppError>,
    Path(product_id): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    upload_product_part(guard, &product_id, ProductFilePart::Original, &headers, multipart).await
}

/// `POST /dashboard/products/{id}/sample`: the public sample shown on the pages that sell it.
pub async fn upload_product_sample(
    guard: Result<Guard, AppError>,
    Path(product_id): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    upload_product_part(guard, &product_id, ProductFilePart::Preview, &headers, multipart).await
}

/// A request that gives both `Content-Length` and `Transfer-Encoding` says two different things
/// about where its body ends (RFC 9112 §6.1: a sign of request smuggling, or of a client trying
/// to reserve less than it sends); it is refused with 400 before anything is read.
fn conflicting_lengths(headers: &HeaderMap, json: bool) -> Option<Response> {
    if !(headers.contains_key(header::CONTENT_LENGTH) && headers.contains_key(header::TRANSFER_ENCODING)) {
        return None;
    }
    let err = AppError::invalid("This upload gave both Content-Length and Transfer-Encoding. Send the file again from the page.");
    let mut res = if json { Json(err).into_response() } else { super::middleware::error_response(&err) };
    *res.status_mut() = StatusCode::BAD_REQUEST;
    Some(res)
}

/// Streams the `file` field into the product's file or sample; answers a plain form with a
/// redirect back to the product (with the error in `file_error` / `sample_error`), the island with
/// JSON.
async fn upload_product_part(
    guard: Result<Guard, AppError>,
    product_id: &str,
    part: ProductFilePart,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let wants_json = wants_json(headers);
    if let Some(refused) = conflicting_lengths(headers, wants_json) {
        return refused;
    }
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let outcome = async {
        let guard = guard?;
        let scope = guard.allow::<can::EditProducts>().await?;
        // The product is the organization's and the caller may change it, before a byte is read.
        crate::products::backend::store::editable(&guard.state().db, &scope, product_id).await?;
        let mut multipart = multipart.map_err(|_| AppError::invalid("Send the file as a form upload (multipart/form-data)."))?;
        let interrupted = |_| AppError::field("file", "The upload was interrupted. Please try again.");
        while let Some(field) = multipart.next_field().await.map_err(interrupted)? {
            if field.name() != Some("file") {
                continue;
            }
            let name = field.file_name().unwrap_or_default().to_string();
            return crate::products::backend::files::attach(guard.state(), &scope, product_id, part, &name, declared, Box::pin(field)).await;
        }
        Err(AppError::field("file", "Choose a file to upload."))
    }
    .await;
    let back = format!("/dashboard/products/{}", crate::products::backend::service::url_safe_id(product_id));
    let error_param = if part == ProductFilePart::Preview { "sample_error" } else { "file_error" };
    match (outcome, wants_json) {
        (Ok(()), true) => StatusCode::NO_CONTENT.into_response(),
        (Ok(()), false) => see_other(&format!("{back}?saved=1")),
        (Err(e), json) => {
            let mut res = if json {
                let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
                (status, Json(e)).into_response()
            } else {
                let message = e.field_message("file").unwrap_or(e.message);
                see_other(&format!("{back}?{error_param}={}", super::middleware::url_encode(&message)))
            };
            // A refused upload may not have been read to its end: the connection cannot be kept.
            res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            res
        }
    }
}

/// Sent by the hydrated editor (`Accept: application/json`) rather than by a plain form.
fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"))
}

fn see_other(location: &str) -> Response {
    let value = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/dashboard"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_length_headers_are_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(header::TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        assert!(conflicting_lengths(&headers, true).is_none(), "chunked alone is fine");
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("1"));
        assert_eq!(conflicting_lengths(&headers, true).map(|r| r.status()), Some(StatusCode::BAD_REQUEST));
        assert_eq!(conflicting_lengths(&headers, false).map(|r| r.status()), Some(StatusCode::BAD_REQUEST));
        headers.remove(header::TRANSFER_ENCODING);
        assert!(conflicting_lengths(&headers, false).is_none(), "a length alone is fine");
    }
}
