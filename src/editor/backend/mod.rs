//! Server side of the editor: what its server functions do.

pub mod blocks;
pub mod form_parts;
pub mod hero;
pub mod preview;
pub mod service;
