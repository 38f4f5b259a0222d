//! The in-process cache of public page data by short id (the seed's "Metadata Caching").
//!
//! - Concurrent misses for one id share a single database query, so a cold cache at the second a
//!   sale opens costs one round trip, not one per visitor.
//! - Writes through this instance invalidate the entry at once; entries also expire after
//!   [`TTL`], which bounds how stale another instance's copy can be.
//! - Unknown ids are cached too (briefly), so a flood of random ids does not reach the database.
//! - Only stored data is cached. The phase is always computed from the clock at request time.

use crate::pages::server::store::PageRow;
use crate::server::db::DbError;
use moka::future::Cache;
use std::sync::Arc;
use std::time::Duration;

pub const TTL: Duration = Duration::from_secs(2);
const CAPACITY: u64 = 50_000;

#[derive(Clone)]
pub struct PageCache {
    entries: Cache<String, Option<Arc<PageRow>>>,
}

impl Default for PageCache {
    fn default() -> Self {
        Self { entries: Cache::builder().max_capacity(CAPACITY).time_to_live(TTL).build() }
    }
}

impl PageCache {
    /// The cached row for `short_id`, loading it with `load` on a miss.
    pub async fn get_or_load<F>(&self, short_id: &str, load: F) -> Result<Option<Arc<PageRow>>, DbError>
    where
        F: Future<Output = Result<Option<PageRow>, DbError>>,
    {
        self.entries
            .try_get_with_by_ref(short_id, async { load.await.map(|row| row.map(Arc::new)) })
            .await
            .map_err(|e: Arc<DbError>| DbError::Pool(e.to_string()))
    }

    /// Forgets a page after any write to it.
    pub async fn invalidate(&self, short_id: &str) {
        self.entries.invalidate(short_id).await;
    }
}
