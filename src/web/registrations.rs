//! The registration routes that are not server functions: the form's post (its fields are the
//! creator's questions, so they can't be a server function's fixed arguments), the QR code of a
//! manage link, and the attendee export.

use crate::accounts::guard::{Guard, can};
use crate::error::AppError;
use crate::infra::csv::After;
use crate::infra::state::AppState;
use crate::registrations::backend::drafts::FormDrafts;
use crate::registrations::backend::export::PageExport;
use crate::registrations::backend::{qr, service, store};
use crate::registrations::form::HONEYPOT;
use crate::web::exports::csv_response;
use crate::web::middleware::error_response;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

/// Whether the caller wants JSON (the island, scripts) rather than a page to go to.
fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"))
}

fn json_error(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(err)).into_response()
}

/// `POST /p/{short_id}/register`. Without JavaScript it answers with a redirect back to the page:
/// `?registered=1` on success, or `?draft=…` naming what was typed and what was wrong (kept on
/// the server for ten minutes, never in the address) when a live page refused the answers; any
/// other refusal (an unknown or closed page, a limit) is a page with its status and message, and
/// keeps nothing. With `Accept: application/json` it answers `{"waitlist": bool}` or the error.
pub async fn register(
    State(state): State<AppState>,
    Path(short_id): Path<String>,
    headers: HeaderMap,
    guard: Guard,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let json = wants_json(&headers);
    let ip = guard.client().ip;
    let fields: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != "short_id").collect();
    let safe_id: String = short_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    match crate::storefront::signups::register(&state, &short_id, &fields, ip.as_deref()).await {
        Ok(sent) if json => axum::Json(sent).into_response(),
        Ok(sent) => Redirect::to(&format!("/p/{safe_id}?registered=1{}#register", if sent.waitlist { "&waitlist=1" } else { "" })).into_response(),
        Err(refused) if json => json_error(&refused.error),
        Err(refused) if !refused.keep_values => error_response(&refused.error),
        Err(refused) => {
            let values = fields.into_iter().filter(|(k, _)| k != HONEYPOT).collect();
            let draft = FormDrafts::of(&state).keep(values, &refused.error).await;
            Redirect::to(&format!("/p/{safe_id}?draft={draft}#register")).into_response()
        }
    }
}

/// `GET /r/{token}/qr.png`: the QR code of a manage link (404 for a link that doesn't work).
pub async fn manage_qr(State(state): State<AppState>, Path(token): Path<String>, _guard: Guard) -> Response {
    match store::by_token(&state.db, &token).await {
        Ok(Some(_)) => {}
        Ok(None) => return error_response(&AppError::not_found("This link doesn't work.")),
        Err(e) => return error_response(&AppError::from(e)),
    }
    let url = crate::registrations::backend::mail::manage_url(&state.config.public_url, &token);
    match qr::png(&url) {
        Some(png) => {
            let mut res = png.into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
            res
        }
        None => error_response(&AppError::internal("a manage link too long for a QR code")),
    }
}

/// `GET /dashboard/pages/{id}/registrations.csv`: a page's registrations with one column per
/// question (personal data: the `ExportData` permission; the export is logged).
pub async fn registrations_csv(State(state): State<AppState>, Path(page_id): Path<String>, guard: Guard) -> Response {
    let scope = match guard.allow::<can::ExportData>().await {
        Ok(scope) => scope,
        Err(e) => return error_response(&e),
    };
    let export = match PageExport::of(&state.db, scope.organization_id(), &page_id).await {
        Ok(export) => export,
        Err(e) => return error_response(&e),
    };
    service::log(&state, &scope, crate::accounts::backend::security_log::SecurityEvent::RegistrationsExported, None).await;
    let head = export.head();
    let batches = move |after: Option<After>| {
        let (state, export) = (state.clone(), export.clone());
        async move { export.batch(&state.db, after.as_ref()).await }
    };
    csv_response("registrations.csv", head, batches)
}

/// `POST /u/{id}/{token}`: no more bulk mail about the page to this address. Mail programs post
/// here without a session, a page or any origin (RFC 8058 one-click: a form body
/// `List-Unsubscribe=One-Click`, which is all such a request is accepted with; the token in the
/// path is its authorization); a browser on the app's page is sent back to the page that says it
/// is done.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path((id, token)): Path<(String, String)>,
    headers: HeaderMap,
    _guard: Guard,
    body: axum::body::Bytes,
) -> Response {
    let one_click = url::form_urlencoded::parse(&body[..]).any(|(k, v)| format!("{k}={v}") == crate::infra::origin::ONE_CLICK_BODY);
    if !one_click && !crate::infra::origin::from_our_pages(&headers, &state.config.public_origin) {
        return error_response(&AppError::forbidden(crate::infra::origin::REFUSED));
    }
    match crate::registrations::backend::jobs::unsubscribe(
        &state.db,
        crate::registrations::backend::writer::Context::of(&state),
        &id,
        &token,
        chrono::Utc::now(),
    )
    .await
    {
        Ok(Some(_)) if headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html")) => {
            let safe = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect::<String>();
            Redirect::to(&format!("/u/{}/{}?done=1", safe(&id), safe(&token))).into_response()
        }
        Ok(Some(_)) => (StatusCode::OK, "Unsubscribed.").into_response(),
        Ok(None) => error_response(&AppError::not_found("This unsubscribe link doesn't work. Copy the whole link from the email.")),
        Err(e) => error_response(&AppError::from(e)),
    }
}
