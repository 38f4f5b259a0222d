//! Server-only page logic: short ids, the page's queries and its writer (every change to a page
//! and its blocks).

pub mod block_store;
pub mod short_id;
pub mod store;
pub mod writer;
