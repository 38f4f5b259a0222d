//! Accounts: sign-up, login, sessions; organizations, groups, roles; the permission check.

pub mod api;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod model;
pub mod permissions;
pub mod validation;
pub mod views;

#[cfg(feature = "ssr")]
pub mod backend;
