//! Adding and changing a page's content blocks from the editor: the block is read from the form
//! and checked here (a product block's product must be the organization's, and its owner
//! confirmed, as for publishing a page that sells), then written through the page's writer
//! (`pages::backend::block_store`), which checks the rest under the page's lock.

use crate::accounts::guard::{Scope, can};
use crate::error::{AppError, FieldError};
use crate::infra::state::AppState;
use crate::pages::backend::block_store;
use crate::pages::backend::store::editable;
use crate::pages::blocks::{ContentForm, ContentInput, parse_content};

/// The title a block is stored with: its own, or for a product block left untitled, the product's
/// name. The product must be one of the organization's (another tenant's id finds nothing).
async fn stored_title(state: &AppState, org_id: &str, input: &ContentInput) -> Result<String, AppError> {
    let Some(product_id) = input.product_id.as_deref() else { return Ok(input.title.clone()) };
    // A live page sells the moment the block is on it: the same rule as publishing one.
    crate::orders::backend::payouts::check_owner_confirmed(&state.db, org_id).await?;
    let product = crate::products::backend::store::get(&state.db, org_id, product_id).await?;
    match product {
        None => Err(AppError::fields(vec![FieldError { field: "product_id".into(), message: "That product is gone. Choose another one.".into() }])),
        Some(_) if !input.title.is_empty() => Ok(input.title.clone()),
        Some(p) => Ok(p.name),
    }
}

/// Adds a block at the end of the page; returns its id.
pub async fn add(state: &AppState, scope: &Scope<can::EditPages>, page_id: &str, form: &ContentForm) -> Result<String, AppError> {
    editable(state, scope, page_id).await?;
    let input = parse_content(form)?;
    let title = stored_title(state, scope.organization_id(), &input).await?;
    block_store::add(state, scope, page_id, &input, &title).await
}

/// Changes a block of the page.
pub async fn update(state: &AppState, scope: &Scope<can::EditPages>, page_id: &str, item_id: &str, form: &ContentForm) -> Result<(), AppError> {
    editable(state, scope, page_id).await?;
    let input = parse_content(form)?;
    let title = stored_title(state, scope.organization_id(), &input).await?;
    block_store::update(state, scope, page_id, item_id, &input, &title).await
}
