//! The sandbox payment provider (`PAYMENTS=test`; its pages say "test mode"): the embedded
//! default when no Stripe key is set, so that `make run` sells on a fresh machine. It plays
//! Stripe's part in two halves, the checkout (`checkout`) and the subscriptions the pricing page
//! sells (`subscriptions`), and reports what happens as Stripe-shaped events signed with the
//! webhook secret. No money moves. Outside a local address it still works, and every page and
//! mail it touches says so (`Payments::sandbox`).

pub mod checkout;
pub mod subscriptions;

use crate::infra::db::Db;

/// The provider's name, as `PAYMENTS` spells it and orders record it.
pub const NAME: &str = "test";

pub struct Sandbox {
    db: Db,
    public_url: String,
    webhook_secret: String,
}

impl Sandbox {
    pub fn new(db: Db, public_url: &str, webhook_secret: &str) -> Sandbox {
        Sandbox { db, public_url: public_url.to_string(), webhook_secret: webhook_secret.to_string() }
    }

    fn db(&self) -> &Db {
        &self.db
    }

    fn public_url(&self) -> &str {
        &self.public_url
    }
}
