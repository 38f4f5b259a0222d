//! Page operations: who is asking, may they, is the input valid, then the query.

use super::short_id::new_short_id;
use super::store::{self, NewPage, PageEdit, PageRow, Publish};
use crate::accounts::model::CurrentUser;
use crate::accounts::permissions::{Action, authorize};
use crate::billing::server::{next_plan_for_pages, plan_for_organization, visible_plans};
use crate::error::{AppError, ErrorKind};
use crate::pages::customization::{Customization, validate_customization};
use crate::pages::form::PageForm;
use crate::pages::model::{PageDetail, PageEditor, PageSummary};
use super::form::{PageParts, form_from_parts, parts_from_form};
use crate::pages::phase::{PageClock, phase};
use crate::pages::settings::*;
use crate::pages::validation::validate_page;
use crate::pages::public::cache::PageCache;
use crate::server::db::Db;
use crate::server::storage::{ObjectKey, Storage};
use chrono::{DateTime, Duration, DurationRound, NaiveDateTime, Utc};

/// The short id of one of the organization's pages (for cache invalidation).
async fn short_id_of(db: &Db, user: &CurrentUser, page_id: &str) -> Result<Option<String>, AppError> {
    Ok(store::get(db, &user.organization_id, page_id).await?.map(|row| row.short_id))
}

/// Drops the public cache entry after a write has committed (before, a concurrent visitor could
/// put the old data back).
async fn forget(cache: &PageCache, short_id: Option<String>) {
    if let Some(short_id) = short_id {
        cache.invalidate(&short_id).await;
    }
}

pub(super) fn not_found() -> AppError {
    AppError::not_found("We couldn't find that page. It may have been deleted.")
}

/// The page, when the caller may edit it and it belongs to their organization (another tenant's
/// id is not found). Every edit of a page, its blocks or its image starts here.
pub(super) async fn editable(db: &Db, user: &CurrentUser, page_id: &str) -> Result<PageRow, AppError> {
    authorize(user, Action::EditPages, None)?;
    store::get(db, &user.organization_id, page_id).await?.ok_or_else(not_found)
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
    let clock = PageClock {
        is_active: row.is_active,
        launch_at: row.launch_at.map(utc),
        expires_at: row.expires_at.map(utc),
        end_time: settings.end_time(),
    };
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

pub async fn list(db: &Db, user: &CurrentUser) -> Result<Vec<PageSummary>, AppError> {
    authorize(user, Action::ViewDashboard, None)?;
    let now = Utc::now();
    store::list(db, &user.organization_id).await?.iter().map(|row| summarize(row, now).map(|(s, _, _)| s)).collect()
}

pub async fn get(db: &Db, user: &CurrentUser, page_id: &str) -> Result<PageDetail, AppError> {
    authorize(user, Action::ViewDashboard, None)?;
    let row = store::get(db, &user.organization_id, page_id).await?.ok_or_else(not_found)?;
    let (summary, _, customization) = summarize(&row, Utc::now())?;
    Ok(PageDetail { summary, settings_json: row.settings.clone(), customization })
}

/// Creates a draft (switched off) of the given kind and returns its id.
pub async fn create(db: &Db, user: &CurrentUser, kind: &str, headline: &str) -> Result<String, AppError> {
    authorize(user, Action::EditPages, None)?;
    let kind = PageType::parse(kind).ok_or_else(|| AppError::field("pageType", "Choose one of the four kinds of page."))?;
    let now = Utc::now();
    let headline = if headline.trim().is_empty() { kind.label() } else { headline.trim() };
    let customization = Customization::with_headline(headline);
    validate_customization(&customization)?;
    let settings = default_settings(kind, now);
    insert_with_fresh_short_id(db, user, kind, &settings, &customization, None, None).await
}

async fn insert_with_fresh_short_id(
    db: &Db,
    user: &CurrentUser,
    kind: PageType,
    settings: &PageSettings,
    customization: &Customization,
    launch_at: Option<NaiveDateTime>,
    expires_at: Option<NaiveDateTime>,
) -> Result<String, AppError> {
    let id = crate::accounts::server::store::new_id();
    let (settings_json, customization_json) = (settings.to_json(), customization.to_json());
    // 62^8 ids make a collision very unlikely; the unique index makes it impossible to miss.
    for _ in 0..5 {
        let short_id = new_short_id();
        let page = NewPage {
            id: &id,
            short_id: &short_id,
            user_id: &user.id,
            page_type: kind.as_str(),
            launch_at,
            expires_at,
            customization: &customization_json,
            settings: &settings_json,
            now: Utc::now().naive_utc(),
        };
        match store::insert(db, &page).await {
            Ok(()) => return Ok(id),
            Err(e) if e.is_unique_violation() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::internal("could not find a free short id after 5 attempts"))
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

/// Saves a page's settings, look and schedule sent as JSON (API clients) after validating all of it.
pub async fn update(
    db: &Db,
    cache: &PageCache,
    user: &CurrentUser,
    page_id: &str,
    settings_json: &str,
    customization_json: &str,
    launch_at: Option<&str>,
    expires_at: Option<&str>,
) -> Result<(), AppError> {
    let row = editable(db, user, page_id).await?;
    let kind = PageType::parse(&row.page_type).ok_or_else(|| AppError::internal("unknown page type in the database"))?;
    let settings = PageSettings::from_json(kind, settings_json).map_err(AppError::invalid)?;
    let mut customization = Customization::from_json(customization_json).map_err(AppError::invalid)?;
    // The hero image changes only through an upload: a client cannot point a page at any file.
    customization.hero_image = row.stored_hero();
    let launch_at = parse_time("launchAt", launch_at)?;
    let expires_at = parse_time("expiresAt", expires_at)?;
    let mut errors = Vec::new();
    if let Err(e) = validate_page(&settings, launch_at, expires_at) {
        errors.extend(e.fields);
    }
    if let Err(e) = validate_customization(&customization) {
        errors.extend(e.fields);
    }
    if let PageSettings::EventRegistration(s) = &settings {
        if s.time_zone.parse::<chrono_tz::Tz>().is_err() {
            errors.push(crate::error::FieldError { field: "timeZone".into(), message: "That time zone is not known. Use a name like Europe/Paris.".into() });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    save(db, cache, user, &row, &PageParts { settings, customization, launch_at, expires_at }).await
}

/// Saves what the editor's form posted.
pub async fn save_form(db: &Db, cache: &PageCache, user: &CurrentUser, page_id: &str, form: &PageForm) -> Result<(), AppError> {
    let row = editable(db, user, page_id).await?;
    let kind = PageType::parse(&row.page_type).ok_or_else(|| AppError::internal("unknown page type in the database"))?;
    let parts = parts_from_form(kind, form, row.stored_hero())?;
    save(db, cache, user, &row, &parts).await
}

async fn save(db: &Db, cache: &PageCache, user: &CurrentUser, row: &PageRow, parts: &PageParts) -> Result<(), AppError> {
    let edit = PageEdit {
        launch_at: parts.launch_at.map(|t| t.naive_utc()),
        expires_at: parts.expires_at.map(|t| t.naive_utc()),
        customization: &parts.customization.to_json(),
        settings: &parts.settings.to_json(),
        now: Utc::now().naive_utc(),
    };
    if !store::update(db, &user.organization_id, &row.id, &edit).await? {
        return Err(not_found());
    }
    forget(cache, Some(row.short_id.clone())).await;
    Ok(())
}

/// The editor's data for one page.
pub async fn editor(db: &Db, user: &CurrentUser, page_id: &str, public_base: &str) -> Result<PageEditor, AppError> {
    let detail = get(db, user, page_id).await?;
    let settings = PageSettings::from_json(detail.summary.page_type, &detail.settings_json).map_err(AppError::internal)?;
    let form = form_from_parts(&settings, &detail.customization, detail.summary.launch_at, detail.summary.expires_at);
    let public_url = format!("{public_base}/p/{}", detail.summary.short_id);
    let items = super::content::list(db, page_id).await?;
    let hero_image_url = detail.customization.hero_image.as_deref().and_then(ObjectKey::parse_page_asset).map(|k| k.public_path());
    Ok(PageEditor { detail, form, public_url, items, hero_image_url })
}

/// A copy of the page as a new draft with a new short link, its own copy of the hero image and
/// of the content blocks.
pub async fn duplicate(db: &Db, storage: &Storage, user: &CurrentUser, page_id: &str) -> Result<String, AppError> {
    let row = editable(db, user, page_id).await?;
    let (summary, settings, mut customization) = summarize(&row, Utc::now())?;
    customization.headline = format!("Copy of {}", customization.headline).chars().take(crate::pages::customization::HEADLINE_MAX).collect();
    let hero = customization.hero_image.take();
    let id = insert_with_fresh_short_id(db, user, summary.page_type, &settings, &customization, row.launch_at, row.expires_at).await?;
    super::content::copy_all(db, page_id, &id).await?;
    if let Some(copied) = super::hero::copy_for(storage, hero.as_deref(), &user.id, &id).await {
        customization.hero_image = Some(copied);
        store::set_customization(db, &user.organization_id, &id, &customization.to_json(), Utc::now().naive_utc()).await?;
    }
    Ok(id)
}

pub async fn publish(db: &Db, cache: &PageCache, user: &CurrentUser, page_id: &str) -> Result<(), AppError> {
    authorize(user, Action::PublishPages, None)?;
    let plan = plan_for_organization(db, &user.organization_id).await?;
    let now = Utc::now().naive_utc();
    match store::publish(db, &user.organization_id, page_id, plan.features.active_pages, now).await? {
        Publish::Done => {
            forget(cache, short_id_of(db, user, page_id).await?).await;
            Ok(())
        }
        Publish::NotFound => Err(not_found()),
        Publish::OverLimit { live } => {
            let plans = visible_plans(db).await?;
            let upgrade = match next_plan_for_pages(&plan, &plans) {
                Some(next) => match next.features.active_pages {
                    Some(n) => format!(" The {} plan allows {n}.", next.name),
                    None => format!(" The {} plan has no limit.", next.name),
                },
                None => String::new(),
            };
            Err(AppError::new(
                ErrorKind::LimitReached,
                format!(
                    "Your {} plan allows {} live pages at a time, and {live} are live. Switch one off first.{upgrade}",
                    plan.name,
                    plan.features.active_pages.unwrap_or_default()
                ),
            ))
        }
    }
}

pub async fn unpublish(db: &Db, cache: &PageCache, user: &CurrentUser, page_id: &str) -> Result<(), AppError> {
    authorize(user, Action::PublishPages, None)?;
    if !store::unpublish(db, &user.organization_id, page_id, Utc::now().naive_utc()).await? {
        return Err(not_found());
    }
    forget(cache, short_id_of(db, user, page_id).await?).await;
    Ok(())
}

/// Deletes the page, its content blocks (by cascade) and its files.
pub async fn delete(db: &Db, cache: &PageCache, storage: &Storage, user: &CurrentUser, page_id: &str) -> Result<(), AppError> {
    authorize(user, Action::PublishPages, None)?;
    let row = store::get(db, &user.organization_id, page_id).await?.ok_or_else(not_found)?;
    if !store::delete(db, &user.organization_id, page_id).await? {
        return Err(not_found());
    }
    forget(cache, Some(row.short_id)).await;
    super::hero::forget_assets(storage, &row.user_id, page_id).await;
    Ok(())
}
