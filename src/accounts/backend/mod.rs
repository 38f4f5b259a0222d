//! Server-only account logic: hashing, sessions, queries, the security log.

pub mod deletion;
pub mod export;
pub mod mail;
pub mod names;
pub mod passwords;
pub mod recovery;
pub mod security_log;
pub mod service;
pub mod sessions;
pub mod store;
pub mod team;
pub mod unconfirmed;
