//! Orders: checkout (an order and a hold on one unit of the page's stock), payment through the
//! configured provider, completion by a verified webhook, and delivery by download links
//! (seed ORDER and its "Transactional Workflow").

pub mod api;
pub mod model;
pub mod validation;
pub mod views;

#[cfg(feature = "ssr")]
pub mod backend;
