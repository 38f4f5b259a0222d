//! Mail that goes out on a clock: reminders a day and an hour before an event, and the one launch
//! notice to a page's "notify me" list.
//!
//! Each message is claimed by a conditional update (`… SET reminded_day_at = now WHERE
//! reminded_day_at IS NULL … RETURNING`) in the transaction that queues it. Two instances that
//! sweep at once both run the update; on PostgreSQL the second waits for the first's row locks
//! and then finds the rows taken, on SQLite the writers take turns: either way a message is
//! queued exactly once, and a crash between the claim and the queueing leaves neither.

use super::mail::{self, Person, Reminder, UNSUBSCRIBE};
use super::writer::{Context, EventPage, EventRow};
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{pages, registrations};
use crate::infra::db::{Db, DbError};
use crate::infra::mail::outbox::enqueue_mail;
use crate::pages::phase::{PageClock, Phase, phase};
use crate::pages::settings::{PageSettings, PageType};
use crate::registrations::model::RegistrationStatus;
use crate::{db_read, db_write};
use chrono::{DateTime, Duration, Utc};

/// The active event pages, as the writer reads them.
async fn event_pages(db: &Db) -> Result<Vec<EventPage>, DbError> {
    let rows: Vec<EventRow> = db_read!(db, conn => {
        Ok::<_, DbError>(pages::table
            .filter(pages::page_type.eq(PageType::EventRegistration.as_str()))
            .filter(pages::is_active.eq(true))
            .filter(pages::organization_id.is_not_null())
            .select(EventRow::as_select())
            .load(conn)
            .await?)
    })?;
    Ok(rows.into_iter().filter_map(EventPage::from_row).collect())
}

/// Queues the reminders that are due at `now`; how many.
pub async fn send_reminders(db: &Db, ctx: Context<'_>, now: DateTime<Utc>) -> Result<usize, DbError> {
    let mut sent = 0;
    for page in event_pages(db).await? {
        let start = page.settings.event_start_time;
        if now >= start {
            continue;
        }
        if now >= start - Duration::hours(24) {
            // Within the last hour the day-before reminder is only marked done: the hour's comes.
            let send = now < start - Duration::hours(1);
            sent += claim(db, ctx, &page, Reminder::DayBefore, send, now).await?;
        }
        if now >= start - Duration::hours(1) {
            sent += claim(db, ctx, &page, Reminder::HourBefore, true, now).await?;
        }
    }
    Ok(sent)
}

/// A registrant whose reminder was just claimed.
#[derive(diesel::Queryable)]
struct Claimed {
    id: String,
    name: String,
    email: String,
    calendar_sequence: i32,
}

/// Claims one page's due reminders of one kind and queues them (unless `send` is false).
async fn claim(db: &Db, ctx: Context<'_>, page: &EventPage, which: Reminder, send: bool, now: DateTime<Utc>) -> Result<usize, DbError> {
    let at = now.naive_utc();
    let due = registrations::table
        .filter(registrations::page_id.eq(&page.id))
        .filter(registrations::status.eq(RegistrationStatus::Registered.as_str()))
        .filter(registrations::unsubscribed_at.is_null());
    let returned = (registrations::id, registrations::name, registrations::email, registrations::calendar_sequence);
    db_write!(db, conn => {
        let claimed: Vec<Claimed> = match which {
            Reminder::DayBefore => diesel::update(due.filter(registrations::reminded_day_at.is_null()))
                .set(registrations::reminded_day_at.eq(Some(at)))
                .returning(returned)
                .get_results(conn)
                .await?,
            Reminder::HourBefore => diesel::update(due.filter(registrations::reminded_hour_at.is_null()))
                .set(registrations::reminded_hour_at.eq(Some(at)))
                .returning(returned)
                .get_results(conn)
                .await?,
        };
        if send {
            for Claimed { id, name, email, calendar_sequence } in &claimed {
                let token = ctx.manage_token(id);
                let unsubscribe = mail::unsubscribe_url(ctx.public_url, id, &ctx.secret.link_token(UNSUBSCRIBE, id));
                let person = Person { id, name, email, token: &token, calendar_sequence: *calendar_sequence as u32 };
                enqueue_mail!(conn, &mail::reminder(&page.mail(&ctx, now), &person, which, &unsubscribe), at)?;
            }
        }
        Ok::<_, DbError>(if send { claimed.len() } else { 0 })
    })
}

/// Queues the launch notice of every page that is live and has people waiting to hear; how many.
pub async fn send_launch_notices(db: &Db, ctx: Context<'_>, now: DateTime<Utc>) -> Result<usize, DbError> {
    let waiting: Vec<String> = db_read!(db, conn => {
        Ok::<_, DbError>(registrations::table
            .filter(registrations::status.eq(RegistrationStatus::Notify.as_str()))
            .filter(registrations::launch_mailed_at.is_null())
            .filter(registrations::unsubscribed_at.is_null())
            .select(registrations::page_id)
            .distinct()
            .load(conn)
            .await?)
    })?;
    let mut sent = 0;
    for page_id in waiting {
        let Some((page, _)) = crate::pages::backend::store::by_id(db, &page_id).await? else { continue };
        let Some(settings) = PageType::parse(&page.page_type).and_then(|k| PageSettings::from_json(k, &page.settings).ok()) else { continue };
        let clock = PageClock {
            is_active: page.is_active,
            launch_at: page.launch_at.map(|t| t.and_utc()),
            expires_at: page.expires_at.map(|t| t.and_utc()),
            end_time: settings.end_time(),
        };
        let (short_id, customization) = (page.short_id, page.customization);
        if !matches!(phase(&clock, now, false), Phase::Live { .. }) {
            continue;
        }
        let title = crate::pages::customization::Customization::from_json(&customization).map(|c| c.headline).unwrap_or_default();
        let page_url = format!("{}/p/{short_id}", ctx.public_url);
        let at = now.naive_utc();
        sent += db_write!(db, conn => {
            let claimed: Vec<(String, String)> = diesel::update(
                registrations::table
                    .filter(registrations::page_id.eq(&page_id))
                    .filter(registrations::status.eq(RegistrationStatus::Notify.as_str()))
                    .filter(registrations::launch_mailed_at.is_null())
                    .filter(registrations::unsubscribed_at.is_null()),
            )
            .set(registrations::launch_mailed_at.eq(Some(at)))
            .returning((registrations::id, registrations::email))
            .get_results(conn)
            .await?;
            for (id, email) in &claimed {
                let unsubscribe = mail::unsubscribe_url(ctx.public_url, id, &ctx.secret.link_token(UNSUBSCRIBE, id));
                enqueue_mail!(conn, &mail::launch(&title, &page_url, email, &unsubscribe), at)?;
            }
            Ok::<_, DbError>(claimed.len())
        })?;
    }
    Ok(sent)
}

/// Whether `token` is the unsubscribe token of registration `id` (compared in constant time).
pub fn unsubscribe_token_matches(ctx: Context<'_>, id: &str, token: &str) -> bool {
    let expected = ctx.secret.link_token(UNSUBSCRIBE, id);
    expected.len() == token.len() && expected.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Stops bulk mail about a page to one registration's address; the page's title, or `None` for
/// a link that doesn't match.
pub async fn unsubscribe(db: &Db, ctx: Context<'_>, id: &str, token: &str, now: DateTime<Utc>) -> Result<Option<String>, DbError> {
    if !unsubscribe_token_matches(ctx, id, token) {
        return Ok(None);
    }
    let at = now.naive_utc();
    let customization: Option<String> = db_write!(db, conn => {
        diesel::update(registrations::table.filter(registrations::id.eq(id)).filter(registrations::unsubscribed_at.is_null()))
            .set(registrations::unsubscribed_at.eq(Some(at)))
            .execute(conn)
            .await?;
        Ok::<_, DbError>(registrations::table
            .inner_join(pages::table)
            .filter(registrations::id.eq(id))
            .select(pages::customization)
            .first::<String>(conn)
            .await
            .optional()?)
    })?;
    Ok(customization.map(|c| crate::pages::customization::Customization::from_json(&c).map(|c| c.headline).unwrap_or_default()))
}
