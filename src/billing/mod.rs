//! Plans, subscriptions and plan limits.

pub mod plans;
