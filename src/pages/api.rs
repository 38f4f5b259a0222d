//! Page server functions for the dashboard. Thin: who is asking, then the service.

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
    let id = crate::pages::server::service::duplicate(&ctx.state.db, &user, &id).await?;
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
    crate::pages::server::service::delete(&ctx.state.db, &ctx.state.page_cache, &user, &id).await?;
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
