//! An upload's bytes reserved in the storage ledger as they arrive.
//!
//! A request's `Content-Length` is a claim, and with `Transfer-Encoding: chunked` there is none
//! (or one that the body does not follow), so a reservation made from it bounds nothing. The
//! stream [`metered`] hands on only bytes already reserved: before a chunk passes, the
//! reservation under the upload's key grows to cover it ([`super::ledger::grow`], conditional on
//! the allowance), a step of [`STEP`] at a time while there is room and exactly what the chunk
//! needs near the allowance. When even that does not fit, the stream ends with an error (the
//! store aborts the upload, so no object is left) and [`Meter::refused`] says why; the caller
//! writes the reservation off.

use super::ledger;
use crate::infra::db::Db;
use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// How much a reservation grows at a time while the allowance has room: one ledger write per
/// 8 MiB streamed, not per chunk.
pub const STEP: u64 = 8 * 1024 * 1024;

/// Where an upload's reservation is written down, and how far it may grow.
pub struct Meter {
    pub db: Db,
    pub organization_id: String,
    /// The reservation's ledger key (see [`ledger::reservation_key`]).
    pub key: String,
    /// The organization's allowance in bytes (`None`: no limit).
    pub allowance: Option<i64>,
    /// What is reserved already.
    pub reserved: u64,
    /// Beyond this the store refuses the file anyway (the plan's file size): no reservation is
    /// grown for bytes past it.
    pub cap: u64,
}

/// Set when the stream ended because the allowance was reached.
#[derive(Clone, Default)]
pub struct Refused(Arc<AtomicBool>);

impl Refused {
    pub fn refused(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Meter {
    /// Grows the reservation to at least `need` bytes; false when the allowance has no room.
    async fn cover(&mut self, need: u64) -> Result<bool, crate::infra::db::DbError> {
        let exact = need - self.reserved;
        let step = exact.max(STEP).min(self.cap.saturating_sub(self.reserved).max(exact));
        for add in if step > exact { vec![step, exact] } else { vec![exact] } {
            if ledger::grow(&self.db, &self.organization_id, &self.key, i64::try_from(add).unwrap_or(i64::MAX), self.allowance).await? {
                self.reserved += add;
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// `chunks`, passed on only once their bytes are reserved; and the flag that tells a refusal by
/// the allowance from any other end of the stream.
pub fn metered<S, E>(chunks: S, meter: Meter) -> (impl Stream<Item = Result<Bytes, String>> + Unpin, Refused)
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let refused = Refused::default();
    let flag = refused.clone();
    let state = (chunks, meter, 0u64, false);
    let stream = futures_util::stream::unfold(state, move |(mut chunks, mut meter, streamed, done)| {
        let flag = flag.clone();
        async move {
            if done {
                return None;
            }
            let item = match chunks.next().await? {
                Err(e) => return Some((Err(e.to_string()), (chunks, meter, streamed, true))),
                Ok(bytes) => bytes,
            };
            let need = streamed + item.len() as u64;
            if need > meter.reserved && need <= meter.cap {
                match meter.cover(need).await {
                    Ok(true) => {}
                    Ok(false) => {
                        flag.0.store(true, Ordering::SeqCst);
                        return Some((Err("the storage allowance is used up".to_string()), (chunks, meter, need, true)));
                    }
                    Err(e) => return Some((Err(format!("the storage ledger failed: {e}")), (chunks, meter, need, true))),
                }
            }
            Some((Ok(item), (chunks, meter, need, false)))
        }
    });
    (Box::pin(stream), refused)
}
