//! What visitors see at `/p/{shortId}`.

pub mod api;
pub mod buy_form;
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
#[cfg(feature = "ssr")]
pub mod signups;
#[cfg(feature = "ssr")]
pub mod source;
#[cfg(feature = "ssr")]
pub mod view_counter;
