//! Server-only order logic: the stock count, the one writer, checkout, payment events, downloads
//! and receipts.

pub mod downloads;
pub mod events;
pub mod export;
pub mod payouts;
pub mod receipt;
pub mod refunds;
pub mod service;
pub mod stock;
pub mod store;
pub mod test_payment;
pub mod writer;
