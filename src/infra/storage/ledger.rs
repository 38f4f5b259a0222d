//! What each organization keeps in file storage: one row per stored object and a running total
//! on the organization. A file is written down (and the total raised) *before* its bytes go to
//! storage, in one conditional statement that only succeeds while the total stays within the
//! allowance, so parallel uploads cannot overshoot it; it is written off after the file is gone.

use crate::db_read;
use crate::db_write;
use crate::infra::db::prelude::*;
use crate::infra::db::schema::{organizations, stored_objects};
use crate::infra::db::{Db, DbError};
use chrono::NaiveDateTime;

/// A file about to be stored.
pub struct Entry<'a> {
    pub organization_id: &'a str,
    pub page_id: Option<&'a str>,
    pub key: &'a str,
    pub bytes: i64,
    pub now: NaiveDateTime,
}

/// Writes the file down; false (and nothing written) when it would take the organization past
/// `allowance` bytes (`None`: no limit).
pub async fn reserve(db: &Db, entry: &Entry<'_>, allowance: Option<i64>) -> Result<bool, DbError> {
    let limit = allowance.unwrap_or(i64::MAX);
    db_write!(db, conn => {
        let raised = diesel::update(
            organizations::table
                .filter(organizations::id.eq(entry.organization_id))
                .filter(organizations::storage_bytes.le(limit - entry.bytes)),
        )
        .set(organizations::storage_bytes.eq(organizations::storage_bytes + entry.bytes))
        .execute(conn)
        .await?;
        if raised == 0 {
            return Ok(false);
        }
        diesel::insert_into(stored_objects::table)
            .values((
                stored_objects::key.eq(entry.key),
                stored_objects::organization_id.eq(entry.organization_id),
                stored_objects::page_id.eq(entry.page_id),
                stored_objects::bytes.eq(entry.bytes),
                stored_objects::created_at.eq(entry.now),
            ))
            .execute(conn)
            .await?;
        Ok::<bool, DbError>(true)
    })
}

/// Raises a reservation (or any entry) under `key` by `add` bytes, together with the
/// organization's total, in one transaction whose first statement only succeeds while the total
/// stays within `allowance` (`None`: no limit); false (and nothing changed) when it would not.
/// An upload whose size is known only as it arrives grows its reservation this way
/// ([`super::metered`]).
pub async fn grow(db: &Db, organization_id: &str, key: &str, add: i64, allowance: Option<i64>) -> Result<bool, DbError> {
    let limit = allowance.unwrap_or(i64::MAX);
    db_write!(db, conn => {
        let raised = diesel::update(organizations::table.filter(organizations::id.eq(organization_id)).filter(organizations::storage_bytes.le(limit - add)))
            .set(organizations::storage_bytes.eq(organizations::storage_bytes + add))
            .execute(conn)
            .await?;
        if raised == 0 {
            return Ok(false);
        }
        let grown = diesel::update(stored_objects::table.filter(stored_objects::key.eq(key)))
            .set(stored_objects::bytes.eq(stored_objects::bytes + add))
            .execute(conn)
            .await?;
        if grown == 0 {
            // The reservation was written off meanwhile: undo the raise with the transaction.
            return Err(DbError::Query(diesel::result::Error::NotFound));
        }
        Ok::<bool, DbError>(true)
    })
}

/// What marks a ledger entry as a reservation for an upload still under way (not a stored file).
const RESERVATION: &str = "#upload-";

/// The ledger key of a reservation for an upload to `key` (one per upload attempt).
pub fn reservation_key(key: &str) -> String {
    format!("{key}{RESERVATION}{}", uuid::Uuid::now_v7().simple())
}

/// Writes off reservations made before `before` that were never settled or released: their
/// upload's process ended in between (a crash, a restart). Returns how many went.
pub async fn release_stale_reservations(db: &Db, before: NaiveDateTime) -> Result<usize, DbError> {
    let stale: Vec<String> = db_read!(db, conn => {
        Ok::<_, DbError>(stored_objects::table
            .filter(stored_objects::key.like(format!("%{RESERVATION}%")))
            .filter(stored_objects::created_at.lt(before))
            .select(stored_objects::key)
            .load(conn)
            .await?)
    })?;
    release(db, &stale).await?;
    Ok(stale.len())
}

/// Turns a reservation made before a streamed upload (under `pending_key`, for as many bytes as
/// the upload might have been) into the stored file's entry under `key` with its real size, in
/// one transaction. A file already written down under `key` (one that was just overwritten) is
/// written off at the same time.
pub async fn settle(db: &Db, pending_key: &str, key: &str, bytes: i64) -> Result<(), DbError> {
    db_write!(db, conn => {
        let gone: Vec<(String, Option<String>, i64, NaiveDateTime)> =
            diesel::delete(stored_objects::table.filter(stored_objects::key.eq_any([pending_key, key])))
                .returning((stored_objects::organization_id, stored_objects::page_id, stored_objects::bytes, stored_objects::created_at))
                .get_results(conn)
                .await?;
        let Some((organization_id, page_id, _, created_at)) = <[_]>::first(&gone).cloned() else { // the slice's `first`, not Diesel's QueryDsl::first (in scope)
            return Err(DbError::Query(diesel::result::Error::NotFound));
        };
        let released: i64 = gone.iter().map(|(_, _, b, _)| b).sum();
        diesel::update(organizations::table.filter(organizations::id.eq(&organization_id)))
            .set(organizations::storage_bytes.eq(organizations::storage_bytes - released + bytes))
            .execute(conn)
            .await?;
        diesel::insert_into(stored_objects::table)
            .values((
                stored_objects::key.eq(key),
                stored_objects::organization_id.eq(&organization_id),
                stored_objects::page_id.eq(page_id),
                stored_objects::bytes.eq(bytes),
                stored_objects::created_at.eq(created_at),
            ))
            .execute(conn)
            .await?;
        Ok::<(), DbError>(())
    })
}

/// Writes off the files under these keys (files that are gone, or never made it to storage).
pub async fn release(db: &Db, keys: &[String]) -> Result<(), DbError> {
    if keys.is_empty() {
        return Ok(());
    }
    db_write!(db, conn => {
        let gone: Vec<(String, i64)> = diesel::delete(stored_objects::table.filter(stored_objects::key.eq_any(keys)))
            .returning((stored_objects::organization_id, stored_objects::bytes))
            .get_results(conn)
            .await?;
        for (organization_id, bytes) in gone {
            diesel::update(organizations::table.filter(organizations::id.eq(organization_id)))
                .set(organizations::storage_bytes.eq(organizations::storage_bytes - bytes))
                .execute(conn)
                .await?;
        }
        Ok::<(), DbError>(())
    })
}

/// The keys written down for a page (to write them off with the page).
pub async fn page_keys(db: &Db, page_id: &str) -> Result<Vec<String>, DbError> {
    db_read!(db, conn => {
        Ok::<_, DbError>(stored_objects::table.filter(stored_objects::page_id.eq(page_id)).select(stored_objects::key).load(conn).await?)
    })
}

/// The size written down for a key, if any.
pub async fn size_of(db: &Db, key: &str) -> Result<Option<i64>, DbError> {
    db_read!(db, conn => {
        Ok::<_, DbError>(stored_objects::table.filter(stored_objects::key.eq(key)).select(stored_objects::bytes).first(conn).await.optional()?)
    })
}

/// Bytes the organization keeps in storage.
pub async fn used(db: &Db, organization_id: &str) -> Result<i64, DbError> {
    db_read!(db, conn => {
        Ok::<_, DbError>(organizations::table.filter(organizations::id.eq(organization_id)).select(organizations::storage_bytes).first(conn).await?)
    })
}
