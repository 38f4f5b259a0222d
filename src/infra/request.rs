//! The request as a server function sees it: app state, the request's head, the client address.
//! Domains reach it through their guard (`accounts::guard`), never directly.

use super::state::AppState;
use crate::error::AppError;
use axum::http::HeaderValue;
use axum::http::header::{SET_COOKIE, USER_AGENT};
use axum::http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// The client's address, resolved once per request by [`super::http`]'s middleware.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

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

    pub fn set_cookie(&self, cookie: &str) {
        if let (Ok(value), Some(res)) = (HeaderValue::from_str(cookie), use_context::<ResponseOptions>()) {
            res.append_header(SET_COOKIE, value);
        }
    }
}

/// Sends the browser to `location` after a server function, or refuses: a value that cannot be
/// a header (a newline, a control character) is an error the caller reports, never a panic.
pub fn redirect(location: &str) -> Result<(), AppError> {
    HeaderValue::from_str(location).map_err(|_| AppError::invalid("That address cannot be followed."))?;
    leptos_axum::redirect(location);
    Ok(())
}
