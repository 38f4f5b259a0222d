//! Server-only account logic: hashing, sessions, queries (`store`), the writers of a team and of
//! a whole organization (`writer`), what the server functions do (`service`), the security log.

pub mod export;
pub mod mail;
pub mod names;
pub mod passwords;
pub mod recovery;
pub mod security_log;
pub mod service;
pub mod sessions;
pub mod store;
pub mod unconfirmed;
pub mod writer;
