//! Reading registrations for people: the registrant's own page, and the creator's list and detail.

use super::store::{self, ListQuery};
use crate::accounts::guard::{Scope, can};
use crate::accounts::model::CurrentUser;
use crate::accounts::permissions::{Action, roles_allow};
use crate::error::AppError;
use crate::infra::state::AppState;
use crate::pages::customization::Customization;
use crate::pages::questions::CustomField;
use crate::pages::settings::{PageSettings, PageType};
use crate::registrations::form::Answer;
use crate::registrations::model::{ManageView, RegistrantDetail, RegistrationStatus, RegistrationsView};
use std::collections::BTreeMap;

/// People per page of the creator's list.
pub const PER_PAGE: u32 = 50;

/// The stored answers as (question, answer) lines, in the form's order; answers to questions
/// removed since are shown under their id.
fn answer_lines(fields: &[CustomField], json: &str) -> Vec<(String, String)> {
    let answers: BTreeMap<String, Answer> = serde_json::from_str(json).unwrap_or_default();
    let mut lines: Vec<(String, String)> = fields.iter().filter_map(|f| answers.get(&f.id).map(|a| (f.label.clone(), a.display()))).collect();
    lines.extend(answers.iter().filter(|(id, _)| !fields.iter().any(|f| &f.id == *id)).map(|(id, a)| (id.clone(), a.display())));
    lines
}

struct PageFacts {
    short_id: String,
    organization_id: String,
    group_id: Option<String>,
    look: Customization,
    settings: PageSettings,
}

async fn page_facts(state: &AppState, page_id: &str) -> Result<Option<PageFacts>, AppError> {
    let Some((row, organization_id)) = crate::pages::backend::store::by_id(&state.db, page_id).await? else { return Ok(None) };
    let Some(settings) = PageType::parse(&row.page_type).and_then(|k| PageSettings::from_json(k, &row.settings).ok()) else { return Ok(None) };
    let look = Customization::from_json(&row.customization).map_err(AppError::internal)?;
    Ok(Some(PageFacts { short_id: row.short_id, organization_id: organization_id.unwrap_or_default(), group_id: row.group_id, look, settings }))
}

/// The registrant's page. A signed-in member of the page's organization who may check people in
/// sees the check-in button (the QR code at the door opens this page).
pub async fn view(state: &AppState, token: &str, viewer: Option<&CurrentUser>) -> Result<ManageView, AppError> {
    let unknown = || super::writer::ManageRefusal::UnknownLink.error();
    let found = store::by_token(&state.db, token).await?.ok_or_else(unknown)?;
    let facts = page_facts(state, &found.page_id).await?.ok_or_else(unknown)?;
    let PageSettings::EventRegistration(s) = &facts.settings else { return Err(unknown()) };
    let registered = found.row.status == RegistrationStatus::Registered;
    // The same rule as the check-in itself (`service::check_in`): editors of another group's event
    // don't get the button.
    let other_group =
        |u: &CurrentUser| facts.group_id.as_deref().is_some_and(|g| g != u.group_id) && crate::accounts::permissions::limited_to_own_group(&u.roles);
    let can_check_in =
        viewer.is_some_and(|u| u.organization_id == facts.organization_id && roles_allow(&u.roles, Action::ManageRegistrants) && !other_group(u));
    let manage = super::mail::manage_url(&state.config.public_url, token);
    Ok(ManageView {
        token: token.to_string(),
        page_title: facts.look.headline.clone(),
        short_id: facts.short_id.clone(),
        accent_color: facts.look.accent_color.clone(),
        name: found.row.name.clone(),
        email: found.row.email.clone(),
        phone: found.row.phone.clone(),
        status: found.row.status,
        position: found.row.position,
        when: super::mail::when(s),
        zone: s.time_zone.clone(),
        place: super::mail::place(s, registered),
        join_link: if registered { s.platform_link.clone().filter(|_| s.event_location == crate::pages::settings::EventLocation::Virtual) } else { None },
        answers: answer_lines(&s.custom_fields, &found.answers),
        attended_at: found.row.attended_at,
        event_over: chrono::Utc::now() >= s.event_end_time,
        can_check_in,
        google_calendar_url: super::calendar::google_calendar_url(&facts.look.headline, s, &format!("Manage your registration: {manage}"), registered),
        registrant_id: can_check_in.then(|| found.row.id.clone()),
    })
}

/// A page's registrations for its creator.
pub async fn overview(
    state: &AppState,
    scope: &Scope<can::ViewDashboard>,
    page_id: &str,
    search: &str,
    status: Option<&str>,
    page: u32,
) -> Result<RegistrationsView, AppError> {
    let facts =
        page_facts(state, page_id).await?.filter(|f| f.organization_id == scope.organization_id()).ok_or_else(crate::pages::backend::store::not_found)?;
    let roles = &scope.user().roles;
    let mut counts = store::counts(&state.db, page_id).await?;
    let (is_event, time_zone) = match &facts.settings {
        PageSettings::EventRegistration(s) => {
            counts.capacity = s.max_attendees;
            counts.waitlist_enabled = s.waitlist_enabled;
            counts.per_minute = s.registrations_per_minute();
            (true, s.time_zone.clone())
        }
        _ => (false, facts.look.time_zone.clone().unwrap_or_else(|| "UTC".into())),
    };
    let status = status.and_then(RegistrationStatus::parse);
    let page = page.max(1);
    let (rows, matching) = if !roles_allow(roles, Action::ViewRegistrants) {
        (None, 0)
    } else if let Some(found) = scanned(state, page_id, search).await? {
        // A door scanner types the QR code's manage link into the search: that one person.
        (Some(vec![found]), 1)
    } else {
        let query = ListQuery {
            page_id,
            search: &search.chars().take(200).collect::<String>(),
            status,
            offset: i64::from((page - 1) * PER_PAGE),
            limit: i64::from(PER_PAGE),
        };
        let (rows, matching) = store::list(&state.db, &query).await?;
        (Some(rows), matching)
    };
    Ok(RegistrationsView {
        page_id: page_id.to_string(),
        page_title: facts.look.headline.clone(),
        short_id: facts.short_id,
        is_event,
        counts,
        rows,
        matching,
        page,
        per_page: PER_PAGE,
        query: search.to_string(),
        status,
        can_manage: roles_allow(roles, Action::ManageRegistrants),
        can_export: roles_allow(roles, Action::ExportData),
        time_zone,
    })
}

/// The registrant of this page whose manage link (or its token) is `search`, if it is one.
async fn scanned(state: &AppState, page_id: &str, search: &str) -> Result<Option<crate::registrations::model::RegistrantRow>, AppError> {
    let token = search.trim().rsplit("/r/").next().unwrap_or("").trim_end_matches('/');
    if !crate::infra::tokens::looks_like_token(token) {
        return Ok(None);
    }
    Ok(store::by_token(&state.db, token).await?.filter(|m| m.page_id == page_id).map(|m| m.row))
}

pub async fn detail(state: &AppState, scope: &Scope<can::ViewRegistrants>, id: &str) -> Result<RegistrantDetail, AppError> {
    let (page_id, row, answers) =
        store::detail(&state.db, id, scope.organization_id()).await?.ok_or_else(|| AppError::not_found("That registration is gone."))?;
    let facts = page_facts(state, &page_id).await?.ok_or_else(crate::pages::backend::store::not_found)?;
    let (fields, time_zone) = match &facts.settings {
        PageSettings::EventRegistration(s) => (s.custom_fields.clone(), s.time_zone.clone()),
        _ => (Vec::new(), "UTC".into()),
    };
    Ok(RegistrantDetail {
        page_id,
        row,
        answers: answer_lines(&fields, &answers),
        can_manage: roles_allow(&scope.user().roles, Action::ManageRegistrants),
        time_zone,
    })
}
