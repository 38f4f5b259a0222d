//! The plan queries (the subscriptions that make an organization's plan are written by
//! `billing::backend::writer`).

pub mod store;

pub use store::{Plan, next_plan_with_more, plan_for_organization, storage_full, upgrade_hint, visible_plans};
