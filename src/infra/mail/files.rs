//! The `.eml` files of the embedded transport (no `SMTP_URL`): like the outbox's rows, they hold
//! whole messages with live links, so they go after [`super::outbox::KEEP_DONE_DAYS`] (hourly,
//! from the housekeeping).

use std::path::Path;
use std::time::{Duration, SystemTime};

/// Deletes the `.eml` files in `dir` last written more than a week before `now`; the number
/// deleted. A missing folder (SMTP configured, nothing written yet) deletes nothing. Blocking:
/// call it on the blocking pool.
pub fn purge_old(dir: &Path, now: SystemTime) -> std::io::Result<usize> {
    let keep = Duration::from_secs(super::outbox::KEEP_DONE_DAYS as u64 * 24 * 3600);
    let Some(cutoff) = now.checked_sub(keep) else { return Ok(0) };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut deleted = 0;
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let meta = entry.metadata()?;
        if meta.is_file() && meta.modified()? < cutoff {
            match std::fs::remove_file(&path) {
                Ok(()) => deleted += 1,
                // Another instance sharing the folder took it first.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(deleted)
}
