//! What visitors see at `/p/{shortId}`.

pub mod api;
#[cfg(feature = "ssr")]
pub mod cache;
pub mod clock;
pub mod countdown;
pub mod local_time;
pub mod model;
pub mod notify_me;
pub mod view;

#[cfg(feature = "ssr")]
pub mod backend;
