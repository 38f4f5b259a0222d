//! Plans, subscriptions and plan limits: the pricing page, the billing page, Stripe Billing (or
//! the test checkout's subscriptions), and the rule for content above a smaller plan.

pub mod api;
pub mod model;
pub mod plans;
pub mod views;

#[cfg(feature = "ssr")]
pub mod backend;
