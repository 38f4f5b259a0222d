//! Page server functions for the dashboard. Thin: the guard for the permission, then the service.

use super::form::PageForm;
use super::model::{PageDetail, PageEditor, PageSummary};
use crate::error::AppError;
use crate::pages::blocks::ContentForm;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::accounts::guard::{Guard, can};
#[cfg(feature = "ssr")]
use crate::editor::backend::{blocks, hero, preview, service};
#[cfg(feature = "ssr")]
use crate::infra::request::redirect;
#[cfg(feature = "ssr")]
use crate::pages::backend::block_store;

#[server(prefix = "/api", endpoint = "pages/list")]
pub async fn list_pages() -> Result<Vec<PageSummary>, AppError> {
    let guard = Guard::current()?;
    service::list(guard.state(), &guard.allow::<can::ViewDashboard>().await?).await
}

#[server(prefix = "/api", endpoint = "pages/get")]
pub async fn get_page(id: String) -> Result<PageDetail, AppError> {
    let guard = Guard::current()?;
    service::get(guard.state(), &guard.allow::<can::ViewDashboard>().await?, &id).await
}

/// Creates a draft and opens it in the editor.
#[server(prefix = "/api", endpoint = "pages/create")]
pub async fn create_page(page_type: String, headline: String) -> Result<String, AppError> {
    let guard = Guard::current()?;
    let id = service::create(guard.state(), &guard.allow::<can::EditPages>().await?, &page_type, &headline).await?;
    redirect(&format!("/dashboard/pages/{id}"))?;
    Ok(id)
}

/// Saves settings, look and schedule sent as JSON (API clients); the same checks as the editor.
#[server(prefix = "/api", endpoint = "pages/update")]
pub async fn update_page(id: String, settings: String, customization: String, launch_at: Option<String>, expires_at: Option<String>) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::EditPages>().await?;
    service::update(guard.state(), &scope, &id, &settings, &customization, launch_at.as_deref(), expires_at.as_deref()).await
}

#[server(prefix = "/api", endpoint = "pages/duplicate")]
pub async fn duplicate_page(id: String) -> Result<String, AppError> {
    let guard = Guard::current()?;
    let id = service::duplicate(guard.state(), &guard.allow::<can::EditPages>().await?, &id).await?;
    redirect(&format!("/dashboard/pages/{id}"))?;
    Ok(id)
}

#[server(prefix = "/api", endpoint = "pages/publish")]
pub async fn publish_page(id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    service::publish(guard.state(), &guard.allow::<can::PublishPages>().await?, &id).await
}

#[server(prefix = "/api", endpoint = "pages/unpublish")]
pub async fn unpublish_page(id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    service::unpublish(guard.state(), &guard.allow::<can::PublishPages>().await?, &id).await
}

#[server(prefix = "/api", endpoint = "pages/delete")]
pub async fn delete_page(id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    service::delete(guard.state(), &guard.allow::<can::PublishPages>().await?, &id).await?;
    redirect("/dashboard")
}

#[server(prefix = "/api", endpoint = "pages/editor")]
pub async fn get_page_editor(id: String) -> Result<PageEditor, AppError> {
    let guard = Guard::current()?;
    service::editor(guard.state(), &guard.allow::<can::ViewDashboard>().await?, &id).await
}

/// Saves the editor's form; without JavaScript the browser comes back to the editor.
#[server(prefix = "/api", endpoint = "pages/save")]
pub async fn save_page(id: String, form: PageForm) -> Result<(), AppError> {
    let guard = Guard::current()?;
    service::save_form(guard.state(), &guard.allow::<can::EditPages>().await?, &id, &form).await?;
    redirect(&format!("/dashboard/pages/{}?saved=1", service::url_safe_id(&id)))
}

/// Adds a content block at the end of the page; without JavaScript the browser comes back to the
/// editor's blocks.
#[server(prefix = "/api", endpoint = "pages/content/add")]
pub async fn add_content_item(page_id: String, item: ContentForm) -> Result<String, AppError> {
    let guard = Guard::current()?;
    let id = blocks::add(guard.state(), &guard.allow::<can::EditPages>().await?, &page_id, &item).await?;
    redirect(&format!("/dashboard/pages/{}?saved=1#content", service::url_safe_id(&page_id)))?;
    Ok(id)
}

#[server(prefix = "/api", endpoint = "pages/content/update")]
pub async fn update_content_item(page_id: String, item_id: String, item: ContentForm) -> Result<(), AppError> {
    let guard = Guard::current()?;
    blocks::update(guard.state(), &guard.allow::<can::EditPages>().await?, &page_id, &item_id, &item).await?;
    redirect(&format!("/dashboard/pages/{}?saved=1#content", service::url_safe_id(&page_id)))
}

#[server(prefix = "/api", endpoint = "pages/content/remove")]
pub async fn remove_content_item(page_id: String, item_id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    block_store::remove(guard.state(), &guard.allow::<can::EditPages>().await?, &page_id, &item_id).await?;
    redirect(&format!("/dashboard/pages/{}#content", service::url_safe_id(&page_id)))
}

/// Moves a block one place `up` or `down`.
#[server(prefix = "/api", endpoint = "pages/content/move")]
pub async fn move_content_item(page_id: String, item_id: String, direction: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::EditPages>().await?;
    let direction = block_store::Direction::parse(&direction).ok_or_else(|| AppError::invalid("Move a block up or down."))?;
    block_store::reorder(guard.state(), &scope, &page_id, &item_id, direction).await?;
    redirect(&format!("/dashboard/pages/{}#content", service::url_safe_id(&page_id)))
}

/// Takes the hero image off the page (and out of storage).
#[server(prefix = "/api", endpoint = "pages/hero/remove")]
pub async fn remove_hero_image(id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    hero::replace(guard.state(), &guard.allow::<can::EditPages>().await?, &id, None).await?;
    redirect(&format!("/dashboard/pages/{}?saved=1", service::url_safe_id(&id)))
}

/// The page as visitors would see it with the editor's unsaved form, at `phase`
/// (`scheduled`, `live` or `ended`).
#[server(prefix = "/api", endpoint = "pages/preview")]
pub async fn preview_page(id: String, form: PageForm, phase: String) -> Result<crate::storefront::model::PublicPage, AppError> {
    let guard = Guard::current()?;
    let scope = guard.allow::<can::EditPages>().await?;
    let phase = crate::editor::preview_phase::PreviewPhase::parse(&phase);
    preview::preview(guard.state(), &scope, &id, &form, phase).await
}
