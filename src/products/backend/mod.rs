//! Server-only product logic: reads, the one writer, the product's file, and the operations the
//! server functions call.

pub mod files;
pub mod service;
pub mod store;
pub mod writer;
