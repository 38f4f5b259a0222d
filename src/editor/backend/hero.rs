//! The hero image of a page: checked, stored under the page's asset key, linked from the page's
//! customization through the page writer. A replaced image is deleted at once: saves never carry
//! the image (the writer keeps the stored one), so no saved version can point at the old one.
//! An upload that loses a race with the page's deletion removes its own file. Every stored file
//! is written down in the organization's storage ledger first, within the plan's `storageMb`.

use crate::accounts::guard::{Scope, can};
use crate::error::{AppError, ErrorKind};
use crate::infra::state::AppState;
use crate::infra::storage::{ImageKind, ObjectKey, ledger};
use crate::pages::backend::writer;
use crate::pages::customization::HERO_IMAGE_MAX_BYTES;
use crate::plans::backend::{plan_for_organization, storage_full};
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
    let kind = ImageKind::sniff(&bytes).ok_or_else(|| AppError::field("image", "That file is not a PNG, JPEG, GIF or WebP image."))?;
    Ok(CheckedImage { kind, bytes })
}

pub fn too_large() -> AppError {
    AppError::field("image", format!("Images can be up to {} MB. Try a smaller or more compressed one.", HERO_IMAGE_MAX_BYTES / (1024 * 1024)))
}

/// Stores `bytes` under `key` for the organization's page, within the plan's storage.
async fn store_within_allowance(state: &AppState, organization_id: &str, page_id: &str, key: &ObjectKey, bytes: Bytes) -> Result<(), AppError> {
    let plan = plan_for_organization(&state.db, organization_id).await?;
    let entry = ledger::Entry {
        organization_id,
        page_id: Some(page_id),
        key: key.as_str(),
        bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        now: Utc::now().naive_utc(),
    };
    if !ledger::reserve(&state.db, &entry, plan.features.storage_bytes()).await? {
        return Err(storage_full(&plan, ledger::used(&state.db, organization_id).await?));
    }
    if let Err(e) = state.storage.put(key, bytes).await {
        ledger::release(&state.db, &[key.to_string()]).await?;
        return Err(e.into());
    }
    Ok(())
}

/// Stores `image` as the page's hero (or takes the hero off with `None`) and returns its key.
pub async fn replace(state: &AppState, scope: &Scope<can::EditPages>, page_id: &str, image: Option<CheckedImage>) -> Result<Option<ObjectKey>, AppError> {
    let row = crate::pages::backend::store::editable(state, scope, page_id).await?;
    let key = match image {
        Some(image) => {
            let name = format!("hero-{}.{}", uuid::Uuid::now_v7().simple(), image.kind.extension());
            let key = ObjectKey::page_asset(&row.user_id, &row.id, &name)
                .ok_or_else(|| AppError::internal(format!("page {} has ids unfit for a storage key", row.id)))?;
            store_within_allowance(state, scope.organization_id(), &row.id, &key, image.bytes).await?;
            Some(key)
        }
        None => None,
    };
    let replaced = match writer::set_hero(state, scope.organization_id(), page_id, key.as_ref().map(ObjectKey::to_string)).await {
        Ok(replaced) => replaced,
        Err(e) => {
            // The page went away (or the write failed) after the file was stored: take it back.
            if let Some(key) = &key {
                forget_object(state, key).await;
            }
            return Err(if e.kind == ErrorKind::NotFound { crate::pages::backend::store::not_found() } else { e });
        }
    };
    if let Some(old) = replaced.as_deref().and_then(ObjectKey::parse_page_asset) {
        forget_object(state, &old).await;
    }
    Ok(key)
}

/// Deletes one stored file and writes it off; a failure is logged (the file is unreferenced
/// either way, and its size stays counted until a delete succeeds).
async fn forget_object(state: &AppState, key: &ObjectKey) {
    match state.storage.delete(key).await {
        Ok(()) => {
            if let Err(e) = ledger::release(&state.db, &[key.to_string()]).await {
                tracing::warn!(error = %e, key = %key, "could not write off a deleted file");
            }
        }
        Err(e) => tracing::warn!(error = %e, key = %key, "could not delete a replaced or orphaned file"),
    }
}

/// Gives a duplicated page its own copy of the hero image (so deleting either keeps the other's),
/// counted in the organization's storage. A copy that does not fit (or fails) leaves the new page
/// without an image, and says why.
pub async fn copy_for(state: &AppState, organization_id: &str, hero: Option<&str>, user_id: &str, page_id: &str) -> Result<Option<String>, AppError> {
    let Some(from) = hero.and_then(ObjectKey::parse_page_asset) else { return Ok(None) };
    let Some(name) = from.as_str().rsplit('/').next() else { return Ok(None) };
    let Some(to) = ObjectKey::page_asset(user_id, page_id, name) else { return Ok(None) };
    let bytes = match ledger::size_of(&state.db, from.as_str()).await? {
        Some(bytes) => bytes,
        None => state.storage.size(&from).await?.map(|b| i64::try_from(b).unwrap_or(i64::MAX)).unwrap_or(0),
    };
    let plan = plan_for_organization(&state.db, organization_id).await?;
    let entry = ledger::Entry { organization_id, page_id: Some(page_id), key: to.as_str(), bytes, now: Utc::now().naive_utc() };
    if !ledger::reserve(&state.db, &entry, plan.features.storage_bytes()).await? {
        return Err(storage_full(&plan, ledger::used(&state.db, organization_id).await?));
    }
    match state.storage.copy(&from, &to).await {
        Ok(()) => Ok(Some(to.to_string())),
        Err(e) => {
            ledger::release(&state.db, &[to.to_string()]).await?;
            Err(e.into())
        }
    }
}

/// Removes every asset of a deleted page and writes them off. Failures are logged, not fatal:
/// the page is gone either way.
pub async fn forget_assets(state: &AppState, user_id: &str, page_id: &str) {
    if let Err(e) = state.storage.delete_page_assets(user_id, page_id).await {
        tracing::warn!(error = %e, page_id, "could not remove a deleted page's files");
        return;
    }
    let written_off = async { ledger::release(&state.db, &ledger::page_keys(&state.db, page_id).await?).await };
    if let Err(e) = written_off.await {
        tracing::warn!(error = %e, page_id, "could not write off a deleted page's files");
    }
}
