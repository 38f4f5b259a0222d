//! Password hashing with argon2id, off the async threads.
//!
//! Hashing is deliberately expensive (OWASP parameters: 19 MiB, 2 passes), so it runs on the
//! blocking pool behind bounded queues: one for sign-ups, one for logins, each with a few slots
//! and a limit on how many may wait. A flood of sign-ups fills its own queue and gets "busy,
//! try again" answers while logins go on; nothing can exhaust memory or threads.
//! Logins for unknown emails verify against a dummy hash so they cost the same as a wrong password.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

/// The queue was full: the caller should answer "busy, try again in a moment".
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

/// Hashes run at most `slots` at a time (each holds ~19 MiB), with at most `max_waiting` queued.
pub struct HashQueue {
    slots: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl HashQueue {
    pub const fn new(slots: usize, max_waiting: usize) -> HashQueue {
        HashQueue { slots: Semaphore::const_new(slots), waiting: AtomicUsize::new(0), max_waiting }
    }

    /// Runs `work` on the blocking pool when a slot is free, or refuses at once when the queue is full.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        let slot = self.slots.acquire().await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        let _slot = slot.map_err(|_| Busy)?;
        tokio::task::spawn_blocking(work).await.map_err(|_| Busy)
    }
}

/// New passwords (sign-up): their own queue, so that they cannot starve logins.
pub static SIGNUP_QUEUE: HashQueue = HashQueue::new(2, 64);
/// Password checks (login).
pub static LOGIN_QUEUE: HashQueue = HashQueue::new(2, 128);

/// A hash of a random password, verified against when the email is unknown.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_now("flashpage-dummy-password-for-timing").unwrap_or_default());

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

fn hash_now(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

fn verify_now(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Hashes a new password (PHC string: algorithm, parameters and salt included). `Ok(Err(..))`
/// is a hashing failure; `Err(Busy)` a full queue.
pub async fn hash_password(password: String) -> Result<Result<String, String>, Busy> {
    SIGNUP_QUEUE.run(move || hash_now(&password)).await
}

/// Verifies a password against a stored hash, or against the dummy hash when there is none, so
/// that "no such user" and "wrong password" take the same time.
pub async fn verify_password(password: String, stored: Option<String>) -> Result<bool, Busy> {
    LOGIN_QUEUE
        .run(move || match stored {
            Some(hash) => verify_now(&password, &hash),
            None => {
                let _ = verify_now(&password, &DUMMY_HASH);
                false
            }
        })
        .await
}

/// Computes the dummy hash up front so the first unknown-email login is not faster than the rest.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_salted() {
        let a = hash_password("correct horse battery".into()).await.unwrap().unwrap();
        let b = hash_password("correct horse battery".into()).await.unwrap().unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert_eq!(verify_password("correct horse battery".into(), Some(a.clone())).await, Ok(true));
        assert_eq!(verify_password("correct horse batterx".into(), Some(a)).await, Ok(false));
    }

    #[tokio::test]
    async fn unknown_user_and_garbage_hash_never_verify() {
        assert_eq!(verify_password("anything".into(), None).await, Ok(false));
        assert_eq!(verify_password("flashpage-dummy-password-for-timing".into(), None).await, Ok(false));
        assert_eq!(verify_password("x".into(), Some("not a hash".into())).await, Ok(false));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_instead_of_piling_up() {
        static QUEUE: HashQueue = HashQueue::new(1, 2);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = std::sync::Arc::new(std::sync::Mutex::new(hold));
        let busy_slot = {
            let hold = hold.clone();
            tokio::spawn(QUEUE.run(move || hold.lock().map(|h| h.recv().is_ok()).unwrap_or(false)))
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let waiting: Vec<_> = (0..2).map(|_| tokio::spawn(QUEUE.run(|| true))).collect();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(QUEUE.run(|| true).await, Err(Busy), "one running and two waiting: the fourth is refused at once");
        release.send(()).expect("release");
        assert_eq!(busy_slot.await.expect("task"), Ok(true));
        for w in waiting {
            assert_eq!(w.await.expect("task"), Ok(true), "the waiting ones ran");
        }
        assert_eq!(QUEUE.run(|| true).await, Ok(true), "and the queue is open again");
    }
}
