//! Cross-site request forgery check: a state-changing request must come from a page of this app.
//!
//! SameSite=Lax cookies alone leave holes (sibling subdomains count as same-site, old browsers,
//! login CSRF needs no cookie at all), so every request other than GET/HEAD/OPTIONS must show
//! where it came from:
//! - `Sec-Fetch-Site` when the browser sends it (every current one does): `same-origin` passes,
//!   `none` (typed in the address bar, a bookmark) passes, `same-site`/`cross-site` do not;
//! - else `Origin`, compared with the app's public origin or the request's own `Host`;
//! - else `Referer`, compared the same way;
//! - a request with none of them is refused: browsers send at least one on a POST, and what sends
//!   none is not a page of this app.
//!
//! Webhooks (payment providers) are exempt: they are checked by their signatures. So is the
//! one-click unsubscribe of RFC 8058 (see [`is_one_click_unsubscribe`]): mail providers post it
//! from their servers with no `Origin`, `Referer` or `Sec-Fetch-Site`, and the token in its path
//! is its authorization.

use axum::http::{HeaderMap, Method, header};

/// Paths that take requests from other servers, each protected by its own signature check.
pub const EXEMPT_PREFIXES: &[&str] = &["/webhooks/"];

/// True for methods that must not change anything.
pub fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The body of an RFC 8058 one-click unsubscribe.
pub const ONE_CLICK_BODY: &str = "List-Unsubscribe=One-Click";

/// Whether a request has the shape of an RFC 8058 one-click unsubscribe: a form POST to
/// `/u/{id}/{token}` (the link in `List-Unsubscribe`). Such a request may come from anywhere: the
/// handler then accepts only the body [`ONE_CLICK_BODY`] (unless it came from a page of the app,
/// [`from_our_pages`]), and all it can do is stop bulk mail to the address the token was made
/// for, which is idempotent.
pub fn is_one_click_unsubscribe(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    let segments: Vec<&str> = path.split('/').collect();
    *method == Method::POST && form && matches!(segments.as_slice(), ["", "u", id, token] if !id.is_empty() && !token.is_empty())
}

/// `scheme://host[:port]` of a URL, lower-cased, default ports dropped; `None` if it has none.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let authority = match (scheme.as_str(), authority.rsplit_once(':')) {
        ("http", Some((host, "80"))) | ("https", Some((host, "443"))) => host.to_string(),
        _ => authority,
    };
    Some(format!("{scheme}://{authority}"))
}

/// The host part of an origin (`host[:port]`).
fn authority(origin: &str) -> &str {
    origin.split_once("://").map(|(_, a)| a).unwrap_or_default()
}

/// Whether a state-changing request may go ahead. `public_origin` is the app's own origin (from
/// `PUBLIC_URL`); the request's `Host` is also accepted, so the app answers on every name it is
/// served under (127.0.0.1 and localhost in development) without trusting any other site.
pub fn request_is_same_origin(method: &Method, path: &str, headers: &HeaderMap, public_origin: &str) -> bool {
    if is_safe_method(method) || EXEMPT_PREFIXES.iter().any(|p| path.starts_with(p)) || is_one_click_unsubscribe(method, path, headers) {
        return true;
    }
    from_our_pages(headers, public_origin)
}

/// Whether the request's headers show it came from a page of this app (no exemption applied).
pub fn from_our_pages(headers: &HeaderMap, public_origin: &str) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(site) = text("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase);
    let ours = |origin: &str| origin == public_origin || host.as_deref().is_some_and(|h| authority(origin) == h || authority(origin) == strip_default_port(h));
    if let Some(origin) = text(header::ORIGIN.as_str()) {
        return origin_of(origin).is_some_and(|o| ours(&o));
    }
    if let Some(referer) = text(header::REFERER.as_str()) {
        return origin_of(referer).is_some_and(|o| ours(&o));
    }
    false
}

fn strip_default_port(host: &str) -> &str {
    host.strip_suffix(":80").or_else(|| host.strip_suffix(":443")).unwrap_or(host)
}

/// The message a refused request gets.
pub const REFUSED: &str = "This request came from another site, so it was refused. Reload the page and try again.";

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn check(method: Method, headers: &[(&str, &str)]) -> bool {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(axum::http::HeaderName::from_bytes(k.as_bytes()).expect("name"), HeaderValue::from_str(v).expect("value"));
        }
        request_is_same_origin(&method, "/api/login", &map, "https://flashpage.example")
    }

    #[test]
    fn origins_are_normalised() {
        assert_eq!(origin_of("https://Flashpage.example:443/x?y").as_deref(), Some("https://flashpage.example"));
        assert_eq!(origin_of("http://127.0.0.1:3000").as_deref(), Some("http://127.0.0.1:3000"));
        assert_eq!(origin_of("null"), None);
        assert_eq!(origin_of("https://user@evil.example"), None);
        assert_eq!(origin_of("javascript://x"), None);
    }

    #[test]
    fn only_our_own_pages_may_change_things() {
        assert!(check(Method::GET, &[]), "reads need no proof");
        assert!(!check(Method::POST, &[]), "a POST that says nothing of where it came from is refused");
        assert!(check(Method::POST, &[("sec-fetch-site", "same-origin"), ("origin", "https://evil.example")]));
        assert!(!check(Method::POST, &[("sec-fetch-site", "cross-site")]));
        assert!(!check(Method::POST, &[("sec-fetch-site", "same-site")]), "a sibling subdomain is another site");
        assert!(check(Method::POST, &[("origin", "https://flashpage.example")]));
        assert!(!check(Method::POST, &[("origin", "https://evil.example")]));
        assert!(!check(Method::POST, &[("origin", "null")]));
        assert!(!check(Method::POST, &[("origin", "https://flashpage.example.evil.example")]));
        assert!(check(Method::POST, &[("origin", "http://localhost:3000"), ("host", "localhost:3000")]), "the name the app was reached by");
        assert!(!check(Method::POST, &[("origin", "http://evil.example"), ("host", "localhost:3000")]));
        assert!(check(Method::POST, &[("referer", "https://flashpage.example/login?next=/x")]));
        assert!(!check(Method::POST, &[("referer", "https://evil.example/flashpage.example")]));
        assert!(check(Method::DELETE, &[("origin", "https://flashpage.example")]));
        let mut hook = HeaderMap::new();
        hook.insert("content-type", HeaderValue::from_static("application/json"));
        assert!(request_is_same_origin(&Method::POST, "/webhooks/stripe", &hook, "https://flashpage.example"));
        let mut one_click = HeaderMap::new();
        one_click.insert("content-type", HeaderValue::from_static("application/x-www-form-urlencoded"));
        assert!(request_is_same_origin(&Method::POST, "/u/r1/tok", &one_click, "https://flashpage.example"), "RFC 8058 one-click");
        assert!(!request_is_same_origin(&Method::POST, "/u/r1/tok/x", &one_click, "https://flashpage.example"));
        assert!(!request_is_same_origin(&Method::POST, "/api/login", &one_click, "https://flashpage.example"));
        assert!(!request_is_same_origin(&Method::POST, "/u/r1/tok", &HeaderMap::new(), "https://flashpage.example"), "not a form");
    }
}
