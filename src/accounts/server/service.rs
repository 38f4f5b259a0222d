//! Sign-up, login and logout as the server functions call them.

use super::security_log::{self, SecurityEvent};
use super::store::{self, CreateAccountError, NewAccount, NewSession};
use super::{names, passwords, sessions};
use crate::accounts::validation::{validate_login, validate_signup};
use crate::error::AppError;
use crate::server::state::AppState;
use chrono::{Duration, Utc};

/// Who is asking, for the log and the rate limiter.
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The one message for every failed login, whether or not the email exists.
pub const LOGIN_FAILED: &str = "That email and password don't match an account.";

fn new_session(state: &AppState, client: &Client) -> (String, NewSession) {
    let token = sessions::new_token();
    let session = NewSession {
        token_hash: sessions::token_hash(&token),
        expires_at: (Utc::now() + Duration::hours(state.config.session_ttl_hours)).naive_utc(),
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
    };
    (token, session)
}

/// Creates the account and returns a session token for the cookie.
pub async fn signup(state: &AppState, client: &Client, name: &str, email: &str, password: &str) -> Result<String, AppError> {
    let input = validate_signup(name, email, password)?;
    let password_hash = passwords::hash_password(input.password).await.map_err(AppError::internal)?;
    let account = NewAccount {
        name: input.name,
        email: input.email,
        password_hash,
        organization_name: names::organization_name(),
        group_name: names::group_name(),
    };
    let (token, session) = new_session(state, client);
    let now = Utc::now().naive_utc();
    let user_id = match store::create_account(&state.db, &account, &session, now).await {
        Ok(id) => id,
        Err(CreateAccountError::DuplicateEmail) => {
            let mut err = AppError::field("email", "An account with this email already exists. Log in instead.");
            err.kind = crate::error::ErrorKind::Conflict;
            return Err(err);
        }
        Err(CreateAccountError::Db(e)) => return Err(e.into()),
    };
    log_event(state, SecurityEvent::Signup, Some(&user_id), Some(&account.email), client).await;
    Ok(token)
}

/// Checks the credentials and returns a session token for the cookie.
pub async fn login(state: &AppState, client: &Client, email: &str, password: &str) -> Result<String, AppError> {
    let email = validate_login(email, password)?;
    let now = Utc::now().naive_utc();
    if security_log::login_throttled(&state.db, &email, client.ip.as_deref(), now).await? {
        log_event(state, SecurityEvent::LoginThrottled, None, Some(&email), client).await;
        return Err(AppError::rate_limited(format!(
            "Too many failed attempts. Wait {} minutes and try again.",
            security_log::WINDOW_MINUTES
        )));
    }
    let credentials = store::find_credentials(&state.db, &email).await?;
    let (user_id, stored_hash) = match credentials {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    // Always one argon2 verification, so unknown emails cost the same as wrong passwords.
    let ok = passwords::verify_password(password.to_string(), stored_hash).await;
    match (ok, user_id) {
        (true, Some(user_id)) => {
            let (token, session) = new_session(state, client);
            store::create_session(&state.db, &user_id, &session, Utc::now().naive_utc()).await?;
            log_event(state, SecurityEvent::LoginSuccess, Some(&user_id), Some(&email), client).await;
            Ok(token)
        }
        (_, user_id) => {
            log_event(state, SecurityEvent::LoginFailure, user_id.as_deref(), Some(&email), client).await;
            Err(AppError::unauthenticated(LOGIN_FAILED))
        }
    }
}

/// Ends the session behind the token (if any).
pub async fn logout(state: &AppState, client: &Client, token: Option<&str>, user_id: Option<&str>) -> Result<(), AppError> {
    if let Some(token) = token {
        store::delete_session(&state.db, &sessions::token_hash(token)).await?;
    }
    if user_id.is_some() {
        log_event(state, SecurityEvent::Logout, user_id, None, client).await;
    }
    Ok(())
}

/// Writes to the security log; a failure to log is reported but never fails the user's request.
async fn log_event(state: &AppState, event: SecurityEvent, user_id: Option<&str>, email: Option<&str>, client: &Client) {
    let now = Utc::now().naive_utc();
    if let Err(e) = security_log::record(&state.db, event, user_id, email, client.ip.as_deref(), now).await {
        tracing::error!(error = %e, event = event.as_str(), "could not write the security log");
    }
}

/// Only same-site paths are followed after login, never another host (open-redirect guard).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.contains("://") => n.to_string(),
        _ => "/dashboard".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_same_site_only() {
        assert_eq!(safe_next(Some("/dashboard/pages")), "/dashboard/pages");
        for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "dashboard", "/x?u=http://e"] {
            assert_eq!(safe_next(Some(bad)), "/dashboard", "{bad}");
        }
        assert_eq!(safe_next(None), "/dashboard");
    }
}
