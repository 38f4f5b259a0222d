//! The creator's page editor: the dashboard's list of pages, the editor with its live preview,
//! content blocks and hero image, and publishing. It composes the domains below it: the page
//! (`pages`) it edits, the products a block sells, the checks for selling (`orders`), the
//! registrants an event edit concerns (`registrations`), the plan's limits (`billing`) and the
//! visitor's page for the preview (`storefront`).

pub mod api;
pub mod form;
pub mod model;
pub mod preview_phase;
pub mod views;

#[cfg(feature = "ssr")]
pub mod backend;
