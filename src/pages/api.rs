//! Page server functions for the dashboard. Thin: who is asking, then the service.

use super::content::ContentForm;
use super::form::PageForm;
use super::model::{PageDetail, PageEditor, PageSummary};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::request::RequestCtx;

#[server(prefix = "/api", endpoint = "pages/list")]
pub async fn list_pages() -> Result<Vec<PageSummary>, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    crate::pages::server::service::list(&ctx.state.db, &user).await
}

#[server(prefix = "/api", endpoint = "pages/get")]
pub async fn get_page(id: String) -> Result<PageDetail, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    crate::pages::server::service::get(&ctx.state.db, &user, &id).await
}

/// Creates a draft and opens it in the editor.
#[server(prefix = "/api", endpoint = "pages/create")]
pub async fn create_page(page_type: String, headline: String) -> Result<String, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    let id = crate::pages::server::service::create(&ctx.state.db, &user, &page_type, &headline).await?;
    leptos_axum::redirect(&format!("/dashboard/pages/{id}"));
    Ok(id)
}

#[server(prefix = "/api", endpoint = "pages/update")]
pub async fn update_page(
    id: String,
    settings: String,
    customization: String,
    launch_at: Option<String>,
    expires_at: Option<String>,
) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    crate::pages::server::service::update(
        &ctx.state.db,
        &ctx.state.page_cache,
        &user,
        &id,
        &settings,
        &customization,
        launch_at.as_deref(),
        expires_at.as_deref(),
    )
    .await
}

#[server(prefix = "/api", endpoint = "pages/duplicate")]
pub async fn duplicate_page(id: String) -> Result<String, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    let id = crate::pages::server::service::duplicate(&ctx.state.db, &ctx.state.storage, &user, &id).await?;
    leptos_axum::redirect(&format!("/dashboard/pages/{id}"));
    Ok(id)
}

#[server(prefix = "/api", endpoint = "pages/publish")]
pub async fn publish_page(id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    crate::pages::server::service::publish(&ctx.state.db, &ctx.state.page_cache, &user, &id).await
}

#[server(prefix = "/api", endpoint = "pages/unpublish")]
pub async fn unpublish_page(id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    crate::pages::server::service::unpublish(&ctx.state.db, &ctx.state.page_cache, &user, &id).await
}

#[server(prefix = "/api", endpoint = "pages/delete")]
pub async fn delete_page(id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    crate::pages::server::service::delete(&ctx.state.db, &ctx.state.page_cache, &ctx.state.storage, &user, &id).await?;
    leptos_axum::redirect("/dashboard");
    Ok(())
}

#[server(prefix = "/api", endpoint = "pages/editor")]
pub async fn get_page_editor(id: String) -> Result<PageEditor, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    crate::pages::server::service::editor(&ctx.state.db, &user, &id, &ctx.state.config.public_url).await
}

/// Saves the editor's form; without JavaScript the browser comes back to the editor.
#[server(prefix = "/api", endpoint = "pages/save")]
pub async fn save_page(id: String, form: PageForm) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    crate::pages::server::service::save_form(&ctx.state.db, &ctx.state.page_cache, &user, &id, &form).await?;
    leptos_axum::redirect(&format!("/dashboard/pages/{id}?saved=1"));
    Ok(())
}

/// Adds a content block at the end of the page; without JavaScript the browser comes back to the
/// editor's blocks.
#[server(prefix = "/api", endpoint = "pages/content/add")]
pub async fn add_content_item(page_id: String, item: ContentForm) -> Result<String, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    let id = crate::pages::server::content::add(&ctx.state.db, &ctx.state.page_cache, &user, &page_id, &item).await?;
    leptos_axum::redirect(&format!("/dashboard/pages/{page_id}?saved=1#content"));
    Ok(id)
}

#[server(prefix = "/api", endpoint = "pages/content/update")]
pub async fn update_content_item(page_id: String, item_id: String, item: ContentForm) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    crate::pages::server::content::update(&ctx.state.db, &ctx.state.page_cache, &user, &page_id, &item_id, &item).await?;
    leptos_axum::redirect(&format!("/dashboard/pages/{page_id}?saved=1#content"));
    Ok(())
}

#[server(prefix = "/api", endpoint = "pages/content/remove")]
pub async fn remove_content_item(page_id: String, item_id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    crate::pages::server::content::remove(&ctx.state.db, &ctx.state.page_cache, &user, &page_id, &item_id).await?;
    leptos_axum::redirect(&format!("/dashboard/pages/{page_id}#content"));
    Ok(())
}

/// Moves a block one place `up` or `down`.
#[server(prefix = "/api", endpoint = "pages/content/move")]
pub async fn move_content_item(page_id: String, item_id: String, direction: String) -> Result<(), AppError> {
    use crate::pages::server::content::Direction;
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    let direction = Direction::parse(&direction).ok_or_else(|| AppError::invalid("Move a block up or down."))?;
    crate::pages::server::content::reorder(&ctx.state.db, &ctx.state.page_cache, &user, &page_id, &item_id, direction).await?;
    leptos_axum::redirect(&format!("/dashboard/pages/{page_id}#content"));
    Ok(())
}

/// Takes the hero image off the page (and out of storage).
#[server(prefix = "/api", endpoint = "pages/hero/remove")]
pub async fn remove_hero_image(id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    crate::pages::server::hero::replace(&ctx.state, &user, &id, None).await?;
    leptos_axum::redirect(&format!("/dashboard/pages/{id}?saved=1"));
    Ok(())
}

/// The page as visitors would see it with the editor's unsaved form, at `phase`
/// (`scheduled`, `live` or `ended`).
#[server(prefix = "/api", endpoint = "pages/preview")]
pub async fn preview_page(id: String, form: PageForm, phase: String) -> Result<crate::pages::public::model::PublicPage, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user().await?;
    let phase = crate::pages::preview::PreviewPhase::parse(&phase);
    crate::pages::server::preview::preview(&ctx.state, &user, &id, &form, phase).await
}
