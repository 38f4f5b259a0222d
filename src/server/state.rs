//! What every handler and server function can reach.

use crate::config::Config;
use crate::server::db::Db;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// The app's shared state. Every middleware and handler clones it per request, so it is one
/// `Arc`: cloning the parts themselves (the caches especially) measured as half the CPU of a
/// cached public page.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
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

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
