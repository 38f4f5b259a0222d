//! The HTTP integration tests, on SQLite and PostgreSQL: one test binary with a module per
//! feature, so the app is linked once (each module was a binary of its own, and every change to
//! the app relinked twenty of them). `tests/big_files.rs` stays a binary of its own: it measures
//! the process's memory.

#[macro_use]
mod common;

mod account_deletion;
mod account_recovery;
mod account_settings;
mod accounts;
mod billing;
mod billing_stripe;
mod checkout;
mod hardening;
mod leptos_settings;
mod mail;
mod page_content;
mod pages;
mod permissions;
mod products;
mod public_pages;
mod registration_mail;
mod registrations;
mod schema_parity;
mod signup;
mod storage;
mod team;
