//! The HTTP layer, server-only, at the top of the app: it assembles the app state from the parts
//! the domains define, mounts routes and middleware, and holds the HTTP adapters (uploads, file
//! serving, the rendered-page cache, health). Domains never import it.

pub mod downloads;
pub mod exports;
pub mod files;
pub mod health;
pub mod html_cache;
pub mod middleware;
pub mod ranged;
pub mod registrations;
pub mod router;
pub mod startup;
pub mod static_page;
pub mod uploads;
pub mod webhooks;
