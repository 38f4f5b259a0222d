//! Server-only infrastructure: database, object storage, mail, request context, origin check, rate
//! limits, security headers. It names no domain; the HTTP stack that wires domains to routes is
//! `web`.

pub mod config;
pub mod csv;
pub mod db;
pub mod mail;
pub mod notifier;
pub mod origin;
pub mod payments;
pub mod rate_limit;
pub mod request;
pub mod secrets;
pub mod security_headers;
pub mod shared_limit;
pub mod state;
pub mod storage;
pub mod tokens;
