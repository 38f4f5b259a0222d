//! What every handler and server function can reach: the infrastructure (database, storage,
//! settings) and the parts the domains define (their caches and counters).
//!
//! Infrastructure names no domain: the domains' parts are kept by type in `parts` and put there
//! at the top of the app (`web::startup`). A domain reads its own part with an accessor on the
//! part's type (`PageCache::of(state)`).

use crate::infra::config::Config;
use crate::infra::db::Db;
use crate::infra::storage::Storage;
use axum::extract::FromRef;
use axum::http::Extensions;
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
    /// Uploaded files (see `infra::storage`).
    pub storage: Storage,
    /// The domains' parts, by type.
    parts: Extensions,
}

impl AppState {
    pub fn new(db: Db, config: Config, leptos_options: LeptosOptions, storage: Storage) -> AppState {
        AppState(Arc::new(Shared { db, config: Arc::new(config), leptos_options, storage, parts: Extensions::new() }))
    }

    /// Adds a domain's part; only while the state is being assembled (before it is shared).
    pub fn with_part<T: Clone + Send + Sync + 'static>(mut self, part: T) -> AppState {
        match Arc::get_mut(&mut self.0) {
            Some(shared) => {
                shared.parts.insert(part);
            }
            None => panic!("parts are added while the app state is assembled, before it is shared"),
        }
        self
    }

    /// A domain's part. Every part is put in by `web::startup` before the first request, so a
    /// missing one is a wiring mistake that every test would show at once.
    pub fn part<T: Send + Sync + 'static>(&self) -> &T {
        self.0.parts.get::<T>().unwrap_or_else(|| panic!("the app state has no {}: add it in web::startup", std::any::type_name::<T>()))
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
