//! `POST /dashboard/pages/{id}/hero`: the hero image upload. A plain multipart form post, so it
//! works without JavaScript (the answer is a redirect back to the editor); the hydrated editor
//! sends the same form with `XMLHttpRequest` to show progress and gets JSON back.

use crate::pages::backend::hero::{check_image, replace, too_large};
use crate::pages::backend::service::url_safe_id;
use crate::error::AppError;
use crate::pages::customization::HERO_IMAGE_MAX_BYTES;
use crate::accounts::guard::{Guard, can};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Path};
use axum::extract::multipart::MultipartRejection;
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
    let wants_json = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"));
    let outcome = async {
        let guard = guard?;
        let scope = guard.allow::<can::EditPages>().await?;
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

fn see_other(location: &str) -> Response {
    let value = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/dashboard"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response()
}
