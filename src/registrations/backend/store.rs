//! Reading registrations: a page's counts, the creator's list and detail, the registrant's own
//! view, and the export's batches. Every query for creators is scoped to their organization.

use crate::db_read;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{pages, registration_limit_hits, registrations};
use crate::infra::db::{Db, DbError};
use crate::registrations::model::{Counts, RegistrantRow, RegistrationStatus};
use chrono::NaiveDateTime;
use diesel::expression_methods::EscapeExpressionMethods;

diesel::define_sql_function! {
    /// SQL `lower()`: names are matched whatever their case (emails are stored lowercase).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A page's registration counts by status, and its attended count.
pub async fn counts(db: &Db, page_id: &str) -> Result<Counts, DbError> {
    let (by_status, attended, limit): (Vec<(String, i64)>, i64, Option<(i64, NaiveDateTime)>) = db_read!(db, conn => {
        let by_status: Vec<(String, i64)> = registrations::table
            .filter(registrations::page_id.eq(page_id))
            .group_by(registrations::status)
            .select((registrations::status, diesel::dsl::count_star()))
            .load(conn)
            .await?;
        let attended: i64 = registrations::table
            .filter(registrations::page_id.eq(page_id))
            .filter(registrations::attended_at.is_not_null())
            .count()
            .get_result(conn)
            .await?;
        let limit: Option<(i64, NaiveDateTime)> = registration_limit_hits::table
            .filter(registration_limit_hits::page_id.eq(page_id))
            .select((registration_limit_hits::refused, registration_limit_hits::last_refused_at))
            .first(conn)
            .await
            .optional()?;
        Ok::<_, DbError>((by_status, attended, limit))
    })?;
    let of = |s: RegistrationStatus| by_status.iter().find(|(k, _)| k == s.as_str()).map(|(_, n)| *n as u32).unwrap_or(0);
    Ok(Counts {
        registered: of(RegistrationStatus::Registered),
        waitlisted: of(RegistrationStatus::Waitlisted),
        cancelled: of(RegistrationStatus::Cancelled),
        notify: of(RegistrationStatus::Notify),
        attended: attended as u32,
        limit_refused: limit.map(|(n, _)| n).unwrap_or(0),
        limit_last_refused_at: limit.map(|(_, t)| t.and_utc()),
        ..Counts::default()
    })
}

/// How many people hold a seat on a page (the page shows seats left from this).
pub async fn registered(db: &Db, page_id: &str) -> Result<u32, DbError> {
    let n: i64 = db_read!(db, conn => {
        Ok::<_, DbError>(crate::count_with_status!(conn, page_id, RegistrationStatus::Registered))
    })?;
    Ok(n as u32)
}

type Row = (String, String, String, Option<String>, String, NaiveDateTime, Option<NaiveDateTime>, Option<i64>);

/// (page id, [`Row`], answers): one registrant as the detail and the manage page read it.
#[allow(clippy::type_complexity)]
fn person_columns() -> (
    registrations::page_id,
    (
        registrations::id,
        registrations::name,
        registrations::email,
        registrations::phone,
        registrations::status,
        registrations::registered_at,
        registrations::attended_at,
        registrations::seq,
    ),
    registrations::custom_fields,
) {
    use registrations::*;
    (page_id, (id, name, email, phone, status, registered_at, attended_at, seq), custom_fields)
}

fn to_row((id, name, email, phone, status, registered_at, attended_at, _seq): Row) -> RegistrantRow {
    RegistrantRow {
        id,
        name,
        email,
        phone,
        status: RegistrationStatus::parse(&status).unwrap_or(RegistrationStatus::Cancelled),
        registered_at: registered_at.and_utc(),
        attended_at: attended_at.map(|t| t.and_utc()),
        position: None,
    }
}

/// What the creator's list asks for.
pub struct ListQuery<'a> {
    pub page_id: &'a str,
    /// Matched against name and email, case-insensitively.
    pub search: &'a str,
    pub status: Option<RegistrationStatus>,
    pub offset: i64,
    pub limit: i64,
}

/// A page of registrants in arrival order (waitlist positions filled in), and how many match.
pub async fn list(db: &Db, q: &ListQuery<'_>) -> Result<(Vec<RegistrantRow>, u32), DbError> {
    let pattern = format!("%{}%", q.search.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let status = q.status.map(|s| s.as_str());
    let (rows, matching, waitlist): (Vec<Row>, i64, Vec<String>) = db_read!(db, conn => {
        let filtered = || {
            let mut query = registrations::table.filter(registrations::page_id.eq(q.page_id)).into_boxed();
            if !q.search.trim().is_empty() {
                query = query.filter(registrations::email.like(pattern.clone()).escape('\\').or(lower(registrations::name).like(pattern.clone()).escape('\\')));
            }
            if let Some(status) = status {
                query = query.filter(registrations::status.eq(status));
            }
            query
        };
        let rows: Vec<Row> = filtered()
            .order((registrations::seq.asc(), registrations::registered_at.asc()))
            .select((registrations::id, registrations::name, registrations::email, registrations::phone, registrations::status, registrations::registered_at, registrations::attended_at, registrations::seq))
            .offset(q.offset)
            .limit(q.limit)
            .load(conn)
            .await?;
        let matching: i64 = filtered().count().get_result(conn).await?;
        let waitlist: Vec<String> = registrations::table
            .filter(registrations::page_id.eq(q.page_id))
            .filter(registrations::status.eq(RegistrationStatus::Waitlisted.as_str()))
            .order(registrations::seq.asc())
            .select(registrations::id)
            .load(conn)
            .await?;
        Ok::<_, DbError>((rows, matching, waitlist))
    })?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut row = to_row(r);
            row.position = waitlist.iter().position(|id| *id == row.id).map(|i| i as u32 + 1);
            row
        })
        .collect();
    Ok((rows, matching as u32))
}

/// One registrant of the organization's pages, with their stored answers (JSON).
pub async fn detail(db: &Db, id: &str, organization_id: &str) -> Result<Option<(String, RegistrantRow, String)>, DbError> {
    let found: Option<(String, Row, String)> = db_read!(db, conn => {
        Ok::<_, DbError>(registrations::table
            .inner_join(pages::table)
            .filter(registrations::id.eq(id))
            .filter(pages::organization_id.eq(organization_id))
            .select(person_columns())
            .first(conn)
            .await
            .optional()?)
    })?;
    Ok(found.map(|(page_id, row, answers)| (page_id, to_row(row), answers)))
}

/// A registration behind a manage token: its row, answers, and place in line.
pub struct Manageable {
    pub page_id: String,
    pub row: RegistrantRow,
    pub answers: String,
}

pub async fn by_token(db: &Db, token: &str) -> Result<Option<Manageable>, DbError> {
    if !crate::infra::tokens::looks_like_token(token) {
        return Ok(None);
    }
    let hash = crate::infra::tokens::token_hash(token);
    let found: Option<(String, Row, String, i64)> = db_read!(db, conn => {
        let found: Option<(String, Row, String)> = registrations::table
            .filter(registrations::manage_token_hash.eq(&hash))
            .select(person_columns())
            .first(conn)
            .await
            .optional()?;
        let Some((page_id, row, answers)) = found else { return Ok(None) };
        let ahead: i64 = registrations::table
            .filter(registrations::page_id.eq(&page_id))
            .filter(registrations::status.eq(RegistrationStatus::Waitlisted.as_str()))
            .filter(registrations::seq.le(row.7))
            .count()
            .get_result(conn)
            .await?;
        Ok::<_, DbError>(Some((page_id, row, answers, ahead)))
    })?;
    Ok(found.map(|(page_id, row, answers, ahead)| {
        let mut row = to_row(row);
        if row.status == RegistrationStatus::Waitlisted {
            row.position = Some(ahead as u32);
        }
        Manageable { page_id, row, answers }
    }))
}

/// One registration as the exports write it.
#[derive(diesel::Queryable)]
pub struct ExportRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub status: String,
    pub registered_at: NaiveDateTime,
    pub attended_at: Option<NaiveDateTime>,
    /// The answers to the page's questions, as stored (JSON by question id).
    pub answers: String,
}

/// The next `limit` registrations of a page after `after` (registration time, id), for a
/// streamed export.
pub async fn export_after(db: &Db, page_id: &str, after: Option<&(NaiveDateTime, String)>, limit: i64) -> Result<Vec<ExportRow>, DbError> {
    db_read!(db, conn => {
        let mut query = registrations::table.filter(registrations::page_id.eq(page_id)).into_boxed();
        if let Some((at, id)) = after {
            query = query.filter(registrations::registered_at.gt(*at).or(registrations::registered_at.eq(*at).and(registrations::id.gt(id.clone()))));
        }
        Ok::<_, DbError>(query
            .order((registrations::registered_at.asc(), registrations::id.asc()))
            .select((registrations::id, registrations::name, registrations::email, registrations::phone, registrations::status, registrations::registered_at, registrations::attended_at, registrations::custom_fields))
            .limit(limit)
            .load(conn)
            .await?)
    })
}

/// A registration of any of an organization's events, for the organization's export: the page's
/// short id and look (its headline), then the registration.
pub type OrganizationExportRow = (String, String, ExportRow);

/// Every registration of the organization's pages (sign-ups before a launch too), after `after`
/// in (registered at, id) order.
pub async fn organization_export_after(
    db: &Db,
    org_id: &str,
    after: Option<&(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<OrganizationExportRow>, DbError> {
    db_read!(db, conn => {
        let mut query = registrations::table.inner_join(pages::table).filter(pages::organization_id.eq(org_id)).into_boxed();
        if let Some((at, id)) = after {
            query = query.filter(registrations::registered_at.gt(*at).or(registrations::registered_at.eq(*at).and(registrations::id.gt(id.clone()))));
        }
        Ok::<_, DbError>(query
            .order((registrations::registered_at.asc(), registrations::id.asc()))
            .select((
                pages::short_id,
                pages::customization,
                (registrations::id, registrations::name, registrations::email, registrations::phone, registrations::status, registrations::registered_at, registrations::attended_at, registrations::custom_fields),
            ))
            .limit(limit)
            .load(conn)
            .await?)
    })
}
