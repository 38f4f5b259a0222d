//! A fixed-window counter per key (a client address), in process: cheap enough for public forms
//! hit by crowds. Each app instance counts on its own, so N instances allow N times the limit;
//! that bounds spam without a shared store. (Logins use the database instead: there the limit must
//! hold across instances.)

use moka::future::Cache;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

#[derive(Clone)]
pub struct RateLimiter {
    windows: Cache<String, Arc<AtomicU32>>,
    limit: u32,
}

impl RateLimiter {
    /// At most `limit` hits per key within `window` (counted from the key's first hit).
    pub fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter { windows: Cache::builder().max_capacity(100_000).time_to_live(window).build(), limit }
    }

    /// Counts a hit; false once the key is over its limit for the current window.
    pub async fn allow(&self, key: &str) -> bool {
        let counter = self.windows.get_with_by_ref(key, async { Arc::new(AtomicU32::new(0)) }).await;
        counter.fetch_add(1, Ordering::Relaxed) < self.limit
    }

    /// Like [`RateLimiter::allow`], with a limit of the key's own (a page's chosen rate).
    pub async fn allow_within(&self, key: &str, limit: u32) -> bool {
        let counter = self.windows.get_with_by_ref(key, async { Arc::new(AtomicU32::new(0)) }).await;
        counter.fetch_add(1, Ordering::Relaxed) < limit.min(self.limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_per_key_and_forgets_after_the_window() {
        let limiter = RateLimiter::new(3, Duration::from_millis(200));
        for _ in 0..3 {
            assert!(limiter.allow("a").await);
        }
        assert!(!limiter.allow("a").await, "the fourth hit is refused");
        assert!(limiter.allow("b").await, "other keys have their own count");
        tokio::time::sleep(Duration::from_millis(400)).await;
        limiter.windows.run_pending_tasks().await;
        assert!(limiter.allow("a").await, "a new window starts after the old one");
    }
}
