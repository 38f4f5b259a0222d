//! Builds the editor's preview from the unsaved form: the same checks as saving, the same
//! assembly as the public page, shown at the moment of its life the creator picked.

use super::form::parts_from_form;
use super::store;
use crate::accounts::model::CurrentUser;
use crate::accounts::permissions::{Action, authorize};
use crate::error::AppError;
use crate::pages::customization::Customization;
use crate::pages::form::PageForm;
use crate::pages::preview::PreviewPhase;
use crate::pages::public::model::PublicPage;
use crate::pages::public::server::assemble;
use crate::pages::settings::PageType;
use crate::server::state::AppState;
use chrono::Utc;

pub async fn preview(state: &AppState, user: &CurrentUser, page_id: &str, form: &PageForm, at: PreviewPhase) -> Result<PublicPage, AppError> {
    authorize(user, Action::EditPages, None)?;
    let row = store::get(&state.db, &user.organization_id, page_id)
        .await?
        .ok_or_else(|| AppError::not_found("We couldn't find that page. It may have been deleted."))?;
    let kind = PageType::parse(&row.page_type).ok_or_else(|| AppError::internal("unknown page type in the database"))?;
    let hero = Customization::from_json(&row.customization).ok().and_then(|c| c.hero_image);
    let parts = parts_from_form(kind, form, hero)?;
    let schedule = (parts.launch_at, parts.expires_at);
    let mut page = assemble(&state.db, &state.config.public_url, &row.id, &row.short_id, &parts.settings, &parts.customization, schedule).await?;
    page.server_now = at.instant(Utc::now(), parts.launch_at, parts.settings.end_time());
    page.preview = true;
    Ok(page)
}
