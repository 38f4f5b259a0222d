//! What visitors see at `/p/{shortId}`.

pub mod api;
#[cfg(feature = "ssr")]
pub mod cache;
pub mod clock;
pub mod model;
pub mod view;

#[cfg(feature = "ssr")]
pub mod backend;
