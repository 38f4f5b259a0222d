//! The in-process cache of public pages by short id (the seed's "Metadata Caching").
//!
//! - What is cached is the page as built for visitors (settings parsed, Markdown rendered and
//!   sanitised), so a hit costs no parsing at all.
//! - Concurrent misses for one id share a single database query, so a cold cache at the second a
//!   sale opens costs one round trip, not one per visitor.
//! - The domains announce a changed page (or its stock) with `infra::notifier::Notifier::changed`,
//!   to which this cache subscribes: this instance drops the entry at once, and with PostgreSQL
//!   the other instances drop theirs as the notice arrives. Entries also expire after the TTL
//!   (`PAGE_CACHE_TTL_MS`, [`TTL`] by default), which bounds the staleness should a notice be
//!   lost (a listener reconnecting drops everything it holds).
//! - Unknown ids are cached too (briefly), so a flood of random ids does not reach the database.
//! - The phase is never cached: it is computed from the clock on every request.

use super::source::PageSource;
use crate::error::AppError;
use crate::infra::notifier::{Forget, Subscriber};
use crate::infra::state::AppState;
use futures_util::future::BoxFuture;
use moka::future::Cache;
use std::sync::Arc;
use std::time::Duration;

pub const TTL: Duration = Duration::from_secs(2);
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
}

/// The cache forgets what the domains announce through `infra::notifier` (a short id), here and,
/// through PostgreSQL, on every instance.
impl Subscriber for PageCache {
    fn forget<'a>(&'a self, what: Forget<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            match what {
                Forget::One(short_id) => self.invalidate(short_id).await,
                Forget::All => self.entries.invalidate_all(),
            }
        })
    }
}
