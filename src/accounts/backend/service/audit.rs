//! The security log as an organization's admins read it: their members' entries, newest first,
//! filtered by kind and by person, a page at a time. Reading it is itself logged.

use crate::accounts::backend::security_log::{self, SecurityEvent};
use crate::accounts::backend::store;
use crate::accounts::guard::{Scope, can};
use crate::accounts::model::{SecurityEntry, SecurityLogView};
use crate::error::AppError;
use crate::infra::state::AppState;

/// Entries on a page.
pub const PAGE: i64 = 50;

pub async fn read(
    state: &AppState,
    scope: &Scope<can::ViewSecurityLog>,
    event: Option<String>,
    person: Option<String>,
    older_than: Option<String>,
) -> Result<SecurityLogView, AppError> {
    let event = event.filter(|e| !e.is_empty());
    if let Some(code) = &event {
        if SecurityEvent::parse(code).is_none() {
            return Err(AppError::field("event", "Choose a kind of entry from the list."));
        }
    }
    let people = store::members(&state.db, scope.organization_id()).await?;
    let person = person.filter(|p| !p.is_empty());
    if let Some(id) = &person {
        // Someone of another organization is "nobody here", like any other id we don't know.
        if !people.iter().any(|(member, _)| member == id) {
            return Err(AppError::field("person", "Choose a person from the list."));
        }
    }
    // The cursor is the last entry's time in microseconds since 1970 (URL-safe as it is).
    let before = match older_than.filter(|c| !c.is_empty()) {
        Some(cursor) => Some(
            cursor
                .parse::<i64>()
                .ok()
                .and_then(chrono::DateTime::from_timestamp_micros)
                .map(|t| t.naive_utc())
                .ok_or_else(|| AppError::field("older_than", "That page of the log doesn't exist. Start from the newest entries."))?,
        ),
        None => None,
    };
    let rows = security_log::list_for_organization(&state.db, scope.organization_id(), event.as_deref(), person.as_deref(), before, PAGE + 1).await?;
    let older = (rows.len() as i64 > PAGE).then(|| rows[PAGE as usize - 1].created_at.and_utc().timestamp_micros().to_string());
    let entries = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|r| SecurityEntry {
            at: r.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            event: SecurityEvent::parse(&r.event).map(|e| e.label().to_string()).unwrap_or(r.event),
            who: r.user_name,
            subject: r.subject,
            ip: r.ip,
        })
        .collect();
    if before.is_none() {
        security_log::record_action(state, scope, SecurityEvent::SecurityLogViewed, None).await;
    }
    Ok(SecurityLogView {
        entries,
        events: SecurityEvent::ALL.iter().map(|e| (e.as_str().to_string(), e.label().to_string())).collect(),
        people,
        event,
        person,
        older,
    })
}
