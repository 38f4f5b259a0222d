//! Which payment provider the app uses, from the environment.

/// Who takes the payments (`PAYMENTS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Provider {
    /// The built-in test checkout: Pay moves no money. The default only on a loopback or
    /// `localhost` `PUBLIC_URL`; anywhere else only when asked for (a sandbox), and then every
    /// public page and mail says so.
    #[default]
    Test,
    Stripe,
}

/// `PAYMENTS` chooses the provider (`stripe` or `test`); unset, it is Stripe when
/// `STRIPE_SECRET_KEY` is set, the test checkout on a loopback `PUBLIC_URL`, and otherwise
/// start-up stops: a public deployment never sells through the test checkout by accident.
/// `STRIPE_WEBHOOK_SECRET` is the endpoint's signing secret (`whsec_…`, from Stripe's dashboard
/// or `stripe listen`); `STRIPE_API_BASE` points the client elsewhere (tests use a fake Stripe on
/// loopback).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PaymentSettings {
    pub provider: Provider,
    pub stripe_secret_key: Option<String>,
    pub webhook_secret: Option<String>,
    pub stripe_api_base: Option<String>,
}

impl PaymentSettings {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>, public_url: &str) -> Result<PaymentSettings, (&'static str, String)> {
        let stripe_secret_key = get("STRIPE_SECRET_KEY");
        let provider = match get("PAYMENTS").map(|p| p.to_ascii_lowercase()).as_deref() {
            Some("stripe") => Provider::Stripe,
            Some("test") => Provider::Test,
            Some(other) => return Err(("PAYMENTS", format!("must be stripe or test (got '{other}')"))),
            None if stripe_secret_key.is_some() => Provider::Stripe,
            None if is_local(public_url) => Provider::Test,
            None => {
                return Err((
                    "PAYMENTS",
                    format!(
                        "is not set and PUBLIC_URL ({public_url}) is not a local address: set PAYMENTS=stripe with STRIPE_SECRET_KEY, or PAYMENTS=test for a sandbox whose pages say so"
                    ),
                ));
            }
        };
        if provider == Provider::Stripe && stripe_secret_key.is_none() {
            return Err(("STRIPE_SECRET_KEY", "is needed with PAYMENTS=stripe".into()));
        }
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
        Ok(PaymentSettings { provider, stripe_secret_key, webhook_secret, stripe_api_base })
    }
}

/// Whether a URL's host is this machine (loopback or `localhost`): only there is the test
/// checkout a safe default.
pub fn is_local(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else { return false };
    match parsed.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<PaymentSettings, (&'static str, String)> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        PaymentSettings::from_lookup(&|k: &str| map.get(k).cloned(), "http://127.0.0.1:3000")
    }

    #[test]
    fn a_public_url_needs_a_provider_chosen() {
        let on = |url: &str, vars: &[(&str, &str)]| {
            let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            PaymentSettings::from_lookup(&|k: &str| map.get(k).cloned(), url).map(|s| s.provider).map_err(|e| e.0)
        };
        assert_eq!(on("http://localhost:3000", &[]), Ok(Provider::Test));
        assert_eq!(on("http://[::1]:3000", &[]), Ok(Provider::Test));
        assert_eq!(on("https://shop.example", &[]), Err("PAYMENTS"), "no silent test checkout in production");
        assert_eq!(on("https://127.0.0.1.example", &[]), Err("PAYMENTS"));
        assert_eq!(on("https://shop.example", &[("PAYMENTS", "test")]), Ok(Provider::Test), "a sandbox, asked for");
        assert_eq!(on("https://shop.example", &[("PAYMENTS", "stripe")]), Err("STRIPE_SECRET_KEY"));
        assert_eq!(on("https://shop.example", &[("PAYMENTS", "paypal")]), Err("PAYMENTS"));
        let stripe = [("STRIPE_SECRET_KEY", "sk_live_1"), ("STRIPE_WEBHOOK_SECRET", "whsec_1")];
        assert_eq!(on("https://shop.example", &stripe), Ok(Provider::Stripe));
    }

    #[test]
    fn test_checkout_by_default_stripe_with_both_secrets() {
        assert_eq!(settings(&[]).expect("default"), PaymentSettings::default());
        assert_eq!(settings(&[("STRIPE_SECRET_KEY", "sk_test_1"), ("STRIPE_WEBHOOK_SECRET", "whsec_1")]).expect("stripe").provider, Provider::Stripe);
        assert!(settings(&[("STRIPE_SECRET_KEY", "sk_test_1"), ("STRIPE_WEBHOOK_SECRET", "whsec_1")]).is_ok());
        assert_eq!(settings(&[("STRIPE_SECRET_KEY", "sk_test_1")]).unwrap_err().0, "STRIPE_WEBHOOK_SECRET");
        assert_eq!(settings(&[("STRIPE_SECRET_KEY", "pk_test_1"), ("STRIPE_WEBHOOK_SECRET", "whsec_1")]).unwrap_err().0, "STRIPE_SECRET_KEY");
        assert_eq!(settings(&[("STRIPE_WEBHOOK_SECRET", "secret")]).unwrap_err().0, "STRIPE_WEBHOOK_SECRET");
        assert_eq!(settings(&[("STRIPE_API_BASE", "http://stripe.example")]).unwrap_err().0, "STRIPE_API_BASE");
        assert!(settings(&[("STRIPE_API_BASE", "http://127.0.0.1:9999/")]).is_ok());
    }
}
