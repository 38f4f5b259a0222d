//! What every handler and server function can reach.

use crate::config::Config;
use crate::server::db::Db;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    /// Public page views waiting to be written (see `pages::public::server::ViewCounter`).
    pub views: Arc<crate::pages::public::server::ViewCounter>,
    /// Public page data by short id (see `pages::public::cache`).
    pub page_cache: crate::pages::public::cache::PageCache,
    /// Rendered public pages, reused for a moment (see `pages::public::html_cache`).
    pub html_cache: crate::pages::public::html_cache::HtmlCache,
    /// Uploaded files (see `server::storage`).
    pub storage: crate::server::storage::Storage,
    /// "Notify me" sign-ups per client address (see `registrations::server`).
    pub notify_limiter: crate::server::rate_limit::RateLimiter,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
