//! The routes and the middleware stack, and serving with graceful shutdown.

use super::downloads::download;
use super::exports::orders_csv;
use super::files::serve_page_asset;
use super::health;
use super::html_cache::serve_cached;
use super::middleware::{
    client_ip, close_after_refused_body, page_guard, refuse_cross_site, server_fn_error_status, static_cache_headers, strict_transport_security,
};
use super::uploads::{MAX_UPLOAD_REQUEST_BYTES, upload_hero, upload_product_file, upload_product_sample};
use super::webhooks::stripe_webhook;
use crate::app::{App, shell};
use crate::infra::security_headers;
use crate::infra::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{
    Extensions, HeaderMap, StatusCode, Version,
    header::{ACCEPT_RANGES, CONTENT_DISPOSITION},
};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use std::net::SocketAddr;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

/// Request bodies above this are refused with 413. Forms are tiny; uploads have their own limit.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The app's routes, worked out once per process. `generate_route_list` renders the app with
/// resource loading suppressed by a *process-wide* flag (leptos_server's `SuppressResourceLoad`),
/// and a resource first polled while that flag is up never loads: a page rendered for one app
/// while another app in the same process was starting hung forever (leptos issue #4773; seen in
/// the test suite, which runs many apps in one process). Generated once, the flag is only ever up
/// before anything is served.
fn routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = routes();
    let ctx_state = state.clone();
    let context = move || provide_context(ctx_state.clone());
    // Behind an Arc: axum clones a route's whole service stack for every request (cache hits
    // too), and a captured `LeptosOptions` made that clone measurably expensive.
    let options = std::sync::Arc::new(state.leptos_options.clone());
    // Uploads get their own, larger limit, enforced while the form is read so that an oversized
    // image gets a message in the editor rather than a bare 413.
    let uploads = Router::new()
        .route("/dashboard/pages/{id}/hero", post(upload_hero))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_REQUEST_BYTES))
        // A product's file is streamed to storage; its limit is the plan's file size, enforced
        // as it arrives.
        .merge(
            Router::new()
                .route("/dashboard/products/{id}/file", post(upload_product_file))
                .route("/dashboard/products/{id}/sample", post(upload_product_sample))
                .layer(DefaultBodyLimit::disable()),
        );
    let app = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/files/{*key}", get(serve_page_asset))
        .route("/d/{token}", get(download))
        .route("/dashboard/orders.csv", get(orders_csv))
        .route("/dashboard/export/organization.json", get(super::exports::organization_json))
        .route("/dashboard/export/registrations.csv", get(super::exports::all_registrations_csv))
        .route("/p/{short_id}/register", post(super::registrations::register))
        .route("/r/{token}/qr.png", get(super::registrations::manage_qr))
        .route("/u/{id}/{token}", post(super::registrations::unsubscribe))
        .route("/dashboard/pages/{id}/registrations.csv", get(super::registrations::registrations_csv))
        .route("/webhooks/stripe", post(stripe_webhook))
        .route("/api/{*fn_name}", any(server_fn_handler))
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell((*options).clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    // The last layer added runs first. A reused public page (`serve_cached`) answers as early as
    // it may: after the client address, HSTS and the cross-site check, before the layers that
    // never concern `/p/…` (assets' cache headers, server-function errors, the dashboard's
    // login redirect), so a hit at launch time crosses as few as possible.
    app.merge(uploads)
        .layer(middleware::from_fn_with_state(state.clone(), page_guard))
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(middleware::map_response(close_after_refused_body))
        .layer(middleware::from_fn_with_state(state.clone(), static_cache_headers))
        .layer(middleware::from_fn_with_state(state.clone(), serve_cached))
        .layer(middleware::from_fn_with_state(state.clone(), refuse_cross_site))
        .layer(middleware::from_fn_with_state(state.clone(), strict_transport_security))
        .layer(middleware::from_fn_with_state(state.clone(), client_ip))
        .layer(security_headers::layers())
        // Buyers' downloads (attachments that answer byte ranges) go out as stored: compressing
        // them would cost CPU for files that are mostly compressed already, and break the ranges.
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(|_: StatusCode, _: Version, h: &HeaderMap, _: &Extensions| !is_download(h))))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A file download: an attachment that answers byte ranges.
fn is_download(headers: &HeaderMap) -> bool {
    headers.contains_key(ACCEPT_RANGES) && headers.get(CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("attachment"))
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), req).await
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(listener: tokio::net::TcpListener, app: Router, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await
}
