//! Temporary pages: kinds and typed settings, their validation, and the phase of a page's life.
//! (The editor, the public renderer and storage come with the rest of the pages capability.)

pub mod api;
pub mod blocks;
pub mod customization;
pub mod editor_form;
pub mod model;
pub mod palette;
pub mod phase;
pub mod preview_phase;
pub mod public;
pub mod settings;
pub mod validation;
pub mod views;

#[cfg(feature = "ssr")]
pub mod backend;
