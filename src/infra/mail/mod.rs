//! Outgoing mail, one path for the whole app (receipts, confirmations, reminders).
//!
//! A message is written to the outbox ([`outbox`]) in the same transaction as the change that
//! causes it, and a background sender ([`sender`]) delivers it with retries, so neither a crash
//! nor a mail server that is down loses one. Where it goes is [`transport`]'s business: SMTP
//! when `SMTP_URL` is set, else `.eml` files under `DATA_DIR/mail` (the embedded default, so a
//! fresh clone "sends" mail you can open).

pub mod files;
pub mod outbox;
pub mod sender;
pub mod transport;

use std::path::{Path, PathBuf};

/// Text for an HTML mail body: the five characters that could change the markup, escaped.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// Where mail goes, from the environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailSettings {
    /// `smtp://host:port`, `smtps://user:pass@host`, `smtp://host?tls=required`; `None`: files.
    pub smtp_url: Option<String>,
    /// The `From` of every message, e.g. `Flashpage <mail@flashpage.example>`.
    pub from: String,
    /// Where messages are written without SMTP.
    pub dir: PathBuf,
}

impl MailSettings {
    /// `SMTP_URL` and `MAIL_FROM`; the default sender is `mail@` the host of the public URL.
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>, data_dir: &Path, public_url: &str) -> Result<MailSettings, (&'static str, String)> {
        let smtp_url = get("SMTP_URL");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(("SMTP_URL", format!("must start with smtp:// or smtps:// (got '{url}')")));
            }
        }
        let host = public_url.split("://").nth(1).unwrap_or_default().split(['/', ':']).next().unwrap_or_default();
        let host = if host.contains('.') { host.to_string() } else { "localhost.localdomain".to_string() };
        let from = get("MAIL_FROM").unwrap_or_else(|| format!("Flashpage <mail@{host}>"));
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(("MAIL_FROM", format!("must be an address like 'Flashpage <mail@example.com>' (got '{from}')")));
        }
        Ok(MailSettings { smtp_url, from, dir: data_dir.join("mail") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<MailSettings, (&'static str, String)> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        MailSettings::from_lookup(&|k: &str| map.get(k).cloned(), Path::new("/data"), "https://flashpage.example/x")
    }

    #[test]
    fn files_by_default_smtp_when_set() {
        let s = settings(&[]).expect("defaults");
        assert_eq!(s.smtp_url, None);
        assert_eq!(s.dir, Path::new("/data/mail"));
        assert_eq!(s.from, "Flashpage <mail@flashpage.example>");
        assert_eq!(settings(&[("SMTP_URL", "smtp://127.0.0.1:2525")]).expect("smtp").smtp_url.as_deref(), Some("smtp://127.0.0.1:2525"));
        assert_eq!(settings(&[("SMTP_URL", "mail.example.com")]).unwrap_err().0, "SMTP_URL");
        assert_eq!(settings(&[("MAIL_FROM", "not an address")]).unwrap_err().0, "MAIL_FROM");
    }
}
