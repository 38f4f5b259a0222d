//! Subscriptions to plans (the plans and their limits are `plans`'): the pricing page, the billing page, Stripe Billing (or
//! the test checkout's subscriptions), and the rule for content above a smaller plan.

pub mod api;
pub mod model;
pub mod views;

#[cfg(feature = "ssr")]
pub mod backend;
