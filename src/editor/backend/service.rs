//! Page operations: who is asking, may they, is the input valid, then the query.

use super::form_parts::{form_from_parts, parts_from_form, validate_parts};
use crate::accounts::guard::{Scope, can};
use crate::editor::form::PageForm;
use crate::editor::model::{PageDetail, PageEditor, PageSummary};
use crate::error::{AppError, ErrorKind};
use crate::infra::state::AppState;
use crate::infra::storage::ObjectKey;
use crate::pages::backend::store::{self, PageRow, Publish, editable, not_found};
use crate::pages::backend::writer::PageParts;
use crate::pages::backend::writer::{self, Draft};
use crate::pages::customization::{Customization, validate_customization};
use crate::pages::phase::{PageClock, phase};
use crate::pages::settings::*;
use crate::plans::backend::{plan_for_organization, upgrade_hint, visible_plans};
use chrono::{DateTime, Duration, DurationRound, NaiveDateTime, Utc};

/// A page id as it may appear in a redirect: page ids are UUIDs, anything else is left out.
pub fn url_safe_id(id: &str) -> &str {
    if id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') { id } else { "" }
}

/// Settings for a fresh draft of each kind: ends in a week, nothing that needs data the creator
/// has not given yet.
pub fn default_settings(kind: PageType, now: DateTime<Utc>) -> PageSettings {
    let in_a_week = (now + Duration::days(7)).duration_trunc(Duration::hours(1)).unwrap_or(now + Duration::days(7));
    match kind {
        PageType::Countdown => PageSettings::Countdown(CountdownSettings {
            countdown_target: in_a_week,
            post_countdown_action: PostCountdownAction::ShowMessage,
            redirect_url: None,
            message_title: Some("We're live!".into()),
            message_content: Some("The wait is over.".into()),
        }),
        PageType::FlashSale => PageSettings::FlashSale(FlashSaleSettings {
            sale_end_time: in_a_week,
            discount_percentage: 20,
            original_price_display: true,
            inventory_limit: 100,
            sold_out_action: SoldOutAction::ShowMessage,
            post_sale_redirect_url: None,
            hold_minutes: None,
        }),
        PageType::EventRegistration => PageSettings::EventRegistration(EventRegistrationSettings {
            event_start_time: in_a_week,
            event_end_time: in_a_week + Duration::hours(1),
            time_zone: "UTC".into(),
            event_location: EventLocation::Physical,
            physical_address: Some("To be announced".into()),
            virtual_platform: None,
            platform_link: None,
            max_attendees: 100,
            waitlist_enabled: true,
            phone_field: Default::default(),
            custom_fields: Vec::new(),
            registrations_per_minute: None,
        }),
        PageType::LimitedOffer => PageSettings::LimitedOffer(LimitedOfferSettings {
            offer_end_time: in_a_week,
            discount_code: None,
            bonus_description: None,
            limited_quantity: 50,
            post_offer_action: PostOfferAction::ShowAlternate,
            redirect_url: None,
            alternate_title: Some("This offer has ended".into()),
            alternate_content: None,
            code_discount_percentage: 0,
            code_uses: None,
            hold_minutes: None,
        }),
    }
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Builds the dashboard view of a stored page. A row that no longer parses is reported, not hidden.
pub fn summarize(row: &PageRow, now: DateTime<Utc>) -> Result<(PageSummary, PageSettings, Customization), AppError> {
    let kind = PageType::parse(&row.page_type).ok_or_else(|| AppError::internal(format!("page {} has unknown type {}", row.id, row.page_type)))?;
    let settings = PageSettings::from_json(kind, &row.settings).map_err(|e| AppError::internal(format!("page {}: {e}", row.id)))?;
    let customization = Customization::from_json(&row.customization).map_err(|e| AppError::internal(format!("page {}: {e}", row.id)))?;
    let clock = PageClock { is_active: row.is_active, launch_at: row.launch_at.map(utc), expires_at: row.expires_at.map(utc), end_time: settings.end_time() };
    let summary = PageSummary {
        id: row.id.clone(),
        short_id: row.short_id.clone(),
        page_type: kind,
        headline: customization.headline.clone(),
        is_active: row.is_active,
        phase: phase(&clock, now, false),
        launch_at: clock.launch_at,
        expires_at: clock.expires_at,
        end_time: clock.end_time,
        view_count: row.view_count,
        updated_at: utc(row.updated_at),
    };
    Ok((summary, settings, customization))
}

pub async fn list(state: &AppState, scope: &Scope<can::ViewDashboard>) -> Result<Vec<PageSummary>, AppError> {
    let now = Utc::now();
    store::list(&state.db, scope.organization_id()).await?.iter().map(|row| summarize(row, now).map(|(s, _, _)| s)).collect()
}

pub async fn get(state: &AppState, scope: &Scope<can::ViewDashboard>, page_id: &str) -> Result<PageDetail, AppError> {
    let row = store::get(&state.db, scope.organization_id(), page_id).await?.ok_or_else(not_found)?;
    let (summary, _, customization) = summarize(&row, Utc::now())?;
    Ok(PageDetail { summary, settings_json: row.settings.clone(), customization })
}

/// Creates a draft (switched off) of the given kind and returns its id.
pub async fn create(state: &AppState, scope: &Scope<can::EditPages>, kind: &str, headline: &str) -> Result<String, AppError> {
    let kind = PageType::parse(kind).ok_or_else(|| AppError::field("pageType", "Choose one of the four kinds of page."))?;
    let headline = if headline.trim().is_empty() { kind.label() } else { headline.trim() };
    let customization = Customization::with_headline(headline);
    validate_customization(&customization)?;
    let settings = default_settings(kind, Utc::now());
    let draft = Draft {
        organization_id: scope.organization_id(),
        user_id: scope.user_id(),
        kind,
        settings: &settings,
        customization: &customization,
        launch_at: None,
        expires_at: None,
    };
    writer::create(state, &draft).await
}

/// Parses an optional RFC 3339 time from a form.
pub fn parse_time(field: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| AppError::field(field, "Enter a date and time like 2026-12-01T10:00:00Z.")),
    }
}

/// Saves a page's settings, look and schedule sent as JSON (API clients): read into the same
/// typed parts as the editor's form and checked by the same [`validate_parts`].
pub async fn update(
    state: &AppState,
    scope: &Scope<can::EditPages>,
    page_id: &str,
    settings_json: &str,
    customization_json: &str,
    launch_at: Option<&str>,
    expires_at: Option<&str>,
) -> Result<(), AppError> {
    let row = editable(state, scope, page_id).await?;
    let kind = PageType::parse(&row.page_type).ok_or_else(|| AppError::internal("unknown page type in the database"))?;
    let settings = PageSettings::from_json(kind, settings_json).map_err(AppError::invalid)?;
    let customization = Customization::from_json(customization_json).map_err(AppError::invalid)?;
    let mut errors = Vec::new();
    let launch_at = parse_time("launchAt", launch_at).map_err(|e| errors.extend(e.fields)).ok().flatten();
    let expires_at = parse_time("expiresAt", expires_at).map_err(|e| errors.extend(e.fields)).ok().flatten();
    let parts = PageParts { settings, customization, launch_at, expires_at };
    if errors.is_empty() {
        errors = validate_parts(&parts);
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    writer::edit(state, scope.organization_id(), page_id, &parts).await?;
    after_event_edit(state, page_id, kind, &row.settings).await
}

/// After an event page's edit, its registrants hear of a new time or place, and seats a higher
/// capacity freed go to the waitlist (`registrations::backend::writer::after_edit`).
async fn after_event_edit(state: &AppState, page_id: &str, kind: PageType, before: &str) -> Result<(), AppError> {
    let Ok(PageSettings::EventRegistration(before)) = PageSettings::from_json(kind, before) else { return Ok(()) };
    let ctx = crate::registrations::backend::writer::Context::of(state);
    let (_, promoted) = crate::registrations::backend::writer::after_edit(&state.db, ctx, page_id, &before, chrono::Utc::now()).await?;
    if promoted > 0 {
        if let Ok(Some(short_id)) = store::short_id_of(&state.db, page_id).await {
            crate::infra::notifier::Notifier::changed(state, &short_id).await;
        }
    }
    Ok(())
}

/// Saves what the editor's form posted.
pub async fn save_form(state: &AppState, scope: &Scope<can::EditPages>, page_id: &str, form: &PageForm) -> Result<(), AppError> {
    let row = editable(state, scope, page_id).await?;
    let kind = PageType::parse(&row.page_type).ok_or_else(|| AppError::internal("unknown page type in the database"))?;
    let parts = parts_from_form(kind, form, None)?;
    writer::edit(state, scope.organization_id(), page_id, &parts).await?;
    after_event_edit(state, page_id, kind, &row.settings).await
}

/// The editor's data for one page.
pub async fn editor(state: &AppState, scope: &Scope<can::ViewDashboard>, page_id: &str) -> Result<PageEditor, AppError> {
    let detail = get(state, scope, page_id).await?;
    let settings = PageSettings::from_json(detail.summary.page_type, &detail.settings_json).map_err(AppError::internal)?;
    let form = form_from_parts(&settings, &detail.customization, detail.summary.launch_at, detail.summary.expires_at);
    let public_url = format!("{}/p/{}", state.config.public_url, detail.summary.short_id);
    let items = crate::pages::backend::block_store::list(&state.db, page_id).await?;
    let hero_image_url = detail.customization.hero_image.as_deref().and_then(ObjectKey::parse_page_asset).map(|k| k.public_path());
    let products = if matches!(detail.summary.page_type, PageType::FlashSale | PageType::LimitedOffer) {
        product_choices(state, scope.organization_id()).await?
    } else {
        Vec::new()
    };
    Ok(PageEditor { detail, form, public_url, items, hero_image_url, products })
}

/// The organization's products, for a product block's select.
async fn product_choices(state: &AppState, org_id: &str) -> Result<Vec<crate::editor::model::ProductChoice>, AppError> {
    let rows = crate::products::backend::store::list(&state.db, org_id).await?;
    Ok(rows
        .into_iter()
        .map(|p| {
            let price = crate::money::format_money(p.price_minor, &p.currency);
            let off = if p.is_active { "" } else { ", switched off" };
            crate::editor::model::ProductChoice { label: format!("{} ({price}{off})", p.name), id: p.id }
        })
        .collect())
}

/// A copy of the page as a new draft with a new short link, its own copy of the hero image and
/// of the content blocks.
pub async fn duplicate(state: &AppState, scope: &Scope<can::EditPages>, page_id: &str) -> Result<String, AppError> {
    let row = editable(state, scope, page_id).await?;
    let (summary, settings, mut customization) = summarize(&row, Utc::now())?;
    customization.headline = format!("Copy of {}", customization.headline).chars().take(crate::pages::customization::HEADLINE_MAX).collect();
    let hero = customization.hero_image.take();
    let draft = Draft {
        organization_id: scope.organization_id(),
        user_id: scope.user_id(),
        kind: summary.page_type,
        settings: &settings,
        customization: &customization,
        launch_at: row.launch_at,
        expires_at: row.expires_at,
    };
    let id = writer::create(state, &draft).await?;
    crate::pages::backend::block_store::copy_all(state, scope, page_id, &id).await?;
    let copied = match super::hero::copy_for(state, scope.organization_id(), hero.as_deref(), scope.user_id(), &id).await {
        Ok(copied) => copied,
        Err(e) => {
            // The copy without its image would surprise; take it back and say why.
            if let Ok(row) = writer::delete(state, scope.organization_id(), &id).await {
                super::hero::forget_assets(state, &row.user_id, &id).await;
            }
            return Err(e);
        }
    };
    if let Some(copied) = copied {
        writer::set_hero(state, scope.organization_id(), &id, Some(copied)).await?;
    }
    Ok(id)
}

pub async fn publish(state: &AppState, scope: &Scope<can::PublishPages>, page_id: &str) -> Result<(), AppError> {
    // A page that sells needs somewhere to pay the money to (with Stripe: payouts set up).
    if store::get(&state.db, scope.organization_id(), page_id).await?.is_some() {
        let blocks = crate::pages::backend::block_store::list(&state.db, page_id).await?;
        if blocks.iter().any(|b| b.product_id.is_some()) {
            crate::orders::backend::payouts::check_can_sell(state, scope.organization_id()).await?;
        }
    }
    let plan = plan_for_organization(&state.db, scope.organization_id()).await?;
    match writer::publish(state, scope.organization_id(), page_id, plan.features.active_pages).await? {
        Publish::Done => Ok(()),
        Publish::OverLimit { live } => {
            let upgrade = upgrade_hint(&plan, &visible_plans(&state.db).await?, |f| f.active_pages);
            Err(AppError::new(
                ErrorKind::LimitReached,
                format!(
                    "Your {} plan allows {} live pages at a time, and {live} are switched on (an ended or expired \
                     page counts until you switch it off). Switch one off first.{upgrade}",
                    plan.name,
                    plan.features.active_pages.unwrap_or_default()
                ),
            ))
        }
    }
}

pub async fn unpublish(state: &AppState, scope: &Scope<can::PublishPages>, page_id: &str) -> Result<(), AppError> {
    writer::unpublish(state, scope.organization_id(), page_id).await
}

/// Deletes the page, its content blocks (by cascade) and its files.
pub async fn delete(state: &AppState, scope: &Scope<can::PublishPages>, page_id: &str) -> Result<(), AppError> {
    let row = writer::delete(state, scope.organization_id(), page_id).await?;
    super::hero::forget_assets(state, &row.user_id, page_id).await;
    Ok(())
}
