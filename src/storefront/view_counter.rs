//! Page views, counted in memory and written every few seconds.

use crate::db_write;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::pages;
use crate::infra::db::{Db, DbError};
use crate::infra::state::AppState;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Page views, counted in memory and added to the database in one statement per page every few
/// seconds, so a burst of visitors costs no write per view.
#[derive(Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<String, i64>>,
}

impl ViewCounter {
    /// This instance's counter (a part of the app state, put there by `web::startup`).
    pub fn of(state: &AppState) -> &ViewCounter {
        state.part::<std::sync::Arc<ViewCounter>>()
    }

    pub fn record(&self, page_id: &str) {
        if let Ok(mut pending) = self.pending.lock() {
            // Every cached visit lands here: no allocation once the page has an entry.
            match pending.get_mut(page_id) {
                Some(n) => *n += 1,
                None => {
                    pending.insert(page_id.to_string(), 1);
                }
            }
        }
    }

    /// Writes the pending counts; what fails to write is put back for the next flush.
    pub async fn flush(&self, db: &Db) -> Result<usize, DbError> {
        let batch: Vec<(String, i64)> = match self.pending.lock() {
            Ok(mut pending) => pending.drain().collect(),
            Err(_) => return Ok(0),
        };
        let mut written = 0;
        for (i, (page_id, n)) in batch.iter().enumerate() {
            let result: Result<usize, DbError> = db_write!(db, conn => {
                Ok(diesel::update(pages::table.filter(pages::id.eq(page_id)))
                    .set(pages::view_count.eq(pages::view_count + n))
                    .execute(conn)
                    .await?)
            });
            if let Err(e) = result {
                if let Ok(mut pending) = self.pending.lock() {
                    for (id, n) in &batch[i..] {
                        *pending.entry(id.clone()).or_insert(0) += n;
                    }
                }
                return Err(e);
            }
            written += 1;
        }
        Ok(written)
    }
}

/// Flushes view counts every few seconds until the process ends.
pub fn spawn_view_flusher(state: &AppState, every: Duration) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = ViewCounter::of(&state).flush(&state.db).await {
                tracing::warn!(error = %e, "could not write page view counts; will retry");
            }
        }
    });
}
