//! Registrations: sign-ups collected by pages ("notify me" now; event registration, capacity and
//! waitlist come with their own issue).

pub mod api;

#[cfg(feature = "ssr")]
pub mod backend;
