//! Sign-up (and its confirmation link), login and logout as the server functions call them; the
//! forgotten password and the account's own settings in the submodules.

pub mod audit;
pub mod deletion;
mod password_reset;
pub mod settings;
pub mod team;

pub use password_reset::{request_password_reset, reset_link_works, reset_password};

use super::recovery::{self, Purpose};
use super::security_log::{self, SecurityEvent};
use super::store::{self, ConfirmationLink, NewAccount, NewSession, SignupOutcome};
use super::{mail, names, passwords, sessions};
use crate::accounts::guard::Client;
use crate::accounts::validation::{SIGNUP_LINK_DEAD, validate_login, validate_signup};
use crate::error::{AppError, ErrorKind};
use crate::infra::shared_limit::Limit;
use crate::infra::state::AppState;
use chrono::{Duration, Utc};

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
pub(super) async fn within_limits(
    state: &AppState,
    (per_email, email): (&Limit, &str),
    per_client: &Limit,
    client: &Client,
    now: chrono::DateTime<Utc>,
) -> Result<bool, AppError> {
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

/// Sign-ups per email address per hour that are acted on (each mails that address: a
/// confirmation link, or a note to the account's owner): enough to retry, too few to flood an
/// inbox. Further ones are answered the same and do nothing.
pub const SIGNUPS_PER_EMAIL: Limit = Limit { name: "signup-email", max: 3, window: Duration::hours(1) };

/// Signs up: the answer is the same whether or not the address has an account, and so is the
/// work done before it (the checks, the limits, one password hash). After the answer, a new
/// address gets an unconfirmed account and a confirmation link; an address with an account gets
/// a note to its owner instead. Nobody is signed in here: the link does that.
pub async fn signup(state: &AppState, client: &Client, name: &str, email: &str, password: &str) -> Result<(), AppError> {
    let input = validate_signup(name, email, password)?;
    let now = Utc::now();
    if let Some(ip) = client.ip.as_deref() {
        if !signup_limit(state).hit(&state.db, ip, now).await? {
            return Err(AppError::rate_limited("Too many new accounts from your network. Please try again in an hour."));
        }
    }
    let password_hash = passwords::hash_password(input.password).await.map_err(|_| busy())?.map_err(AppError::internal)?;
    if !SIGNUPS_PER_EMAIL.hit(&state.db, &input.email, now).await? {
        return Ok(());
    }
    let account =
        NewAccount { name: input.name, email: input.email, password_hash, organization_name: names::organization_name(), group_name: names::group_name() };
    let (state, client) = (state.clone(), Client { ip: client.ip.clone(), user_agent: client.user_agent.clone() });
    tokio::spawn(async move { make_account(&state, &client, &account, now.naive_utc()).await });
    Ok(())
}

/// The sign-up's work after its answer (see [`signup`]); failures are logged, as the answer
/// has gone (the person can sign up again, or log in to an account that was made).
async fn make_account(state: &AppState, client: &Client, account: &NewAccount, now: chrono::NaiveDateTime) {
    let token = sessions::new_token();
    let confirm = mail::confirm_account(&account.email, &account.name, &mail::confirm_account_url(&state.config.public_url, &token));
    let link = ConfirmationLink { token_hash: &sessions::token_hash(&token), mail: &confirm };
    match store::create_account(&state.db, account, &link, now).await {
        Ok(SignupOutcome::Created(user_id)) => log_event(state, SecurityEvent::Signup, Some(&user_id), Some(&account.email), client).await,
        Ok(SignupOutcome::Taken { user_id, confirmed }) => {
            let note = mail::signup_for_existing_account(&account.email, &state.config.public_url, confirmed);
            if let Err(e) = crate::infra::mail::outbox::enqueue(&state.db, &note, now).await {
                tracing::error!(error = %e, "could not queue the note to an address that has an account");
            }
            log_event(state, SecurityEvent::SignupForExistingAccount, Some(&user_id), Some(&account.email), client).await;
        }
        Ok(SignupOutcome::LostRace) => {}
        Err(e) => tracing::error!(error = %e, "could not make a signed-up account"),
    }
}

/// Uses a new account's confirmation link (from a button on its page: mail scanners open links,
/// they don't press buttons): the address is confirmed and this browser is signed in. Returns
/// the session token for the cookie.
pub async fn confirm_account(state: &AppState, client: &Client, token: &str) -> Result<String, AppError> {
    let now = Utc::now().naive_utc();
    let Some(user_id) = recovery::redeem(&state.db, &sessions::token_hash(token), recovery::Redeem::Confirm, now).await? else {
        return Err(AppError::new(ErrorKind::Gone, SIGNUP_LINK_DEAD));
    };
    let (email, _) = store::email_and_name(&state.db, &user_id).await?.unwrap_or_default();
    let (session_token, session) = new_session(state, client);
    store::create_session(&state.db, &user_id, &session, now).await?;
    log_event(state, SecurityEvent::AccountConfirmed, Some(&user_id), Some(&email), client).await;
    Ok(session_token)
}

/// Mails an unconfirmed account a fresh confirmation link (its owner logged in with the right
/// password before confirming).
async fn resend_confirmation(state: &AppState, user_id: &str, email: &str) -> Result<(), AppError> {
    let (_, name) = store::email_and_name(&state.db, user_id).await?.unwrap_or_default();
    let token = sessions::new_token();
    let confirm = mail::confirm_account(email, &name, &mail::confirm_account_url(&state.config.public_url, &token));
    recovery::issue(&state.db, user_id, Purpose::SignupConfirm, &sessions::token_hash(&token), None, std::slice::from_ref(&confirm), Utc::now().naive_utc())
        .await?;
    Ok(())
}

/// Checks the credentials and returns a session token for the cookie.
pub async fn login(state: &AppState, client: &Client, email: &str, password: &str) -> Result<String, AppError> {
    let email = validate_login(email, password)?;
    let now = Utc::now();
    // Each attempt takes its place in the counters before the password is checked, in one atomic
    // statement each: parallel guesses cannot all slip through a check made before any was counted.
    if !within_limits(state, (&LOGIN_PER_EMAIL, &email), &LOGIN_PER_ADDRESS, client, now).await? {
        log_event(state, SecurityEvent::LoginThrottled, None, Some(&email), client).await;
        return Err(AppError::rate_limited(format!("Too many failed attempts. Wait {LOGIN_WINDOW_MINUTES} minutes and try again.")));
    }
    let credentials = store::find_credentials(&state.db, &email).await?;
    let (user_id, stored_hash, confirmed) = match credentials {
        Some(c) => (Some(c.user_id), Some(c.password_hash), c.confirmed),
        None => (None, None, false),
    };
    // Always one argon2 verification, so unknown emails cost the same as wrong passwords.
    let ok = passwords::verify_password(password.to_string(), stored_hash).await.map_err(|_| busy())?;
    match (ok, user_id) {
        // Only whoever chose the password learns that the account waits for its confirmation.
        // The attempt keeps its place in the email's count, so at most a few links a window go out.
        (true, Some(user_id)) if !confirmed => {
            resend_confirmation(state, &user_id, &email).await?;
            Err(AppError::forbidden(format!("Confirm your email address first: we've just sent a new link to {email}. It works for 7 days.")))
        }
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
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "dashboard",
            "/\t/evil.example",
            "/\n",
            "/\r\nSet-Cookie: x=1",
            "/..//evil.example",
            "///evil.example",
            "/\u{0}",
            "/\t/\tevil.example",
        ] {
            assert_eq!(safe_next(Some(bad), base), "/dashboard", "{bad:?}");
        }
        assert_eq!(safe_next(Some("/\t/evil.example"), base), "/dashboard");
        assert_eq!(safe_next(None, base), "/dashboard");
    }
}
