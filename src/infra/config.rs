//! Typed settings from the environment (and an optional `.env`), with defaults that make
//! `cargo leptos watch` and a fresh clone just work. Every variable is documented in `.env.sample`.
//!
//! A wrong value stops start-up with one line naming the variable, never a panic trace.

use crate::infra::db::{DatabaseUrl, parse_database_url};
use crate::infra::mail::MailSettings;
use crate::infra::payments::settings::PaymentSettings;
use crate::infra::storage::StorageSettings;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    /// Where people reach the app, e.g. `https://flashpage.example`. Decides the `Secure` cookie flag.
    pub public_url: String,
    pub db_max_connections: u32,
    pub session_ttl_hours: i64,
    /// How many proxies you run in front of the app (each appends to `X-Forwarded-For`); the
    /// client is the entry that many places from the right. 0: the peer address is the client.
    pub trusted_proxies: usize,
    /// New accounts allowed per client address per hour.
    pub signups_per_address_per_hour: i32,
    /// Open checkouts (holds) one client address may have on one page at once.
    pub holds_per_address: u32,
    /// The app's own origin (`scheme://host[:port]` of `PUBLIC_URL`), for the CSRF check.
    pub public_origin: String,
    /// Where uploaded files go: a folder under `DATA_DIR`, or an S3/R2 bucket.
    pub storage: StorageSettings,
    /// Where mail goes: SMTP, or `.eml` files under `DATA_DIR/mail`.
    pub mail: MailSettings,
    /// Stripe, or the built-in test checkout.
    pub payments: PaymentSettings,
    /// How long an instance may keep a public page's data without hearing of a change (the
    /// bound on staleness should a change notice between instances be lost).
    pub page_cache_ttl: std::time::Duration,
    /// `APP_SECRET`: the key of derived links (`infra::secrets`); `None`: `DATA_DIR/secret.key`.
    pub app_secret: Option<String>,
}

/// Open checkouts per page per client address, by default: a household or an office buys a few,
/// nobody hoards a sale from one address.
pub const DEFAULT_HOLDS_PER_ADDRESS: i64 = 3;

/// A configuration problem, naming the variable so the fix is obvious.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {variable} {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

fn err(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { variable, problem: problem.into() }
}

impl Config {
    /// Reads the process environment (after loading `.env` if present).
    pub fn from_env() -> Result<Config, ConfigError> {
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(e) if e.not_found() => {}
            Err(e) => return Err(err(".env", format!("could not be read: {e}"))),
        }
        Config::from_lookup(|name| std::env::var(name).ok(), "http://127.0.0.1:3000")
    }

    /// Builds the configuration from any variable source; `default_public_url` is used when
    /// `PUBLIC_URL` is unset (the server passes its listening address).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>, default_public_url: &str) -> Result<Config, ConfigError> {
        let get = |name: &str| get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match get("DATABASE_URL") {
            Some(raw) => parse_database_url(&raw).map_err(|p| err("DATABASE_URL", p))?,
            None => DatabaseUrl::Sqlite(data_dir.join("flashpage.db").to_string_lossy().into_owned()),
        };
        let public_url = get("PUBLIC_URL").unwrap_or_else(|| default_public_url.to_string());
        let public_url = public_url.trim_end_matches('/').to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) || public_url.len() < 10 {
            return Err(err("PUBLIC_URL", format!("must be an absolute http(s) URL like https://flashpage.example (got '{public_url}')")));
        }
        let db_max_connections = parse_number(get("DB_MAX_CONNECTIONS"), "DB_MAX_CONNECTIONS", 16, 1, 1000)? as u32;
        let session_ttl_hours = parse_number(get("SESSION_TTL_HOURS"), "SESSION_TTL_HOURS", 24 * 30, 1, 24 * 365)?;
        if get("TRUST_FORWARDED_FOR").is_some() {
            return Err(err("TRUST_FORWARDED_FOR", "was replaced by TRUSTED_PROXIES: the number of proxies in front of the app (1 behind one load balancer)"));
        }
        let signups_per_address_per_hour = parse_number(get("SIGNUPS_PER_ADDRESS_PER_HOUR"), "SIGNUPS_PER_ADDRESS_PER_HOUR", 10, 1, 1_000_000)? as i32;
        let holds_per_address = parse_number(get("HOLDS_PER_ADDRESS"), "HOLDS_PER_ADDRESS", DEFAULT_HOLDS_PER_ADDRESS, 1, 1_000_000)? as u32;
        let trusted_proxies = parse_number(get("TRUSTED_PROXIES"), "TRUSTED_PROXIES", 0, 0, 10)? as usize;
        let public_origin = crate::infra::origin::origin_of(&public_url)
            .ok_or_else(|| err("PUBLIC_URL", format!("must be an absolute http(s) URL like https://flashpage.example (got '{public_url}')")))?;
        let storage = StorageSettings::from_lookup(&get, &data_dir).map_err(|(variable, problem)| err(variable, problem))?;
        let mail = MailSettings::from_lookup(&get, &data_dir, &public_url).map_err(|(variable, problem)| err(variable, problem))?;
        let payments = PaymentSettings::from_lookup(&get, &public_url).map_err(|(variable, problem)| err(variable, problem))?;
        let page_cache_ttl = std::time::Duration::from_millis(parse_number(get("PAGE_CACHE_TTL_MS"), "PAGE_CACHE_TTL_MS", 2_000, 100, 3_600_000)? as u64);
        let app_secret = get("APP_SECRET");
        if let Some(value) = &app_secret {
            crate::infra::secrets::AppSecret::from_value(value).map_err(|p| err("APP_SECRET", p))?;
        }
        Ok(Config {
            app_secret,
            data_dir,
            database_url,
            public_url,
            public_origin,
            db_max_connections,
            session_ttl_hours,
            trusted_proxies,
            signups_per_address_per_hour,
            holds_per_address,
            storage,
            mail,
            payments,
            page_cache_ttl,
        })
    }

    /// Cookies get the `Secure` flag, and responses HSTS, when the public URL is https: also
    /// behind a proxy that ends TLS and talks plain HTTP to the app, since `PUBLIC_URL` is the
    /// address people use, not the one the app listens on.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

fn parse_number(raw: Option<String>, name: &'static str, default: i64, min: i64, max: i64) -> Result<i64, ConfigError> {
    match raw {
        None => Ok(default),
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(err(name, format!("must be a whole number from {min} to {max} (got '{raw}')"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned(), "http://127.0.0.1:3000")
    }

    #[test]
    fn defaults_use_sqlite_in_data_dir() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DatabaseUrl::Sqlite("./data/flashpage.db".into()));
        assert!(!c.secure_cookies());
        let c = config(&[("DATA_DIR", "/srv/fp")]).unwrap();
        assert_eq!(c.database_url, DatabaseUrl::Sqlite("/srv/fp/flashpage.db".into()));
    }

    #[test]
    fn errors_name_the_variable() {
        let cases = [
            ("DATABASE_URL", "mysql://x"),
            ("PUBLIC_URL", "flashpage.example"),
            ("DB_MAX_CONNECTIONS", "lots"),
            ("DB_MAX_CONNECTIONS", "0"),
            ("SESSION_TTL_HOURS", "-1"),
            ("TRUSTED_PROXIES", "many"),
            ("TRUSTED_PROXIES", "11"),
            ("TRUST_FORWARDED_FOR", "true"),
        ];
        for (var, value) in cases {
            let e = config(&[(var, value)]).unwrap_err();
            assert_eq!(e.variable, var);
            assert!(e.to_string().starts_with(&format!("configuration error: {var} ")), "{e}");
        }
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let c = config(&[("PUBLIC_URL", "https://flashpage.example/"), ("PAYMENTS", "test")]).unwrap();
        assert!(c.secure_cookies());
        assert_eq!(c.public_url, "https://flashpage.example");
    }
}
