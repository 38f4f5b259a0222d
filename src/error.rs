//! The one error type that crosses the wire.
//!
//! Every server function returns `Result<T, AppError>`. An `AppError` knows the HTTP status it maps to,
//! carries a message a person can act on, and optionally field-level messages so forms can show each
//! error next to the input it concerns. It is serialised as JSON, which is also how it survives the
//! no-JavaScript round trip (leptos puts it in the `__err` query parameter of the redirect).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of failure this is; decides the HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input was malformed or failed validation (422 when there are field errors, else 400).
    Invalid,
    /// Not signed in, or the credentials were wrong (401).
    Unauthenticated,
    /// Signed in but not allowed (403).
    Forbidden,
    /// Nothing there, or not yours: both look the same so other tenants' ids leak nothing (404).
    NotFound,
    /// Conflicts with existing data, e.g. an email already registered (409).
    Conflict,
    /// Existed, but is switched off or expired for good (410).
    Gone,
    /// Too many attempts (429).
    RateLimited,
    /// A plan limit was reached (402 would be odd for a form; 403 with a clear message).
    LimitReached,
    /// Our fault. The message is generic; details go to the log only (500).
    Internal,
    /// A dependency (the database) is down (503).
    Unavailable,
}

impl ErrorKind {
    pub fn status(self, has_fields: bool) -> u16 {
        match self {
            ErrorKind::Invalid if has_fields => 422,
            ErrorKind::Invalid => 400,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::Forbidden | ErrorKind::LimitReached => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::Gone => 410,
            ErrorKind::RateLimited => 429,
            ErrorKind::Internal => 500,
            ErrorKind::Unavailable => 503,
        }
    }
}

/// A message about one form field, keyed by the field's `name` attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub kind: ErrorKind,
    /// Shown at the top of a form or page.
    pub message: String,
    /// Shown next to individual inputs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), fields: Vec::new() }
    }

    /// Validation failed on one or more fields.
    pub fn fields(fields: Vec<FieldError>) -> Self {
        let message =
            if fields.len() == 1 { "Please correct the highlighted field.".to_string() } else { "Please correct the highlighted fields.".to_string() };
        Self { kind: ErrorKind::Invalid, message, fields }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::fields(vec![FieldError { field: field.into(), message: message.into() }])
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthenticated, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
    pub fn rate_limited(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::RateLimited, message)
    }
    /// An internal failure. Log `detail` on the server; the user sees a generic message.
    pub fn internal(detail: impl fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        tracing::error!(error = %detail, "internal error");
        #[cfg(not(feature = "ssr"))]
        let _ = detail.to_string();
        Self::new(ErrorKind::Internal, "Something went wrong on our side. Please try again in a moment.")
    }
    pub fn unavailable(detail: impl fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        tracing::error!(error = %detail, "dependency unavailable");
        #[cfg(not(feature = "ssr"))]
        let _ = detail.to_string();
        Self::new(ErrorKind::Unavailable, "The service is briefly unavailable. Please try again in a moment.")
    }

    pub fn status(&self) -> u16 {
        self.kind.status(!self.fields.is_empty())
    }

    /// The message for one field, if any.
    pub fn field_message(&self, field: &str) -> Option<String> {
        self.fields.iter().find(|f| f.field == field).map(|f| f.message.clone())
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for field in &self.fields {
            write!(f, " {}: {}.", field.field, field.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Errors raised by the server-function machinery itself: almost all are the client's fault
    /// (a body that does not decode, a missing argument), so they are 400s with a readable message.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::Deserialization(msg) => AppError::invalid(format!("The request could not be read: {msg}")),
            ServerFnErrorErr::MissingArg(arg) => AppError::invalid(format!("The request is missing `{arg}`.")),
            ServerFnErrorErr::Request(msg) | ServerFnErrorErr::Response(msg) => {
                AppError::new(ErrorKind::Unavailable, format!("Could not reach the server: {msg}"))
            }
            other => AppError::internal(other),
        }
    }
}

/// Handlers outside the server-function machinery (uploads, the guard's refusals) answer with the
/// status and the message as plain text.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = axum::http::StatusCode::from_u16(self.status()).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, [(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], self.message).into_response()
    }
}
