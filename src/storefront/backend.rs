//! The visitor's page by short id: from the cache, built on a miss, with its view counted.

use super::cache::{CachedPage, PageCache};
use super::model::PublicPage;
use super::source::assemble;
use super::view_counter::ViewCounter;
use crate::db_read;
use crate::error::{AppError, ErrorKind};
use crate::infra::db::prelude::*;
use crate::infra::db::schema::pages;
use crate::infra::db::{Db, DbError};
use crate::infra::state::AppState;
use crate::pages::backend::short_id::looks_like_short_id;
use crate::pages::backend::store::PageRow;
use crate::pages::customization::Customization;
use crate::pages::phase::Phase;
use crate::pages::settings::*;
use chrono::Utc;
use std::sync::Arc;

fn not_found() -> AppError {
    AppError::not_found("This page doesn't exist. Check the link for typos.")
}

async fn find(db: &Db, short_id: &str) -> Result<Option<PageRow>, DbError> {
    db_read!(db, conn => {
        Ok(pages::table
            .filter(pages::short_id.eq(short_id))
            .select(PageRow::as_select())
            .first::<PageRow>(conn)
            .await
            .optional()?)
    })
}

/// The page for a visitor, counting the view.
pub async fn load(state: &AppState, short_id: &str) -> Result<PublicPage, AppError> {
    let (page_id, page) = lookup(state, short_id).await?;
    ViewCounter::of(state).record(&page_id);
    Ok(page)
}

/// The page behind a short id as its current phase shows it, and its internal id; errors as
/// [`load`], no view counted.
pub async fn lookup(state: &AppState, short_id: &str) -> Result<(String, PublicPage), AppError> {
    let cached = source(state, short_id).await?.ok_or_else(not_found)?;
    let mut page = cached.source.view_at(Utc::now());
    page.sandbox = crate::infra::payments::Payments::of(state).sandbox;
    if page.phase == Phase::Inactive {
        return Err(AppError::new(ErrorKind::Gone, "This page is no longer available."));
    }
    Ok((cached.page_id.clone(), page))
}

/// The page data behind a short id, from the cache (loaded on a miss, one query however many ask
/// at once); `None` for no such page.
pub async fn source(state: &AppState, short_id: &str) -> Result<Option<Arc<CachedPage>>, AppError> {
    if !looks_like_short_id(short_id) {
        return Ok(None);
    }
    PageCache::of(state).get_or_load(short_id, build(&state.db, &state.config.public_url, short_id)).await
}

/// Reads a page and builds what visitors may get (on a cache miss only).
async fn build(db: &Db, public_url: &str, short_id: &str) -> Result<Option<CachedPage>, AppError> {
    let Some(row) = find(db, short_id).await? else { return Ok(None) };
    let kind = PageType::parse(&row.page_type).ok_or_else(|| AppError::internal(format!("page {} has an unknown type", row.id)))?;
    let settings = PageSettings::from_json(kind, &row.settings).map_err(AppError::internal)?;
    let look = Customization::from_json(&row.customization).map_err(AppError::internal)?;
    let schedule = (row.launch_at.map(|t| t.and_utc()), row.expires_at.map(|t| t.and_utc()));
    let mut source = assemble(db, public_url, &row.id, &row.short_id, settings, &look, schedule).await?;
    source.clock.is_active = row.is_active;
    Ok(Some(CachedPage { page_id: row.id, source }))
}
