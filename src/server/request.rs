//! The request as a server function sees it: app state, client address, cookies, the signed-in user.
//!
//! Server functions stay thin: `let ctx = RequestCtx::current()?;` then ask who is calling and
//! whether they may, then call domain logic.

use super::state::AppState;
use crate::accounts::model::CurrentUser;
use crate::accounts::server::{sessions, store};
use crate::error::AppError;
use axum::http::HeaderValue;
use axum::http::header::{COOKIE, SET_COOKIE, USER_AGENT};
use axum::http::request::Parts;
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;

/// The client's address, resolved once per request by [`super::http`]'s middleware.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// The signed-in user, when a middleware already looked them up for this request.
#[derive(Clone, Debug)]
pub struct ResolvedUser(pub Option<CurrentUser>);

pub struct RequestCtx {
    pub state: AppState,
    pub parts: Parts,
}

impl RequestCtx {
    pub fn current() -> Result<RequestCtx, AppError> {
        let state = use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))?;
        let parts = use_context::<Parts>().ok_or_else(|| AppError::internal("request parts missing from context"))?;
        Ok(RequestCtx { state, parts })
    }

    pub fn client_ip(&self) -> Option<String> {
        self.parts.extensions.get::<ClientIp>().map(|ip| ip.0.clone())
    }

    pub fn user_agent(&self) -> Option<String> {
        self.parts.headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).map(|ua| ua.chars().take(256).collect())
    }

    pub fn session_token(&self) -> Option<String> {
        session_token_from(&self.parts.headers)
    }

    /// The signed-in user, or `None`.
    pub async fn user(&self) -> Result<Option<CurrentUser>, AppError> {
        if let Some(resolved) = self.parts.extensions.get::<ResolvedUser>() {
            return Ok(resolved.0.clone());
        }
        resolve_user(&self.state, &self.parts.headers).await
    }

    /// The signed-in user, or an error asking them to log in.
    pub async fn require_user(&self) -> Result<CurrentUser, AppError> {
        self.user().await?.ok_or_else(|| AppError::unauthenticated("Please log in to continue."))
    }

    pub fn set_cookie(&self, cookie: &str) {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            expect_context::<ResponseOptions>().append_header(SET_COOKIE, value);
        }
    }
}

pub fn session_token_from(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(sessions::token_from_cookie_header)
}

/// Looks up the user for the request's session cookie.
pub async fn resolve_user(state: &AppState, headers: &axum::http::HeaderMap) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = session_token_from(headers) else { return Ok(None) };
    let now = chrono::Utc::now().naive_utc();
    Ok(store::session_user(&state.db, &sessions::token_hash(&token), now).await?)
}
