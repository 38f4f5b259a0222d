//! The forgotten password: a reset link by mail, then a new password from it.

use super::{busy, log_event, new_session, within_limits};
use crate::accounts::backend::recovery::{self, Purpose};
use crate::accounts::backend::security_log::SecurityEvent;
use crate::accounts::backend::{mail, passwords, sessions, store};
use crate::accounts::guard::Client;
use crate::accounts::validation::{RESET_LINK_DEAD, check_password, normalize_email};
use crate::error::{AppError, ErrorKind};
use crate::infra::shared_limit::Limit;
use crate::infra::state::AppState;
use chrono::{Duration, Utc};

/// Reset requests per address per hour: enough to retry after a lost mail, too few to flood an inbox.
pub const RESETS_PER_EMAIL: Limit = Limit { name: "reset-email", max: 3, window: Duration::hours(1) };
/// The same per client address (one office, many people).
pub const RESETS_PER_ADDRESS: Limit = Limit { name: "reset-ip", max: 20, window: Duration::hours(1) };

/// Mails a reset link if the address has an account. The caller's answer is the same whether it
/// has one or not, and so is the work done, apart from the mail: nobody learns who has an account.
pub async fn request_password_reset(state: &AppState, client: &Client, email: &str) -> Result<(), AppError> {
    let email = normalize_email(email).map_err(|m| AppError::field("email", m))?;
    let now = Utc::now();
    if !within_limits(state, (&RESETS_PER_EMAIL, &email), &RESETS_PER_ADDRESS, client, now).await? {
        return Err(AppError::rate_limited("Too many reset requests. Please wait an hour, or check your inbox (and spam folder) for the links already sent."));
    }
    let Some((user_id, name)) = store::find_by_email(&state.db, &email).await? else {
        log_event(state, SecurityEvent::PasswordResetRequested, None, Some(&email), client).await;
        return Ok(());
    };
    // The link is made after the answer, so the answer takes as long with an account as without.
    let (state, client) = (state.clone(), Client { ip: client.ip.clone(), user_agent: client.user_agent.clone() });
    tokio::spawn(async move {
        let token = sessions::new_token();
        let mail = mail::password_reset(&email, &name, &mail::reset_url(&state.config.public_url, &token));
        if let Err(e) =
            recovery::issue(&state.db, &user_id, Purpose::PasswordReset, &sessions::token_hash(&token), None, std::slice::from_ref(&mail), now.naive_utc())
                .await
        {
            tracing::error!(error = %e, "could not store a password reset link");
            return;
        }
        log_event(&state, SecurityEvent::PasswordResetRequested, Some(&user_id), Some(&email), &client).await;
    });
    Ok(())
}

/// Whether a reset link still works (the page asks for a new password only then).
pub async fn reset_link_works(state: &AppState, token: &str) -> Result<bool, AppError> {
    let now = Utc::now().naive_utc();
    Ok(recovery::live_link(&state.db, Purpose::PasswordReset, &sessions::token_hash(token), now).await?.is_some())
}

/// Sets a new password from a reset link: every session of the account ends (whoever knew the
/// old password is out), and a fresh one starts here. Returns its token for the cookie.
pub async fn reset_password(state: &AppState, client: &Client, token: &str, password: &str) -> Result<String, AppError> {
    let now = Utc::now();
    let token_hash = sessions::token_hash(token);
    let Some((user_id, _)) = recovery::live_link(&state.db, Purpose::PasswordReset, &token_hash, now.naive_utc()).await? else {
        return Err(AppError::new(ErrorKind::Gone, RESET_LINK_DEAD));
    };
    let (email, name) = store::email_and_name(&state.db, &user_id).await?.unwrap_or_default();
    check_password(password, &email, &name).map_err(|m| AppError::field("password", m))?;
    let password_hash = passwords::hash_password(password.to_string()).await.map_err(|_| busy())?.map_err(AppError::internal)?;
    // The link is used by this one conditional update; a second click racing this one finds it used.
    let Some(user_id) = recovery::redeem(&state.db, &token_hash, recovery::Redeem::NewPassword(&password_hash), Utc::now().naive_utc()).await? else {
        return Err(AppError::new(ErrorKind::Gone, RESET_LINK_DEAD));
    };
    let (session_token, session) = new_session(state, client);
    store::create_session(&state.db, &user_id, &session, Utc::now().naive_utc()).await?;
    log_event(state, SecurityEvent::PasswordResetCompleted, Some(&user_id), Some(&email), client).await;
    Ok(session_token)
}
