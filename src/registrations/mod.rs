//! Registrations: sign-ups collected by pages. "Notify me" lists before a launch, and event
//! registration with its capacity, waitlist, manage links, mail and the creator's attendee views.

pub mod api;
pub mod form;
pub mod model;
pub mod views;

#[cfg(feature = "ssr")]
pub mod backend;
