//! The plans an organization can be on, and which one it is on now with its limits: read by every
//! domain that checks a limit (pages, products, seats, storage, branding), so it stands below
//! them all. Changing the plan (subscriptions, the billing page, the rule for content above a
//! smaller plan) is `billing`'s.

pub mod model;

#[cfg(feature = "ssr")]
pub mod backend;
