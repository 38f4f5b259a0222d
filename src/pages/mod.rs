//! Temporary pages, the domain: the four kinds and their typed settings, the look, the content
//! blocks, the questions an event asks, their validation, the phase of a page's life, and (on the
//! server) the page's queries and its one writer. The creator's screens for it are `editor`'s; what
//! visitors see is `storefront`'s.

pub mod blocks;
pub mod customization;
pub mod event_time;
pub mod palette;
pub mod phase;
pub mod questions;
pub mod settings;
pub mod validation;

#[cfg(feature = "ssr")]
pub mod backend;
