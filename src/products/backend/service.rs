//! Product operations: the scope proves who may do what; input is checked by the shared
//! validation; every change goes through the writer.

use super::store::{self, ProductRow, not_found};
use super::writer::{self, Limited};
use crate::accounts::guard::{Scope, can};
use crate::accounts::permissions::{Action, roles_allow};
use crate::error::{AppError, ErrorKind};
use crate::infra::state::AppState;
use crate::plans::backend::{Plan, plan_for_organization, upgrade_hint, visible_plans};
use crate::products::model::{ProductDetail, ProductForm, ProductStatus, ProductSummary};
use crate::products::validation::{ProductInput, form_of, parse_product};
use chrono::{DateTime, Utc};

/// A product id as it may appear in a redirect: ids are UUIDs, anything else is left out.
pub fn url_safe_id(id: &str) -> &str {
    if id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') { id } else { "" }
}

fn summarize(row: &ProductRow, now: DateTime<Utc>) -> ProductSummary {
    let expires_at = row.expires_at.map(|t| t.and_utc());
    ProductSummary {
        id: row.id.clone(),
        name: row.name.clone(),
        price_minor: row.price_minor,
        currency: row.currency.clone(),
        is_active: row.is_active,
        expires_at,
        status: ProductStatus::of(row.is_active, expires_at, now),
        updated_at: row.updated_at.and_utc(),
    }
}

pub async fn list(state: &AppState, scope: &Scope<can::ViewDashboard>) -> Result<Vec<ProductSummary>, AppError> {
    let now = Utc::now();
    Ok(store::list(&state.db, scope.organization_id()).await?.iter().map(|row| summarize(row, now)).collect())
}

pub async fn get(state: &AppState, scope: &Scope<can::ViewDashboard>, product_id: &str) -> Result<ProductDetail, AppError> {
    let row = store::get(&state.db, scope.organization_id(), product_id).await?.ok_or_else(not_found)?;
    let summary = summarize(&row, Utc::now());
    let input = ProductInput {
        name: row.name.clone(),
        description: row.description.clone(),
        price_minor: row.price_minor,
        currency: row.currency.clone(),
        expires_at: summary.expires_at,
        download_limit: row.download_limit,
        download_days: row.download_days,
    };
    Ok(ProductDetail {
        summary,
        description: row.description,
        form: form_of(&input),
        can_edit: roles_allow(&scope.user().roles, Action::EditProducts),
        has_orders: store::has_orders(&state.db, product_id).await?,
        file: store::file_of(&state.db, product_id).await?,
        max_file_mb: plan_for_organization(&state.db, scope.organization_id()).await?.features.max_file_size_mb,
        sample: store::sample_of(row.sample_key.as_deref(), row.sample_type.as_deref()),
    })
}

/// Creates a product (switched on) and returns its id.
pub async fn create(state: &AppState, scope: &Scope<can::EditProducts>, form: &ProductForm) -> Result<String, AppError> {
    let input = parse_product(form, Utc::now(), None)?;
    let plan = plan_for_organization(&state.db, scope.organization_id()).await?;
    match writer::create(&state.db, scope.organization_id(), scope.user_id(), &input, plan.features.products).await? {
        Limited::Done(id) => Ok(id),
        Limited::OverLimit { active } => Err(over_limit(state, &plan, active).await?),
    }
}

/// Saves the product's form. A stored expiry that has passed may stay as it is.
pub async fn save(state: &AppState, scope: &Scope<can::EditProducts>, product_id: &str, form: &ProductForm) -> Result<(), AppError> {
    let row = store::editable(&state.db, scope, product_id).await?;
    let input = parse_product(form, Utc::now(), row.expires_at.map(|t| t.and_utc()))?;
    writer::edit(&state.db, scope.organization_id(), product_id, &input).await
}

/// Switches the product off: it stays listed and keeps its orders, but cannot be bought.
pub async fn deactivate(state: &AppState, scope: &Scope<can::EditProducts>, product_id: &str) -> Result<(), AppError> {
    store::editable(&state.db, scope, product_id).await?;
    writer::set_active(&state.db, scope.organization_id(), product_id, false, None).await.map(|_| ())
}

/// Switches the product back on, within the plan's number of switched-on products.
pub async fn reactivate(state: &AppState, scope: &Scope<can::EditProducts>, product_id: &str) -> Result<(), AppError> {
    store::editable(&state.db, scope, product_id).await?;
    let plan = plan_for_organization(&state.db, scope.organization_id()).await?;
    match writer::set_active(&state.db, scope.organization_id(), product_id, true, plan.features.products).await? {
        Limited::Done(()) => Ok(()),
        Limited::OverLimit { active } => Err(over_limit(state, &plan, active).await?),
    }
}

/// Deletes the product (and its file), unless an order references it.
pub async fn delete(state: &AppState, scope: &Scope<can::EditProducts>, product_id: &str) -> Result<(), AppError> {
    store::editable(&state.db, scope, product_id).await?;
    let keys = writer::delete(&state.db, scope.organization_id(), product_id).await?;
    super::files::remove_objects(state, &keys).await;
    Ok(())
}

/// The refusal at the plan's product limit, naming the plan that allows more.
async fn over_limit(state: &AppState, plan: &Plan, active: i64) -> Result<AppError, AppError> {
    let upgrade = upgrade_hint(plan, &visible_plans(&state.db).await?, |f| f.products);
    Ok(AppError::new(
        ErrorKind::LimitReached,
        format!(
            "Your {} plan allows {} active products, and {active} are switched on. Switch one off first.{upgrade}",
            plan.name,
            plan.features.products.unwrap_or_default()
        ),
    ))
}
