//! Short public ids: random base62, 8 characters (62^8 ≈ 2.2e14 ids), unique by index; the caller
//! retries on the rare collision.

use rand::Rng;

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub const SHORT_ID_LEN: usize = 8;

pub fn new_short_id() -> String {
    let mut rng = rand::rng();
    (0..SHORT_ID_LEN).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// Whether a string could be a short id (cheap rejection before any lookup).
pub fn looks_like_short_id(s: &str) -> bool {
    (SHORT_ID_LEN..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_base62_of_the_right_length_and_vary() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_short_id()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| id.len() == SHORT_ID_LEN && looks_like_short_id(id)));
        assert!(!looks_like_short_id("abc"));
        assert!(!looks_like_short_id("abcd-efgh"));
        assert!(!looks_like_short_id("../../etc/passwd"));
    }
}
