//! The in-process cache of public pages by short id (the seed's "Metadata Caching").
//!
//! - What is cached is the page as built for visitors (settings parsed, Markdown rendered and
//!   sanitised), so a hit costs no parsing at all.
//! - Concurrent misses for one id share a single database query, so a cold cache at the second a
//!   sale opens costs one round trip, not one per visitor.
//! - Writes through this instance invalidate the entry at once ([`PageCache::changed`]); with
//!   PostgreSQL they also tell the other instances (`pg_notify` on [`CHANNEL`]), which drop their
//!   copy as the notice arrives ([`spawn_listener`]). Entries also expire after the TTL
//!   (`PAGE_CACHE_TTL_MS`, [`TTL`] by default), which bounds the staleness should a notice be
//!   lost (a listener reconnecting drops everything it holds).
//! - Unknown ids are cached too (briefly), so a flood of random ids does not reach the database.
//! - The phase is never cached: it is computed from the clock on every request.

use super::backend::PageSource;
use crate::error::AppError;
use crate::infra::state::AppState;
use futures_util::StreamExt;
use moka::future::Cache;
use std::sync::Arc;
use std::time::Duration;

pub const TTL: Duration = Duration::from_secs(2);
/// The PostgreSQL channel on which instances announce changed pages (the payload: a short id).
pub const CHANNEL: &str = "flashpage_pages";
const CAPACITY: u64 = 50_000;

/// A page as the server keeps it for visitors (each gets the part their moment shows).
#[derive(Clone, Debug, PartialEq)]
pub struct CachedPage {
    pub page_id: String,
    pub source: PageSource,
}

#[derive(Clone)]
pub struct PageCache {
    entries: Cache<String, Option<Arc<CachedPage>>>,
}

impl Default for PageCache {
    fn default() -> Self {
        Self::with_ttl(TTL)
    }
}

impl PageCache {
    /// This instance's cache (a part of the app state, put there by `web::startup`).
    pub fn of(state: &AppState) -> &PageCache {
        state.part()
    }

    /// The cached page for `short_id`, building it with `load` on a miss.
    pub async fn get_or_load<F>(&self, short_id: &str, load: F) -> Result<Option<Arc<CachedPage>>, AppError>
    where
        F: Future<Output = Result<Option<CachedPage>, AppError>>,
    {
        self.entries.try_get_with_by_ref(short_id, async { load.await.map(|page| page.map(Arc::new)) }).await.map_err(|e: Arc<AppError>| (*e).clone())
    }

    /// The cached entry, without loading it (`None` also for a cached "no such page").
    pub async fn peek(&self, short_id: &str) -> Option<Arc<CachedPage>> {
        self.entries.get(short_id).await.flatten()
    }

    pub fn with_ttl(ttl: Duration) -> Self {
        Self { entries: Cache::builder().max_capacity(CAPACITY).time_to_live(ttl).build() }
    }

    /// Forgets this instance's copy of a page.
    pub async fn invalidate(&self, short_id: &str) {
        self.entries.invalidate(short_id).await;
    }

    /// A page (or its stock) changed: this instance forgets it at once, and the others are told.
    pub async fn changed(state: &AppState, short_id: &str) {
        PageCache::of(state).invalidate(short_id).await;
        if let Err(e) = state.db.notify(CHANNEL, short_id).await {
            tracing::warn!(error = %e, "could not tell the other instances about a changed page; their copies expire with the TTL");
        }
    }
}

/// Listens for the other instances' notices of changed pages (PostgreSQL only) until the process
/// ends, reconnecting after a second when the connection drops; on every (re)connection the whole
/// cache is dropped, since notices may have been missed meanwhile. The returned signal fires once
/// the first `LISTEN` is in place (at once with SQLite).
pub fn spawn_listener(state: &AppState) -> tokio::sync::oneshot::Receiver<()> {
    let state = state.clone();
    let (ready, listening) = tokio::sync::oneshot::channel();
    let mut ready = Some(ready);
    tokio::spawn(async move {
        loop {
            match crate::infra::db::notify::listen(&state.config.database_url, CHANNEL).await {
                Ok(None) => {
                    if let Some(r) = ready.take() {
                        let _ = r.send(());
                    }
                    return;
                }
                Ok(Some(mut notices)) => {
                    PageCache::of(&state).entries.invalidate_all();
                    if let Some(r) = ready.take() {
                        let _ = r.send(());
                    }
                    while let Some(short_id) = notices.next().await {
                        PageCache::of(&state).invalidate(&short_id).await;
                    }
                    tracing::warn!("the page-change listener lost its connection; reconnecting");
                }
                Err(e) => tracing::warn!(error = %e, "could not listen for page changes; retrying"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    listening
}
