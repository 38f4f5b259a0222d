//! The app's own secret key, for links it must be able to write again later.
//!
//! A registrant's manage link goes out in the confirmation, and again in every reminder and
//! update, but only its SHA-256 is stored (a leaked database must not be a list of working
//! links). So the link is derived: `HMAC-SHA256(key, purpose ‖ id)`, which the app can compute
//! again and nobody without the key can. The key comes from `APP_SECRET`; without it, a random
//! key is made once and kept in `DATA_DIR/secret.key` (the embedded default). Instances that
//! share a database must share `APP_SECRET`, or each writes links the others don't know.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppSecret(Arc<Vec<u8>>);

impl std::fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AppSecret(…)")
    }
}

/// The shortest `APP_SECRET` accepted (a guessable key would make every link guessable).
pub const MIN_SECRET_CHARS: usize = 32;

impl AppSecret {
    pub fn from_value(value: &str) -> Result<AppSecret, String> {
        if value.chars().count() < MIN_SECRET_CHARS {
            return Err(format!("must be at least {MIN_SECRET_CHARS} characters (for example `openssl rand -base64 32`)"));
        }
        Ok(AppSecret(Arc::new(value.as_bytes().to_vec())))
    }

    /// `APP_SECRET` when set, else the key in `data_dir/secret.key`, made on first use.
    pub fn load(value: Option<&str>, data_dir: &Path) -> Result<AppSecret, String> {
        if let Some(value) = value {
            return AppSecret::from_value(value);
        }
        let path = data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => AppSecret::from_value(text.trim()).map_err(|e| format!("{} {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                use rand::RngCore;
                let mut bytes = [0u8; 32];
                rand::rng().fill_bytes(&mut bytes);
                let key = URL_SAFE_NO_PAD.encode(bytes);
                std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
                write_private(&path, &key).map_err(|e| format!("{}: {e}", path.display()))?;
                AppSecret::from_value(&key)
            }
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// The link token for `id` and `purpose` (URL-safe, 43 characters, like `tokens::new_token`).
    pub fn link_token(&self, purpose: &str, id: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// Writes the key readable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_per_key_purpose_and_id() {
        let a = AppSecret::from_value(&"k".repeat(32)).expect("key");
        let b = AppSecret::from_value(&"j".repeat(32)).expect("key");
        let t = a.link_token("manage", "r1");
        assert_eq!(t, a.link_token("manage", "r1"));
        assert!(crate::infra::tokens::looks_like_token(&t));
        assert_ne!(t, a.link_token("manage", "r2"));
        assert_ne!(t, a.link_token("unsubscribe", "r1"));
        assert_ne!(t, b.link_token("manage", "r1"));
        assert!(AppSecret::from_value("short").is_err());
    }

    #[test]
    fn the_default_key_is_made_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("fp-secret-{}", uuid::Uuid::now_v7()));
        let first = AppSecret::load(None, &dir).expect("made");
        let again = AppSecret::load(None, &dir).expect("read");
        assert_eq!(first.link_token("p", "i"), again.link_token("p", "i"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
