//! Which payment provider the app uses, from the environment.

/// `STRIPE_SECRET_KEY` switches from the test checkout to Stripe; `STRIPE_WEBHOOK_SECRET` is the
/// endpoint's signing secret (`whsec_…`, from Stripe's dashboard or `stripe listen`);
/// `STRIPE_API_BASE` points the client elsewhere (tests use a fake Stripe on loopback).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PaymentSettings {
    pub stripe_secret_key: Option<String>,
    pub webhook_secret: Option<String>,
    pub stripe_api_base: Option<String>,
}

impl PaymentSettings {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<PaymentSettings, (&'static str, String)> {
        let stripe_secret_key = get("STRIPE_SECRET_KEY");
        if let Some(key) = &stripe_secret_key {
            if !(key.starts_with("sk_") || key.starts_with("rk_")) {
                return Err(("STRIPE_SECRET_KEY", "must be a Stripe secret key (sk_live_…, sk_test_… or a restricted rk_…)".into()));
            }
        }
        let webhook_secret = get("STRIPE_WEBHOOK_SECRET");
        if let Some(secret) = &webhook_secret {
            if !secret.starts_with("whsec_") {
                return Err(("STRIPE_WEBHOOK_SECRET", "must be the endpoint's signing secret, starting with whsec_".into()));
            }
        }
        if stripe_secret_key.is_some() && webhook_secret.is_none() {
            return Err(("STRIPE_WEBHOOK_SECRET", "is needed with STRIPE_SECRET_KEY: without it no payment could ever be confirmed".into()));
        }
        let stripe_api_base = get("STRIPE_API_BASE");
        if let Some(base) = &stripe_api_base {
            if !(base.starts_with("https://") || base.starts_with("http://127.0.0.1") || base.starts_with("http://localhost")) {
                return Err(("STRIPE_API_BASE", "must be https:// (plain http only on loopback, for a fake)".into()));
            }
        }
        Ok(PaymentSettings { stripe_secret_key, webhook_secret, stripe_api_base })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<PaymentSettings, (&'static str, String)> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        PaymentSettings::from_lookup(&|k: &str| map.get(k).cloned())
    }

    #[test]
    fn test_checkout_by_default_stripe_with_both_secrets() {
        assert_eq!(settings(&[]).expect("default"), PaymentSettings::default());
        assert!(settings(&[("STRIPE_SECRET_KEY", "sk_test_1"), ("STRIPE_WEBHOOK_SECRET", "whsec_1")]).is_ok());
        assert_eq!(settings(&[("STRIPE_SECRET_KEY", "sk_test_1")]).unwrap_err().0, "STRIPE_WEBHOOK_SECRET");
        assert_eq!(settings(&[("STRIPE_SECRET_KEY", "pk_test_1"), ("STRIPE_WEBHOOK_SECRET", "whsec_1")]).unwrap_err().0, "STRIPE_SECRET_KEY");
        assert_eq!(settings(&[("STRIPE_WEBHOOK_SECRET", "secret")]).unwrap_err().0, "STRIPE_WEBHOOK_SECRET");
        assert_eq!(settings(&[("STRIPE_API_BASE", "http://stripe.example")]).unwrap_err().0, "STRIPE_API_BASE");
        assert!(settings(&[("STRIPE_API_BASE", "http://127.0.0.1:9999/")]).is_ok());
    }
}
