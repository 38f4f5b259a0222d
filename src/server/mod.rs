//! Server-only infrastructure: database, HTTP stack, request context, start-up.

pub mod db;
pub mod health;
pub mod origin;
pub mod rate_limit;
pub mod shared_limit;
pub mod http;
pub mod request;
pub mod security_headers;
pub mod startup;
pub mod state;
pub mod storage;
