//! Billing on the server: plans and subscriptions (reads in `store`, the one write path in
//! `writer`), what the billing page does (`service`), the subscription events (`events`), and the
//! rule that applies when content exceeds a smaller plan (`enforcement`).

pub mod enforcement;
pub mod events;
pub mod service;
pub mod store;
pub mod writer;

pub use store::{Plan, next_plan_with_more, plan_for_organization, storage_full, upgrade_hint, visible_plans};
