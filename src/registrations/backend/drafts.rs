//! What a registration form sent without JavaScript came back with: the values typed and the
//! errors, kept in memory for ten minutes under a random id, so that the page can show the form
//! again filled in, with each message beside its field, without putting anyone's answers in an
//! address (addresses end up in logs and browser history).
//!
//! Per instance: behind a load balancer without affinity, the redirect may reach another
//! instance, which shows the errors' page without the values (the visitor types them again).
//!
//! Memory is bounded by bytes, not entries: a form may be up to 256 KiB, so a count of entries
//! bounds nothing (20,000 of them were 5 GB). The cache weighs each draft by what it holds and
//! keeps at most [`MAX_BYTES`], dropping the oldest first. Only forms that reached a live
//! page past the rate limits get here at all (see `service::register`).

use crate::error::AppError;
use crate::infra::state::AppState;
use crate::registrations::model::FormAnswer;
use moka::future::Cache;
use std::time::Duration;

/// What every draft of one instance may hold together.
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// What a draft costs beyond its text (the entry, the vectors, the id).
const OVERHEAD: usize = 128;

/// The bytes a draft holds, as the cache counts them.
pub fn weight(id: &str, answer: &FormAnswer) -> u32 {
    let values: usize = answer.values.iter().map(|(k, v)| k.len() + v.len() + 48).sum();
    let errors: usize = answer.errors.iter().map(|e| e.field.len() + e.message.len() + 48).sum();
    let total = OVERHEAD + id.len() + values + errors + answer.message.as_ref().map_or(0, String::len);
    u32::try_from(total).unwrap_or(u32::MAX)
}

#[derive(Clone)]
pub struct FormDrafts(Cache<String, FormAnswer>);

impl FormDrafts {
    pub fn new() -> FormDrafts {
        FormDrafts::with_max_bytes(MAX_BYTES)
    }

    pub fn with_max_bytes(max_bytes: u64) -> FormDrafts {
        FormDrafts(
            Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|id: &String, answer: &FormAnswer| weight(id, answer))
                // A draft is read once, soon after it is written: under pressure the oldest go,
                // and the newest (the visitor who is reading the page right now) are admitted.
                .eviction_policy(moka::policy::EvictionPolicy::lru())
                .time_to_live(Duration::from_secs(600))
                .build(),
        )
    }

    pub fn of(state: &AppState) -> &FormDrafts {
        state.part()
    }

    /// Keeps a refused form; the id to come back with.
    pub async fn keep(&self, values: Vec<(String, String)>, err: &AppError) -> String {
        let id = crate::infra::tokens::new_token();
        let message = err.fields.is_empty().then(|| err.message.clone());
        self.0.insert(id.clone(), FormAnswer { sent: false, waitlist: false, values, errors: err.fields.clone(), message }).await;
        id
    }

    pub async fn get(&self, id: &str) -> Option<FormAnswer> {
        self.0.get(id).await
    }

    /// The drafts held and their bytes, once the cache has applied its pending evictions (for
    /// tests and diagnostics).
    pub async fn held(&self) -> (u64, u64) {
        self.0.run_pending_tasks().await;
        (self.0.entry_count(), self.0.weighted_size())
    }
}

impl Default for FormDrafts {
    fn default() -> Self {
        FormDrafts::new()
    }
}
