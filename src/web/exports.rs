//! CSV exports, streamed: rows are read in batches and written as they come, so an export of a
//! hundred thousand orders holds one batch in memory, not the file.

use crate::accounts::backend::security_log::{self, SecurityEvent};
use crate::accounts::guard::{Guard, can};
use crate::infra::csv::{After, BATCH, Batch};
use crate::infra::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;

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
    let batches = move |after: Option<After>| {
        let (state, org, page_id) = (state.clone(), org.clone(), page_id.clone());
        async move { crate::orders::backend::export::batch(&state.db, &org, page_id.as_deref(), after.as_ref()).await }
    };
    csv_response("orders.csv", crate::orders::backend::export::head(), batches)
}

/// A CSV download streamed batch by batch: the header line (after a BOM, which makes spreadsheet
/// programs read the file as UTF-8), then `batches(after)` until one comes back short. A
/// failing batch ends the body with an error, so the download is visibly broken rather than
/// silently short.
pub fn csv_response<F, Fut>(file_name: &str, head: String, batches: F) -> Response
where
    F: Fn(Option<After>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Batch, crate::infra::db::DbError>> + Send + 'static,
{
    struct Cursor {
        after: Option<After>,
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
            let batch = match batches(cursor.after.take()).await {
                Ok(batch) => batch,
                Err(e) => return Some((Err(std::io::Error::other(e.to_string())), Cursor { done: true, ..cursor })),
            };
            if batch.rows < BATCH as usize {
                cursor.done = true;
            }
            if batch.rows == 0 {
                return None;
            }
            cursor.after = batch.next;
            Some((Ok(Bytes::from(batch.lines)), cursor))
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
    let batches = move |after: Option<After>| {
        let (state, org) = (state.clone(), org.clone());
        async move { crate::registrations::backend::export::organization_batch(&state.db, &org, &state.config.public_url, after.as_ref()).await }
    };
    csv_response("registrations.csv", crate::registrations::backend::export::organization_head(), batches)
}
