//! Builds the editor's preview from the unsaved form: the same checks as saving, the same
//! assembly as the public page, shown at the moment of its life the creator picked.

use super::form_parts::parts_from_form;
use crate::accounts::guard::{Scope, can};
use crate::editor::form::PageForm;
use crate::editor::preview_phase::PreviewPhase;
use crate::error::AppError;
use crate::infra::state::AppState;
use crate::pages::settings::PageType;
use crate::storefront::model::PublicPage;
use crate::storefront::source::assemble;
use chrono::Utc;

pub async fn preview(state: &AppState, scope: &Scope<can::EditPages>, page_id: &str, form: &PageForm, at: PreviewPhase) -> Result<PublicPage, AppError> {
    let row = crate::pages::backend::store::editable(state, scope, page_id).await?;
    let kind = PageType::parse(&row.page_type).ok_or_else(|| AppError::internal("unknown page type in the database"))?;
    let parts = parts_from_form(kind, form, row.stored_hero())?;
    let schedule = (parts.launch_at, parts.expires_at);
    let instant = at.instant(Utc::now(), parts.launch_at, parts.settings.end_time());
    let source = assemble(&state.db, &state.config.public_url, &row.id, &row.short_id, parts.settings, &parts.customization, schedule).await?;
    let mut page = source.view_at(instant);
    page.preview = true;
    Ok(page)
}
