//! Product server functions for the dashboard. Thin: the guard for the permission (viewers read,
//! editors change), then the service. Each answers a plain form post with a redirect back to the
//! product screen, so the dashboard works without JavaScript.

use super::model::{ProductDetail, ProductForm, ProductSummary};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::accounts::guard::{Guard, can};
#[cfg(feature = "ssr")]
use crate::infra::request::redirect;
#[cfg(feature = "ssr")]
use crate::products::backend::service::{self, url_safe_id};

/// Where a product's screen is, with the "saved" notice.
#[cfg(feature = "ssr")]
fn saved(id: &str) -> String {
    format!("/dashboard/products/{}?saved=1", url_safe_id(id))
}

#[server(prefix = "/api", endpoint = "products/list")]
pub async fn list_products() -> Result<Vec<ProductSummary>, AppError> {
    let guard = Guard::current()?;
    service::list(guard.state(), &guard.allow::<can::ViewDashboard>().await?).await
}

#[server(prefix = "/api", endpoint = "products/get")]
pub async fn get_product(id: String) -> Result<ProductDetail, AppError> {
    let guard = Guard::current()?;
    service::get(guard.state(), &guard.allow::<can::ViewDashboard>().await?, &id).await
}

/// Creates a product and opens it.
#[server(prefix = "/api", endpoint = "products/create")]
pub async fn create_product(form: ProductForm) -> Result<String, AppError> {
    let guard = Guard::current()?;
    let id = service::create(guard.state(), &guard.allow::<can::EditProducts>().await?, &form).await?;
    redirect(&saved(&id))?;
    Ok(id)
}

#[server(prefix = "/api", endpoint = "products/save")]
pub async fn save_product(id: String, form: ProductForm) -> Result<(), AppError> {
    let guard = Guard::current()?;
    service::save(guard.state(), &guard.allow::<can::EditProducts>().await?, &id, &form).await?;
    redirect(&saved(&id))
}

#[server(prefix = "/api", endpoint = "products/deactivate")]
pub async fn deactivate_product(id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    service::deactivate(guard.state(), &guard.allow::<can::EditProducts>().await?, &id).await?;
    redirect(&saved(&id))
}

#[server(prefix = "/api", endpoint = "products/reactivate")]
pub async fn reactivate_product(id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    service::reactivate(guard.state(), &guard.allow::<can::EditProducts>().await?, &id).await?;
    redirect(&saved(&id))
}

/// Deletes a product no order references (else: switch it off instead).
#[server(prefix = "/api", endpoint = "products/delete")]
pub async fn delete_product(id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    service::delete(guard.state(), &guard.allow::<can::EditProducts>().await?, &id).await?;
    redirect("/dashboard/products?deleted=1")
}

/// Removes the product's public sample.
#[server(prefix = "/api", endpoint = "products/sample/remove")]
pub async fn remove_product_sample(id: String) -> Result<(), AppError> {
    let guard = Guard::current()?;
    crate::products::backend::files::remove_sample(guard.state(), &guard.allow::<can::EditProducts>().await?, &id).await?;
    redirect(&saved(&id))
}
