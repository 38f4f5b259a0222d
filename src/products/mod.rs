//! Products: what creators sell (seed PRODUCT). Name, description, a price in minor units with
//! its ISO currency, an optional `expiresAt` after which it cannot be bought, and a switch.
//! Files, page content and checkout come with the later steps of the selling work.

pub mod api;
pub mod model;
pub mod validation;
pub mod views;

#[cfg(feature = "ssr")]
pub mod backend;
