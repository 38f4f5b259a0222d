//! Server-only product logic: reads, the one writer, and the operations the server functions call.

pub mod service;
pub mod store;
pub mod writer;
