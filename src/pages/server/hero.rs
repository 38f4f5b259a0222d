//! The hero image of a page: checked, stored under the page's asset key, linked from the page's
//! customization. Old images are left in storage when replaced (a save in another tab may still
//! point at one) and removed with the page.

use super::store;
use crate::accounts::model::CurrentUser;
use crate::error::AppError;
use crate::pages::customization::{Customization, HERO_IMAGE_MAX_BYTES};
use crate::server::state::AppState;
use crate::server::storage::{ImageKind, ObjectKey, Storage};
use axum::body::Bytes;
use chrono::Utc;

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
pub async fn replace(state: &AppState, user: &CurrentUser, page_id: &str, image: Option<CheckedImage>) -> Result<Option<ObjectKey>, AppError> {
    let row = super::service::editable(&state.db, user, page_id).await?;
    let mut look = Customization::from_json(&row.customization).map_err(AppError::internal)?;
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
    look.hero_image = key.as_ref().map(ObjectKey::to_string);
    if !store::set_customization(&state.db, &user.organization_id, page_id, &look.to_json(), Utc::now().naive_utc()).await? {
        return Err(super::service::not_found());
    }
    state.page_cache.invalidate(&row.short_id).await;
    Ok(key)
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
