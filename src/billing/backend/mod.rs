//! Billing on the server: subscriptions (read through `plans::backend::store`, written only by
//! `writer`), what the billing page does (`service`), the subscription events (`events`), and the
//! rule that applies when content exceeds a smaller plan (`enforcement`).

pub mod enforcement;
pub mod events;
pub mod service;
pub mod writer;
