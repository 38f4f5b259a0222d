//! The account's own settings: name, email (changed only once the new address confirms it),
//! password (the current one first), and the list of signed-in browsers.
//!
//! Each works on the signed-in person only: the scope's user is the one changed, whatever the
//! form says. Changing the password or the address asks for the current password, so a session
//! left open on a shared computer cannot take the account over; those checks count against the
//! login limits like any other password guess.

use super::{LOGIN_PER_EMAIL, busy, log_event};
use crate::accounts::backend::recovery::{self, EmailChangeRefusal, Purpose};
use crate::accounts::backend::security_log::SecurityEvent;
use crate::accounts::backend::{mail, passwords, sessions, store};
use crate::accounts::guard::Client;
use crate::accounts::guard::{Scope, can};
use crate::accounts::model::{AccountView, SessionView};
use crate::accounts::validation::{EMAIL_LINK_DEAD, check_password, normalize_email, normalize_name};
use crate::error::{AppError, ErrorKind};
use crate::infra::state::AppState;
use chrono::Utc;

/// What the account page shows.
pub async fn overview(state: &AppState, scope: &Scope<can::ViewDashboard>, current_session: Option<&str>) -> Result<AccountView, AppError> {
    let now = Utc::now().naive_utc();
    let user = scope.user();
    let current = current_session.map(sessions::token_hash);
    let format = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let sessions = store::list_sessions(&state.db, &user.id, now)
        .await?
        .into_iter()
        .map(|s| SessionView {
            current: current.as_deref() == Some(s.id.as_str()),
            device: sessions::describe_device(s.user_agent.as_deref()),
            ip: s.ip,
            started: format(s.created_at),
            last_used: format(s.last_used_at.unwrap_or(s.created_at)),
            id: s.id,
        })
        .collect();
    Ok(AccountView {
        name: user.name.clone(),
        email: user.email.clone(),
        pending_email: recovery::pending_email_change(&state.db, &user.id, now).await?,
        sessions,
        can_export: crate::accounts::permissions::roles_allow(&user.roles, crate::accounts::permissions::Action::ExportData),
        owner_of: (store::owner_of(&state.db, &user.organization_id).await? == user.id).then(|| user.organization_name.clone()),
    })
}

pub async fn save_name(state: &AppState, scope: &Scope<can::ViewDashboard>, name: &str) -> Result<(), AppError> {
    let name = normalize_name(name).map_err(|m| AppError::field("name", m))?;
    store::set_name(&state.db, scope.user_id(), &name, Utc::now().naive_utc()).await?;
    Ok(())
}

/// Checks the signed-in person's current password, counted like a login attempt.
pub(super) async fn check_current_password(state: &AppState, scope: &Scope<can::ViewDashboard>, password: &str) -> Result<(), AppError> {
    let email = &scope.user().email;
    let now = Utc::now();
    if !LOGIN_PER_EMAIL.hit(&state.db, email, now).await? {
        return Err(AppError::rate_limited("Too many wrong passwords. Wait 15 minutes and try again."));
    }
    let stored = store::find_credentials(&state.db, email).await?.map(|c| c.password_hash);
    if !passwords::verify_password(password.to_string(), stored).await.map_err(|_| busy())? {
        return Err(AppError::field("current_password", "That isn't your current password."));
    }
    LOGIN_PER_EMAIL.give_back(&state.db, email, now).await?;
    Ok(())
}

/// A new password, after the current one: every other browser is logged out. Returns how many.
pub async fn change_password(
    state: &AppState,
    scope: &Scope<can::ViewDashboard>,
    client: &Client,
    current_session: &str,
    current_password: &str,
    new_password: &str,
) -> Result<usize, AppError> {
    let user = scope.user();
    check_password(new_password, &user.email, &user.name).map_err(|m| AppError::field("new_password", m))?;
    check_current_password(state, scope, current_password).await?;
    let hash = passwords::hash_password(new_password.to_string()).await.map_err(|_| busy())?.map_err(AppError::internal)?;
    let ended = store::set_password(&state.db, &user.id, &hash, &sessions::token_hash(current_session), Utc::now().naive_utc()).await?;
    log_event(state, SecurityEvent::PasswordChanged, Some(&user.id), Some(&user.email), client).await;
    Ok(ended)
}

/// Asks to move the account to another address: a link goes to the new address, a notice to the
/// old one. Nothing changes until the link is used.
pub async fn request_email_change(
    state: &AppState,
    scope: &Scope<can::ViewDashboard>,
    client: &Client,
    new_email: &str,
    password: &str,
) -> Result<(), AppError> {
    let user = scope.user();
    let new_email = normalize_email(new_email).map_err(|m| AppError::field("email", m))?;
    if new_email == user.email {
        return Err(AppError::field("email", "That is already your address."));
    }
    check_current_password(state, scope, password).await?;
    // Said plainly: only someone who knows this account's password learns that an address is taken.
    if store::address_in_use(&state.db, &new_email).await? {
        return Err(AppError::field("email", "Another account uses that address."));
    }
    let now = Utc::now().naive_utc();
    let token = sessions::new_token();
    let confirm = mail::confirm_new_email(&new_email, &user.name, &mail::confirm_email_url(&state.config.public_url, &token));
    let notice = mail::email_change_notice(&user.email, &user.name, &new_email, &format!("{}/forgot-password", state.config.public_url));
    recovery::issue(&state.db, &user.id, Purpose::EmailChange, &sessions::token_hash(&token), Some(&new_email), &[confirm, notice], now).await?;
    log_event(state, SecurityEvent::EmailChangeRequested, Some(&user.id), Some(&new_email), client).await;
    Ok(())
}

/// The new address a confirmation link is for, while it works.
pub async fn email_link(state: &AppState, token: &str) -> Result<Option<String>, AppError> {
    Ok(recovery::live_link(&state.db, Purpose::EmailChange, &sessions::token_hash(token), Utc::now().naive_utc()).await?.and_then(|(_, email)| email))
}

/// Uses a confirmation link (from a button on its page: mail scanners open links, they don't
/// press buttons). Sessions go on; the old address can no longer be used to log in.
pub async fn confirm_email_change(state: &AppState, client: &Client, token: &str) -> Result<(), AppError> {
    match recovery::confirm_email_change(&state.db, &sessions::token_hash(token), Utc::now().naive_utc()).await? {
        Ok((user_id, old_email, new_email)) => {
            log_event(state, SecurityEvent::EmailChanged, Some(&user_id), Some(&format!("{old_email} -> {new_email}")), client).await;
            Ok(())
        }
        Err(EmailChangeRefusal::DeadLink) => Err(AppError::new(ErrorKind::Gone, EMAIL_LINK_DEAD)),
        Err(EmailChangeRefusal::Taken) => {
            Err(AppError::conflict("Another account started using that address in the meantime. Choose another one from your account page."))
        }
    }
}

/// Logs one of the person's other browsers out.
pub async fn end_session(state: &AppState, scope: &Scope<can::ViewDashboard>, client: &Client, id: &str) -> Result<(), AppError> {
    if !store::end_session(&state.db, scope.user_id(), id).await? {
        return Err(AppError::not_found("That session has already ended."));
    }
    log_event(state, SecurityEvent::SessionEnded, Some(scope.user_id()), Some(&scope.user().email), client).await;
    Ok(())
}

/// Logs every browser but this one out. Returns how many.
pub async fn end_other_sessions(state: &AppState, scope: &Scope<can::ViewDashboard>, client: &Client, current_session: &str) -> Result<usize, AppError> {
    let n = store::end_sessions_except(&state.db, scope.user_id(), &sessions::token_hash(current_session)).await?;
    if n > 0 {
        log_event(state, SecurityEvent::SessionEnded, Some(scope.user_id()), Some(&scope.user().email), client).await;
    }
    Ok(n)
}
