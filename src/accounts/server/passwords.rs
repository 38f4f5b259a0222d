//! Password hashing with argon2id, off the async threads.
//!
//! Hashing is deliberately expensive (OWASP parameters: 19 MiB, 2 passes), so it runs on the
//! blocking pool behind a small semaphore: a burst of logins cannot exhaust memory or threads.
//! Logins for unknown emails verify against a dummy hash so they cost the same as a wrong password.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// At most this many hashes run at once; each holds ~19 MiB while it runs.
static HASHING_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(4));

/// A hash of a random password, verified against when the email is unknown.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now("flashpage-dummy-password-for-timing").unwrap_or_default());

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

/// Hashes a new password (PHC string: algorithm, parameters and salt included).
pub async fn hash_password(password: String) -> Result<String, String> {
    let _slot = HASHING_SLOTS.acquire().await.map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || hash_now(&password)).await.map_err(|e| e.to_string())?
}

/// Verifies a password against a stored hash, or against the dummy hash when there is none, so
/// that "no such user" and "wrong password" take the same time.
pub async fn verify_password(password: String, stored: Option<String>) -> bool {
    let Ok(_slot) = HASHING_SLOTS.acquire().await else { return false };
    tokio::task::spawn_blocking(move || match stored {
        Some(hash) => verify_now(&password, &hash),
        None => {
            let _ = verify_now(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false)
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
        let a = hash_password("correct horse battery".into()).await.unwrap();
        let b = hash_password("correct horse battery".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_password("correct horse battery".into(), Some(a.clone())).await);
        assert!(!verify_password("correct horse batterx".into(), Some(a)).await);
    }

    #[tokio::test]
    async fn unknown_user_and_garbage_hash_never_verify() {
        assert!(!verify_password("anything".into(), None).await);
        assert!(!verify_password("flashpage-dummy-password-for-timing".into(), None).await);
        assert!(!verify_password("x".into(), Some("not a hash".into())).await);
    }
}
