//! Sign-up, login and logout as the server functions call them; the forgotten password and the
//! account's own settings in the submodules.

pub mod audit;
pub mod deletion;
mod password_reset;
pub mod settings;
pub mod team;

pub use password_reset::{request_password_reset, reset_link_works, reset_password};

use super::security_log::{self, SecurityEvent};
use super::store::{self, CreateAccountError, NewAccount, NewSession};
use super::{names, passwords, sessions};
use crate::accounts::validation::{validate_login, validate_signup};
use crate::error::AppError;
use crate::infra::shared_limit::Limit;
use crate::infra::state::AppState;
use chrono::{Duration, Utc};

/// Who is asking, for the log and the rate limiter.
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The one message for every failed login, whether or not the email exists.
pub const LOGIN_FAILED: &str = "That email and password don't match an account.";

/// Minutes in a login-limit window.
pub const LOGIN_WINDOW_MINUTES: i64 = 15;
/// Login attempts per email per window that did not succeed (a correct password gives its back).
pub const LOGIN_PER_EMAIL: Limit = Limit { name: "login-email", max: 5, window: Duration::minutes(LOGIN_WINDOW_MINUTES) };
/// Every login attempt per client address, successful or not (nothing is given back): higher,
/// since offices share addresses.
pub const LOGIN_PER_ADDRESS: Limit = Limit { name: "login-ip", max: 20, window: Duration::minutes(LOGIN_WINDOW_MINUTES) };

/// Sign-ups per client address per hour (`SIGNUPS_PER_ADDRESS_PER_HOUR`).
fn signup_limit(state: &AppState) -> Limit {
    Limit { name: "signup-ip", max: state.config.signups_per_address_per_hour, window: Duration::hours(1) }
}

pub(super) fn busy() -> AppError {
    AppError::unavailable("the password queue is full")
}

/// Counts an attempt against a limit per email address and one per client address (both, in one
/// atomic statement each, before any work is done); `false` when either is used up.
pub(super) async fn within_limits(state: &AppState, (per_email, email): (&Limit, &str), per_client: &Limit, client: &Client, now: chrono::DateTime<Utc>) -> Result<bool, AppError> {
    let email_ok = per_email.hit(&state.db, email, now).await?;
    let client_ok = match client.ip.as_deref() {
        Some(ip) => per_client.hit(&state.db, ip, now).await?,
        None => true,
    };
    Ok(email_ok && client_ok)
}

pub(super) fn new_session(state: &AppState, client: &Client) -> (String, NewSession) {
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
    if let Some(ip) = client.ip.as_deref() {
        if !signup_limit(state).hit(&state.db, ip, Utc::now()).await? {
            return Err(AppError::rate_limited("Too many new accounts from your network. Please try again in an hour."));
        }
    }
    let password_hash = passwords::hash_password(input.password).await.map_err(|_| busy())?.map_err(AppError::internal)?;
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
    let now = Utc::now();
    // Each attempt takes its place in the counters before the password is checked, in one atomic
    // statement each: parallel guesses cannot all slip through a check made before any was counted.
    if !within_limits(state, (&LOGIN_PER_EMAIL, &email), &LOGIN_PER_ADDRESS, client, now).await? {
        log_event(state, SecurityEvent::LoginThrottled, None, Some(&email), client).await;
        return Err(AppError::rate_limited(format!(
            "Too many failed attempts. Wait {LOGIN_WINDOW_MINUTES} minutes and try again."
        )));
    }
    let credentials = store::find_credentials(&state.db, &email).await?;
    let (user_id, stored_hash) = match credentials {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    // Always one argon2 verification, so unknown emails cost the same as wrong passwords.
    let ok = passwords::verify_password(password.to_string(), stored_hash).await.map_err(|_| busy())?;
    match (ok, user_id) {
        (true, Some(user_id)) => {
            // A correct password is not a guess at this account: the email's place comes back.
            // The client address's does not: an attacker who logs in to an account of their own
            // between guesses at other people's would otherwise never reach the address's limit.
            // Only the window's end lowers an address's count.
            LOGIN_PER_EMAIL.give_back(&state.db, &email, now).await?;
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
pub(super) async fn log_event(state: &AppState, event: SecurityEvent, user_id: Option<&str>, email: Option<&str>, client: &Client) {
    let now = Utc::now().naive_utc();
    if let Err(e) = security_log::record(&state.db, event, user_id, email, client.ip.as_deref(), now).await {
        tracing::error!(error = %e, event = event.as_str(), "could not write the security log");
    }
}

/// Where to go after logging in: only a path of this app, never another host (open-redirect
/// guard). The candidate is resolved against the public URL the way a browser would resolve it
/// and must keep the same origin; control characters (a tab or newline a browser would drop or
/// a header cannot hold) and backslashes (which browsers read as slashes) are refused outright.
pub fn safe_next(next: Option<&str>, public_url: &str) -> String {
    const HOME: &str = "/dashboard";
    let Some(next) = next.filter(|n| n.starts_with('/') && !n.contains('\\') && !n.chars().any(char::is_control)) else {
        return HOME.into();
    };
    let Ok(base) = url::Url::parse(public_url) else { return HOME.into() };
    let Ok(resolved) = base.join(next) else { return HOME.into() };
    if resolved.origin() != base.origin() {
        return HOME.into();
    }
    let mut path = resolved.path().to_string();
    if let Some(query) = resolved.query() {
        path.push('?');
        path.push_str(query);
    }
    if path.starts_with("//") { HOME.into() } else { path }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_same_origin_only() {
        let base = "https://flashpage.example";
        assert_eq!(safe_next(Some("/dashboard/pages"), base), "/dashboard/pages");
        assert_eq!(safe_next(Some("/dashboard/pages/x?saved=1"), base), "/dashboard/pages/x?saved=1");
        for bad in [
            "https://evil.example", "//evil.example", "/\\evil.example", "dashboard", "/\t/evil.example", "/\n",
            "/\r\nSet-Cookie: x=1", "/..//evil.example", "///evil.example", "/\u{0}", "/\t/\tevil.example",
        ] {
            assert_eq!(safe_next(Some(bad), base), "/dashboard", "{bad:?}");
        }
        assert_eq!(safe_next(Some("/\t/evil.example"), base), "/dashboard");
        assert_eq!(safe_next(None, base), "/dashboard");
    }
}
