//! Server-only page logic: short ids, queries, and the operations the server functions call.

pub mod form;
pub mod service;
pub mod short_id;
pub mod store;
