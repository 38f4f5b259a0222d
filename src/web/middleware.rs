//! The middleware every request passes: client address, HSTS, the cross-site check, the dashboard's
//! login redirect, static-asset caching and the status of server-function errors.

use crate::accounts::guard::{ResolvedUser, resolve_user};
use crate::error::AppError;
use crate::infra::origin::{REFUSED, request_is_same_origin};
use crate::infra::request::ClientIp;
use crate::infra::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// Records the client's address: the peer, or with `TRUSTED_PROXIES=n` the `X-Forwarded-For`
/// entry n places from the right (each proxy appends the address it got the request from, so
/// anything left of that was written by the client and proves nothing).
pub async fn client_ip(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let forwarded = forwarded_client(req.headers(), state.config.trusted_proxies);
    if let Some(ip) = forwarded.or(peer) {
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

/// The client address per `X-Forwarded-For` behind `proxies` trusted proxies.
pub fn forwarded_client(headers: &axum::http::HeaderMap, proxies: usize) -> Option<String> {
    if proxies == 0 {
        return None;
    }
    let hops: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(str::trim).collect();
    let hop = hops.get(hops.len().checked_sub(proxies)?)?;
    hop.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())
}

/// Served over https (`PUBLIC_URL`), browsers are told to use nothing else for a year.
pub async fn strict_transport_security(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    if state.config.secure_cookies() {
        res.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

/// The CSRF check for every state-changing request (see [`super::origin`]).
pub async fn refuse_cross_site(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if request_is_same_origin(req.method(), req.uri().path(), req.headers(), &state.config.public_origin) {
        return next.run(req).await;
    }
    tracing::warn!(method = %req.method(), path = req.uri().path(), "refused a cross-site request");
    let wants_json =
        req.uri().path().starts_with("/api/") && req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    let err = AppError::forbidden(REFUSED);
    if wants_json {
        let mut res = (StatusCode::FORBIDDEN, serde_json::to_string(&err).unwrap_or_default()).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        res
    } else {
        error_response(&err)
    }
}

/// Pages that need a signed-in user redirect to the login page before any HTML is rendered (so it
/// works without JavaScript); signed-in users asking for the login or sign-up page go to the dashboard.
pub async fn page_guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let protected = path == "/dashboard" || path.starts_with("/dashboard/");
    let guest_only = path == "/login" || path == "/signup";
    if !(protected || guest_only) {
        return next.run(req).await;
    }
    let user = match resolve_user(&state, req.headers()).await {
        Ok(user) => user,
        Err(e) => return error_response(&e),
    };
    match (&user, protected) {
        (None, true) => {
            let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/dashboard");
            let next_param: String = url_encode(target);
            return found(&format!("/login?next={next_param}"));
        }
        (Some(_), false) => return found("/dashboard"),
        _ => {}
    }
    req.extensions_mut().insert(ResolvedUser(user));
    next.run(req).await
}

/// A 302, like the redirects server functions send, so every redirect in the app looks the same.
pub fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => (StatusCode::FOUND, [(header::LOCATION, HeaderValue::from_static("/"))]).into_response(),
    }
}

/// Percent-encodes a query value (slashes kept: they are legal there and keep paths readable).
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Site assets: with hashed names (`hash-files`, the default build) a name never changes content,
/// so browsers keep them for a year; without, they must revalidate (a 304 from `Last-Modified`) so
/// that new HTML never meets old wasm. The favicon has a fixed name and is kept a week: a
/// returning visitor's browser then asks for nothing but the page.
pub async fn static_cache_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let hashed = path.starts_with("/pkg/") && state.leptos_options.hash_files;
    let favicon = path == "/favicon.svg";
    let is_asset = path.starts_with("/pkg/") || favicon;
    let mut res = next.run(req).await;
    if is_asset && res.status().is_success() {
        let policy = match (hashed, favicon) {
            (true, _) => "public, max-age=31536000, immutable",
            (false, true) => "public, max-age=604800",
            (false, false) => "no-cache",
        };
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

/// Server functions report every error as 500; this gives API clients the status the error really
/// means (400, 401, 404, 409, 422, 429...). Form posts without JavaScript are redirects and are left alone.
pub async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api || res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match to_bytes(body, 64 * 1024).await {
        Ok(bytes) => bytes,
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A refused oversized body (413) is answered before the body is read, so the server cannot
/// keep the connection: it closes it. Saying so in the answer keeps the client from putting the
/// connection back in its pool and sending its next request into the closing socket (seen in CI
/// as an `IncompleteMessage` on the request after a 413).
pub async fn close_after_refused_body(mut res: Response) -> Response {
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE {
        res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    res
}

/// A plain error response for middleware failures.
pub fn error_response(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = (status, err.message.clone()).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_client_is_n_hops_from_the_right() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.7".parse().expect("value"));
        assert_eq!(super::forwarded_client(&headers, 0), None, "no proxy: the header is the client's own words");
        assert_eq!(super::forwarded_client(&headers, 1).as_deref(), Some("203.0.113.7"), "a spoofed left entry is ignored");
        assert_eq!(super::forwarded_client(&headers, 2).as_deref(), Some("6.6.6.6"));
        assert_eq!(super::forwarded_client(&headers, 3), None, "fewer hops than proxies: fall back to the peer");
        headers.insert("x-forwarded-for", "not-an-ip".parse().expect("value"));
        assert_eq!(super::forwarded_client(&headers, 1), None);
    }

    #[test]
    fn encodes_next_param() {
        assert_eq!(super::url_encode("/dashboard?tab=a b&x=1"), "/dashboard%3Ftab%3Da%20b%26x%3D1");
    }
}
