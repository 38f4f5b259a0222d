//! Products: what creators sell (seed PRODUCT). Name, description, a price in minor units with
//! its ISO currency, an optional `expiresAt` after which it cannot be bought, a switch, the file
//! buyers download and an optional sample. Pages sell them through product blocks (`orders`).

pub mod api;
pub mod model;
pub mod validation;
pub mod views;

#[cfg(feature = "ssr")]
pub mod backend;
