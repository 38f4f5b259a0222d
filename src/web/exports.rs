//! CSV exports, streamed: rows are read in batches and written as they come, so an export of a
//! hundred thousand orders holds one batch in memory, not the file.

use crate::accounts::backend::security_log::{self, SecurityEvent};
use crate::accounts::guard::{Guard, can};
use crate::infra::state::AppState;
use crate::orders::backend::store::{CreatorRow, list_after};
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use futures_util::StreamExt;
use serde::Deserialize;

/// Rows read per query of an export.
pub const BATCH: i64 = 500;

#[derive(Deserialize)]
pub struct OrdersQuery {
    page_id: Option<String>,
}

/// `GET /dashboard/orders.csv[?page_id=…]`: the organization's orders (buyers' personal data:
/// the `ExportData` permission).
pub async fn orders_csv(State(state): State<AppState>, guard: Guard, Query(q): Query<OrdersQuery>) -> Response {
    let scope = match guard.allow::<can::ExportData>().await {
        Ok(scope) => scope,
        Err(e) => return crate::web::middleware::error_response(&e),
    };
    let org = scope.organization_id().to_string();
    let page_id = q.page_id.filter(|p| !p.is_empty());
    // Buyers' personal data leaves the app: that goes in the security log.
    security_log::record_action(&state, &scope, SecurityEvent::OrdersExported, page_id.as_deref()).await;
    let head = csv_line(&["created_at", "order_id", "item", "buyer_email", "status", "amount", "amount_refunded", "currency", "downloads", "download_limit"]);
    let batches = move |after: Option<(NaiveDateTime, String)>| {
        let (state, org, page_id) = (state.clone(), org.clone(), page_id.clone());
        async move {
            let rows = list_after(&state.db, &org, page_id.as_deref(), after.as_ref(), BATCH).await?;
            let next = rows.last().map(|last| (last.created_at, last.id.clone()));
            Ok((rows.iter().map(row_line).collect::<String>(), rows.len(), next))
        }
    };
    csv_response("orders.csv", head, batches)
}

/// One batch of an export: its CSV lines, how many rows it had, and the key to continue after.
pub type Batch = (String, usize, Option<(NaiveDateTime, String)>);

/// A CSV download streamed batch by batch: the header line (after a BOM, which makes spreadsheet
/// programs read the file as UTF-8), then `batches(after)` until one comes back short. A
/// failing batch ends the body with an error, so the download is visibly broken rather than
/// silently short.
pub fn csv_response<F, Fut>(file_name: &str, head: String, batches: F) -> Response
where
    F: Fn(Option<(NaiveDateTime, String)>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Batch, crate::infra::db::DbError>> + Send + 'static,
{
    struct Cursor {
        after: Option<(NaiveDateTime, String)>,
        header_sent: bool,
        done: bool,
    }
    let start = Cursor { after: None, header_sent: false, done: false };
    let batches = std::sync::Arc::new(batches);
    // Fused: a compressing layer may poll once more after the end.
    let body = futures_util::stream::unfold(start, move |mut cursor| {
        let batches = batches.clone();
        let head = head.clone();
        async move {
            if cursor.done {
                return None;
            }
            if !cursor.header_sent {
                cursor.header_sent = true;
                return Some((Ok::<Bytes, std::io::Error>(Bytes::from(format!("\u{feff}{head}"))), cursor));
            }
            let (chunk, count, next) = match batches(cursor.after.take()).await {
                Ok(batch) => batch,
                Err(e) => return Some((Err(std::io::Error::other(e.to_string())), Cursor { done: true, ..cursor })),
            };
            if count < BATCH as usize {
                cursor.done = true;
            }
            if count == 0 {
                return None;
            }
            cursor.after = next;
            Some((Ok(Bytes::from(chunk)), cursor))
        }
    })
    .fuse();
    let mut res = Body::from_stream(body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}

fn row_line(r: &CreatorRow) -> String {
    let amount = if r.amount_paid > 0 { r.amount_paid } else { r.amount_due };
    csv_line(&[
        &r.created_at.and_utc().to_rfc3339(),
        &r.id,
        &r.item_title,
        &r.customer_id,
        &r.status,
        &crate::money::format_amount(amount, &r.currency),
        &crate::money::format_amount(r.amount_refunded, &r.currency),
        &r.currency,
        &r.download_attempts.to_string(),
        &r.download_limit.to_string(),
    ])
}

/// One CSV record (RFC 4180). A cell that a spreadsheet would run as a formula (starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`: buyers type their own
/// email addresses, and creators their products' names.
pub fn csv_line(cells: &[&str]) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let neutral = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_string() };
        if neutral.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&neutral.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(&neutral);
        }
    }
    line.push_str("\r\n");
    line
}

/// `GET /dashboard/export/organization.json`: the organization's data as one JSON document (see
/// `accounts::backend::export`), with its plan. Members' personal data: the `ExportData`
/// permission, and a line in the security log.
pub async fn organization_json(State(state): State<AppState>, guard: Guard) -> Response {
    let scope = match guard.allow::<can::ExportData>().await {
        Ok(scope) => scope,
        Err(e) => return crate::web::middleware::error_response(&e),
    };
    let org = scope.organization_id();
    let now = chrono::Utc::now().naive_utc();
    let document = async {
        let mut document = crate::accounts::backend::export::organization(&state.db, org, now).await?;
        let plan = crate::plans::backend::plan_for_organization(&state.db, org).await?;
        document["plan"] = serde_json::json!({ "name": plan.name, "features": plan.features });
        Ok::<_, crate::error::AppError>(document)
    }
    .await;
    match document {
        Ok(document) => {
            security_log::record_action(&state, &scope, SecurityEvent::OrganizationExported, None).await;
            let mut res = axum::Json(document).into_response();
            let headers = res.headers_mut();
            headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"flashpage-organization.json\""));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => crate::web::middleware::error_response(&e),
    }
}

/// `GET /dashboard/export/registrations.csv`: every registration of the organization's pages, one
/// line each with its page (registrants' personal data: the `ExportData` permission).
pub async fn all_registrations_csv(State(state): State<AppState>, guard: Guard) -> Response {
    let scope = match guard.allow::<can::ExportData>().await {
        Ok(scope) => scope,
        Err(e) => return crate::web::middleware::error_response(&e),
    };
    let org = scope.organization_id().to_string();
    security_log::record_action(&state, &scope, SecurityEvent::RegistrationsExported, Some("all pages")).await;
    let head = csv_line(&["page", "short_link", "registered_at_utc", "status", "name", "email", "phone", "attended_at_utc", "answers"]);
    let public_url = state.config.public_url.clone();
    let batches = move |after: Option<(NaiveDateTime, String)>| {
        let (state, org, public_url) = (state.clone(), org.clone(), public_url.clone());
        async move {
            let rows = crate::registrations::backend::store::organization_export_after(&state.db, &org, after.as_ref(), BATCH).await?;
            let next = rows.last().map(|(_, _, r)| (r.5, r.0.clone()));
            let time = |t: NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
            let lines: String = rows
                .iter()
                .map(|(short_id, look, (_, name, email, phone, status, registered_at, attended_at, answers))| {
                    let headline = crate::pages::customization::Customization::from_json(look).map(|c| c.headline).unwrap_or_default();
                    let link = format!("{public_url}/p/{short_id}");
                    let cells = [
                        headline,
                        link,
                        time(*registered_at),
                        status.clone(),
                        name.clone(),
                        email.clone(),
                        phone.clone().unwrap_or_default(),
                        attended_at.map(time).unwrap_or_default(),
                        answers.clone(),
                    ];
                    csv_line(&cells.iter().map(String::as_str).collect::<Vec<_>>())
                })
                .collect();
            Ok((lines, rows.len(), next))
        }
    };
    csv_response("registrations.csv", head, batches)
}

#[cfg(test)]
mod tests {
    use super::csv_line;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_line(&["a", "b c", "d,e", "say \"hi\""]), "a,b c,\"d,e\",\"say \"\"hi\"\"\"\r\n");
        assert_eq!(csv_line(&["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "ok"]), "\"'=HYPERLINK(\"\"x\"\")\",'+1,'-2,'@SUM(A1),ok\r\n");
    }
}
