//! Security headers on every response.
//!
//! HTML pages get a Content-Security-Policy with the per-render nonce leptos puts on its inline
//! hydration scripts (set in [`crate::app::shell`]); everything else gets a strict default.

use axum::http::HeaderValue;
use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use tower_http::set_header::SetResponseHeaderLayer;

/// The CSP for server-rendered pages. `wasm-unsafe-eval` lets the browser compile our wasm;
/// scripts must come from us or carry this response's nonce. `reload_port` is the dev live-reload socket.
pub fn page_csp(nonce: &str, reload_port: Option<u32>) -> String {
    csp_allowing_scripts(&format!("'nonce-{nonce}'"), reload_port)
}

/// The CSP for a page sent many times as the same bytes (a reused public page): a nonce may serve
/// one response only, so its inline scripts are allowed by their SHA-256 instead (`hashes` are
/// base64 digests of each inline script's text).
pub fn page_csp_with_hashes(hashes: &[String], reload_port: Option<u32>) -> String {
    let allowed: Vec<String> = hashes.iter().map(|h| format!("'sha256-{h}'")).collect();
    csp_allowing_scripts(&allowed.join(" "), reload_port)
}

fn csp_allowing_scripts(inline_scripts: &str, reload_port: Option<u32>) -> String {
    let reload = reload_port.map(|p| format!(" ws://127.0.0.1:{p} ws://localhost:{p}")).unwrap_or_default();
    let space = if inline_scripts.is_empty() { "" } else { " " };
    format!(
        "default-src 'self'; script-src 'self'{space}{inline_scripts} 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self'; \
         connect-src 'self'{reload}; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The dev live-reload port to allow, when there is one: `cargo leptos watch` sets LEPTOS_WATCH
/// at compile time and runs the DEV environment.
pub fn reload_port(options: &leptos::config::LeptosOptions) -> Option<u32> {
    let watching = options.env == leptos::config::Env::DEV || option_env!("LEPTOS_WATCH").is_some();
    watching.then_some(options.reload_port)
}

/// For responses that are not pages (JSON, files): nothing may run, nothing may frame it.
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

pub fn layers()
-> (SetResponseHeaderLayer<HeaderValue>, SetResponseHeaderLayer<HeaderValue>, SetResponseHeaderLayer<HeaderValue>, SetResponseHeaderLayer<HeaderValue>) {
    (
        SetResponseHeaderLayer::if_not_present(CONTENT_SECURITY_POLICY, HeaderValue::from_static(DEFAULT_CSP)),
        SetResponseHeaderLayer::overriding(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        SetResponseHeaderLayer::overriding(REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin")),
        SetResponseHeaderLayer::overriding(X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_csp_allows_hydration_only_with_the_nonce() {
        let csp = page_csp("abc123", None);
        assert!(csp.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("'unsafe-eval'"), "only wasm-unsafe-eval, never unsafe-eval");
        assert!(!csp.contains("ws://"));
        assert!(page_csp("n", Some(3001)).contains("ws://127.0.0.1:3001"));
    }

    #[test]
    fn hashed_csp_allows_exactly_the_listed_scripts() {
        let csp = page_csp_with_hashes(&["AAA=".into(), "BBB=".into()], None);
        assert!(csp.contains("script-src 'self' 'sha256-AAA=' 'sha256-BBB=' 'wasm-unsafe-eval';"), "{csp}");
        assert!(!csp.contains("nonce"));
        assert!(page_csp_with_hashes(&[], None).contains("script-src 'self' 'wasm-unsafe-eval';"));
    }
}
