//! The page writer: every change to a page goes through these functions (and content blocks
//! through [`super::store::page_write!`] as well). Each runs in one transaction holding the page's
//! row lock, and the public cache entry is dropped after it commits, so nothing threads cache
//! invalidation by hand.
//!
//! The rule for concurrent edits: each writer changes only its own part of the page under the
//! lock. A form save writes settings, look and schedule but keeps the hero image as it is stored
//! at that moment; an upload changes only the hero image. So a save and an upload that overlap
//! both take effect, in whichever order they commit; two saves of the same form are last-wins.

use super::short_id::new_short_id;
use super::store::{self, NewPage, PageRow, Publish, page_write};
use crate::error::AppError;
use crate::pages::customization::Customization;
use crate::pages::settings::{PageSettings, PageType};

use crate::infra::db::schema::organizations;
use crate::infra::db::{DbError, new_id};
use crate::infra::notifier::Notifier;
use crate::infra::state::AppState;
use chrono::{DateTime, NaiveDateTime, Utc};

/// What an edit of a page writes: its settings, look and schedule, typed and validated.
#[derive(Debug)]
pub struct PageParts {
    pub settings: PageSettings,
    pub customization: Customization,
    pub launch_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Saves settings, look and schedule (already validated); the hero image stays as stored.
pub async fn edit(state: &AppState, org_id: &str, page_id: &str, parts: &PageParts) -> Result<(), AppError> {
    let settings = &parts.settings.to_json();
    let (launch_at, expires_at) = (parts.launch_at.map(|t| t.naive_utc()), parts.expires_at.map(|t| t.naive_utc()));
    let look = &parts.customization;
    let now = Utc::now().naive_utc();
    page_write!(state, org_id, page_id, |conn, row| {
        let mut look = look.clone();
        look.hero_image = row.stored_hero();
        diesel::update(pages::table.filter(pages::id.eq(page_id)))
            .set((
                pages::launch_at.eq(launch_at),
                pages::expires_at.eq(expires_at),
                pages::customization.eq(look.to_json()),
                pages::settings.eq(settings),
                pages::updated_at.eq(now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    })
}

/// Points the page at a new hero image (or none); returns the key it replaced, which no saved
/// version of the page refers to any more (saves never carry the image).
pub async fn set_hero(state: &AppState, org_id: &str, page_id: &str, key: Option<String>) -> Result<Option<String>, AppError> {
    let now = Utc::now().naive_utc();
    let key = &key;
    page_write!(state, org_id, page_id, |conn, row| {
        let mut look = Customization::from_json(&row.customization).map_err(|e| DbError::Query(diesel::result::Error::DeserializationError(e.into())))?;
        let replaced = std::mem::replace(&mut look.hero_image, key.clone());
        diesel::update(pages::table.filter(pages::id.eq(page_id)))
            .set((pages::customization.eq(look.to_json()), pages::updated_at.eq(now)))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(replaced.filter(|old| Some(old) != key.as_ref()))
    })
}

/// Switches a page on unless that would exceed `limit` switched-on pages in its organization.
/// The organization's row is locked first, so concurrent publishes queue and the count cannot be
/// raced past the limit. Every switched-on page counts, ended and expired ones too: then no edit
/// of a schedule (an expiry moved into the past and back) can make a page servable without this
/// check.
pub async fn publish(state: &AppState, org_id: &str, page_id: &str, limit: Option<u32>) -> Result<Publish, AppError> {
    let now = Utc::now().naive_utc();
    page_write!(state, org_id, page_id, |conn, _row| {
        diesel::update(organizations::table.filter(organizations::id.eq(org_id)))
            .set(organizations::updated_at.eq(organizations::updated_at))
            .execute(conn)
            .await?;
        if let Some(limit) = limit {
            let live: i64 = pages::table
                .filter(pages::organization_id.eq(org_id))
                .filter(pages::is_active.eq(true))
                .filter(pages::id.ne(page_id))
                .count()
                .get_result(conn)
                .await?;
            if live >= i64::from(limit) {
                return Ok(Publish::OverLimit { live });
            }
        }
        diesel::update(pages::table.filter(pages::id.eq(page_id))).set((pages::is_active.eq(true), pages::updated_at.eq(now))).execute(conn).await?;
        Ok::<_, DbError>(Publish::Done)
    })
}

pub async fn unpublish(state: &AppState, org_id: &str, page_id: &str) -> Result<(), AppError> {
    let now = Utc::now().naive_utc();
    page_write!(state, org_id, page_id, |conn, _row| {
        diesel::update(pages::table.filter(pages::id.eq(page_id))).set((pages::is_active.eq(false), pages::updated_at.eq(now))).execute(conn).await.map(|_| ())
    })
}

/// Deletes the page and its blocks (by cascade) and returns the row as it was, so the caller can
/// remove its files.
pub async fn delete(state: &AppState, org_id: &str, page_id: &str) -> Result<PageRow, AppError> {
    let ctx = crate::registrations::backend::writer::Context::of(state);
    page_write!(state, org_id, page_id, |conn, row| {
        // An event's registrants hear that it is off (with a calendar cancellation), in the
        // transaction that deletes it.
        let event = crate::registrations::backend::writer::EventRow {
            id: row.id.clone(),
            short_id: row.short_id.clone(),
            organization_id: org_id.to_string(),
            page_type: row.page_type.clone(),
            settings: row.settings.clone(),
            customization: row.customization.clone(),
            is_active: row.is_active,
            launch_at: row.launch_at,
            expires_at: row.expires_at,
        };
        crate::queue_event_cancellations!(conn, event, ctx, Utc::now());
        diesel::delete(pages::table.filter(pages::id.eq(page_id))).execute(conn).await?;
        Ok::<_, DbError>(row)
    })
}

/// Everything a new page starts with.
pub struct Draft<'a> {
    pub organization_id: &'a str,
    pub user_id: &'a str,
    pub kind: PageType,
    pub settings: &'a PageSettings,
    pub customization: &'a Customization,
    pub launch_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
}

/// Inserts a new page, switched off, under a fresh short id; returns its id.
pub async fn create(state: &AppState, draft: &Draft<'_>) -> Result<String, AppError> {
    let id = new_id();
    let (settings_json, customization_json) = (draft.settings.to_json(), draft.customization.to_json());
    // 62^8 ids make a collision very unlikely; the unique index makes it impossible to miss.
    for _ in 0..5 {
        let short_id = new_short_id();
        let page = NewPage {
            id: &id,
            short_id: &short_id,
            organization_id: draft.organization_id,
            user_id: draft.user_id,
            page_type: draft.kind.as_str(),
            launch_at: draft.launch_at,
            expires_at: draft.expires_at,
            customization: &customization_json,
            settings: &settings_json,
            now: Utc::now().naive_utc(),
        };
        match store::insert(&state.db, &page).await {
            Ok(()) => {
                // A miss for this short id may have been cached as "no such page".
                Notifier::changed(state, &short_id).await;
                return Ok(id);
            }
            Err(e) if e.is_unique_violation() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::internal("could not find a free short id after 5 attempts"))
}

/// Pages' part in deleting an organization: every page goes offline and is deleted through
/// [`delete`], so an event's registrants are told (see `accounts::backend::service::deletion`).
pub struct DeleteEveryPage;

impl crate::accounts::backend::service::deletion::OrganizationEnding for DeleteEveryPage {
    fn end<'a>(&'a self, state: &'a AppState, organization_id: &'a str) -> futures_util::future::BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            for page_id in store::ids_in(&state.db, organization_id).await? {
                delete(state, organization_id, &page_id).await?;
            }
            Ok(())
        })
    }
}
