//! Login sessions: a random token in an HttpOnly, SameSite=Lax cookie; only its SHA-256 is stored,
//! so a leaked database cannot be replayed as cookies. Sessions expire and are deleted on logout.

use cookie::{Cookie, SameSite};

pub const SESSION_COOKIE: &str = "fp_session";

pub use crate::infra::tokens::{new_token, token_hash};

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(token: &str, max_age_hours: i64, secure: bool) -> String {
    Cookie::build((SESSION_COOKIE, token.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::hours(max_age_hours))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn clear_cookie(secure: bool) -> String {
    Cookie::build((SESSION_COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// Finds the session token in a `Cookie` request header.
pub fn token_from_cookie_header(header: &str) -> Option<String> {
    Cookie::split_parse(header)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn cookie_flags() {
        let c = session_cookie("tok", 24, false);
        assert!(c.contains("fp_session=tok"));
        assert!(c.contains("HttpOnly"));
        assert!(c.contains("SameSite=Lax"));
        assert!(c.contains("Path=/"));
        assert!(!c.contains("Secure"));
        assert!(session_cookie("tok", 24, true).contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn reads_cookie_header() {
        assert_eq!(token_from_cookie_header("a=b; fp_session=xyz; c=d").as_deref(), Some("xyz"));
        assert_eq!(token_from_cookie_header("a=b"), None);
        assert_eq!(token_from_cookie_header("fp_session="), None);
        assert_eq!(token_from_cookie_header(&format!("fp_session={}", "x".repeat(500))), None);
    }
}
