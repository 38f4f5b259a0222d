//! The one request guard every server function and handler starts with.
//!
//! `Guard::current()` (server functions) or the `Guard` extractor (axum handlers) checks that a
//! state-changing request came from a page of this app (the CSRF check, see
//! [`crate::infra::origin`]); `guard.allow::<can::EditPages>()` resolves the session once and
//! checks the role, and hands back a [`Scope`]: the signed-in user of one organization, proven
//! allowed to do that one kind of thing. Services take a `Scope` of the permission they need, and
//! only this module can make one, so a new server function cannot reach a service without the
//! check. Public endpoints (the visitor's page, "notify me", login) take the guard too, for the
//! origin check and the client's address.

use crate::accounts::backend::{sessions, store};
use crate::accounts::model::CurrentUser;
use crate::accounts::permissions::{Action, authorize};
use crate::error::AppError;
use crate::infra::origin::{REFUSED, request_is_same_origin};
use crate::infra::request::RequestCtx;
use crate::infra::state::AppState;
use axum::http::request::Parts;
use std::marker::PhantomData;

/// A kind of action, as a type, so that a service's signature says what it needs.
pub trait Permission {
    const ACTION: Action;
}

/// The permissions as types: `Scope<can::PublishPages>`.
pub mod can {
    use super::{Action, Permission};
    macro_rules! permissions {
        ($($name:ident),* $(,)?) => {$(
            #[doc = concat!("Allowed to `", stringify!($name), "`.")]
            pub struct $name;
            impl Permission for $name {
                const ACTION: Action = Action::$name;
            }
        )*};
    }
    permissions!(
        ViewDashboard,
        EditPages,
        PublishPages,
        EditProducts,
        ExportData,
        ManagePayments,
        ManageTeam,
        ManageBilling,
        ViewRegistrants,
        ManageRegistrants,
        ViewSecurityLog
    );
}

/// Proof that the request's user may do `P` in their organization. Made only by [`Guard::allow`].
pub struct Scope<P> {
    user: CurrentUser,
    _permission: PhantomData<fn() -> P>,
}

impl<P> Scope<P> {
    pub fn user(&self) -> &CurrentUser {
        &self.user
    }
    pub fn user_id(&self) -> &str {
        &self.user.id
    }
    /// Every query a service runs is scoped to this organization.
    pub fn organization_id(&self) -> &str {
        &self.user.organization_id
    }

    /// Refuses a change to a page or product of another group (`resource_group`, `None`: no
    /// group) when the user changes only their own group's (see
    /// [`crate::accounts::permissions::limited_to_own_group`]).
    pub fn check_group(&self, resource_group: Option<&str>, what: &str) -> Result<(), AppError> {
        match resource_group {
            Some(group) if group != self.user.group_id && crate::accounts::permissions::limited_to_own_group(&self.user.roles) => {
                Err(AppError::forbidden(format!(
                    "This {what} belongs to another group. Editors change the {what}s of their own group ({}); ask a manager or an admin.",
                    self.user.group_name
                )))
            }
            _ => Ok(()),
        }
    }
}

/// Who is asking, for the log and the rate limiter.
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The request, checked for its origin; the way to a [`Scope`].
pub struct Guard {
    ctx: RequestCtx,
}

/// The signed-in user, when a middleware already looked them up for this request.
#[derive(Clone, Debug)]
pub struct ResolvedUser(pub Option<CurrentUser>);

impl Guard {
    /// The guard for the server function being called.
    pub fn current() -> Result<Guard, AppError> {
        Guard::new(RequestCtx::current()?)
    }

    fn new(ctx: RequestCtx) -> Result<Guard, AppError> {
        // The HTTP stack refuses foreign requests before they get here; checking again costs
        // nothing and keeps a route mounted outside that stack from becoming a hole.
        let public_origin = &ctx.state.config.public_origin;
        if !request_is_same_origin(&ctx.parts.method, ctx.parts.uri.path(), &ctx.parts.headers, public_origin) {
            return Err(AppError::forbidden(REFUSED));
        }
        Ok(Guard { ctx })
    }

    pub fn state(&self) -> &AppState {
        &self.ctx.state
    }

    /// Who is asking, for the security log and the rate limits.
    pub fn client(&self) -> Client {
        Client { ip: self.ctx.client_ip(), user_agent: self.ctx.user_agent() }
    }

    pub fn session_token(&self) -> Option<String> {
        session_token_from(&self.ctx.parts.headers)
    }

    pub fn set_cookie(&self, cookie: &str) {
        self.ctx.set_cookie(cookie);
    }

    /// The signed-in user, or `None` (visitors).
    pub async fn user(&self) -> Result<Option<CurrentUser>, AppError> {
        if let Some(resolved) = self.ctx.parts.extensions.get::<ResolvedUser>() {
            return Ok(resolved.0.clone());
        }
        resolve_user(&self.ctx.state, &self.ctx.parts.headers).await
    }

    /// The signed-in user's scope for `P`: 401 without a session, 403 when no role allows it.
    pub async fn allow<P: Permission>(&self) -> Result<Scope<P>, AppError> {
        let user = self.user().await?.ok_or_else(|| AppError::unauthenticated("Please log in to continue."))?;
        authorize(&user, P::ACTION, None)?;
        Ok(Scope { user, _permission: PhantomData })
    }
}

impl axum::extract::FromRequestParts<AppState> for Guard {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Guard, AppError> {
        Guard::new(RequestCtx { state: state.clone(), parts: parts.clone() })
    }
}

pub fn session_token_from(headers: &axum::http::HeaderMap) -> Option<String> {
    headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(sessions::token_from_cookie_header)
}

/// Looks up the user for the request's session cookie.
pub async fn resolve_user(state: &AppState, headers: &axum::http::HeaderMap) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = session_token_from(headers) else { return Ok(None) };
    let now = chrono::Utc::now().naive_utc();
    let hash = sessions::token_hash(&token);
    let Some((user, last_used_at)) = store::session_user(&state.db, &hash, now).await? else { return Ok(None) };
    // The account page shows when each session was last used; written every few minutes at
    // most, and after the answer, so a request never waits for it.
    let stale = now - chrono::Duration::minutes(sessions::LAST_USE_GRANULARITY_MINUTES);
    if last_used_at.is_none_or(|t| t < stale) {
        let db = state.db.clone();
        tokio::spawn(async move {
            if let Err(e) = store::touch_session(&db, &hash, now).await {
                tracing::warn!(error = %e, "could not record a session's use");
            }
        });
    }
    Ok(Some(user))
}
