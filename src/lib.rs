//! Flashpage: temporary pages (countdowns, flash sales, event registrations, limited-time offers)
//! for creators, rendered on the server and hydrated in the browser.
//!
//! Modules are organised by domain, in layers that import only downward: `docs/ARCHITECTURE.md`
//! draws them and says why, and `tests/layers` checks them. Server-only code sits behind the `ssr`
//! feature: `infra` (database, storage, request context), `web` (the HTTP layer) and each domain's
//! `backend`; types and validation compile for both sides.

#![recursion_limit = "256"]

pub mod accounts;
pub mod app;
pub mod billing;
pub mod editor;
pub mod error;
pub mod money;
pub mod orders;
pub mod pages;
pub mod plans;
pub mod products;
pub mod registrations;
pub mod storefront;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod infra;
#[cfg(feature = "ssr")]
pub mod web;

/// The browser entry point, called by leptos' island script before it hydrates each
/// `<leptos-island>` of the document.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    ui::islands::follow_redirects_elsewhere();
    ui::islands::count_islands();
}
