//! The rendered public page, reused for a quarter of a second.
//!
//! When a sale opens, thousands of visitors ask for the same page in the same second. Rendering
//! it through Leptos costs far more than sending it, so the finished response is kept and served
//! again while it is still right:
//! - for at most [`FRESH`]: the HTML carries the server's clock (the countdown, the skew
//!   correction), which may be this much behind; a visitor's network adds as much;
//! - only while the page's data is the very entry it was rendered from (an edit, a switch-off or
//!   the data cache's own expiry forces a new render) and its phase is the same;
//! - with a new CSP nonce every time: the nonce in the stored HTML is swapped for a fresh one, so
//!   no two responses share one;
//! - only for the plain page: a query string (`?notified=1`, a form error) always renders.
//!
//! Every hit still counts a view.

use crate::pages::public::cache::{CachedPage, PageCache};
use crate::pages::public::backend::ViewCounter;
use crate::pages::phase::Phase;
use crate::infra::security_headers::page_csp;
use crate::infra::state::AppState;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use moka::future::Cache;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const FRESH: Duration = Duration::from_millis(250);
/// Rendered pages are small; a page larger than this is simply not kept.
const MAX_BODY: usize = 512 * 1024;

/// The time the cache goes by: the monotonic clock, or, for tests, a frozen one they move by hand
/// (so that "within a quarter of a second" never depends on how fast the machine is).
#[derive(Clone, Default)]
pub struct CacheClock {
    is_frozen: Arc<AtomicBool>,
    frozen_at: Arc<Mutex<Option<Instant>>>,
}

impl CacheClock {
    pub fn now(&self) -> Instant {
        if !self.is_frozen.load(Ordering::Relaxed) {
            return Instant::now();
        }
        self.frozen_at.lock().ok().and_then(|t| *t).unwrap_or_else(Instant::now)
    }

    /// Stops the clock at the current instant.
    pub fn freeze(&self) {
        if let Ok(mut t) = self.frozen_at.lock() {
            *t = Some(Instant::now());
            self.is_frozen.store(true, Ordering::Relaxed);
        }
    }

    /// Moves a frozen clock forward.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut t) = self.frozen_at.lock() {
            if let Some(t) = t.as_mut() {
                *t += by;
            }
        }
    }
}

/// A response as rendered, its nonce cut out.
struct Rendered {
    at: Instant,
    /// The data it was rendered from: a different entry means the page changed.
    source: Arc<CachedPage>,
    phase: Phase,
    status: StatusCode,
    headers: HeaderMap,
    /// The body split where the nonce was.
    parts: Vec<Bytes>,
    reload_port: Option<u32>,
}

/// The rendered pages (a part of the app state). Entries are bounded in number; whether one is
/// still fresh is decided by [`CacheClock`], not by the map's own timer.
#[derive(Clone)]
pub struct HtmlCache {
    entries: Cache<String, Arc<Rendered>>,
    pub clock: CacheClock,
    renders_kept: Arc<AtomicU64>,
}

impl Default for HtmlCache {
    fn default() -> Self {
        Self { entries: Cache::builder().max_capacity(10_000).build(), clock: CacheClock::default(), renders_kept: Arc::default() }
    }
}

impl HtmlCache {
    pub fn of(state: &AppState) -> &HtmlCache {
        state.part()
    }

    /// How many renderings were kept for reuse since start (each one is a full render).
    pub fn renders_kept(&self) -> u64 {
        self.renders_kept.load(Ordering::Relaxed)
    }
}

/// `/p/{shortId}` with no query string, or `None`.
fn plain_public_path(req: &Request) -> Option<String> {
    if req.method() != Method::GET || req.uri().query().is_some() {
        return None;
    }
    let short_id = req.uri().path().strip_prefix("/p/")?;
    (!short_id.is_empty() && !short_id.contains('/')).then(|| short_id.to_string())
}

/// The middleware: serve a fresh rendering, or render and keep it.
pub async fn serve_cached(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(short_id) = plain_public_path(&req) else { return next.run(req).await };
    let cache = HtmlCache::of(&state);
    let before = PageCache::of(&state).peek(&short_id).await;
    if let (Some(hit), Some(current)) = (cache.entries.get(&short_id).await, &before) {
        let now = chrono::Utc::now();
        if cache.clock.now().saturating_duration_since(hit.at) < FRESH
            && Arc::ptr_eq(&hit.source, current)
            && current.source.phase_at(now) == hit.phase
        {
            ViewCounter::of(&state).record(&current.page_id);
            return respond(&hit);
        }
    }
    let res = next.run(req).await;
    keep(&state, short_id, before, res).await
}

/// Stores a rendered response when it is safe to reuse, and returns it either way.
async fn keep(state: &AppState, short_id: String, before: Option<Arc<CachedPage>>, res: Response) -> Response {
    let cacheable = matches!(res.status(), StatusCode::OK | StatusCode::FOUND) && !res.headers().contains_key(header::SET_COOKIE);
    let nonce = res
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .and_then(|csp| csp.split("'nonce-").nth(1))
        .and_then(|rest| rest.split('\'').next())
        .map(str::to_string);
    let after = PageCache::of(state).peek(&short_id).await;
    let source = match (before, after) {
        (Some(b), Some(a)) if Arc::ptr_eq(&b, &a) => Some(a),
        (None, Some(a)) => Some(a),
        _ => None, // the data changed while rendering: do not keep this rendering
    };
    let (Some(source), Some(nonce), true) = (source, nonce, cacheable) else { return res };
    let (parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return Response::from_parts(parts, Body::from("The page could not be sent in full. Please reload."));
    };
    let mut headers = parts.headers.clone();
    headers.remove(header::CONTENT_SECURITY_POLICY);
    headers.remove(header::CONTENT_LENGTH);
    let cache = HtmlCache::of(state);
    let rendered = Arc::new(Rendered {
        at: cache.clock.now(),
        phase: source.source.phase_at(chrono::Utc::now()),
        source,
        status: parts.status,
        headers,
        parts: split_on(&bytes, nonce.as_bytes()),
        reload_port: crate::infra::security_headers::reload_port(&state.leptos_options),
    });
    cache.entries.insert(short_id, rendered).await;
    cache.renders_kept.fetch_add(1, Ordering::Relaxed);
    Response::from_parts(parts, Body::from(bytes))
}

/// The stored response with a fresh nonce in the body and the CSP.
fn respond(hit: &Rendered) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    let mut body = Vec::with_capacity(hit.parts.iter().map(Bytes::len).sum::<usize>() + nonce.len() * hit.parts.len());
    for (i, part) in hit.parts.iter().enumerate() {
        if i > 0 {
            body.extend_from_slice(nonce.as_bytes());
        }
        body.extend_from_slice(part);
    }
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = hit.status;
    *res.headers_mut() = hit.headers.clone();
    if let Ok(csp) = HeaderValue::from_str(&page_csp(&nonce, hit.reload_port)) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    res
}

fn split_on(haystack: &[u8], needle: &[u8]) -> Vec<Bytes> {
    let mut parts = Vec::new();
    let mut rest = haystack;
    while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
        parts.push(Bytes::copy_from_slice(&rest[..at]));
        rest = &rest[at + needle.len()..];
    }
    parts.push(Bytes::copy_from_slice(rest));
    parts
}

#[cfg(test)]
mod tests {
    use super::split_on;

    #[test]
    fn splits_where_the_nonce_was() {
        let parts = split_on(b"<script nonce=\"N1\">a</script><script nonce=\"N1\">", b"N1");
        assert_eq!(parts.len(), 3);
        assert_eq!(&parts[0][..], b"<script nonce=\"");
        assert_eq!(&parts[2][..], b"\">");
        assert_eq!(split_on(b"no nonce here", b"N1").len(), 1);
    }
}
