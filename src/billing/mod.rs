//! Plans, subscriptions and plan limits.

pub mod plans;

#[cfg(feature = "ssr")]
pub mod backend;
