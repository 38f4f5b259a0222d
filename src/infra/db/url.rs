//! Parsing `DATABASE_URL` into a backend choice, with errors a person can act on.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path for SQLite.
    Sqlite(String),
    /// A full `postgres://` URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// The URL with any password replaced, for logs.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{path}"),
            DatabaseUrl::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme_end), Some(at)) if at > scheme_end => {
                    let creds = &url[scheme_end + 3..at];
                    let user = creds.split(':').next().unwrap_or_default();
                    format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
                }
                _ => url.clone(),
            },
        }
    }
}

/// Accepts `sqlite://relative/or/absolute.db`, `sqlite:path.db`, and `postgres://` / `postgresql://`.
pub fn parse_database_url(raw: &str) -> Result<DatabaseUrl, String> {
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix("postgres://").or_else(|| raw.strip_prefix("postgresql://")) {
        if rest.is_empty() || rest.starts_with('/') && rest.len() == 1 {
            return Err("a PostgreSQL URL needs a host, e.g. postgres://user@127.0.0.1:5432/flashpage".into());
        }
        return Ok(DatabaseUrl::Postgres(raw.to_string()));
    }
    if let Some(path) = raw.strip_prefix("sqlite://").or_else(|| raw.strip_prefix("sqlite:")) {
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() {
            return Err("a SQLite URL needs a file path, e.g. sqlite://data/flashpage.db".into());
        }
        if path == ":memory:" {
            return Err("in-memory SQLite gives every pooled connection its own empty database; use a file".into());
        }
        return Ok(DatabaseUrl::Sqlite(path.to_string()));
    }
    Err(format!("must start with sqlite:// or postgres:// (got '{}')", raw.split("://").next().unwrap_or(raw)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(parse_database_url("sqlite://data/app.db"), Ok(DatabaseUrl::Sqlite("data/app.db".into())));
        assert_eq!(parse_database_url("sqlite:///tmp/app.db"), Ok(DatabaseUrl::Sqlite("/tmp/app.db".into())));
        assert_eq!(parse_database_url("sqlite:app.db?mode=rwc"), Ok(DatabaseUrl::Sqlite("app.db".into())));
        assert!(matches!(parse_database_url("postgres://postgres@127.0.0.1/x"), Ok(DatabaseUrl::Postgres(_))));
        assert!(matches!(parse_database_url("postgresql://h/x"), Ok(DatabaseUrl::Postgres(_))));
        for bad in ["", "mysql://x", "sqlite://", "sqlite::memory:", "postgres://", "data/app.db"] {
            assert!(parse_database_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn redacts_passwords() {
        let url = DatabaseUrl::Postgres("postgres://app:s3cret@db.internal:5432/fp".into());
        assert_eq!(url.redacted(), "postgres://app:***@db.internal:5432/fp");
        assert!(!url.redacted().contains("s3cret"));
    }
}
