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

/// A session's last use is written at most this often, not on every request.
pub const LAST_USE_GRANULARITY_MINUTES: i64 = 5;

/// "Firefox on Windows", "Safari on iPhone": enough to recognise one's own devices in the list
/// of sessions. Unknown agents say so rather than guess.
pub fn describe_device(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.filter(|ua| !ua.trim().is_empty()) else { return "Unknown browser".into() };
    // Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", and phones say "Mac OS X".
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    let system = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) => "Unknown browser".into(),
    }
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
    fn devices_are_named_from_their_user_agents() {
        let cases = [
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome on macOS"),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox on Windows"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0", "Edge on Windows"),
            ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36", "Chrome on Android"),
            ("", "Unknown browser"),
            ("SomethingElse/1.0", "Unknown browser"),
        ];
        for (ua, expected) in cases {
            assert_eq!(describe_device(Some(ua)), expected, "{ua}");
        }
        assert_eq!(describe_device(None), "Unknown browser");
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
