//! The hero image of a page: checked, stored under the page's asset key, linked from the page's
//! customization through the page writer. A replaced image is deleted at once: saves never carry
//! the image (the writer keeps the stored one), so no saved version can point at the old one.
//! An upload that loses a race with the page's deletion removes its own file.

use super::writer;
use crate::accounts::guard::{Scope, can};
use crate::error::{AppError, ErrorKind};
use crate::pages::customization::HERO_IMAGE_MAX_BYTES;
use crate::server::state::AppState;
use crate::server::storage::{ImageKind, ObjectKey, Storage};
use axum::body::Bytes;

/// An uploaded file that passed the checks.
pub struct CheckedImage {
    pub kind: ImageKind,
    pub bytes: Bytes,
}

/// Size first, then the file's own bytes decide its type (never its name or the browser's label).
pub fn check_image(bytes: Bytes) -> Result<CheckedImage, AppError> {
    if bytes.is_empty() {
        return Err(AppError::field("image", "Choose an image to upload."));
    }
    if bytes.len() > HERO_IMAGE_MAX_BYTES {
        return Err(too_large());
    }
    let kind = ImageKind::sniff(&bytes)
        .ok_or_else(|| AppError::field("image", "That file is not a PNG, JPEG, GIF or WebP image."))?;
    Ok(CheckedImage { kind, bytes })
}

pub fn too_large() -> AppError {
    AppError::field("image", format!("Images can be up to {} MB. Try a smaller or more compressed one.", HERO_IMAGE_MAX_BYTES / (1024 * 1024)))
}

/// Stores `image` as the page's hero (or takes the hero off with `None`) and returns its key.
pub async fn replace(state: &AppState, scope: &Scope<can::EditPages>, page_id: &str, image: Option<CheckedImage>) -> Result<Option<ObjectKey>, AppError> {
    let row = super::service::editable(state, scope, page_id).await?;
    let key = match image {
        Some(image) => {
            let name = format!("hero-{}.{}", uuid::Uuid::now_v7().simple(), image.kind.extension());
            let key = ObjectKey::page_asset(&row.user_id, &row.id, &name)
                .ok_or_else(|| AppError::internal(format!("page {} has ids unfit for a storage key", row.id)))?;
            state.storage.put(&key, image.bytes).await?;
            Some(key)
        }
        None => None,
    };
    let replaced = match writer::set_hero(state, scope.organization_id(), page_id, key.as_ref().map(ObjectKey::to_string)).await {
        Ok(replaced) => replaced,
        Err(e) => {
            // The page went away (or the write failed) after the file was stored: take it back.
            if let Some(key) = &key {
                forget_object(&state.storage, key).await;
            }
            return Err(if e.kind == ErrorKind::NotFound { super::service::not_found() } else { e });
        }
    };
    if let Some(old) = replaced.as_deref().and_then(ObjectKey::parse_page_asset) {
        forget_object(&state.storage, &old).await;
    }
    Ok(key)
}

/// Deletes one stored file; a failure is logged (the file is unreferenced either way).
async fn forget_object(storage: &Storage, key: &ObjectKey) {
    if let Err(e) = storage.delete(key).await {
        tracing::warn!(error = %e, key = %key, "could not delete a replaced or orphaned file");
    }
}

/// Gives a duplicated page its own copy of the hero image (so deleting either keeps the other's).
pub async fn copy_for(storage: &Storage, hero: Option<&str>, user_id: &str, page_id: &str) -> Option<String> {
    let from = ObjectKey::parse_page_asset(hero?)?;
    let name = from.as_str().rsplit('/').next()?;
    let to = ObjectKey::page_asset(user_id, page_id, name)?;
    match storage.copy(&from, &to).await {
        Ok(()) => Some(to.to_string()),
        Err(e) => {
            tracing::warn!(error = %e, "could not copy a hero image for a duplicated page");
            None
        }
    }
}

/// Removes every asset of a deleted page. Failures are logged, not fatal: the page is gone either way.
pub async fn forget_assets(storage: &Storage, user_id: &str, page_id: &str) {
    if let Err(e) = storage.delete_page_assets(user_id, page_id).await {
        tracing::warn!(error = %e, page_id, "could not remove a deleted page's files");
    }
}
