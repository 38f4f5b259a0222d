//! A product's files: the file buyers get, streamed into storage at
//! `users/{userId}/products/{productId}/original/{fileName}` within the plan's file size and
//! storage, and its optional public sample (`…/preview/{fileName}`: an image, a sound or a PDF
//! excerpt, at most [`SAMPLE_MAX_MB`]), each linked to the product through the writer.
//!
//! The size is not known before the stream ends, so the upload first reserves in the storage
//! ledger what the request says it is (its length, at most the plan's file size: a claim that
//! only lets a file too large for the allowance be refused before its first byte), then grows the
//! reservation as the bytes actually arrive ([`metered`]): no byte reaches storage unreserved,
//! whatever the request's length headers said, and an upload is refused as soon as its bytes
//! would pass the allowance. Once stored, the reservation settles to the real size: parallel
//! uploads can never take the organization past its storage. Whatever fails, the reservation is
//! written off and no object is left (the stream is aborted; a file whose product vanished
//! meanwhile is deleted). A reservation left by a process that ended mid-upload is written off by
//! the hourly housekeeping after a day.

use super::store::{self, sample_kind};
use super::writer::{self, StoredFile};
use crate::accounts::guard::{Scope, can};
use crate::error::{AppError, ErrorKind};
use crate::infra::state::AppState;
use crate::infra::storage::metered::{self, Meter};
use crate::infra::storage::{ObjectKey, ProductFilePart, StreamError, ledger, safe_file_name};
use crate::plans::backend::{Plan, next_plan_with_more, plan_for_organization, storage_full, visible_plans};
use axum::body::Bytes;
use chrono::Utc;
use futures_util::Stream;

const MIB: u64 = 1024 * 1024;

use crate::products::model::SAMPLE_MAX_MB;

/// Stores `chunks` as the product's file or its sample (`part`), replacing any earlier one.
/// `file_name` is the name the browser sent; `declared_len` the request's length, if it said.
pub async fn attach<S, E>(
    state: &AppState,
    scope: &Scope<can::EditProducts>,
    product_id: &str,
    part: ProductFilePart,
    file_name: &str,
    declared_len: Option<u64>,
    chunks: S,
) -> Result<(), AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let org = scope.organization_id();
    let product = store::editable(&state.db, scope, product_id).await?;
    let name = safe_file_name(file_name).ok_or_else(|| AppError::field("file", "Choose a file to upload."))?;
    let key = ObjectKey::product_file(&product.user_id, &product.id, part, &name)
        .ok_or_else(|| AppError::field("file", "That file name can't be used. Rename the file and try again."))?;
    let plan = plan_for_organization(&state.db, org).await?;
    let plan_max = u64::from(plan.features.max_file_size_mb) * MIB;
    let max_file = if part == ProductFilePart::Preview { plan_max.min(SAMPLE_MAX_MB * MIB) } else { plan_max };

    // Reserve what the upload may take, under a key of its own (the file's key may already be
    // written down, for the file this one replaces).
    let pending = ledger::reservation_key(key.as_str());
    // The request's length, when it gives one, is only a first estimate (see the module's doc).
    let reserved = declared_len.unwrap_or(0).min(max_file);
    let entry =
        ledger::Entry { organization_id: org, page_id: None, key: &pending, bytes: i64::try_from(reserved).unwrap_or(i64::MAX), now: Utc::now().naive_utc() };
    if !ledger::reserve(&state.db, &entry, plan.features.storage_bytes()).await? {
        return Err(storage_full(&plan, ledger::used(&state.db, org).await?));
    }
    let meter = Meter {
        db: state.db.clone(),
        organization_id: org.to_string(),
        key: pending.clone(),
        allowance: plan.features.storage_bytes(),
        reserved,
        cap: max_file,
    };
    let (chunks, allowance_reached) = metered::metered(chunks, meter);
    let streamed = match state.storage.put_stream(&key, chunks, max_file).await {
        Ok(streamed) => streamed,
        Err(_) if allowance_reached.refused() => {
            ledger::release(&state.db, &[pending]).await?;
            return Err(storage_full(&plan, ledger::used(&state.db, org).await?));
        }
        Err(StreamError::TooLarge { .. }) if part == ProductFilePart::Preview => {
            ledger::release(&state.db, &[pending]).await?;
            return Err(AppError::field("file", format!("A sample can be at most {SAMPLE_MAX_MB} MB: a short excerpt, shown to every visitor.")));
        }
        Err(e) => {
            ledger::release(&state.db, &[pending]).await?;
            return Err(refusal(state, &plan, e).await?);
        }
    };
    if part == ProductFilePart::Preview && sample_kind(&streamed.content_type).is_none() {
        let _ = state.storage.delete(&key).await;
        ledger::release(&state.db, &[pending]).await?;
        return Err(AppError::field("file", "A sample is an image (PNG, JPEG, GIF, WebP), a sound (MP3, Ogg, WAV, FLAC, AAC) or a PDF excerpt."));
    }
    let size = i64::try_from(streamed.size).unwrap_or(i64::MAX);
    ledger::settle(&state.db, &pending, key.as_str(), size).await?;
    let recorded = match part {
        ProductFilePart::Original => {
            let file = StoredFile { file_name: name, content_type: streamed.content_type, key: key.clone(), size, sha256: streamed.sha256 };
            writer::set_file(&state.db, org, product_id, &file).await
        }
        ProductFilePart::Preview => writer::set_sample(&state.db, org, product_id, Some((key.as_str(), &streamed.content_type))).await,
    };
    match recorded {
        Ok(replaced) => {
            // The file this one replaced, unless it had the same name (then it was overwritten).
            if let Some(old) = replaced.filter(|old| old != key.as_str()) {
                remove_objects(state, &[old]).await;
            }
            Ok(())
        }
        Err(e) => {
            // The product was deleted while the file arrived.
            remove_objects(state, &[key.to_string()]).await;
            Err(e)
        }
    }
}

/// Removes the product's sample.
pub async fn remove_sample(state: &AppState, scope: &Scope<can::EditProducts>, product_id: &str) -> Result<(), AppError> {
    store::editable(&state.db, scope, product_id).await?;
    if let Some(old) = writer::set_sample(&state.db, scope.organization_id(), product_id, None).await? {
        remove_objects(state, &[old]).await;
    }
    Ok(())
}

/// Deletes stored files and writes them off; a failure is logged (the ledger keeps counting a
/// file that could not be deleted, so nothing is under-counted).
pub async fn remove_objects(state: &AppState, keys: &[String]) {
    let mut gone = Vec::new();
    for key in keys {
        let Some(parsed) = ObjectKey::parse_product_file(key) else { continue };
        match state.storage.delete(&parsed).await {
            Ok(()) => gone.push(key.clone()),
            Err(e) => tracing::warn!(key = %key, error = %e, "could not delete a product file"),
        }
    }
    if let Err(e) = ledger::release(&state.db, &gone).await {
        tracing::warn!(error = %e, "could not write off deleted product files");
    }
}

/// A stream that could not be stored, as the creator should hear it.
async fn refusal(state: &AppState, plan: &Plan, e: StreamError) -> Result<AppError, AppError> {
    Ok(match e {
        StreamError::Empty => AppError::field("file", "That file is empty. Choose the file buyers should get."),
        StreamError::TooLarge { .. } => {
            let plans = visible_plans(&state.db).await?;
            let upgrade = next_plan_with_more(plan, &plans, |f| Some(f.max_file_size_mb))
                .map(|next| format!(" The {} plan takes files of up to {} MB.", next.name, next.features.max_file_size_mb))
                .unwrap_or_default();
            AppError::new(ErrorKind::LimitReached, format!("Your {} plan takes files of up to {} MB.{upgrade}", plan.name, plan.features.max_file_size_mb))
        }
        StreamError::Interrupted(_) => AppError::field("file", "The upload was interrupted. Please try again."),
        StreamError::Storage(e) => e.into(),
    })
}
