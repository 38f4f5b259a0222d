//! What visitors see at `/p/{shortId}`.

pub mod api;
pub mod clock;
pub mod model;
pub mod view;

#[cfg(feature = "ssr")]
pub mod server;
