//! Which object store to use, from the environment. No variables: a folder under `DATA_DIR`.
//! `STORAGE_BUCKET` switches to S3-compatible storage (Cloudflare R2 in production); see
//! `.env.sample` for every variable.

use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageSettings {
    /// Files under this folder (`DATA_DIR/files` by default).
    Local { root: PathBuf },
    /// An S3-compatible bucket: Cloudflare R2, AWS S3, or a test server on loopback.
    S3(S3Settings),
}

#[derive(Clone, PartialEq, Eq)]
pub struct S3Settings {
    pub bucket: String,
    /// `https://ACCOUNT.r2.cloudflarestorage.com` for R2; `None` means AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// Never print the secret (settings end up in logs and panics).
impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl StorageSettings {
    /// Reads the storage variables; the error names the variable to fix.
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>, data_dir: &std::path::Path) -> Result<StorageSettings, (&'static str, String)> {
        let Some(bucket) = get("STORAGE_BUCKET") else {
            let root = get("STORAGE_DIR").map(PathBuf::from).unwrap_or_else(|| data_dir.join("files"));
            return Ok(StorageSettings::Local { root });
        };
        let endpoint = match (get("STORAGE_ENDPOINT"), get("R2_ACCOUNT_ID")) {
            (Some(url), _) => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(("STORAGE_ENDPOINT", format!("must be an http(s) URL (got '{url}')")));
                }
                Some(url.trim_end_matches('/').to_string())
            }
            (None, Some(account)) => {
                if !account.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(("R2_ACCOUNT_ID", "must be the account id from the Cloudflare dashboard".into()));
                }
                Some(format!("https://{account}.r2.cloudflarestorage.com"))
            }
            (None, None) => None,
        };
        let region = get("STORAGE_REGION").unwrap_or_else(|| if endpoint.is_some() { "auto".into() } else { "us-east-1".into() });
        let access_key_id = get("STORAGE_ACCESS_KEY_ID").ok_or(("STORAGE_ACCESS_KEY_ID", "is required with STORAGE_BUCKET".to_string()))?;
        let secret_access_key = get("STORAGE_SECRET_ACCESS_KEY").ok_or(("STORAGE_SECRET_ACCESS_KEY", "is required with STORAGE_BUCKET".to_string()))?;
        Ok(StorageSettings::S3(S3Settings { bucket, endpoint, region, access_key_id, secret_access_key }))
    }

    pub fn describe(&self) -> String {
        match self {
            StorageSettings::Local { root } => format!("folder {}", root.display()),
            StorageSettings::S3(s) => format!("bucket {} at {}", s.bucket, s.endpoint.as_deref().unwrap_or("AWS S3")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::path::Path;

    fn read(vars: &[(&str, &str)]) -> Result<StorageSettings, (&'static str, String)> {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        StorageSettings::from_lookup(&|k| map.get(k).map(|v| v.to_string()), Path::new("/srv/data"))
    }

    #[test]
    fn defaults_to_a_folder_in_the_data_dir() {
        assert_eq!(read(&[]), Ok(StorageSettings::Local { root: "/srv/data/files".into() }));
        assert_eq!(read(&[("STORAGE_DIR", "/mnt/x")]), Ok(StorageSettings::Local { root: "/mnt/x".into() }));
    }

    #[test]
    fn r2_from_an_account_id() {
        let s = read(&[("STORAGE_BUCKET", "fp"), ("R2_ACCOUNT_ID", "abc123"), ("STORAGE_ACCESS_KEY_ID", "k"), ("STORAGE_SECRET_ACCESS_KEY", "s")]);
        let Ok(StorageSettings::S3(s)) = s else { panic!("S3 expected: {s:?}") };
        assert_eq!(s.endpoint.as_deref(), Some("https://abc123.r2.cloudflarestorage.com"));
        assert_eq!(s.region, "auto");
        assert!(!format!("{s:?}").contains("\"s\""), "the secret stays out of Debug");
    }

    #[test]
    fn errors_name_the_variable() {
        assert_eq!(read(&[("STORAGE_BUCKET", "fp")]).unwrap_err().0, "STORAGE_ACCESS_KEY_ID");
        assert_eq!(read(&[("STORAGE_BUCKET", "fp"), ("STORAGE_ACCESS_KEY_ID", "k")]).unwrap_err().0, "STORAGE_SECRET_ACCESS_KEY");
        assert_eq!(read(&[("STORAGE_BUCKET", "fp"), ("STORAGE_ENDPOINT", "r2.example")]).unwrap_err().0, "STORAGE_ENDPOINT");
        assert_eq!(read(&[("STORAGE_BUCKET", "fp"), ("R2_ACCOUNT_ID", "a/b")]).unwrap_err().0, "R2_ACCOUNT_ID");
    }
}
