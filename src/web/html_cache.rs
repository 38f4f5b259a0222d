//! The rendered public page, reused for a quarter of a second.
//!
//! When a sale opens, thousands of visitors ask for the same page in the same second. Rendering
//! it through Leptos costs far more than sending it, so the finished response is kept and served
//! again while it is still right:
//! - for at most [`FRESH`]: the HTML carries the server's clock (the countdown, the skew
//!   correction), which may be this much behind; a visitor's network adds as much;
//! - only while the page's data is what it was rendered from (an edit or a switch-off forces a
//!   new render; the data cache's reload after its expiry does not, when nothing changed) and its
//!   phase is the same;
//! - as a [`StaticPage`]: its inline scripts allowed by their hashes instead of a nonce, and
//!   compressed once, so that a hit copies nothing and compresses nothing; the first visitor
//!   gets the very same bytes;
//! - only for the plain page: a query string (`?notified=1`, a form error) always renders;
//! - rendered again by one request at a time: while one renders the successor, the others are
//!   sent the previous rendering for up to [`GRACE`] more. Without this, every request arriving
//!   in the moment a rendering went stale rendered (and compressed) the page again: at 32
//!   connections that herd put the 99th percentile at 45 ms (issue 8's bench), not 5.
//!
//! Every hit still counts a view.

use super::static_page::{Encoding, StaticPage};
use crate::infra::state::AppState;
use crate::pages::phase::Phase;
use crate::storefront::backend;
use crate::storefront::cache::{CachedPage, PageCache};
use crate::storefront::view_counter::ViewCounter;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use moka::future::Cache;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const FRESH: Duration = Duration::from_millis(250);
/// How much longer a rendering may be sent while another request renders its successor; a
/// rendering is then at most `FRESH + GRACE` old (the countdown's skew correction is off by as
/// much, at worst).
pub const GRACE: Duration = Duration::from_millis(250);
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

/// A response as rendered, ready to be sent again.
struct Rendered {
    at: Instant,
    /// The data it was rendered from: a different entry means the page changed.
    source: Arc<CachedPage>,
    phase: Phase,
    page: StaticPage,
    /// Set by the request that renders the successor once this one is no longer fresh.
    replacing: AtomicBool,
}

impl Rendered {
    fn may_serve(&self, age: Duration) -> bool {
        may_send(age, &self.replacing)
    }
}

/// Whether a rendering `age` old may be sent: while fresh, or within the grace period when
/// another request is already rendering its successor (the first to ask takes that on and is
/// told no).
fn may_send(age: Duration, replacing: &AtomicBool) -> bool {
    age < FRESH || (age < FRESH + GRACE && replacing.swap(true, Ordering::AcqRel))
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
    let encoding = Encoding::preferred(req.headers().get(header::ACCEPT_ENCODING));
    let cache = HtmlCache::of(&state);
    // Loaded if the data cache's entry expired (one query for everyone asking): a reload that
    // found nothing changed keeps the rendering, or every request until the next one would render.
    let before = backend::source(&state, &short_id).await.ok().flatten();
    if let (Some(hit), Some(current)) = (cache.entries.get(&short_id).await, &before) {
        let now = chrono::Utc::now();
        if same_data(&hit.source, current) && current.source.phase_at(now) == hit.phase && hit.may_serve(cache.clock.now().saturating_duration_since(hit.at)) {
            ViewCounter::of(&state).record(&current.page_id);
            return hit.page.response(encoding);
        }
    }
    let res = next.run(req).await;
    keep(&state, short_id, before, res, encoding).await
}

/// The same page data: the same cache entry, or a reload of it that found nothing changed.
fn same_data(a: &Arc<CachedPage>, b: &Arc<CachedPage>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// Stores a rendered response when it is safe to reuse, and returns it either way.
async fn keep(state: &AppState, short_id: String, before: Option<Arc<CachedPage>>, res: Response, encoding: Encoding) -> Response {
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
        (Some(b), Some(a)) if same_data(&b, &a) => Some(a),
        (None, Some(a)) => Some(a),
        _ => None, // the data changed while rendering: do not keep this rendering
    };
    let (Some(source), Some(nonce), true) = (source, nonce, cacheable) else { return res };
    let (parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return Response::from_parts(parts, Body::from("The page could not be sent in full. Please reload."));
    };
    let reload_port = crate::infra::security_headers::reload_port(&state.leptos_options);
    let Some(page) = StaticPage::prepare(parts.status, parts.headers.clone(), &bytes, &nonce, reload_port) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let response = page.response(encoding);
    let cache = HtmlCache::of(state);
    let rendered =
        Arc::new(Rendered { at: cache.clock.now(), phase: source.source.phase_at(chrono::Utc::now()), source, page, replacing: AtomicBool::new(false) });
    cache.entries.insert(short_id, rendered).await;
    cache.renders_kept.fetch_add(1, Ordering::Relaxed);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_request_renders_the_successor_while_the_others_get_the_previous_one() {
        let replacing = AtomicBool::new(false);
        assert!(may_send(FRESH / 2, &replacing), "fresh");
        assert!(!replacing.load(Ordering::Relaxed), "nobody is asked to render while it is fresh");
        assert!(!may_send(FRESH, &replacing), "the first to find it stale renders");
        assert!(may_send(FRESH, &replacing), "the others are sent the previous rendering");
        assert!(may_send(FRESH + GRACE / 2, &replacing));
        assert!(!may_send(FRESH + GRACE, &replacing), "never older than FRESH + GRACE");
    }
}
