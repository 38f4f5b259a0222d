//! Server-only page logic: short ids, queries, and the operations the server functions call.

pub mod block_store;
pub mod form_parts;
pub mod hero;
pub mod preview;
pub mod service;
pub mod short_id;
pub mod store;
pub mod writer;
